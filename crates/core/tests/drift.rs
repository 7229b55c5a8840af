//! Grants given and taken back leave stale bits in a snapshot's filters
//! (snapshot/drift.rs): the snapshot counts them, says when it is due for a
//! rebuild, and the rebuilt one answers every question the same.

mod support;
use steward_core::Snapshot;
use support::*;

const MEMBERS: usize = 8;
const PROJECTS: usize = 40;

/// The root account "owner", analysts m0..m7, projects p0..p39 with one
/// question q0..q39 each.
fn org() -> Org {
    let mut org = Org::new("analytics");
    for m in 0..MEMBERS {
        org.add(&format!("m{m}"), "analyst");
    }
    for p in 0..PROJECTS {
        org.create("owner", &format!("p{p}"), "project", None);
        org.create(
            "owner",
            &format!("q{p}"),
            "question",
            Some(&format!("p{p}")),
        );
    }
    org
}

/// Gives and takes back a grant, member by member and project by project,
/// until the snapshot says it has drifted (at most `rounds` times round).
fn churn(org: &mut Org, rounds: usize) -> usize {
    let mut changes = 0;
    for _ in 0..rounds {
        for p in 0..PROJECTS {
            for m in 0..MEMBERS {
                let (project, member) = (format!("p{p}"), format!("m{m}"));
                assert_eq!(
                    org.grant("owner", &project, &member, &["project:edit"]),
                    "ok"
                );
                assert_eq!(org.grant("owner", &project, &member, &[]), "ok");
                changes += 2;
                if org.snapshot.has_drifted() {
                    return changes;
                }
            }
        }
    }
    changes
}

/// Every (member, action, object) answer and reason of `snapshot`.
fn answers(org: &Org, snapshot: &Snapshot) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let users = (0..MEMBERS)
        .map(|m| format!("m{m}"))
        .chain(["owner".into()]);
    for user in users {
        for action in &org.policy.actions {
            for object in (0..PROJECTS).flat_map(|p| [format!("p{p}"), format!("q{p}")]) {
                let d = snapshot.check_by_name(&user, &action.name, &object);
                out.push((d.allowed, snapshot.reason_text(&d).to_string()));
            }
        }
    }
    out
}

#[test]
fn a_fresh_snapshot_has_not_drifted() {
    let org = org();
    assert!(!org.snapshot.has_drifted());
    assert_eq!(org.snapshot.drift().stale(), 0);
}

#[test]
fn grants_given_and_taken_back_drift_the_snapshot_until_it_is_rebuilt() {
    let mut org = org();
    let changes = churn(&mut org, 100);
    assert!(
        org.snapshot.has_drifted(),
        "not drifted after {changes} changes"
    );
    assert_eq!(org.snapshot.drift().stale() as usize, changes / 2);
    assert_eq!(org.snapshot.drift().live(), 0);

    let rebuilt = Snapshot::build(org.policy.clone(), &org.state);
    assert!(!rebuilt.has_drifted());
    assert_eq!(rebuilt.drift().stale(), 0);
}

#[test]
fn a_drifted_snapshot_is_rebuilt_and_answers_the_same() {
    let mut org = org();
    churn(&mut org, 100);
    // Some grants stay, so the answers include grants as well as refusals.
    for m in 0..MEMBERS {
        let project = format!("p{}", m * 3);
        let member = format!("m{m}");
        assert_eq!(
            org.grant("owner", &project, &member, &["project:edit"]),
            "ok"
        );
    }
    assert!(org.snapshot.has_drifted());
    let rebuilt = Snapshot::build(org.policy.clone(), &org.state);
    let drifted = answers(&org, &org.snapshot);
    assert_eq!(drifted, answers(&org, &rebuilt));
    assert!(drifted.iter().any(|(_, why)| why.starts_with("grant@")));
}
