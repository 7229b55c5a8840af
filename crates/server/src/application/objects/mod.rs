//! Objects of the organization's tree: create, list, read, rename, move, delete,
//! change their owner ("Make owner" cascades to the children), set a member's
//! grant on one, and the Permissions dialog's view of one (for whoever may
//! share the object). An object the caller may not see is
//! `unknown_object` on every path (`steward_core::sight`), whichever adapter asks.

mod offers;
mod scope;

pub use offers::{Creatable, ObjectOffers};
pub use scope::{ScopeHolder, ScopeMembers};

use super::caller::{parse_object, parse_user, Caller, InOrg};
use super::checks::Because;
use super::error::AppError;
use super::error::Denied;
use super::list::{page_limit, Page};
use super::Steward;
use crate::secrets::hinted_id;
use serde::{Deserialize, Serialize};
use steward_core::decide::share_refusal;
use steward_core::snapshot::{ActionRef, Reason};
use steward_core::state::Object;
use steward_core::{Actor, Command, Name, ObjectId, Policy, Refusal, Snapshot, State};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectView {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub owner_id: Option<String>,
}

impl From<&Object> for ObjectView {
    fn from(o: &Object) -> ObjectView {
        ObjectView {
            id: o.id.to_string(),
            object_type: o.object_type.to_string(),
            name: o.name.to_string(),
            parent_id: o.parent.as_ref().map(|p| p.to_string()),
            owner_id: o.owner.as_ref().map(|p| p.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateObject {
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// Defaults to the caller.
    pub owner_id: Option<String>,
}

/// A rename, a move, or both (decided together: both happen, or neither).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateObject {
    /// The new name; whoever may share the object may rename it.
    pub name: Option<String>,
    /// The new parent, of the type's parent type (`parent` is accepted too).
    /// Needs the type's `delete` action where it is and its `create` rule there.
    #[serde(alias = "parent")]
    pub parent_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub object_type: Option<String>,
    pub parent_id: Option<String>,
    /// With `action`: only the objects this user may do that action on.
    pub allowed_for: Option<String>,
    pub action: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionsView {
    pub entries: Vec<PermissionEntry>,
}

/// One row of the Permissions dialog.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionEntry {
    pub user_id: String,
    /// The member's name, for people (not in the API's answer).
    #[serde(skip)]
    pub name: String,
    /// The member's e-mail, for people to tell two namesakes apart (not in the
    /// API's answer).
    #[serde(skip)]
    pub email: String,
    /// What the user may do on the object.
    pub actions: Vec<String>,
    /// Why, one per source: `root`, `owner`, `role:<name>@<node>`, `grant@<node>`.
    #[schema(value_type = Vec<String>)]
    pub sources: Vec<Because>,
    /// The actions a grant here may add or remove: those not already given by a
    /// role, ownership or root (which are shown locked).
    pub editable_actions: Vec<String>,
    /// The actions given by a role, ownership or root, each with its source:
    /// the console shows them ticked and locked, naming why.
    pub locked: Vec<LockedAction>,
    /// The member's own grant on this object (not in the API's answer): an
    /// action granted on an object above is editable here, not ticked.
    #[serde(skip)]
    pub granted: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LockedAction {
    pub action: String,
    #[schema(value_type = String)]
    pub source: Because,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub object_id: String,
    pub user_id: String,
    pub actions: Vec<String>,
}

impl Steward {
    /// Creates an object; the caller owns it unless `owner_id` says otherwise.
    pub async fn create_object(
        &self,
        org: &InOrg,
        input: CreateObject,
    ) -> Result<ObjectView, AppError> {
        let prefix: String = input
            .object_type
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        let prefix = if prefix.is_empty() { "obj" } else { &prefix };
        let object_id = ObjectId::parse(&hinted_id(prefix, org.snapshot.next_object_hint()))?;
        let command = Command::CreateObject {
            object_id: object_id.clone(),
            object_type: input.object_type,
            name: Name::parse(&input.name).map_err(|e| AppError::field("name", e))?,
            parent_id: input.parent_id.as_deref().map(parse_object).transpose()?,
            owner_id: input.owner_id.as_deref().map(parse_user).transpose()?,
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.current_object(org, &object_id).await
    }

    /// The objects the caller may see, filtered, in id order.
    pub async fn objects(
        &self,
        org: &InOrg,
        query: ObjectQuery,
    ) -> Result<Page<ObjectView>, AppError> {
        let limit = page_limit(query.limit)?;
        let policy = self.service().policy();
        if let Some(t) = &query.object_type {
            if policy.type_index(t).is_none() {
                return Err(Refusal::UnknownType(t.clone()).into());
            }
        }
        let allowed = match (&query.allowed_for, &query.action) {
            (Some(user), Some(action)) => {
                org.require_check_about(user)?;
                if policy.action_index(action).is_none() {
                    return Err(Refusal::UnknownAction(action.clone()).into());
                }
                Some((user.as_str(), action.as_str()))
            }
            (None, None) => None,
            _ => {
                return Err(AppError::invalid(
                    "allowed_for",
                    "allowed_for and action go together",
                ))
            }
        };
        let snapshot = &org.snapshot;
        let q = &query;
        let page = self
            .service()
            .read(&org.org, |state| {
                let matching = state
                    .objects()
                    .filter(|o| q.cursor.as_deref().is_none_or(|c| o.id.as_str() > c))
                    .filter(|o| q.object_type.as_deref().is_none_or(|t| o.object_type == t))
                    .filter(|o| {
                        q.parent_id
                            .as_deref()
                            .is_none_or(|p| o.parent.as_ref().map(|x| x.as_str()) == Some(p))
                    })
                    // Only what the caller may see, whoever the list is about.
                    .filter(|o| org.sees(o.id.as_str()))
                    .filter(|o| {
                        allowed.is_none_or(|(user, action)| {
                            snapshot.allows_by_name(user, action, o.id.as_str())
                        })
                    });
                let mut items: Vec<ObjectView> = Vec::new();
                let mut next_cursor = None;
                for o in matching {
                    if items.len() == limit {
                        next_cursor = items.last().map(|v| v.id.clone());
                        break;
                    }
                    items.push(o.into());
                }
                Page { items, next_cursor }
            })
            .await?;
        Ok(page)
    }

    /// One object the caller may see.
    pub async fn object(&self, org: &InOrg, id: &str) -> Result<ObjectView, AppError> {
        let id = org.visible_object(id)?;
        self.current_object(org, &id).await
    }

    /// Renames and/or moves the object, as one change.
    pub async fn update_object(
        &self,
        org: &InOrg,
        id: &str,
        input: UpdateObject,
    ) -> Result<ObjectView, AppError> {
        let object_id = parse_object(id)?;
        let mut commands = Vec::new();
        if let Some(name) = &input.name {
            commands.push(Command::RenameObject {
                object_id: object_id.clone(),
                name: Name::parse(name).map_err(|e| AppError::field("name", e))?,
            });
        }
        if let Some(parent) = &input.parent_id {
            commands.push(Command::MoveObject {
                object_id: object_id.clone(),
                parent_id: Some(parse_object(parent)?),
            });
        }
        if commands.is_empty() {
            return Err(AppError::invalid(
                "name",
                "give a new name, a new parent, or both",
            ));
        }
        self.service()
            .execute_together(&org.org, &org.actor()?, commands)
            .await?;
        self.current_object(org, &object_id).await
    }

    pub async fn delete_object(&self, org: &InOrg, id: &str) -> Result<(), AppError> {
        let object_id = parse_object(id)?;
        self.service()
            .execute(&org.org, &org.actor()?, Command::DeleteObject { object_id })
            .await?;
        Ok(())
    }

    /// Hands the object, and everything inside that follows its owner, to `user`.
    pub async fn change_object_owner(
        &self,
        org: &InOrg,
        id: &str,
        user: &str,
    ) -> Result<ObjectView, AppError> {
        let object_id = parse_object(id)?;
        let command = Command::ChangeObjectOwner {
            object_id: object_id.clone(),
            owner_id: parse_user(user)?,
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.current_object(org, &object_id).await
    }

    /// Every member with what they may do on the object and why, for whoever may
    /// share it (`require_share`): an object the caller may not see is not found
    /// before that is asked.
    pub async fn object_permissions(
        &self,
        org: &InOrg,
        id: &str,
    ) -> Result<PermissionsView, AppError> {
        let id = org.visible_object(id)?;
        self.require_share(org, &id).await?;
        let snapshot = &org.snapshot;
        let entries = self
            .service()
            .read(&org.org, |state| {
                state
                    .object(&id)
                    .map(|_| permission_entries(snapshot, state, &id, state.members()))
            })
            .await?
            .ok_or_else(|| Refusal::UnknownObject(id.clone()))?;
        Ok(PermissionsView { entries })
    }

    /// One page of the Permissions dialog, as the Users page pages members:
    /// `q` matches a name or an e-mail (any case), 50 at a time in id order
    /// after `cursor`. The second value is how many members there are in all.
    pub async fn object_permissions_page(
        &self,
        org: &InOrg,
        id: &str,
        q: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<(Page<PermissionEntry>, usize), AppError> {
        let id = org.visible_object(id)?;
        self.require_share(org, &id).await?;
        let limit = page_limit(None)?;
        let needle = q.map(str::to_lowercase).filter(|n| !n.is_empty());
        let snapshot = &org.snapshot;
        let answer = self
            .service()
            .read(&org.org, |state| {
                state.object(&id)?;
                let mut matching = state
                    .members()
                    .filter(|m| cursor.is_none_or(|c| m.user_id.as_str() > c))
                    .filter(|m| {
                        needle.as_deref().is_none_or(|n| {
                            m.email.as_str().contains(n)
                                || m.name.as_str().to_lowercase().contains(n)
                        })
                    });
                let page: Vec<_> = matching.by_ref().take(limit).collect();
                let more = matching.next().is_some();
                let next_cursor = more
                    .then(|| page.last().map(|m| m.user_id.to_string()))
                    .flatten();
                let items = permission_entries(snapshot, state, &id, page.into_iter());
                Some((Page { items, next_cursor }, state.member_count()))
            })
            .await?
            .ok_or_else(|| Refusal::UnknownObject(id.clone()))?;
        Ok(answer)
    }

    /// Replaces `user`'s grant on the object (`[]` removes it).
    pub async fn set_grant(
        &self,
        org: &InOrg,
        id: &str,
        user: &str,
        actions: Vec<String>,
    ) -> Result<GrantView, AppError> {
        let object_id = parse_object(id)?;
        let user_id = parse_user(user)?;
        let command = Command::SetGrant {
            object_id: object_id.clone(),
            user_id: user_id.clone(),
            actions,
        };
        self.service()
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let actions = self
            .service()
            .read(&org.org, |state| {
                state
                    .grant(&object_id, &user_id)
                    .map(|g| g.iter().cloned().collect())
                    .unwrap_or_default()
            })
            .await?;
        Ok(GrantView {
            object_id: object_id.to_string(),
            user_id: user_id.to_string(),
            actions,
        })
    }

    /// Whether the caller may see and change who may do what on the object: a
    /// member, by core's rule for the type's `share` action (its owner, Full Data
    /// Access, administrators...); an API key, as for any read of members.
    pub async fn require_share(&self, org: &InOrg, id: &ObjectId) -> Result<(), AppError> {
        let user = match &org.who {
            Caller::Account(user) => user.clone(),
            Caller::Key(_) => return org.require("members:view"),
        };
        let policy = self.service().policy().clone();
        let refusal = self
            .service()
            .read(&org.org, |state| {
                share_refusal(&policy, state, &Actor::User(user), id)
                    .map(|r| (r, state.object(id).map(|o| o.object_type.clone())))
            })
            .await?;
        match refusal {
            None => Ok(()),
            Some((Refusal::NotPermitted, Some(object_type))) => {
                Err(may_not_share(&policy, &object_type).into())
            }
            Some((refusal, _)) => Err(refusal.into()),
        }
    }

    /// The object as it is now (after a change the caller made to it).
    async fn current_object(&self, org: &InOrg, id: &ObjectId) -> Result<ObjectView, AppError> {
        self.service()
            .read(&org.org, |state| state.object(id).map(ObjectView::from))
            .await?
            .ok_or_else(|| Refusal::UnknownObject(id.clone()).into())
    }
}

/// The refusal of the Permissions dialog, naming the action that opens it.
pub fn may_not_share(policy: &Policy, object_type: &str) -> Denied {
    let ty = policy.type_index(object_type);
    let action = ty
        .and_then(|t| {
            let t = policy.object_type(t);
            t.share.or_else(|| policy.object_type(t.action_type).share)
        })
        .map_or_else(String::new, |a| policy.action(a).name.clone());
    let object_type = ty.map_or_else(
        || object_type.to_string(),
        |t| policy.object_type(t).label.to_lowercase(),
    );
    Denied::MayNotShare {
        action,
        object_type,
    }
}

/// The row of each of `members` in the Permissions dialog of `id`.
fn permission_entries<'m>(
    snapshot: &Snapshot,
    state: &State,
    id: &ObjectId,
    members: impl Iterator<Item = &'m steward_core::state::Member>,
) -> Vec<PermissionEntry> {
    let policy = snapshot.policy();
    let (Some(node), Some(object)) = (snapshot.node(id.as_str()), state.object(id)) else {
        return Vec::new();
    };
    let Some(ty) = policy.type_index(&object.object_type) else {
        return Vec::new();
    };
    // Resolved once for every member.
    let actions: Vec<(&String, ActionRef)> = policy
        .object_type(ty)
        .actions
        .iter()
        .filter_map(|a| {
            let name = &policy.action(a).name;
            Some((name, snapshot.action(name)?))
        })
        .collect();
    members
        .filter_map(|m| {
            let user = snapshot.user(m.user_id.as_str())?;
            let mut entry = PermissionEntry {
                user_id: m.user_id.to_string(),
                name: m.name.to_string(),
                email: m.email.to_string(),
                actions: Vec::new(),
                sources: Vec::new(),
                editable_actions: Vec::new(),
                locked: Vec::new(),
                granted: state
                    .grant(id, &m.user_id)
                    .map(|g| g.iter().cloned().collect())
                    .unwrap_or_default(),
            };
            for &(name, action) in &actions {
                let decision = snapshot.check(user, action, node);
                let by_grant = matches!(decision.reason, Reason::Grant { .. });
                if decision.allowed {
                    entry.actions.push(name.clone());
                    let source = Because::named(snapshot, decision.reason, state);
                    if !by_grant {
                        entry.locked.push(LockedAction {
                            action: name.clone(),
                            source: source.clone(),
                        });
                    }
                    if !entry.sources.contains(&source) {
                        entry.sources.push(source);
                    }
                }
                if !decision.allowed || by_grant {
                    entry.editable_actions.push(name.clone());
                }
            }
            Some(entry)
        })
        .collect()
}
