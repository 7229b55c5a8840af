//! Objects of the tree: creation, renaming, moving, deletion, "Make owner" and
//! per-object grants.

use super::Context;
use crate::access;
use crate::event::Change;
use crate::id::{Name, ObjectId, UserId};
use crate::policy::{ActionIndex, TypeIndex, ORGANIZATION};
use crate::refusal::Refusal;
use crate::state::Object;

fn object<'a>(cx: &Context<'a>, id: &ObjectId) -> Result<(&'a Object, TypeIndex), Refusal> {
    let o = cx.object(id)?;
    let t = cx
        .policy
        .type_index(&o.object_type)
        .ok_or_else(|| Refusal::UnknownType(o.object_type.to_string()))?;
    Ok((o, t))
}

/// The action a type names for `field`, or the one its action type names
/// (a question is deleted and shared as its project is).
fn type_action(
    cx: &Context,
    ty: TypeIndex,
    field: fn(&crate::policy::ObjectType) -> Option<ActionIndex>,
) -> Option<ActionIndex> {
    let t = cx.policy.object_type(ty);
    field(t).or_else(|| field(cx.policy.object_type(t.action_type)))
}

/// May the user do `action` about `node`: on the node when the action is about it,
/// else on the organization.
fn may_about(
    cx: &Context,
    user: &UserId,
    action: ActionIndex,
    node: &ObjectId,
    ty: TypeIndex,
) -> bool {
    let on = if cx.policy.applies(action, ty) {
        Some(node)
    } else {
        None
    };
    cx.may(user, action, on)
}

pub(super) fn create(
    cx: &Context,
    object_id: ObjectId,
    object_type: String,
    name: Name,
    parent_id: Option<ObjectId>,
    owner_id: Option<UserId>,
) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let actor = cx.acting_member()?;
    let org = cx.org()?;
    let ty = p
        .type_index(&object_type)
        .filter(|&t| t != ORGANIZATION)
        .ok_or_else(|| Refusal::UnknownType(object_type.clone()))?;
    if cx.state.object(&object_id).is_some() || object_id.as_str() == org.id.as_str() {
        return Err(Refusal::DuplicateObject(object_id));
    }
    let t = p.object_type(ty);
    let parent_type = t.parent.unwrap_or(ORGANIZATION);
    // The organization's id stands for "no parent".
    let parent_id = parent_id.filter(|id| id.as_str() != org.id.as_str());
    let parent = match &parent_id {
        None if parent_type == ORGANIZATION => None,
        None => {
            return Err(Refusal::InvalidParent {
                object_type,
                expected: format!("it belongs under a {}", p.object_type(parent_type).name),
            })
        }
        Some(id) => {
            let (o, pt) = object(cx, id)?;
            if pt != parent_type {
                return Err(Refusal::InvalidParent {
                    object_type,
                    expected: format!(
                        "it belongs under a {}, not a {}",
                        p.object_type(parent_type).name,
                        o.object_type
                    ),
                });
            }
            Some(o)
        }
    };
    if !may_create(cx, &actor.user_id, ty, parent_id.as_ref()) {
        return Err(Refusal::NotPermitted);
    }
    let owner = if t.inherits {
        let inherited = parent.and_then(|o| o.owner.clone());
        if owner_id.is_some() && owner_id != inherited {
            return Err(Refusal::OwnerFollowsParent(object_type));
        }
        inherited
    } else {
        let owner = owner_id.unwrap_or_else(|| actor.user_id.clone());
        cx.member(&owner)?;
        Some(owner)
    };
    Ok(vec![Change::ObjectCreated {
        object_id,
        object_type,
        name,
        parent_id,
        owner_id: owner,
    }])
}

/// May the user create an object of type `ty` under `parent` (`None`: the
/// organization), by the type's `create` rule.
fn may_create(cx: &Context, user: &UserId, ty: TypeIndex, parent: Option<&ObjectId>) -> bool {
    let p = cx.policy;
    let Some(create) = p.object_type(ty).create else {
        return false;
    };
    if p.applies(create, p.object_type(ty).parent.unwrap_or(ORGANIZATION)) {
        cx.may(user, create, parent)
    } else {
        access::allowed_everywhere_below(p, cx.state, user, create, parent)
    }
}

/// May the user delete the object, by its type's `delete` action.
fn may_delete(cx: &Context, user: &UserId, object_id: &ObjectId, ty: TypeIndex) -> bool {
    match type_action(cx, ty, |t| t.delete) {
        Some(a) => may_about(cx, user, a, object_id, ty),
        None => false,
    }
}

pub(super) fn delete(cx: &Context, object_id: ObjectId) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let (_, ty) = object(cx, &object_id)?;
    if !may_delete(cx, &actor.user_id, &object_id, ty) {
        return Err(Refusal::NotPermitted);
    }
    Ok(vec![Change::ObjectDeleted { object_id }])
}

/// Renaming is managing the object: whoever may share it (its type's `share`
/// action: its owner, and the roles the policy gives that action) may rename it.
pub(super) fn rename(
    cx: &Context,
    object_id: ObjectId,
    name: Name,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let (o, ty) = object(cx, &object_id)?;
    if !may_share(cx, &actor.user_id, &object_id, ty) {
        return Err(Refusal::NotPermitted);
    }
    if o.name == name {
        return Ok(vec![]);
    }
    Ok(vec![Change::ObjectRenamed {
        object_id,
        previous_name: o.name.clone(),
        name,
    }])
}

