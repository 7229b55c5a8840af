//! The workload in casbin (casbin-rs 2): RBAC with a resource hierarchy.
//!
//! Model (`MODEL` below):
//! - `g`: user -> role (`u5, analyst`; the root account also `u0, root`).
//! - `g2`: the resource tree: question -> its project, project -> `type:project`,
//!   `org1` -> `type:org`; ownership and grants hang off the same tree as nodes
//!   reached from the object: project -> `owner:u5`, project -> `grant:u5:project:view`.
//!   (casbin-rs keeps every `g*` in one role graph, so the names are kept disjoint.)
//! - `p` lines: one per (role, type, action) a role gives (`analyst, type:project,
//!   project:view`), the root role on every action, and two marker lines whose
//!   matcher arm asks the tree for an owner or grant node above the object.
//!
//! casbin scans the `p` lines one by one and evaluates the matcher (a rhai
//! expression) on each, so the per-question owner and grant lookups are written as
//! their own `p` lines to be evaluated once rather than once per role line.
//!
//! What casbin cannot give: a reason (which rule, which node); "reach" other than
//! "all" would need one more grouping per scope.

use crate::workload::{Workload, ACTIONS, ORG_ID, PROJECT_ACTIONS, ROLES, ROOT_USER};
use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};

pub const MODEL: &str = r#"
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (p.sub == "$owner" && g2(r.obj, "owner:" + r.sub)) || (p.sub == "$grant" && g2(r.obj, "grant:" + r.sub + ":" + r.act)) || (r.act == p.act && g(r.sub, p.sub) && g2(r.obj, p.obj))
"#;

pub struct CasbinEngine {
    pub enforcer: Enforcer,
    pub p_lines: usize,
    pub g_lines: usize,
    pub g2_lines: usize,
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl CasbinEngine {
    pub fn build(w: &Workload, role_actions: &[Vec<String>; 6]) -> CasbinEngine {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("tokio runtime");
        rt.block_on(async {
            let model = DefaultModel::from_str(MODEL).await.expect("casbin model");
            let mut e = Enforcer::new(model, MemoryAdapter::default())
                .await
                .expect("casbin enforcer");

            let mut p = vec![v(&["$owner", "-", "-"]), v(&["$grant", "-", "-"])];
            for (r, (role, _)) in ROLES.iter().enumerate() {
                for a in &role_actions[r] {
                    if !ACTIONS.contains(&a.as_str()) {
                        continue;
                    }
                    let ty = if PROJECT_ACTIONS.contains(&a.as_str()) {
                        "type:project"
                    } else {
                        "type:org"
                    };
                    p.push(vec![role.to_string(), ty.to_string(), a.clone()]);
                }
            }
            for (i, a) in ACTIONS.iter().enumerate() {
                let ty = if i < PROJECT_ACTIONS.len() {
                    "type:project"
                } else {
                    "type:org"
                };
                p.push(v(&["root", ty, a]));
            }
            let p_lines = p.len();
            e.add_policies(p).await.expect("p lines");

            let mut g: Vec<Vec<String>> = (0..w.params.users as u32)
                .map(|u| {
                    vec![
                        format!("u{u}"),
                        ROLES[w.user_role[u as usize] as usize].0.to_string(),
                    ]
                })
                .collect();
            g.push(vec![format!("u{ROOT_USER}"), "root".to_string()]);
            let g_lines = g.len();
            e.add_named_grouping_policies("g", g)
                .await
                .expect("g lines");

            let mut g2 = vec![v(&[ORG_ID, "type:org"])];
            for p in 0..w.params.projects as u32 {
                let pidx = 1 + p;
                let project = w.object_name(pidx);
                g2.push(vec![project.clone(), "type:project".to_string()]);
                g2.push(vec![
                    project.clone(),
                    format!("owner:u{}", w.owner[pidx as usize]),
                ]);
                for k in 0..w.params.questions_per_project {
                    let q = crate::workload::question_index(&w.params, p, k);
                    g2.push(vec![w.object_name(q), project.clone()]);
                }
            }
            for &(u, pidx, mask) in &w.grants {
                for (a, name) in PROJECT_ACTIONS.iter().enumerate() {
                    if mask >> a & 1 == 1 {
                        g2.push(vec![w.object_name(pidx), format!("grant:u{u}:{name}")]);
                    }
                }
            }
            let g2_lines = g2.len();
            e.add_named_grouping_policies("g2", g2)
                .await
                .expect("g2 lines");
            CasbinEngine {
                enforcer: e,
                p_lines,
                g_lines,
                g2_lines,
            }
        })
    }

    #[inline]
    pub fn check(&self, user: &str, object: &str, action: &str) -> bool {
        self.enforcer
            .enforce((user, object, action))
            .expect("casbin enforce")
    }
}
