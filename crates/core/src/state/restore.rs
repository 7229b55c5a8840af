//! `State::restore`: an organization rebuilt from its stored rows without replaying
//! its log. Each index is collected whole, members' and objects' on two threads when
//! the organization is large, and ids that name the same thing share one string.
//! docs/scaling.md#start-up says where this sits in the start-up.

use super::{add_invitation, Invitation, Member, Nomination, Object, OrgInfo, State};
use crate::api_key::ApiKey;
use crate::id::{Email, ObjectId, UserId};
use crate::webhook::Webhook;
use std::collections::{BTreeMap, BTreeSet};

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
}

/// The members and their two indexes.
type People = (
    BTreeMap<UserId, Member>,
    BTreeMap<Email, UserId>,
    BTreeMap<String, BTreeSet<UserId>>,
);

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
        } = rows;
        // The members' trees and the objects' tree share nothing, so a large
        // organization builds them at once.
        let ((members, by_email, by_role), objects) =
            if members.len() + objects.len() < TWO_THREADS_FROM {
                (restore_people(members), restore_objects(objects))
            } else {
                std::thread::scope(|s| {
                    let people = s.spawn(|| restore_people(members));
                    let objects = restore_objects(objects);
                    let people = people
                        .join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e));
                    (people, objects)
                })
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

/// Members by id, by e-mail and by role. Each index is collected whole rather
/// than grown a row at a time: `collect` sorts once (linear when the rows come in
/// key order, as the store reads them) and builds the tree bottom up, where an
/// insert per row walks the tree and places its key. At 1,000,000 members it is
/// the difference between seconds and a fraction of one
/// (docs/benchmarks.md#storage).
fn restore_people(members: Vec<Member>) -> People {
    let by_email = (members.iter())
        .map(|m| (m.email.clone(), m.user_id.clone()))
        .collect();
    let mut holders: BTreeMap<&str, Vec<UserId>> = BTreeMap::new();
    for m in &members {
        holders.entry(&m.role).or_default().push(m.user_id.clone());
    }
    let by_role = (holders.into_iter())
        .map(|(role, users)| (role.to_string(), users.into_iter().collect()))
        .collect();
    let members = (members.into_iter())
        .map(|m| (m.user_id.clone(), m))
        .collect();
    (members, by_email, by_role)
}

/// Objects by id, each parent's `children` rebuilt from the children's `parent`.
/// An object's owner is one string shared with the object before it when both
/// name the same user, and a child's parent is the parent's own id: objects mostly
/// share a few owners, and a copy per object is 32 to 48 bytes.
fn restore_objects(objects: Vec<Object>) -> BTreeMap<ObjectId, Object> {
    let mut children: Vec<(ObjectId, ObjectId)> = Vec::new();
    let mut last_owner: Option<UserId> = None;
    let mut objects: BTreeMap<ObjectId, Object> = (objects.into_iter())
        .map(|mut o| {
            o.children.clear();
            if let Some(p) = &o.parent {
                children.push((p.clone(), o.id.clone()));
            }
            match (&o.owner, &last_owner) {
                (Some(owner), Some(last)) if owner == last => o.owner = Some(last.clone()),
                (Some(owner), _) => last_owner = Some(owner.clone()),
                (None, _) => {}
            }
            (o.id.clone(), o)
        })
        .collect();
    for (parent, child) in children {
        let Some((parent, _)) = objects.get_key_value(&parent) else {
            continue;
        };
        let parent = parent.clone();
        if let Some(c) = objects.get_mut(&child) {
            c.parent = Some(parent.clone());
        }
        if let Some(p) = objects.get_mut(&parent) {
            p.children.insert(child);
        }
    }
    objects
}