/// Moving is deleting it where it is and creating it under the new parent: the
/// actor needs both, and the new parent must be of the type's parent type. An
/// inheriting object takes the new parent's owner, as one created there would.
pub(super) fn move_to(
    cx: &Context,
    object_id: ObjectId,
    parent_id: Option<ObjectId>,
) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let actor = cx.acting_member()?;
    let org = cx.org()?;
    let (o, ty) = object(cx, &object_id)?;
    let t = p.object_type(ty);
    let parent_type = t.parent.unwrap_or(ORGANIZATION);
    let parent_id = parent_id.filter(|id| id.as_str() != org.id.as_str());
    let new_parent = match &parent_id {
        None if parent_type == ORGANIZATION => None,
        None => {
            return Err(Refusal::InvalidParent {
                object_type: o.object_type.to_string(),
                expected: format!("it belongs under a {}", p.object_type(parent_type).name),
            })
        }
        Some(id) => {
            let (parent, pt) = object(cx, id)?;
            if pt != parent_type {
                return Err(Refusal::InvalidParent {
                    object_type: o.object_type.to_string(),
                    expected: format!(
                        "it belongs under a {}, not a {}",
                        p.object_type(parent_type).name,
                        parent.object_type
                    ),
                });
            }
            Some(parent)
        }
    };
    if !may_delete(cx, &actor.user_id, &object_id, ty)
        || !may_create(cx, &actor.user_id, ty, parent_id.as_ref())
    {
        return Err(Refusal::NotPermitted);
    }
    if o.parent == parent_id {
        return Ok(vec![]);
    }
    let mut changes = vec![Change::ObjectMoved {
        object_id: object_id.clone(),
        previous_parent: o.parent.clone(),
        parent_id,
    }];
    let inherited = new_parent.and_then(|n| n.owner.clone());
    if t.inherits && inherited != o.owner {
        changes.push(Change::ObjectOwnerChanged {
            object_id,
            previous_owner: o.owner.clone(),
            new_owner: inherited,
        });
    }
    Ok(changes)
}

/// May the actor change who may do what on the object (grants, owner)?
fn may_share(cx: &Context, user: &UserId, object_id: &ObjectId, ty: TypeIndex) -> bool {
    match type_action(cx, ty, |t| t.share) {
        Some(a) => may_about(cx, user, a, object_id, ty),
        None => false,
    }
}

pub(super) fn change_owner(
    cx: &Context,
    object_id: ObjectId,
    owner_id: UserId,
) -> Result<Vec<Change>, Refusal> {
    let actor = cx.acting_member()?;
    let (o, ty) = object(cx, &object_id)?;
    if cx.policy.object_type(ty).inherits {
        return Err(Refusal::OwnerFollowsParent(o.object_type.to_string()));
    }
    if !may_share(cx, &actor.user_id, &object_id, ty) {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&owner_id)?;
    if o.owner.as_ref() == Some(&owner_id) {
        return Ok(vec![]);
    }
    Ok(vec![Change::ObjectOwnerChanged {
        object_id,
        previous_owner: o.owner.clone(),
        new_owner: Some(owner_id),
    }])
}

pub(super) fn set_grant(
    cx: &Context,
    object_id: ObjectId,
    user_id: UserId,
    actions: Vec<String>,
) -> Result<Vec<Change>, Refusal> {
    let p = cx.policy;
    let actor = cx.acting_member()?;
    let (o, ty) = object(cx, &object_id)?;
    let mut indices = Vec::with_capacity(actions.len());
    for a in &actions {
        let i = p
            .action_index(a)
            .ok_or_else(|| Refusal::UnknownAction(a.clone()))?;
        if !p.applies(i, ty) {
            return Err(Refusal::ActionNotApplicable {
                action: a.clone(),
                object_type: o.object_type.to_string(),
            });
        }
        if !indices.contains(&i) {
            indices.push(i);
        }
    }
    if !may_share(cx, &actor.user_id, &object_id, ty) {
        return Err(Refusal::NotPermitted);
    }
    cx.member(&user_id)?;
    if user_id == actor.user_id {
        return Err(Refusal::SelfChange);
    }
    let previous: Vec<String> = cx
        .state
        .grant(&object_id, &user_id)
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    // Nobody grants what they may not do themselves.
    for &i in &indices {
        let added = !previous.contains(&p.action(i).name);
        if added && !cx.may(&actor.user_id, i, Some(&object_id)) {
            return Err(Refusal::AboveOwnRank);
        }
    }
    let mut new: Vec<String> = indices.iter().map(|&i| p.action(i).name.clone()).collect();
    new.sort();
    if new == previous {
        return Ok(vec![]);
    }
    Ok(vec![Change::GrantChanged {
        object_id,
        user_id,
        previous_actions: previous,
        actions: new,
    }])
}

/// Why `actor` may not change who may do what on the object (its grants and its
/// owner: the Permissions dialog), or `None` when they may. An object the actor
/// may not see is unknown, as for every command about it.
pub fn share_refusal(
    policy: &crate::policy::Policy,
    state: &crate::state::State,
    actor: &crate::event::Actor,
    object_id: &ObjectId,
) -> Option<Refusal> {
    let cx = Context {
        policy,
        state,
        actor,
        now: crate::id::Timestamp(0),
    };
    let refusal = (|| {
        let actor = cx.acting_member()?;
        let (_, ty) = object(&cx, object_id)?;
        if may_share(&cx, &actor.user_id, object_id, ty) {
            Ok(())
        } else {
            Err(Refusal::NotPermitted)
        }
    })();
    refusal.err()
}
