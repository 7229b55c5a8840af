//! The console's member table and edit panel: each member with what the caller
//! may do to them, decided by the same rules a change is decided by, so a
//! dropdown never offers what the server would refuse.

use super::super::parse_object;
use super::super::{AppError, InOrg, Steward};
use super::{member_view, MemberQuery, MemberView, Selection};
use std::collections::BTreeSet;
use steward_core::decide::{
    assignable_roles, invitable_roles, invitation_role_refusal, role_change_refusal,
};
use steward_core::policy::{RoleIndex, TypeIndex};
use steward_core::state::Member;
use steward_core::{
    decide, Actor, Command, Name, ObjectId, Policy, Refusal, State, Timestamp, UserId,
};

/// One page of the member table.
pub struct Roster {
    pub rows: Vec<RosterRow>,
    pub next_cursor: Option<String>,
    /// Members in the organization, whatever the query.
    pub total: usize,
    /// Whether the caller may invite and delete (`members:manage`).
    pub may_manage: bool,
    /// The organization roles the caller may invite someone as (never the
    /// owner's, which moves only by transfer), highest first.
    pub invitable: Vec<RoleIndex>,
    /// The other organization roles, each with why the caller may not invite
    /// someone as it.
    pub withheld: Vec<(RoleIndex, Refusal)>,
}

/// A member, with what the caller may do to them.
pub struct RosterRow {
    pub member: MemberView,
    /// The member's scopes (those the caller sees), by the objects' names.
    pub scopes: Vec<NamedScope>,
    pub is_owner: bool,
    pub is_me: bool,
    /// The organization roles the caller may give them (not the one they hold).
    pub assignable: Vec<RoleIndex>,
    /// Why their role cannot be changed, when it cannot.
    pub locked: Option<RoleLock>,
    /// Why they cannot be deleted, when they cannot.
    pub undeletable: Option<Refusal>,
    /// Why the caller may not edit them at all (their name, so neither their
    /// roles), when they may not: the edit panel is then read-only.
    pub uneditable: Option<Refusal>,
}

pub struct NamedScope {
    /// The object's name (its id, should it be gone).
    pub name: String,
    pub roles: Vec<String>,
}

/// Why no role can be given to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleLock {
    /// The caller is no member (an API key).
    NotAMember,
    /// No rule refuses; there is just no other role.
    NoOtherRole,
    /// What stops a demotion first (the owner, oneself, the last admin), else
    /// what stops any change.
    Refused(Refusal),
}

/// The edit panel of one member: their row and every scope the caller sees.
pub struct MemberEditor {
    pub row: RosterRow,
    pub scopes: Vec<ScopeChoice>,
}

/// A scope object (system, service, site) and the roles the member holds there.
pub struct ScopeChoice {
    pub object_id: ObjectId,
    pub name: String,
    pub object_type: TypeIndex,
    pub held: BTreeSet<String>,
}

/// The edit panel's save: a name, a role and the roles of each scope shown.
/// Only what differs from the member's record is changed.
#[derive(Debug, Default)]
pub struct MemberEdit {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `(object id, roles)` of each scope the panel showed.
    pub scopes: Vec<(String, Vec<String>)>,
}

/// What every row of one read is decided against.
struct Table<'a> {
    policy: &'a Policy,
    state: &'a State,
    org: &'a InOrg,
    now: Timestamp,
    owner: Option<&'a UserId>,
}

