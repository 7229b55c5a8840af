//! `Snapshot::build`: a state turned into a snapshot in a few linear passes. Users
//! and nodes are indexed on two threads when the organization is large (they do
//! not depend on each other); nodes are ordered parents first by a breadth-first
//! walk that knows each node's parent index as it goes, so no id is looked up
//! twice; and each member's role, each node's type and owner are resolved through
//! a one-entry cache, since neighbours mostly share them.
//! docs/benchmarks.md#start-up-at-1000000--1000000 has what each change measured.

use super::{
    held_role, holder_bit, key, ActionNames, Chunked, Drift, Entries, Entry, IdIndex, RoleBits,
    Slot, Snapshot, UserTable, DELETED, HAS_ENTRIES, NONE, NO_ROLE, OWNER_AS_ABOVE, ROOT,
};
use crate::id::{IdText, UserId};
use crate::policy::{Policy, TypeIndex, ORGANIZATION};
use crate::set::{ActionSet, RoleSet};
use crate::state::{Object, OrgInfo, State};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Below this many members and objects together a second thread costs more than
/// it saves (a spawn is tens of microseconds; most organizations build in less).
const TWO_THREADS_FROM: usize = 50_000;

/// How many (role, suspended) pairs `index_users` remembers: a policy declares a
/// few organization roles.
const SEEN_ROLES: usize = 16;

/// The users' part of a snapshot.
struct Users {
    index: UserTable,
}

/// The nodes' part, parents before children; owners are resolved afterwards,
/// once the users are indexed.
struct Nodes<'s> {
    index: IdIndex,
    ids: Vec<Option<IdText>>,
    parents: Vec<u32>,
    types: Vec<TypeIndex>,
    /// The objects in node order (the root has none), to read their owners.
    objects: Vec<&'s Object>,
}

impl Snapshot {
    /// Builds the snapshot of an organization's state.
    pub fn build(policy: Arc<Policy>, state: &State) -> Snapshot {
        let roles: Arc<[RoleBits]> = policy
            .roles
            .iter()
            .map(|r| RoleBits {
                all: r.all,
                assigned: r.assigned,
                own: r.own,
            })
            .collect();
        let type_actions: Arc<[ActionSet]> = policy.types.iter().map(|t| t.actions).collect();
        let action_names: Vec<&str> = policy.actions.iter().map(|a| a.name.as_str()).collect();
        let action_index = ActionNames::new(&action_names);
        let live = state.org().filter(|o| !o.deleted);

        let (users, nodes) = match live {
            None => (index_users(&policy, None), order_nodes(&policy, None)),
            Some(_) if state.member_count() + state.object_count() < TWO_THREADS_FROM => (
                index_users(&policy, Some(state)),
                order_nodes(&policy, live.map(|org| (org, state))),
            ),
            Some(org) => std::thread::scope(|s| {
                let users = s.spawn(|| index_users(&policy, Some(state)));
                let nodes = order_nodes(&policy, Some((org, state)));
                let users = users
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (users, nodes)
            }),
        };

        let mut slots = owned_slots(&users.index, &nodes);
        let (entries, entry_count) = match live {
            Some(_) => entries(&policy, state, &users.index, &nodes.index, &mut slots),
            None => (Entries::with_expected_len(0), 0),
        };
        // Parents come first, so one pass hands every node its ancestors' filter and flags.
        let parents = nodes.parents;
        for i in 0..slots.len() {
            let parent = parents[i];
            let above = (parent != NONE && parent != ROOT).then(|| slots[parent as usize]);
            slots[i] = slots[i].below(above.as_ref());
            slots[i].parent = parent;
        }

        // Hinted ids' entries keep a copy of their node's slot (hint_table.rs).
        let mut node_index = nodes.index;
        node_index.copy_slots(&slots);

        let (root_user, root_role) = match (policy.ownership.root, policy.ownership.role, live) {
            (true, Some(r), Some(_)) => (NONE, r),
            (true, None, Some(org)) => {
                (users.index.get(org.owner.as_str()).unwrap_or(NONE), NO_ROLE)
            }
            _ => (NONE, NO_ROLE),
        };
        Snapshot {
            live: live.is_some(),
            second_factor_required: live.is_some_and(|o| o.second_factor_required),
            owner_has_every_action: policy.ownership.owner_has_every_action,
            policy,
            roles,
            type_actions,
            action_index,
            root_user,
            root_role,
            users: users.index,
            nodes: node_index,
            node_ids: Chunked::from_vec(nodes.ids),
            slots: Chunked::from_vec(slots),
            entries,
            drift: Drift::fresh(entry_count),
        }
    }
}

/// Every member, in id order, with the organization role their slot holds.
/// A state holds each member once, so the table is built without a look-up per id.
fn index_users(policy: &Policy, state: Option<&State>) -> Users {
    // Members hold one of a few roles, each one shared string (`Label`): the
    // slot's role is found among those seen by the string's address, where
    // `Policy::role_index` hashes the name. One remembered role was not enough:
    // neighbours that alternate between two roles (as the start-up bench's
    // members do) looked every member's up, a million SipHashes.
    let mut seen: Vec<(*const u8, bool, u16)> = Vec::new();
    let members = state.into_iter().flat_map(State::members).map(|m| {
        let at = m.role.as_str().as_ptr();
        let known = seen.iter().find(|&&(p, s, _)| p == at && s == m.suspended);
        let role = match known {
            Some(&(_, _, role)) => role,
            None => {
                let role = held_role(policy, m);
                if seen.len() < SEEN_ROLES {
                    seen.push((at, m.suspended, role));
                }
                role
            }
        };
        (m.user_id.as_text(), role)
    });
    Users {
        index: UserTable::of_distinct(members),
    }
}

