//! `State::restore`: an organization rebuilt from its stored rows without replaying
//! its log. Each index is collected whole, members' and objects' on two threads when
//! the organization is large, ids that name the same thing share one string, and
//! so do roles and types (`Label`).
//! docs/scaling.md#start-up says where this sits in the start-up.

use super::{
    add_invitation, holders::RoleHolders, ByEmail, Invitation, Labels, Member, Nomination, Object,
    OrgInfo, State, Table,
};
use crate::api_key::ApiKey;
use crate::id::{ObjectId, UserId};
use crate::webhook::Webhook;

/// Below this many members and objects together a second thread costs more than
/// it saves.
const TWO_THREADS_FROM: usize = 50_000;

/// What the store keeps of an organization, row by row: `State::restore` rebuilds
/// the state (and its indexes) from it without replaying the whole log.
#[derive(Debug, Clone, Default)]
pub struct StateRows {
    pub org: Option<OrgInfo>,
    pub members: Vec<Member>,
    /// (user, scope object, role), one row per role held.
    pub scope_roles: Vec<(UserId, ObjectId, String)>,
    /// Objects in any order; `children` is ignored and rebuilt from `parent`.
    pub objects: Vec<Object>,
    /// (object, user, action), one row per granted action.
    pub grants: Vec<(ObjectId, UserId, String)>,
    pub invitations: Vec<Invitation>,
    pub nomination: Option<Nomination>,
    pub api_keys: Vec<ApiKey>,
    pub webhooks: Vec<Webhook>,
    /// The members' or the objects' part already restored by the loader, on the
    /// thread that read them (`restore_members_now`, `restore_objects_now`).
    pub restored: Restored,
}

/// The parts of a state a loader restored as soon as their rows were read, while
/// another thread still read the rest: the start-up overlaps restoring with
/// reading (docs/scaling.md#start-up).
#[derive(Debug, Clone, Default)]
pub struct Restored {
    members: Option<People>,
    objects: Option<Table<Object>>,
}

impl StateRows {
    /// Builds the members' indexes now, from the members read so far, on this
    /// thread. Members pushed afterwards still count: `State::restore` takes them
    /// in (more slowly).
    pub fn restore_members_now(&mut self) {
        let mut members = std::mem::take(&mut self.members);
        if let Some((by_id, _, _)) = self.restored.members.take() {
            members.extend(by_id.into_values());
        }
        self.restored.members = Some(restore_people(members));
    }

    /// Builds the objects' tree now, from the objects read so far, on this thread;
    /// objects pushed afterwards still count.
    pub fn restore_objects_now(&mut self) {
        let mut objects = std::mem::take(&mut self.objects);
        if let Some(by_id) = self.restored.objects.take() {
            objects.extend(by_id.into_values());
        }
        self.restored.objects = Some(restore_objects(objects));
    }

    /// Takes the members' rows, restored or not, and the scope roles from `other`
    /// (the rows another connection read).
    pub fn take_people(&mut self, other: &mut StateRows) {
        self.members.append(&mut other.members);
        self.scope_roles.append(&mut other.scope_roles);
        if let Some(people) = other.restored.members.take() {
            self.restored.members = Some(people);
        }
    }
}

/// The members and their two indexes.
type People = (Table<Member>, ByEmail, RoleHolders);

