//! A directory's groups and what they mean in the organization: a group maps to
//! an organization role or a role on a scope object (the console chooses).
//! When a person's mapped groups change, their role at that level becomes the
//! one their groups give (the highest ranked for a level that holds one role,
//! all of them where the scope allows several), asked of `decide` like any
//! role change: the owner is not demoted, the last admins stay, nobody is given
//! more than the token's maker holds.

use super::Directory;
use crate::application::{AppError, InOrg, Steward};
use crate::secrets::random_id;
use crate::store::{Alongside, ScimGroupRow};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use steward_core::{Actor, Command, ObjectId, OrgId, Policy, State, UserId};

/// What a directory says of a group.
#[derive(Debug, Clone)]
pub struct DirectoryGroup {
    pub display_name: String,
    pub external_id: Option<String>,
    /// Member ids (SCIM ids, the accounts').
    pub members: Vec<String>,
}

/// A role a group gives: on the organization (`object_id` none) or on a scope object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupMapping {
    pub role: String,
    pub object_id: Option<ObjectId>,
}

/// A role a group may be mapped to, as the console offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingOption {
    pub role: String,
    /// Empty: the organization role.
    pub object_id: String,
    /// "Admin", or "Admin on Plant 7 (system)".
    pub label: String,
}

/// The console's form for a group's mapping: `role` empty removes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MappingChoice {
    pub role: String,
    #[serde(default)]
    pub object_id: String,
}

#[derive(Debug, Clone)]
pub struct ProvisionedGroup {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// (id, name) of each member.
    pub members: Vec<(String, String)>,
    pub mapping: Option<GroupMapping>,
    /// Unix seconds.
    pub updated_at: i64,
}

fn mapping_of(row: &ScimGroupRow) -> Option<GroupMapping> {
    Some(GroupMapping {
        role: row.role.clone()?,
        object_id: row
            .object_id
            .as_deref()
            .and_then(|o| ObjectId::parse(o).ok()),
    })
}

/// The groups of an organization: each one's mapping, and who is in which.
#[derive(Debug, Clone, Default)]
struct Groups {
    mappings: HashMap<String, GroupMapping>,
    of_user: HashMap<String, BTreeSet<String>>,
}

impl Groups {
    /// What `user`'s mapped groups give, per level (`None`: the organization).
    fn given(&self, user: &str) -> BTreeMap<Option<ObjectId>, BTreeSet<String>> {
        let mut given: BTreeMap<Option<ObjectId>, BTreeSet<String>> = BTreeMap::new();
        for group in self.of_user.get(user).into_iter().flatten() {
            if let Some(m) = self.mappings.get(group) {
                given
                    .entry(m.object_id.clone())
                    .or_default()
                    .insert(m.role.clone());
            }
        }
        given
    }
}

/// The commands that bring `user`'s roles to what their groups give now, at
/// each level where what they give changed from `before` to `after`. A level no
/// group gives any more falls back: the organization role to the policy's
/// default, a scope's roles to none.
fn role_commands(
    policy: &Policy,
    state: &State,
    user: &UserId,
    before: &Groups,
    after: &Groups,
) -> Vec<Command> {
    let Some(member) = state.member(user) else {
        return Vec::new();
    };
    let (was, now) = (before.given(user.as_str()), after.given(user.as_str()));
    let levels: BTreeSet<&Option<ObjectId>> = was.keys().chain(now.keys()).collect();
    let mut commands = Vec::new();
    for level in levels {
        if was.get(level) == now.get(level) {
            continue;
        }
        let roles = now.get(level).cloned().unwrap_or_default();
        match level {
            None => {
                let highest = roles
                    .iter()
                    .filter_map(|r| policy.org_role(r).map(|i| (policy.role(i).rank, r)))
                    .max()
                    .map(|(_, r)| r.clone());
                let role = highest
                    .unwrap_or_else(|| policy.role(policy.governance.default_role).name.clone());
                if member.role != role {
                    commands.push(Command::ChangeRole {
                        user_id: user.clone(),
                        role,
                    });
                }
            }
            Some(object) => {
                let level_type = state
                    .object(object)
                    .and_then(|o| policy.type_index(&o.object_type));
                let mut roles: Vec<String> = roles.into_iter().collect();
                if let Some(t) = level_type.filter(|&t| !policy.object_type(t).multiple_roles) {
                    let ranked = roles
                        .iter()
                        .filter_map(|r| policy.role_index(t, r).map(|i| (policy.role(i).rank, r)))
                        .max()
                        .map(|(_, r)| r.clone());
                    roles = ranked.into_iter().collect();
                }
                let current: Vec<String> = state
                    .scope_roles(user, object)
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                if current != roles {
                    commands.push(Command::SetScopeRoles {
                        user_id: user.clone(),
                        object_id: object.clone(),
                        roles,
                    });
                }
            }
        }
    }
    commands
}