/// The organization's root, then every object, parents before children: the
/// top-level objects in id order, then their children, level by level. Each
/// child is queued with its parent's index, so no parent is looked up by id;
/// the ids are indexed once all are in order, shard by shard (`IdIndex::of_nodes`).
fn order_nodes<'s>(policy: &Policy, live: Option<(&OrgInfo, &'s State)>) -> Nodes<'s> {
    let n = live.map_or(0, |(_, s)| s.object_count() + 1);
    let mut nodes = Nodes {
        index: IdIndex::with_expected_len(0),
        ids: Vec::with_capacity(n),
        parents: Vec::with_capacity(n),
        types: Vec::with_capacity(n),
        objects: Vec::with_capacity(n.saturating_sub(1)),
    };
    let Some((org, state)) = live else {
        return nodes;
    };
    nodes.ids.push(Some(org.id.as_text().clone()));
    nodes.parents.push(NONE);
    nodes.types.push(ORGANIZATION);
    for top in state.objects().filter(|o| o.parent.is_none()) {
        nodes.objects.push(top);
        nodes.parents.push(ROOT);
    }
    let mut last: Option<(&str, TypeIndex)> = None;
    let mut next = 0;
    while next < nodes.objects.len() {
        let o = nodes.objects[next];
        let at = next as u32 + 1;
        next += 1;
        let ty = match last {
            Some((name, ty)) if name == o.object_type => ty,
            _ => {
                let ty = policy.type_index(&o.object_type).unwrap_or(DELETED);
                last = Some((o.object_type.as_str(), ty));
                ty
            }
        };
        nodes.ids.push(Some(o.id.as_text().clone()));
        nodes.types.push(ty);
        for child in o.children.iter().filter_map(|c| state.object(c)) {
            nodes.objects.push(child);
            nodes.parents.push(at);
        }
    }
    nodes.index = IdIndex::of_nodes(&nodes.ids);
    nodes
}

/// Each node's slot with its type and owner; flags and filters come later.
fn owned_slots(users: &UserTable, nodes: &Nodes<'_>) -> Vec<Slot> {
    let mut slots = Vec::with_capacity(nodes.types.len());
    if let Some(&ty) = nodes.types.first() {
        slots.push(Slot {
            owner: NONE,
            parent: NONE,
            ty,
            flags: OWNER_AS_ABOVE,
            holders: 0,
        });
    }
    // Objects are mostly owned by a few users: the last owner's index is usually it.
    let mut last: Option<(&UserId, u32)> = None;
    for (o, &ty) in nodes
        .objects
        .iter()
        .zip(nodes.types.get(1..).unwrap_or(&[]))
    {
        let owner = match (&o.owner, last) {
            (None, _) => NONE,
            (Some(u), Some((seen, at))) if u == seen => at,
            (Some(u), _) => {
                let at = users.get(u.as_str()).unwrap_or(NONE);
                last = Some((u, at));
                at
            }
        };
        slots.push(Slot {
            owner,
            parent: NONE,
            ty,
            flags: 0,
            holders: 0,
        });
    }
    slots
}

/// Scope roles and grants by (user, node), each node holding some marked in its slot.
fn entries(
    policy: &Policy,
    state: &State,
    users: &UserTable,
    nodes: &IdIndex,
    slots: &mut [Slot],
) -> (Entries, usize) {
    let mut map: FxHashMap<u64, Entry> = FxHashMap::default();
    for (user, object, names) in state.all_scope_roles() {
        let (Some(u), Some(n)) = (users.get(user.as_str()), nodes.get(object.as_str())) else {
            continue;
        };
        let level = slots[n as usize].ty;
        let set: RoleSet = names
            .iter()
            .filter_map(|r| policy.role_index(level, r))
            .collect();
        if !set.is_empty() {
            map.entry(key(u, n)).or_default().roles = set;
            slots[n as usize].flags |= HAS_ENTRIES;
            slots[n as usize].holders |= holder_bit(u);
        }
    }
    for (object, user, actions) in state.all_grants() {
        let (Some(u), Some(n)) = (users.get(user.as_str()), nodes.get(object.as_str())) else {
            continue;
        };
        let set: ActionSet = actions
            .iter()
            .filter_map(|a| policy.action_index(a))
            .collect();
        if !set.is_empty() {
            map.entry(key(u, n)).or_default().grant = set;
            slots[n as usize].flags |= HAS_ENTRIES;
            slots[n as usize].holders |= holder_bit(u);
        }
    }
    if map.is_empty() {
        return (Entries::with_expected_len(0), 0);
    }
    let count = map.len();
    let mut entries = Entries::with_expected_len(count);
    for (k, e) in map {
        entries.insert(k, e);
    }
    (entries, count)
}