impl State {
    /// Rebuilds a state from its stored rows. `restore(rows)` equals the state the
    /// events that wrote those rows replay to; the store's conformance tests hold it
    /// to that.
    pub fn restore(rows: StateRows) -> State {
        let StateRows {
            org,
            members,
            scope_roles,
            objects,
            grants,
            invitations,
            nomination,
            api_keys,
            webhooks,
            restored,
        } = rows;
        // Parts the loader restored already (`Ok`), or rows still to restore (`Err`),
        // with any read after their part was restored.
        let people = match (restored.members, members.is_empty()) {
            (Some(part), true) => Ok(part),
            (part, _) => Err(with_restored_members(members, part)),
        };
        let tree = match (restored.objects, objects.is_empty()) {
            (Some(part), true) => Ok(part),
            (part, _) => Err(with_restored_objects(objects, part)),
        };
        let ((members, by_email, by_role), objects) = match (people, tree) {
            (Ok(people), Ok(tree)) => (people, tree),
            (Ok(people), Err(objects)) => (people, restore_objects(objects)),
            (Err(members), Ok(tree)) => (restore_people(members), tree),
            // The members' trees and the objects' tree share nothing, so a large
            // organization builds them at once.
            (Err(members), Err(objects)) if members.len() + objects.len() < TWO_THREADS_FROM => {
                (restore_people(members), restore_objects(objects))
            }
            (Err(members), Err(objects)) => std::thread::scope(|s| {
                let people = s.spawn(|| restore_people(members));
                let objects = restore_objects(objects);
                let people = people
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (people, objects)
            }),
        };
        let mut state = State {
            org,
            nomination,
            members,
            by_email,
            by_role,
            objects,
            ..State::default()
        };
        for (user, object, role) in scope_roles {
            state
                .scope_roles
                .entry(user)
                .or_default()
                .entry(object)
                .or_default()
                .insert(role);
        }
        for (object, user, action) in grants {
            state
                .grants
                .entry(object)
                .or_default()
                .entry(user)
                .or_default()
                .insert(action);
        }
        for i in invitations {
            add_invitation(&mut state, i);
        }
        for k in api_keys {
            state.api_keys.insert(k.id.clone(), k);
        }
        for w in webhooks {
            state.webhooks.insert(w.id.clone(), w);
        }
        state
    }
}

/// The members' rows with those of a part restored earlier, to restore together.
fn with_restored_members(mut members: Vec<Member>, part: Option<People>) -> Vec<Member> {
    if let Some((by_id, _, _)) = part {
        members.extend(by_id.into_values());
        members.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    }
    members
}

fn with_restored_objects(mut objects: Vec<Object>, part: Option<Table<Object>>) -> Vec<Object> {
    if let Some(by_id) = part {
        objects.extend(by_id.into_values());
    }
    objects
}

/// Members by id, by e-mail and by role. Each index is collected whole rather
/// than grown a row at a time: `collect` sorts once (linear when the rows come in
/// key order, as the store reads them) and builds the tree bottom up, where an
/// insert per row walks the tree and places its key. At 1,000,000 members it is
/// the difference between seconds and a fraction of one
/// (docs/benchmarks.md#storage). Members holding one role share its label, which
/// is also the key of `by_role`.
fn restore_people(members: Vec<Member>) -> People {
    let mut labels = Labels::default();
    let by_email = members.iter().collect();
    let members: Table<Member> = (members.into_iter())
        .map(|mut m| {
            m.role = labels.share(m.role);
            m
        })
        .collect();
    let by_role = RoleHolders::of(members.values());
    (members, by_email, by_role)
}