impl Steward {
    async fn groups(&self, org: &OrgId) -> Result<(Vec<ScimGroupRow>, Groups), AppError> {
        let store = self.service().store();
        let rows = store.scim_groups(org.as_str()).await?;
        let mut groups = Groups {
            mappings: rows
                .iter()
                .filter_map(|r| Some((r.id.clone(), mapping_of(r)?)))
                .collect(),
            ..Groups::default()
        };
        for (group, user) in store.scim_group_members(org.as_str()).await? {
            groups.of_user.entry(user).or_default().insert(group);
        }
        Ok((rows, groups))
    }

    /// Decides the role changes from `before` to `after` for `users`, in one
    /// change by `actor`, each against the state the ones before it left, with
    /// the group's rows (`alongside`) in its transaction.
    async fn apply_groups(
        &self,
        org: &OrgId,
        actor: &Actor,
        users: impl IntoIterator<Item = &str>,
        before: &Groups,
        after: &Groups,
        alongside: &[Alongside],
    ) -> Result<(), AppError> {
        let users: BTreeSet<UserId> = users
            .into_iter()
            .filter_map(|u| UserId::parse(u).ok())
            .collect();
        let policy = self.service().policy().clone();
        let commands = self
            .service()
            .read(org, |state| {
                users
                    .iter()
                    .flat_map(|u| role_commands(&policy, state, u, before, after))
                    .collect::<Vec<_>>()
            })
            .await?;
        if !commands.is_empty() || !alongside.is_empty() {
            let steps = commands.into_iter().map(|c| (actor.clone(), c)).collect();
            self.service()
                .execute_in_turn_with(org, steps, alongside)
                .await?;
        }
        Ok(())
    }

    /// Gives a person who came back what their groups give.
    pub(super) async fn apply_group_roles(
        &self,
        dir: &Directory,
        user: &UserId,
    ) -> Result<(), AppError> {
        let (_, after) = self.groups(&dir.org).await?;
        self.apply_groups(
            &dir.org,
            &dir.actor(),
            [user.as_str()],
            &Groups::default(),
            &after,
            &[],
        )
        .await
    }

    fn group_view(&self, row: &ScimGroupRow, groups: &Groups, state: &State) -> ProvisionedGroup {
        let mut members: Vec<(String, String)> = groups
            .of_user
            .iter()
            .filter(|(_, gs)| gs.contains(&row.id))
            .map(|(u, _)| {
                let name = UserId::parse(u)
                    .ok()
                    .and_then(|id| state.member(&id).map(|m| m.name.to_string()))
                    .unwrap_or_else(|| u.clone());
                (u.clone(), name)
            })
            .collect();
        members.sort();
        ProvisionedGroup {
            id: row.id.clone(),
            display_name: row.display_name.clone(),
            external_id: row.external_id.clone(),
            members,
            mapping: mapping_of(row),
            updated_at: row.updated_at,
        }
    }

    async fn group_views(&self, org: &OrgId) -> Result<Vec<ProvisionedGroup>, AppError> {
        let (rows, groups) = self.groups(org).await?;
        Ok(self
            .service()
            .read(org, |state| {
                rows.iter()
                    .map(|r| self.group_view(r, &groups, state))
                    .collect()
            })
            .await?)
    }

    pub async fn provisioned_groups(
        &self,
        dir: &Directory,
    ) -> Result<Vec<ProvisionedGroup>, AppError> {
        self.group_views(&dir.org).await
    }

