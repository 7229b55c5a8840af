//! The workload in Cedar (cedar-policy 4): policies, entities and one `Request` per
//! question.
//!
//! Model:
//! - `User::"uN"` is a member of `Role::"<analytics role>"`; the root account is also
//!   in `Role::"root"`.
//! - `Org::"org1"`; `Project::"pN"` with `owner` and, per project action with grants,
//!   a set attribute (`g_view`, `g_edit`, ...) of the users granted it;
//!   `Question::"qN-K"` with `owner` and `project` (its parent project).
//! - Actions `Action::"project:view"`... are in the group `Action::"on_project"`;
//!   the organization actions in `Action::"on_org"`.
//! - Policies: root permits everything; the owner of a project (or of a question,
//!   or of its project) permits every project action; each grant attribute permits its
//!   action on the project and on its questions; each role permits its project actions
//!   on projects and questions (reach "all") and its organization actions on the org.
//!
//! What Cedar cannot give here: Steward's reason with its node (`grant@p5`,
//! `role:analyst@org1`); the response names only the policies that permitted.

use crate::workload::{
    Workload, ACTIONS, FIRST_ORG_ACTION, ORG_ID, PROJECT_ACTIONS, ROLES, ROOT_USER,
};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

pub struct CedarEngine {
    pub authorizer: Authorizer,
    pub policies: PolicySet,
    pub entities: Entities,
    pub policy_text: String,
    user_type: EntityTypeName,
    project_type: EntityTypeName,
    question_type: EntityTypeName,
    org_type: EntityTypeName,
    action_uids: Vec<EntityUid>,
}

/// The attribute holding the users granted a project action (`project:view` -> `g_view`).
fn grant_attr(action: &str) -> String {
    format!("g_{}", action.trim_start_matches("project:"))
}

fn uid(ty: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
}

fn ty(name: &str) -> EntityTypeName {
    EntityTypeName::from_str(name).expect("entity type name")
}

/// The Cedar policies for the analytics roles (`role_actions`: per role in `ROLES`,
/// the actions it gives with reach `all`).
pub fn policy_text(role_actions: &[Vec<String>; 6]) -> String {
    let mut p = String::new();
    p.push_str("@id(\"root\")\npermit(principal in Role::\"root\", action, resource);\n\n");
    p.push_str(
        "@id(\"owner_project\")\npermit(principal, action in Action::\"on_project\", resource is Project)\n  \
         when { resource.owner == principal };\n\n",
    );
    p.push_str(
        "@id(\"owner_question\")\npermit(principal, action in Action::\"on_project\", resource is Question)\n  \
         when { resource.owner == principal || resource.project.owner == principal };\n\n",
    );
    for a in PROJECT_ACTIONS {
        let g = grant_attr(a);
        p.push_str(&format!(
            "@id(\"grant_{g}\")\npermit(principal, action == Action::\"{a}\", resource)\n  when {{\n    \
             (resource is Project && resource has {g} && resource.{g}.contains(principal)) ||\n    \
             (resource is Question && resource.project has {g} && resource.project.{g}.contains(principal))\n  }};\n\n"
        ));
    }
    for (r, (role, _)) in ROLES.iter().enumerate() {
        let list = |org: bool| -> Vec<String> {
            role_actions[r]
                .iter()
                .filter(|a| ACTIONS.contains(&a.as_str()))
                .filter(|a| PROJECT_ACTIONS.contains(&a.as_str()) != org)
                .map(|a| format!("Action::\"{a}\""))
                .collect()
        };
        let on_objects = list(false);
        if !on_objects.is_empty() {
            p.push_str(&format!(
                "@id(\"role_{role}_objects\")\npermit(principal in Role::\"{role}\", action in [{}], resource)\n  \
                 when {{ resource is Project || resource is Question }};\n\n",
                on_objects.join(", ")
            ));
        }
        let on_org = list(true);
        if !on_org.is_empty() {
            p.push_str(&format!(
                "@id(\"role_{role}_org\")\npermit(principal in Role::\"{role}\", action in [{}], resource is Org);\n\n",
                on_org.join(", ")
            ));
        }
    }
    p
}

