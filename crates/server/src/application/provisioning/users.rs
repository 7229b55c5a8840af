//! The people a directory provisions: a SCIM User is a member (or, once
//! deprovisioned, the record the directory may read back or reactivate), its
//! id the account's. Creating one is the directory's invitation and the
//! person's joining, decided in one change. Deactivating one (`active: false`)
//! is what the organization chose (`deprovision_command`): the same
//! `DeleteMember` as every other path, or `SuspendMember`, which keeps them for
//! `active: true` to reinstate; deleting one is always `DeleteMember`. Either
//! ends their sessions, refresh tokens and the keys they made in the same
//! transaction.

use super::Directory;
use crate::application::{AppError, Steward};
use crate::secrets::random_id;
use crate::store::{Alongside, ScimUserRow};
use steward_core::state::Member;
use steward_core::{deprovision_command, Actor, Command, Email, InvitationId, Name, State, UserId};

/// What a directory says of a person (a SCIM User as sent, the adapter having
/// read the attributes Steward uses out of it).
#[derive(Debug, Clone)]
pub struct DirectoryUser {
    pub user_name: String,
    pub external_id: Option<String>,
    /// The name to show, when the directory gave one.
    pub display_name: Option<String>,
    /// The primary e-mail, when the directory gave one; else `user_name` is the address.
    pub email: Option<String>,
    pub active: bool,
    /// The resource as sent, kept for the attributes Steward has no place for.
    pub attributes: serde_json::Value,
}

/// A provisioned person as the directory reads them back.
#[derive(Debug, Clone)]
pub struct ProvisionedUser {
    pub id: UserId,
    /// As the directory sent it (or the member's address, for a member it never sent).
    pub user_name: String,
    pub external_id: Option<String>,
    /// The member's name now (or as last sent, once deprovisioned).
    pub name: String,
    pub email: String,
    pub active: bool,
    /// Still a member, suspended (`active` is false): `active: true` reinstates.
    pub suspended: bool,
    pub attributes: serde_json::Value,
    /// Unix seconds (0: never sent by the directory).
    pub updated_at: i64,
}

impl ProvisionedUser {
    /// Whether they are a member of the organization (suspended or not).
    fn is_member(&self) -> bool {
        self.active || self.suspended
    }
}

/// How long the directory's invitation would last; it is joined in the same change.
const INVITATION_SECONDS: i64 = 24 * 3600;

impl DirectoryUser {
    /// The address Steward knows the person by: the primary e-mail, else the
    /// `userName` (directories send addresses there).
    fn address(&self) -> Result<Email, AppError> {
        let text = self.email.as_deref().unwrap_or(&self.user_name);
        Email::parse(text)
            .or_else(|_| Email::parse(&self.user_name))
            .map_err(|e| {
                AppError::invalid(
                    "userName",
                    format!("userName or emails: give an e-mail address ({e})"),
                )
            })
    }

    fn name(&self, email: &Email) -> Result<Name, AppError> {
        match self.display_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => {
                Name::parse(name).map_err(|e| AppError::field("displayName", e))
            }
            _ => {
                let local = email.as_str().split('@').next().unwrap_or("member");
                Name::parse(local).map_err(|e| AppError::field("userName", e))
            }
        }
    }

    fn row(&self, user: &UserId, now: i64) -> ScimUserRow {
        ScimUserRow {
            user_id: user.to_string(),
            user_name: self.user_name.trim().to_lowercase(),
            external_id: self.external_id.clone(),
            active: self.active,
            body: self.attributes.to_string(),
            updated_at: now,
        }
    }
}

