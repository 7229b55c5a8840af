//! `steward check` reads only the rows its question needs (store/load_question.rs)
//! and asks the core's own check: over generated organizations, every question
//! gets the same answer and the same reason as from the whole organization held
//! in memory.

use crate::support::*;
use std::sync::Arc;
use steward::application::checks::{Because, CheckRequest, Verdict};
use steward::application::operator_check::operator_check;
use steward::application::AppError;
use steward_core::policy::ORGANIZATION;
use steward_core::{Command, InvitationId, Policy, Snapshot, Timestamp};

crate::on_both_backends!(
    every_question_of_a_generated_organization_is_answered_as_from_the_whole_one,
    the_operator_check_answers_as_the_snapshot_and_refuses_a_deleted_organization,
);

/// A small deterministic generator (an LCG): the same organization every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.below(from.len())]
    }
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Every user, object and action the questions range over.
struct Generated {
    users: Vec<String>,
    objects: Vec<String>,
}

/// Members with organization roles, objects nested as deep as the policy goes,
/// owners, grants and scope roles at every level, then some objects deleted,
/// some members suspended and one removed. Refused commands are skipped: the
/// organization is whatever the accepted ones made.
async fn generate(t: &TestOrg, policy: &Policy, seed: u64) -> Generated {
    let mut dice = Dice(seed);
    let org_roles: Vec<String> = (policy.roles.iter())
        .filter(|r| r.level == ORGANIZATION)
        .map(|r| r.name.clone())
        .collect();
    let mut users = vec!["owner".to_string()];
    for i in 0..12 {
        let user = format!("u{i}");
        let role = dice.pick(&org_roles).clone();
        let invitation_id = InvitationId::parse(&format!("inv-{user}")).unwrap();
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            email: email_of(&user),
            name: None,
            role: Some(role),
            scopes: vec![],
            expires_at: Timestamp(t.svc.clock().now().0 + DAY),
        };
        if t.outcome("owner", invite).await != "ok" {
            continue;
        }
        let join = Command::Join {
            invitation_id,
            user_id: uid(&user),
            name: Some(name(&user)),
        };
        assert_eq!(t.outcome(&user, join).await, "ok");
        users.push(user);
    }
    // (id, type index)
    let mut objects: Vec<(String, usize)> = Vec::new();
    for i in 0..40 {
        let ty = 1 + dice.below(policy.types.len() - 1);
        let parent = match policy.types[ty].parent {
            Some(p) if p != ORGANIZATION => {
                let candidates: Vec<&String> = (objects.iter())
                    .filter(|(_, t)| *t == p as usize)
                    .map(|(id, _)| id)
                    .collect();
                if candidates.is_empty() {
                    continue;
                }
                Some(oid(dice.pick(&candidates).as_str()))
            }
            _ => None,
        };
        let id = format!("o{i}");
        let create = Command::CreateObject {
            object_id: oid(&id),
            object_type: policy.types[ty].name.clone(),
            name: name(&id),
            parent_id: parent,
            owner_id: None,
        };
        if t.outcome("owner", create).await == "ok" {
            objects.push((id, ty));
        }
    }
    for _ in 0..60 {
        let (object, ty) = dice.pick(&objects).clone();
        let user = dice.pick(&users).clone();
        let command = match dice.below(3) {
            0 => Command::ChangeObjectOwner {
                object_id: oid(&object),
                owner_id: uid(&user),
            },
            1 => {
                let action_type = policy.types[ty].action_type;
                let actions: Vec<String> = (policy.actions.iter())
                    .filter(|a| a.object_type == action_type)
                    .filter(|_| dice.one_in(3))
                    .map(|a| a.name.clone())
                    .collect();
                Command::SetGrant {
                    object_id: oid(&object),
                    user_id: uid(&user),
                    actions,
                }
            }
            _ => {
                let roles: Vec<String> = (policy.roles.iter())
                    .filter(|r| r.level as usize == ty)
                    .filter(|_| dice.one_in(2))
                    .map(|r| r.name.clone())
                    .collect();
                Command::SetScopeRoles {
                    user_id: uid(&user),
                    object_id: oid(&object),
                    roles,
                }
            }
        };
        t.outcome("owner", command).await;
    }
    for _ in 0..4 {
        let (object, _) = dice.pick(&objects).clone();
        t.outcome(
            "owner",
            Command::DeleteObject {
                object_id: oid(&object),
            },
        )
        .await;
    }
    for _ in 0..3 {
        let user = dice.pick(&users[1..]).clone();
        t.outcome(
            "owner",
            Command::SuspendMember {
                user_id: uid(&user),
            },
        )
        .await;
    }
    let leaver = dice.pick(&users[1..]).clone();
    t.outcome(
        "owner",
        Command::DeleteMember {
            user_id: uid(&leaver),
            hand_over_to_root: false,
        },
    )
    .await;
    let mut all_users = users;
    all_users.extend(["nobody".to_string(), "not an id!".to_string()]);
    let mut all_objects: Vec<String> = objects.into_iter().map(|(id, _)| id).collect();
    all_objects.extend([t.org.to_string(), "ghost".into(), "not an id!".into()]);
    Generated {
        users: all_users,
        objects: all_objects,
    }
}

