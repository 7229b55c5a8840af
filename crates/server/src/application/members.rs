//! Members: the list, one record, a change of name and role, scope roles and
//! deletion; the console's table and edit panel (`roster`) and the bulk delete
//! (`bulk`) beside them.

mod bulk;
mod roster;

pub use bulk::{
    AskedMember, BulkDeleteBody, BulkDeletion, DeleteRefusal, RefusedDeletion, BULK_DELETE_MAX,
};
pub use roster::{MemberEdit, MemberEditor, NamedScope, RoleLock, Roster, RosterRow, ScopeChoice};

use super::{page_limit, AppError, InOrg, Page, Steward};
use serde::{Deserialize, Serialize};
use steward_core::state::Member;
use steward_core::{
    member_warnings, Command, Email, Name, ObjectId, OrgId, Policy, Refusal, State, UserId,
};

/// A member as the API shows one.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// Suspended (docs/provisioning.md#suspension): roles kept, but every check
    /// answers as for a non-member until reinstated.
    pub suspended: bool,
    /// Roles held on scope objects: those the caller may see.
    pub scopes: Vec<ScopeView>,
    /// e.g. `viewer_without_sites`: a viewer who will see nothing until given sites.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub object_id: String,
    pub roles: Vec<String>,
}

/// Which members a listing shows, and which page of them.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Only members with this organization role.
    pub role: Option<String>,
    /// Text in the name or e-mail, any case.
    pub q: Option<String>,
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

// A change to one member, made as one: all of it or none.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub name: Option<String>,
    pub role: Option<String>,
    /// Never accepted: an e-mail does not change (400 `email_immutable`).
    pub email: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// `root`: hand the member's objects to the organization's root account.
    pub transfer_objects_to: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeRolesBody {
    /// The roles held on that system, service or site; `[]` removes them.
    pub roles: Vec<String>,
}

/// A `name` field that may be left out.
pub fn optional_name(name: Option<&str>) -> Result<Option<Name>, AppError> {
    name.map(Name::parse)
        .transpose()
        .map_err(|e| AppError::field("name", e))
}

/// `user` as `viewer` may see them: their scopes only on objects `viewer` sees.
pub fn member_view(
    policy: &Policy,
    state: &State,
    user: &UserId,
    viewer: &InOrg,
) -> Option<MemberView> {
    let m = state.member(user)?;
    Some(MemberView {
        user_id: m.user_id.to_string(),
        email: m.email.to_string(),
        name: m.name.to_string(),
        role: m.role.to_string(),
        suspended: m.suspended,
        scopes: state
            .scopes_of(user)
            .filter(|(object, _)| viewer.sees(object.as_str()))
            .map(|(object, roles)| ScopeView {
                object_id: object.to_string(),
                roles: roles.iter().cloned().collect(),
            })
            .collect(),
        warnings: member_warnings(policy, state, user),
    })
}

/// What a listing asks for, checked before the organization is read: the page
/// size, and a role the policy has.
struct Selection {
    limit: usize,
    role: Option<String>,
    needle: Option<String>,
    cursor: Option<String>,
}

impl Selection {
    fn of(policy: &Policy, query: MemberQuery) -> Result<Selection, AppError> {
        let limit = page_limit(query.limit)?;
        if let Some(role) = &query.role {
            if policy.org_role(role).is_none() {
                return Err(Refusal::UnknownRole(role.clone()).into());
            }
        }
        Ok(Selection {
            limit,
            role: query.role,
            needle: query.q.as_deref().map(str::to_lowercase),
            cursor: query.cursor,
        })
    }

    /// The members of one page, in id order, and the cursor to the next page.
    fn page<'s>(&self, state: &'s State) -> (Vec<&'s Member>, Option<String>) {
        let mut matching = state
            .members()
            .filter(|m| {
                self.cursor
                    .as_deref()
                    .is_none_or(|c| m.user_id.as_str() > c)
            })
            .filter(|m| self.role.as_deref().is_none_or(|r| m.role == r))
            .filter(|m| {
                self.needle.as_deref().is_none_or(|n| {
                    m.email.as_str().contains(n) || m.name.as_str().to_lowercase().contains(n)
                })
            });
        let page: Vec<&Member> = matching.by_ref().take(self.limit).collect();
        let next_cursor = match matching.next() {
            Some(_) => page.last().map(|m| m.user_id.to_string()),
            None => None,
        };
        (page, next_cursor)
    }
}

/// `transfer_objects_to`, of the single and the bulk delete: left out, the
/// objects stay ownerless; `root`, they go to the root account.
fn hand_over_to_root(transfer_objects_to: Option<&str>) -> Result<bool, AppError> {
    match transfer_objects_to {
        None => Ok(false),
        Some("root") => Ok(true),
        Some(other) => Err(AppError::invalid(
            "transfer_objects_to",
            format!("transfer_objects_to must be \"root\", not {other:?}"),
        )),
    }
}

impl Steward {
    /// The members the query selects (`members:view`), a page at a time.
    pub async fn members(
        &self,
        org: &InOrg,
        query: MemberQuery,
    ) -> Result<Page<MemberView>, AppError> {
        org.require("members:view")?;
        let policy = self.service.policy();
        let selection = Selection::of(policy, query)?;
        let page = self
            .service
            .read(&org.org, |state| {
                let (members, next_cursor) = selection.page(state);
                let items = members
                    .iter()
                    .filter_map(|m| member_view(policy, state, &m.user_id, org))
                    .collect();
                Page { items, next_cursor }
            })
            .await?;
        Ok(page)
    }