fn view(member: Option<&Member>, row: Option<&ScimUserRow>) -> Option<ProvisionedUser> {
    let attributes = row
        .and_then(|r| serde_json::from_str(&r.body).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    let sent = |key: &str| {
        attributes
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match (member, row) {
        (Some(m), _) => Some(ProvisionedUser {
            id: m.user_id.clone(),
            user_name: sent("userName").unwrap_or_else(|| m.email.to_string()),
            external_id: row.and_then(|r| r.external_id.clone()),
            name: m.name.to_string(),
            email: m.email.to_string(),
            active: !m.suspended,
            suspended: m.suspended,
            updated_at: row.map_or(0, |r| r.updated_at),
            attributes,
        }),
        (None, Some(r)) => Some(ProvisionedUser {
            id: UserId::parse(&r.user_id).ok()?,
            user_name: sent("userName").unwrap_or_else(|| r.user_name.clone()),
            external_id: r.external_id.clone(),
            name: sent("displayName").unwrap_or_else(|| r.user_name.clone()),
            email: r.user_name.clone(),
            active: false,
            suspended: false,
            updated_at: r.updated_at,
            attributes,
        }),
        (None, None) => None,
    }
}

impl Steward {
    /// Everyone a directory may read: the members, and the people it
    /// deprovisioned.
    pub async fn provisioned_users(
        &self,
        dir: &Directory,
    ) -> Result<Vec<ProvisionedUser>, AppError> {
        let rows = self.service().store().scim_users(dir.org.as_str()).await?;
        let mut by_id: std::collections::HashMap<&str, &ScimUserRow> =
            rows.iter().map(|r| (r.user_id.as_str(), r)).collect();
        let mut users = self
            .service()
            .read(&dir.org, |state| {
                state
                    .members()
                    .filter_map(|m| view(Some(m), by_id.remove(m.user_id.as_str())))
                    .collect::<Vec<_>>()
            })
            .await?;
        users.extend(by_id.values().filter_map(|r| view(None, Some(r))));
        users.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        Ok(users)
    }

    /// The people a `userName` may name (case ignored): the one the directory
    /// sent under it, and the member whose address it is. What a directory's
    /// lookup before a create asks, without reading everyone.
    pub async fn provisioned_users_named(
        &self,
        dir: &Directory,
        user_name: &str,
    ) -> Result<Vec<ProvisionedUser>, AppError> {
        let lower = user_name.trim().to_lowercase();
        let store = self.service().store();
        let named = store.scim_user_by_name(dir.org.as_str(), &lower).await?;
        let email = Email::parse(user_name).ok();
        let member = match &email {
            Some(email) => {
                self.service()
                    .read(&dir.org, |state| state.member_by_email(email).cloned())
                    .await?
            }
            None => None,
        };
        let member_row = match &member {
            Some(m) => {
                store
                    .scim_user(dir.org.as_str(), m.user_id.as_str())
                    .await?
            }
            None => None,
        };
        let named_member = match &named {
            Some(r) => {
                let id = UserId::parse(&r.user_id).map_err(|_| AppError::NoSuchMember)?;
                self.service()
                    .read(&dir.org, |state| state.member(&id).cloned())
                    .await?
            }
            None => None,
        };
        let mut found: Vec<ProvisionedUser> = view(named_member.as_ref(), named.as_ref())
            .into_iter()
            .collect();
        if let Some(m) = view(member.as_ref(), member_row.as_ref()) {
            if found.iter().all(|f| f.id != m.id) {
                found.push(m);
            }
        }
        Ok(found)
    }

    /// One person, by id; `unknown_member` for anyone the directory may not read.
    pub async fn provisioned_user(
        &self,
        dir: &Directory,
        id: &str,
    ) -> Result<ProvisionedUser, AppError> {
        let user = UserId::parse(id).map_err(|_| AppError::NoSuchMember)?;
        let row = self
            .service()
            .store()
            .scim_user(dir.org.as_str(), id)
            .await?;
        self.service()
            .read(&dir.org, |state| view(state.member(&user), row.as_ref()))
            .await?
            .ok_or(AppError::NoSuchMember)
    }

    /// The person as `row` records them, with the member they are now (memory
    /// only: the row was just written with the change).
    async fn provisioned_as(
        &self,
        dir: &Directory,
        user: &UserId,
        row: &ScimUserRow,
    ) -> Result<ProvisionedUser, AppError> {
        self.service()
            .read(&dir.org, |state| view(state.member(user), Some(row)))
            .await?
            .ok_or(AppError::NoSuchMember)
    }

    /// A new person from the directory: their account (the address's, or a new
    /// one without a password), the directory's invitation and their joining,
    /// decided as the token's maker inviting them, and the directory's record
    /// of them: one change, one transaction.
    pub async fn provision_user(
        &self,
        dir: &Directory,
        input: DirectoryUser,
    ) -> Result<ProvisionedUser, AppError> {
        let email = input.address()?;
        let name = input.name(&email)?;
        let store = self.service().store();
        let lower = input.user_name.trim().to_lowercase();
        let named = store.scim_user_by_name(dir.org.as_str(), &lower).await?;
        if named.as_ref().is_some_and(|r| r.active) {
            return Err(AppError::AlreadyProvisioned(input.user_name));
        }
        let taken = self
            .service()
            .read(&dir.org, |state| state.member_by_email(&email).is_some())
            .await?;
        if taken {
            return Err(AppError::AlreadyProvisioned(input.user_name));
        }
        let (account, is_new) = self.account_for(email.clone(), Some(name.clone())).await?;
        let row = input.row(&account.id, self.service().clock().now().0);
        let mut alongside = Vec::new();
        if is_new {
            alongside.push(Alongside::Account(account.clone()));
        }
        if let Some(old) = named.filter(|r| r.user_id != account.id.as_str()) {
            // A deprovisioned record under this userName for another account.
            alongside.push(Alongside::ForgetScimUser(old.user_id));
        }
        alongside.push(Alongside::ScimUser(row.clone()));
        let steps = if input.active {
            self.join_steps(dir, &account.id, email, name).await?
        } else {
            Vec::new()
        };
        self.service()
            .execute_in_turn_with(&dir.org, steps, &alongside)
            .await?;
        self.provisioned_as(dir, &account.id, &row).await
    }

    /// Replaces what the directory says of a person (PUT, and PATCH once
    /// applied): a new name renames the member, `active: false` removes or
    /// suspends them (the organization's choice), `active: true` reinstates or
    /// brings them back. A new address is the core's `ChangeEmail`, which an
    /// address never allows. The directory's record of them is written in the
    /// same change.
    pub async fn replace_user(
        &self,
        dir: &Directory,
        id: &str,
        input: DirectoryUser,
    ) -> Result<ProvisionedUser, AppError> {
        let current = self.provisioned_user(dir, id).await?;
        let user = current.id.clone();
        let email = input.address()?;
        let name = input.name(&email)?;
        let store = self.service().store();
        let lower = input.user_name.trim().to_lowercase();
        let clash = store
            .scim_user_by_name(dir.org.as_str(), &lower)
            .await?
            .is_some_and(|r| r.user_id != user.as_str());
        if clash {
            return Err(AppError::AlreadyProvisioned(input.user_name));
        }
        let actor = dir.actor();
        let mut steps = Vec::new();
        if email.as_str() != current.email {
            steps.push(Command::ChangeEmail {
                user_id: user.clone(),
                email: email.clone(),
            });
        }
        if current.active && !input.active {
            let deprovision = self
                .service()
                .read(&dir.org, |state| deprovision_command(state, user.clone()))
                .await?;
            steps.push(deprovision);
        }
        if current.suspended && input.active {
            steps.push(Command::ReinstateMember {
                user_id: user.clone(),
            });
        }
        if current.is_member() && input.active && current.name != name.as_str() {
            steps.push(Command::Rename {
                user_id: user.clone(),
                name: name.clone(),
            });
        }
        let mut steps: Vec<(Actor, Command)> =
            steps.into_iter().map(|c| (actor.clone(), c)).collect();
        let comes_back = !current.is_member() && input.active;
        if comes_back {
            steps.extend(self.join_steps(dir, &user, email, name).await?);
        }
        let row = input.row(&user, self.service().clock().now().0);
        self.service()
            .execute_in_turn_with(&dir.org, steps, &[Alongside::ScimUser(row.clone())])
            .await?;
        if comes_back {
            // Their groups' roles need them a member: a change of its own.
            self.apply_group_roles(dir, &user).await?;
        }
        self.provisioned_as(dir, &user, &row).await
    }

    /// DELETE: the member is removed, suspended or not, whatever
    /// `active: false` does, and the directory's record of them forgotten, in
    /// one change.
    pub async fn deprovision_user(&self, dir: &Directory, id: &str) -> Result<(), AppError> {
        let current = self.provisioned_user(dir, id).await?;
        let mut steps = Vec::new();
        if current.is_member() {
            let command = Command::DeleteMember {
                user_id: current.id.clone(),
                hand_over_to_root: false,
            };
            steps.push((dir.actor(), command));
        }
        self.service()
            .execute_in_turn_with(
                &dir.org,
                steps,
                &[Alongside::ForgetScimUser(id.to_string())],
            )
            .await?;
        Ok(())
    }

    /// The directory invites the account and the account joins, as steps of
    /// one change: the invitation is decided as its maker's (rank, right to
    /// invite), the joining as the person's own. Pending invitations to the
    /// address are revoked in the same change, so the directory's takes their
    /// place.
    async fn join_steps(
        &self,
        dir: &Directory,
        user: &UserId,
        email: Email,
        name: Name,
    ) -> Result<Vec<(Actor, Command)>, AppError> {
        let now = self.service().clock().now();
        let invitation_id = InvitationId::parse(&random_id("inv"))?;
        let pending: Vec<InvitationId> = self
            .service()
            .read(&dir.org, |state: &State| {
                state
                    .invitations_for(&email)
                    .map(|i| i.id.clone())
                    .collect()
            })
            .await?;
        let actor = dir.actor();
        let mut steps: Vec<(Actor, Command)> = pending
            .into_iter()
            .map(|invitation_id| (actor.clone(), Command::RevokeInvitation { invitation_id }))
            .collect();
        steps.push((
            actor,
            Command::Invite {
                invitation_id: invitation_id.clone(),
                email,
                name: Some(name.clone()),
                role: None,
                scopes: Vec::new(),
                expires_at: steward_core::Timestamp(now.0 + INVITATION_SECONDS),
            },
        ));
        steps.push((
            Actor::User(user.clone()),
            Command::Join {
                invitation_id,
                user_id: user.clone(),
                name: Some(name),
            },
        ));
        Ok(steps)
    }
}