impl<'a> Table<'a> {
    fn new(policy: &'a Policy, state: &'a State, org: &'a InOrg, now: Timestamp) -> Table<'a> {
        Table {
            policy,
            state,
            org,
            now,
            owner: state.owner_id(policy),
        }
    }

    fn row(&self, target: &Member) -> Option<RosterRow> {
        let (policy, state) = (self.policy, self.state);
        let member = member_view(policy, state, &target.user_id, self.org)?;
        let me = self.org.user();
        let (assignable, locked) = match me.and_then(|me| state.member(me)) {
            Some(actor) => {
                let assignable = assignable_roles(policy, state, actor, target);
                let locked = assignable
                    .is_empty()
                    .then(|| lock(policy, state, actor, target));
                (assignable, locked)
            }
            None => (Vec::new(), Some(RoleLock::NotAMember)),
        };
        let probe = |command: Command| match me {
            Some(me) => decide(policy, state, &Actor::User(me.clone()), command, self.now).err(),
            None => Some(Refusal::NotPermitted),
        };
        let undeletable = probe(Command::DeleteMember {
            user_id: target.user_id.clone(),
            hand_over_to_root: false,
        });
        // Renaming to the same name is decided like any rename and changes nothing.
        let uneditable = probe(Command::Rename {
            user_id: target.user_id.clone(),
            name: target.name.clone(),
        });
        let scopes = member
            .scopes
            .iter()
            .map(|s| NamedScope {
                name: ObjectId::parse(&s.object_id)
                    .ok()
                    .and_then(|o| state.object(&o).map(|o| o.name.to_string()))
                    .unwrap_or_else(|| s.object_id.clone()),
                roles: s.roles.clone(),
            })
            .collect();
        Some(RosterRow {
            member,
            scopes,
            is_owner: self.owner == Some(&target.user_id),
            is_me: me == Some(&target.user_id),
            assignable,
            locked,
            undeletable,
            uneditable,
        })
    }

    /// The scope objects the caller may see, with the roles `user` holds there.
    fn scopes(&self, user: &UserId) -> Vec<ScopeChoice> {
        // Only the scopes the editor may see: the others are not theirs to know of.
        self.state
            .objects()
            .filter(|o| self.org.sees(o.id.as_str()))
            .filter_map(|o| {
                let ty = self.policy.type_index(&o.object_type)?;
                self.policy.object_type(ty).scope.then(|| ScopeChoice {
                    object_id: o.id.clone(),
                    name: o.name.to_string(),
                    object_type: ty,
                    held: self
                        .state
                        .scope_roles(user, &o.id)
                        .cloned()
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// The refusal that locks a member's role: what stops a demotion first, else
/// what stops any change.
fn lock(policy: &Policy, state: &State, actor: &Member, target: &Member) -> RoleLock {
    let current = policy.org_role(&target.role);
    let below = policy
        .org_roles
        .iter()
        .copied()
        .skip_while(|&r| Some(r) != current)
        .skip(1);
    let above = policy
        .org_roles
        .iter()
        .copied()
        .filter(|&r| Some(r) != current);
    below
        .chain(above)
        .find_map(|r| role_change_refusal(policy, state, actor, target, r))
        .map_or(RoleLock::NoOtherRole, RoleLock::Refused)
}

impl Steward {
    /// The member table: a page of members (`members:view`) with what the
    /// caller may do to each, decided against one state.
    pub async fn roster(&self, org: &InOrg, query: MemberQuery) -> Result<Roster, AppError> {
        org.require("members:view")?;
        let policy = self.service.policy();
        let selection = Selection::of(policy, query)?;
        let now = self.service.clock().now();
        let (rows, next_cursor, total, (invitable, withheld)) = self
            .service
            .read(&org.org, |state| {
                let table = Table::new(policy, state, org, now);
                let (members, next_cursor) = selection.page(state);
                let rows = members.into_iter().filter_map(|m| table.row(m)).collect();
                let invitable = match org.user().and_then(|me| state.member(me)) {
                    Some(me) => {
                        let withheld = policy
                            .org_roles
                            .iter()
                            .filter_map(|&r| {
                                invitation_role_refusal(policy, state, me, r).map(|why| (r, why))
                            })
                            .collect();
                        (invitable_roles(policy, state, me), withheld)
                    }
                    None => (Vec::new(), Vec::new()),
                };
                (rows, next_cursor, state.member_count(), invitable)
            })
            .await?;
        Ok(Roster {
            rows,
            next_cursor,
            total,
            may_manage: org.require("members:manage").is_ok(),
            invitable,
            withheld,
        })
    }

    /// One row of the member table (the caller's own, or with `members:view`).
    pub async fn roster_row(&self, org: &InOrg, user: &UserId) -> Result<RosterRow, AppError> {
        let (row, ()) = self.with_row(org, user, |_| ()).await?;
        Ok(row)
    }

    /// The edit panel of one member (the caller's own, or with `members:view`).
    pub async fn member_editor(
        &self,
        org: &InOrg,
        user: &UserId,
    ) -> Result<MemberEditor, AppError> {
        let (row, scopes) = self.with_row(org, user, |table| table.scopes(user)).await?;
        Ok(MemberEditor { row, scopes })
    }

    /// `user`'s row, and `more` of the same state.
    async fn with_row<R>(
        &self,
        org: &InOrg,
        user: &UserId,
        more: impl FnOnce(&Table<'_>) -> R,
    ) -> Result<(RosterRow, R), AppError> {
        org.require_member_record(user)?;
        let policy = self.service.policy();
        let now = self.service.clock().now();
        self.service
            .read(&org.org, |state| {
                let table = Table::new(policy, state, org, now);
                let row = state.member(user).and_then(|m| table.row(m))?;
                Some((row, more(&table)))
            })
            .await?
            .ok_or_else(|| Refusal::UnknownMember(user.clone()).into())
    }

    /// Saves the edit panel: the name, the role and every scope's roles that
    /// differ from the record, in one transaction decided against one state;
    /// one refusal refuses all.
    pub async fn edit_member(
        &self,
        org: &InOrg,
        user: &UserId,
        edit: MemberEdit,
    ) -> Result<(), AppError> {
        let current = self.current_member(org, user).await?;
        let mut commands = Vec::new();
        if let Some(name) = edit.name.filter(|n| *n != current.name) {
            commands.push(Command::Rename {
                user_id: user.clone(),
                name: Name::parse(&name).map_err(|e| AppError::field("name", e))?,
            });
        }
        if let Some(role) = edit.role.filter(|r| *r != current.role) {
            commands.push(Command::ChangeRole {
                user_id: user.clone(),
                role,
            });
        }
        for (scope, mut roles) in edit.scopes {
            let object_id = parse_object(&scope)?;
            roles.retain(|r| !r.is_empty());
            roles.sort();
            let mut held: Vec<String> = current
                .scopes
                .iter()
                .find(|s| s.object_id == scope)
                .map(|s| s.roles.clone())
                .unwrap_or_default();
            held.sort();
            if roles != held {
                commands.push(Command::SetScopeRoles {
                    user_id: user.clone(),
                    object_id,
                    roles,
                });
            }
        }
        if !commands.is_empty() {
            self.service
                .execute_together(&org.org, &org.actor()?, commands)
                .await?;
        }
        Ok(())
    }
}