impl CedarEngine {
    pub fn build(w: &Workload, role_actions: &[Vec<String>; 6]) -> CedarEngine {
        let policy_text = policy_text(role_actions);
        let policies = PolicySet::from_str(&policy_text).expect("cedar policies parse");

        let user_type = ty("User");
        let role_type = ty("Role");
        let org_type = ty("Org");
        let project_type = ty("Project");
        let question_type = ty("Question");
        let action_type = ty("Action");

        let mut entities: Vec<Entity> =
            Vec::with_capacity(w.params.objects() + w.params.users + 32);
        // Actions and their two groups.
        let on_project = uid(&action_type, "on_project");
        let on_org = uid(&action_type, "on_org");
        entities.push(Entity::new_no_attrs(on_project.clone(), HashSet::new()));
        entities.push(Entity::new_no_attrs(on_org.clone(), HashSet::new()));
        let action_uids: Vec<EntityUid> = ACTIONS.iter().map(|a| uid(&action_type, a)).collect();
        for (i, a) in action_uids.iter().enumerate() {
            let group = if (i as u16) < FIRST_ORG_ACTION {
                &on_project
            } else {
                &on_org
            };
            entities.push(Entity::new_no_attrs(
                a.clone(),
                HashSet::from([group.clone()]),
            ));
        }
        // Roles and users.
        for (r, _) in ROLES {
            entities.push(Entity::new_no_attrs(uid(&role_type, r), HashSet::new()));
        }
        entities.push(Entity::new_no_attrs(
            uid(&role_type, "root"),
            HashSet::new(),
        ));
        let users: Vec<EntityUid> = (0..w.params.users as u32)
            .map(|u| uid(&user_type, &format!("u{u}")))
            .collect();
        for (u, user) in users.iter().enumerate() {
            let mut parents = HashSet::from([uid(&role_type, ROLES[w.user_role[u] as usize].0)]);
            if u as u32 == ROOT_USER {
                parents.insert(uid(&role_type, "root"));
            }
            entities.push(Entity::new_no_attrs(user.clone(), parents));
        }
        entities.push(Entity::new_no_attrs(uid(&org_type, ORG_ID), HashSet::new()));

        // Grants per project: project index -> [users per project action].
        let mut grants: HashMap<u32, [Vec<u32>; 7]> = HashMap::new();
        for &(u, p, mask) in &w.grants {
            let per = grants.entry(p).or_default();
            for (a, users) in per.iter_mut().enumerate() {
                if mask >> a & 1 == 1 {
                    users.push(u);
                }
            }
        }
        let org = uid(&org_type, ORG_ID);
        let entity_ref = |e: &EntityUid| RestrictedExpression::new_entity_uid(e.clone());
        for p in 0..w.params.projects as u32 {
            let pidx = 1 + p;
            let project = uid(&project_type, &w.object_name(pidx));
            let owner = &users[w.owner[pidx as usize] as usize];
            let mut attrs = HashMap::from([("owner".to_string(), entity_ref(owner))]);
            if let Some(per) = grants.get(&pidx) {
                for (a, granted) in per.iter().enumerate() {
                    if !granted.is_empty() {
                        attrs.insert(
                            grant_attr(PROJECT_ACTIONS[a]),
                            RestrictedExpression::new_set(
                                granted.iter().map(|&u| entity_ref(&users[u as usize])),
                            ),
                        );
                    }
                }
            }
            entities.push(
                Entity::new(project.clone(), attrs, HashSet::from([org.clone()]))
                    .expect("project entity"),
            );
            for k in 0..w.params.questions_per_project {
                let qidx = crate::workload::question_index(&w.params, p, k);
                let question = uid(&question_type, &w.object_name(qidx));
                let attrs = HashMap::from([
                    (
                        "owner".to_string(),
                        entity_ref(&users[w.owner[qidx as usize] as usize]),
                    ),
                    ("project".to_string(), entity_ref(&project)),
                ]);
                entities.push(
                    Entity::new(question, attrs, HashSet::from([project.clone()]))
                        .expect("question entity"),
                );
            }
        }
        let entities = Entities::from_entities(entities, None).expect("cedar entities");
        CedarEngine {
            authorizer: Authorizer::new(),
            policies,
            entities,
            policy_text,
            user_type,
            project_type,
            question_type,
            org_type,
            action_uids,
        }
    }

    /// The request for one question.
    pub fn request(&self, w: &Workload, q: crate::workload::Question) -> Request {
        let principal = uid(&self.user_type, &format!("u{}", q.user));
        let o = q.object as usize;
        let resource_type = if o == 0 {
            &self.org_type
        } else if o <= w.params.projects {
            &self.project_type
        } else {
            &self.question_type
        };
        let resource = uid(resource_type, &w.object_name(q.object));
        Request::new(
            principal,
            self.action_uids[q.action as usize].clone(),
            resource,
            Context::empty(),
            None,
        )
        .expect("cedar request")
    }

    #[inline]
    pub fn check(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }

    /// The ids of the policies that permitted (Cedar's closest thing to a reason).
    pub fn reasons(&self, request: &Request) -> Vec<String> {
        let r = self
            .authorizer
            .is_authorized(request, &self.policies, &self.entities);
        r.diagnostics()
            .reason()
            .map(|id| {
                self.policies
                    .policy(id)
                    .and_then(|p| p.annotation("id"))
                    .map_or_else(|| id.to_string(), str::to_string)
            })
            .collect()
    }
}