async fn every_question_of_a_generated_organization_is_answered_as_from_the_whole_one(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    for (preset, seed) in [
        ("analytics", 1),
        ("systems", 2),
        ("operations", 3),
        ("platform", 4),
    ] {
        let policy = Policy::preset(preset).unwrap();
        let svc = db.service(policy.clone()).await;
        let t = TestOrg::create(&svc, &format!("gen-{preset}")).await;
        let generated = generate(&t, &policy, seed).await;
        let whole = svc.snapshot(t.org.as_str()).unwrap();
        let policy = Arc::new(policy);
        let mut actions: Vec<String> = policy.actions.iter().map(|a| a.name.clone()).collect();
        actions.push("nothing:at_all".into());
        let (mut asked, mut allowed) = (0, 0);
        for user in &generated.users {
            for object in &generated.objects {
                let part = svc
                    .store()
                    .load_question(&t.org, user, object)
                    .await
                    .unwrap();
                let part = Snapshot::build(policy.clone(), &part);
                for action in &actions {
                    let expected = whole.check_by_name(user, action, object);
                    let got = part.check_by_name(user, action, object);
                    assert_eq!(
                        (got.allowed, part.reason_text(&got).to_string()),
                        (expected.allowed, whole.reason_text(&expected).to_string()),
                        "{preset}: may {user} {action} on {object}?"
                    );
                    asked += 1;
                    allowed += usize::from(got.allowed);
                }
            }
        }
        // The generated organization asks something of every kind.
        assert!(
            allowed > asked / 50 && allowed < asked,
            "{preset}: {allowed} of {asked}"
        );
    }
}

async fn the_operator_check_answers_as_the_snapshot_and_refuses_a_deleted_organization(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let policy = Policy::preset("analytics").unwrap();
    let svc = db.service(policy.clone()).await;
    let t = TestOrg::create(&svc, "asked").await;
    let generated = generate(&t, &policy, 7).await;
    let whole = svc.snapshot(t.org.as_str()).unwrap();
    let policy = Arc::new(policy);
    for user in &generated.users {
        for object in &generated.objects {
            let question = CheckRequest {
                user_id: user.into(),
                action: "project:view".into(),
                object_id: object.into(),
            };
            let verdict = operator_check(svc.store(), policy.clone(), t.org.as_str(), &question)
                .await
                .unwrap();
            let expected = whole.check_by_name(user, "project:view", object);
            let expected = Verdict {
                allowed: expected.allowed,
                because: Because::of(&whole, expected.reason),
            };
            assert_eq!(verdict, expected, "may {user} view {object}?");
        }
    }
    let question = CheckRequest {
        user_id: "owner".into(),
        action: "org:view".into(),
        object_id: t.org.as_str().into(),
    };
    let no_organization = |r: Result<Verdict, AppError>| {
        matches!(
            r,
            Err(AppError::Refused(steward_core::Refusal::NoOrganization))
        )
    };
    let unknown = operator_check(svc.store(), policy.clone(), "elsewhere", &question).await;
    assert!(no_organization(unknown));
    t.run("owner", Command::DeleteOrganization).await.unwrap();
    let deleted = operator_check(svc.store(), policy.clone(), t.org.as_str(), &question).await;
    assert!(no_organization(deleted));
}