    /// One group, reading only its own members.
    pub async fn provisioned_group(
        &self,
        dir: &Directory,
        id: &str,
    ) -> Result<ProvisionedGroup, AppError> {
        let store = self.service().store();
        let row = store
            .scim_group(dir.org.as_str(), id)
            .await?
            .ok_or(AppError::UnknownGroup)?;
        let ids = store.scim_group_member_ids(dir.org.as_str(), id).await?;
        let mut groups = Groups::default();
        for user in ids {
            groups
                .of_user
                .entry(user)
                .or_default()
                .insert(id.to_string());
        }
        Ok(self
            .service()
            .read(&dir.org, |state| self.group_view(&row, &groups, state))
            .await?)
    }

    /// A new group; it means nothing until the console maps it.
    pub async fn provision_group(
        &self,
        dir: &Directory,
        input: DirectoryGroup,
    ) -> Result<ProvisionedGroup, AppError> {
        let id = random_id("grp");
        self.store_group(dir, &id, None, input).await?;
        self.provisioned_group(dir, &id).await
    }

    /// Replaces a group's name and members (PUT, and PATCH once applied); the
    /// people who joined or left it get what their groups give now.
    pub async fn replace_group(
        &self,
        dir: &Directory,
        id: &str,
        input: DirectoryGroup,
    ) -> Result<ProvisionedGroup, AppError> {
        let row = self
            .service()
            .store()
            .scim_group(dir.org.as_str(), id)
            .await?
            .ok_or(AppError::UnknownGroup)?;
        self.store_group(dir, id, Some(&row), input).await?;
        self.provisioned_group(dir, id).await
    }

    pub async fn delete_group(&self, dir: &Directory, id: &str) -> Result<(), AppError> {
        let row = self
            .service()
            .store()
            .scim_group(dir.org.as_str(), id)
            .await?
            .ok_or(AppError::UnknownGroup)?;
        let empty = DirectoryGroup {
            display_name: row.display_name.clone(),
            external_id: None,
            members: Vec::new(),
        };
        // Its members lose what it gave before it goes.
        self.store_group(dir, id, Some(&row), empty).await?;
        self.service()
            .store()
            .delete_scim_group(dir.org.as_str(), id)
            .await?;
        Ok(())
    }

    /// The role changes first (a refusal changes nothing), then the group.
    async fn store_group(
        &self,
        dir: &Directory,
        id: &str,
        existing: Option<&ScimGroupRow>,
        input: DirectoryGroup,
    ) -> Result<(), AppError> {
        let name = input.display_name.trim();
        if name.is_empty() {
            return Err(AppError::invalid(
                "displayName",
                "displayName: give the group a name",
            ));
        }
        let members: BTreeSet<String> = input.members.into_iter().collect();
        let not_members: Vec<String> = self
            .service()
            .read(&dir.org, |state| {
                members
                    .iter()
                    .filter(|m| {
                        UserId::parse(m)
                            .ok()
                            .and_then(|u| state.member(&u))
                            .is_none()
                    })
                    .cloned()
                    .collect()
            })
            .await?;
        for other in not_members {
            // A deprovisioned person may stay in a group; nobody else may be in one.
            let known = self
                .service()
                .store()
                .scim_user(dir.org.as_str(), &other)
                .await?
                .is_some();
            if !known {
                return Err(AppError::invalid(
                    "members",
                    format!("members: no user has the id {other}"),
                ));
            }
        }
        let row = ScimGroupRow {
            id: id.to_string(),
            display_name: name.to_string(),
            external_id: input.external_id,
            role: existing.and_then(|r| r.role.clone()),
            object_id: existing.and_then(|r| r.object_id.clone()),
            updated_at: self.service().clock().now().0,
        };
        let members: Vec<String> = members.into_iter().collect();
        // A group that gives nothing changes no role, whoever joins or leaves it.
        if row.role.is_some() {
            self.follow_members(dir, id, &members, row).await?;
        } else {
            self.service()
                .store()
                .put_scim_group(dir.org.as_str(), &row, Some(&members))
                .await?;
        }
        Ok(())
    }