    /// One member's record: the caller's own, or anyone's with `members:view`.
    pub async fn member(&self, org: &InOrg, user: &UserId) -> Result<MemberView, AppError> {
        org.require_member_record(user)?;
        self.current_member(org, user).await
    }

    /// The member as stored now, as `org`'s caller may see them, without asking
    /// whether they may read the record: for answering a change they just made.
    pub async fn current_member(&self, org: &InOrg, user: &UserId) -> Result<MemberView, AppError> {
        let policy = self.service.policy();
        self.service
            .read(&org.org, |state| member_view(policy, state, user, org))
            .await?
            .ok_or_else(|| Refusal::UnknownMember(user.clone()).into())
    }

    /// A new name, role or (refused) e-mail, decided together: one refusal
    /// refuses all. Answers the member as they are now.
    pub async fn update_member(
        &self,
        org: &InOrg,
        user: &UserId,
        change: UpdateMember,
    ) -> Result<MemberView, AppError> {
        let actor = org.actor()?;
        let mut commands = Vec::new();
        if let Some(email) = &change.email {
            // Whatever the text, the answer is the core's: an e-mail never changes.
            let Ok(email) = Email::parse(email) else {
                return Err(Refusal::EmailImmutable.into());
            };
            commands.push(Command::ChangeEmail {
                user_id: user.clone(),
                email,
            });
        }
        if let Some(role) = change.role {
            commands.push(Command::ChangeRole {
                user_id: user.clone(),
                role,
            });
        }
        if let Some(name) = &change.name {
            commands.push(Command::Rename {
                user_id: user.clone(),
                name: Name::parse(name).map_err(|e| AppError::field("name", e))?,
            });
        }
        self.service
            .execute_together(&org.org, &actor, commands)
            .await?;
        self.current_member(org, user).await
    }

    /// Deletes one member, by the core's rule; their objects stay ownerless or go
    /// to the root account.
    pub async fn delete_member(
        &self,
        org: &InOrg,
        user: &UserId,
        query: DeleteQuery,
    ) -> Result<(), AppError> {
        let command = Command::DeleteMember {
            user_id: user.clone(),
            hand_over_to_root: hand_over_to_root(query.transfer_objects_to.as_deref())?,
        };
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        Ok(())
    }

    /// Suspends one member, by the core's rule (as a removal, never the owner):
    /// their sessions, refresh tokens and keys end in the same change. Answers
    /// the member as they are now.
    pub async fn suspend_member(&self, org: &InOrg, user: &UserId) -> Result<MemberView, AppError> {
        let command = Command::SuspendMember {
            user_id: user.clone(),
        };
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.current_member(org, user).await
    }

    /// Reinstates a suspended member: their roles and grants count again.
    pub async fn reinstate_member(
        &self,
        org: &InOrg,
        user: &UserId,
    ) -> Result<MemberView, AppError> {
        let command = Command::ReinstateMember {
            user_id: user.clone(),
        };
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        self.current_member(org, user).await
    }

    /// The roles `user` holds on one scope object (`[]` removes them); answers
    /// the roles held there now.
    pub async fn set_scope_roles(
        &self,
        org: &InOrg,
        user: &UserId,
        object: &ObjectId,
        roles: Vec<String>,
    ) -> Result<ScopeView, AppError> {
        let command = Command::SetScopeRoles {
            user_id: user.clone(),
            object_id: object.clone(),
            roles,
        };
        self.service
            .execute(&org.org, &org.actor()?, command)
            .await?;
        let roles = self
            .service
            .read(&org.org, |state| {
                state
                    .scope_roles(user, object)
                    .map(|r| r.iter().cloned().collect())
                    .unwrap_or_default()
            })
            .await?;
        Ok(ScopeView {
            object_id: object.to_string(),
            roles,
        })
    }

    /// The member a text names, as people type one: an e-mail (any case) or a
    /// member id; `None` when it names no member.
    pub async fn find_member(&self, org: &InOrg, text: &str) -> Result<Option<UserId>, AppError> {
        let text = text.trim();
        let found = self
            .service
            .read(&org.org, |state| match Email::parse(text) {
                Ok(email) => state.member_by_email(&email).map(|m| m.user_id.clone()),
                Err(_) => UserId::parse(text)
                    .ok()
                    .and_then(|id| state.member(&id).map(|m| m.user_id.clone())),
            })
            .await?;
        Ok(found)
    }

    /// The member an operator's command acts as: the one with `email`, or the
    /// organization's owner. The command line has no sign-in; whoever runs it
    /// holds the database, and chooses whose rules apply.
    pub async fn acting_member(
        &self,
        org: &OrgId,
        email: Option<&Email>,
    ) -> Result<Option<UserId>, AppError> {
        let policy = self.service.policy();
        let found = self
            .service
            .read(org, |state| match email {
                Some(email) => state.member_by_email(email).map(|m| m.user_id.clone()),
                None => state.owner_id(policy).cloned(),
            })
            .await?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests;