/// Objects by id, each parent's `children` rebuilt from the children's `parent`.
/// An object's owner is one string shared with the object before it when both
/// name the same user, and a child's parent is the parent's own id: objects mostly
/// share a few owners, and a copy of an id longer than 14 bytes is 48 to 96.
/// Parents and children are linked in the rows sorted by id (a binary search
/// each), before the table is built whole.
fn restore_objects(mut objects: Vec<Object>) -> Table<Object> {
    let mut last_owner: Option<UserId> = None;
    let mut types = Labels::default();
    for o in &mut objects {
        o.children.clear();
        o.object_type = types.share(o.object_type.clone());
        match (&o.owner, &last_owner) {
            (Some(owner), Some(last)) if owner == last => o.owner = Some(last.clone()),
            (Some(owner), _) => last_owner = Some(owner.clone()),
            (None, _) => {}
        }
    }
    objects.sort_by(|a, b| a.id.cmp(&b.id));
    let at = |objects: &[Object], id: &ObjectId| objects.binary_search_by(|o| o.id.cmp(id)).ok();
    for c in 0..objects.len() {
        let Some(p) = objects[c].parent.as_ref().and_then(|p| at(&objects, p)) else {
            continue;
        };
        let (parent, child) = (objects[p].id.clone(), objects[c].id.clone());
        objects[c].parent = Some(parent);
        objects[p].children.insert(child);
    }
    objects.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Email, Name, OrgId};
    use crate::state::Children;
    use std::collections::BTreeMap;

    fn rows(members: usize, objects: usize) -> StateRows {
        let uid = |i: usize| UserId::parse(&format!("u{i}")).unwrap();
        let oid = |i: usize| ObjectId::parse(&format!("o{i}")).unwrap();
        StateRows {
            org: Some(OrgInfo {
                id: OrgId::parse("org").unwrap(),
                name: Name::parse("Org").unwrap(),
                owner: uid(0),
                deleted: false,
                second_factor_required: false,
                on_deprovision: Default::default(),
            }),
            members: (0..members)
                .map(|i| Member {
                    user_id: uid(i),
                    email: Email::parse(&format!("u{i}@example.com")).unwrap(),
                    name: Name::parse(&format!("User {i}")).unwrap(),
                    role: ["admin", "viewer"][i % 2].into(),
                    suspended: i % 7 == 0,
                })
                .collect(),
            objects: (0..objects)
                .map(|i| Object {
                    id: oid(i),
                    object_type: ["site", "system"][usize::from(i >= 10)].into(),
                    name: Name::parse(&format!("Object {i}")).unwrap(),
                    parent: (i >= 10).then(|| oid(i % 10)),
                    owner: (i % 3 == 0).then(|| uid(i % members.max(1))),
                    children: Children::new(),
                })
                .collect(),
            grants: vec![(oid(1), uid(1), "site:view".into())],
            ..StateRows::default()
        }
    }

    #[test]
    fn parts_restored_early_give_the_state_a_whole_restore_gives() {
        let whole = State::restore(rows(40, 30));
        let mut early = rows(40, 30);
        early.restore_members_now();
        early.restore_objects_now();
        assert!(early.members.is_empty() && early.objects.is_empty());
        assert_eq!(State::restore(early), whole);

        // Rows read after a part was restored still count.
        let mut late = rows(40, 30);
        let (members, objects) = (late.members.split_off(25), late.objects.split_off(12));
        late.restore_members_now();
        late.restore_objects_now();
        late.members = members;
        late.objects = objects;
        assert_eq!(State::restore(late), whole);

        // The people read on another connection, restored there, taken over.
        let mut things = rows(40, 30);
        let mut people = StateRows {
            members: std::mem::take(&mut things.members),
            ..StateRows::default()
        };
        people.restore_members_now();
        things.restore_objects_now();
        things.take_people(&mut people);
        assert_eq!(State::restore(things), whole);
    }

    #[test]
    fn members_of_one_role_and_objects_of_one_type_share_its_string() {
        let state = State::restore(rows(40, 30));
        let viewers: Vec<&Member> = state.members().filter(|m| m.role == "viewer").collect();
        assert_eq!(viewers.len(), 20);
        assert!(viewers.iter().all(|m| m.role.shares(&viewers[0].role)));
        let held = state.by_role.label("viewer").unwrap();
        assert!(held.shares(&viewers[0].role));
        let systems: Vec<&Object> = state
            .objects()
            .filter(|o| o.object_type == "system")
            .collect();
        assert_eq!(systems.len(), 20);
        assert!(systems
            .iter()
            .all(|o| o.object_type.shares(&systems[0].object_type)));
    }

    #[test]
    fn a_member_who_joins_shares_the_label_of_their_roles_holders() {
        let mut state = State::restore(rows(40, 30));
        let event = crate::event::Event {
            at: crate::id::Timestamp(0),
            actor: crate::event::Actor::System,
            names: BTreeMap::new(),
            change: crate::event::Change::MemberJoined {
                invitation_id: None,
                user_id: UserId::parse("newcomer").unwrap(),
                email: Email::parse("newcomer@example.com").unwrap(),
                name: Name::parse("New").unwrap(),
                role: "viewer".into(),
            },
        };
        super::super::apply(&mut state, &event);
        let newcomer = state.member(&UserId::parse("newcomer").unwrap()).unwrap();
        let viewer = state.member(&UserId::parse("u1").unwrap()).unwrap();
        assert!(newcomer.role.shares(&viewer.role));
        assert_eq!(state.holder_count("viewer"), 21);
    }
}