    /// The role changes of those who join or leave a mapped group, stored with
    /// the group's new row and members.
    async fn follow_members(
        &self,
        dir: &Directory,
        id: &str,
        members: &[String],
        row: ScimGroupRow,
    ) -> Result<(), AppError> {
        let (_, before) = self.groups(&dir.org).await?;
        let mut after = before.clone();
        for groups in after.of_user.values_mut() {
            groups.remove(id);
        }
        for m in members {
            after
                .of_user
                .entry(m.clone())
                .or_default()
                .insert(id.to_string());
        }
        let touched: BTreeSet<&str> = before
            .of_user
            .iter()
            .filter(|(_, gs)| gs.contains(id))
            .map(|(u, _)| u.as_str())
            .chain(members.iter().map(String::as_str))
            .collect();
        let alongside = [Alongside::ScimGroup(row, Some(members.to_vec()))];
        self.apply_groups(&dir.org, &dir.actor(), touched, &before, &after, &alongside)
            .await
    }

    /// The console's groups (`members:manage`), with their mappings.
    pub async fn directory_groups(&self, org: &InOrg) -> Result<Vec<ProvisionedGroup>, AppError> {
        org.require("members:manage")?;
        self.group_views(&org.org).await
    }

    /// What a group may be mapped to: each organization role, and each role of
    /// each scope object the member may see. Needs `members:manage`.
    pub async fn mapping_options(&self, org: &InOrg) -> Result<Vec<MappingOption>, AppError> {
        org.require("members:manage")?;
        let policy = self.service().policy().clone();
        let mut options: Vec<MappingOption> = policy
            .org_roles
            .iter()
            .map(|&r| MappingOption {
                role: policy.role(r).name.clone(),
                object_id: String::new(),
                label: policy.role(r).label.clone(),
            })
            .collect();
        let scoped = self
            .service()
            .read(&org.org, |state| {
                let mut scoped = Vec::new();
                for object in state.objects() {
                    let Some(t) = policy.type_index(&object.object_type) else {
                        continue;
                    };
                    if !policy.object_type(t).scope || !org.sees(object.id.as_str()) {
                        continue;
                    }
                    for role in policy.roles.iter().filter(|r| r.level == t) {
                        scoped.push(MappingOption {
                            role: role.name.clone(),
                            object_id: object.id.to_string(),
                            label: format!(
                                "{} on {} ({})",
                                role.label,
                                object.name,
                                policy.object_type(t).label
                            ),
                        });
                    }
                }
                scoped
            })
            .await?;
        options.extend(scoped);
        Ok(options)
    }

    /// Maps a group to a role (or to nothing); its members' roles follow, each
    /// change decided as the member making the mapping giving that role.
    pub async fn map_group(
        &self,
        org: &InOrg,
        id: &str,
        choice: MappingChoice,
    ) -> Result<(), AppError> {
        org.require("members:manage")?;
        let actor = org.actor()?;
        let mut row = self
            .service()
            .store()
            .scim_group(org.org.as_str(), id)
            .await?
            .ok_or(AppError::UnknownGroup)?;
        let mapping = if choice.role.trim().is_empty() {
            None
        } else {
            let object_id = match choice.object_id.trim() {
                "" => None,
                o => Some(org.visible_object(o)?),
            };
            let policy = self.service().policy();
            let known = match &object_id {
                None => policy.org_role(&choice.role).is_some(),
                Some(o) => {
                    self.service()
                        .read(&org.org, |state| {
                            state
                                .object(o)
                                .and_then(|o| policy.type_index(&o.object_type))
                                .and_then(|t| policy.role_index(t, &choice.role))
                                .is_some()
                        })
                        .await?
                }
            };
            if !known {
                return Err(steward_core::Refusal::UnknownRole(choice.role).into());
            }
            Some(GroupMapping {
                role: choice.role,
                object_id,
            })
        };
        let (_, before) = self.groups(&org.org).await?;
        let mut after = before.clone();
        match &mapping {
            Some(m) => after.mappings.insert(id.to_string(), m.clone()),
            None => after.mappings.remove(id),
        };
        let members: Vec<&str> = before
            .of_user
            .iter()
            .filter(|(_, gs)| gs.contains(id))
            .map(|(u, _)| u.as_str())
            .collect();
        row.role = mapping.as_ref().map(|m| m.role.clone());
        row.object_id = mapping.and_then(|m| m.object_id).map(|o| o.to_string());
        row.updated_at = self.service().clock().now().0;
        let alongside = [Alongside::ScimGroup(row, None)];
        self.apply_groups(&org.org, &actor, members, &before, &after, &alongside)
            .await?;
        Ok(())
    }
}
