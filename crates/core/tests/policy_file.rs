//! The policy file: every problem is reported, each with its line and key.

use proptest::prelude::*;
use steward_core::policy::{Policy, Reach, PRESETS};

fn line_of(source: &str, needle: &str) -> usize {
    source
        .lines()
        .position(|l| l.contains(needle))
        .expect(needle)
        + 1
}

fn errors(source: &str) -> Vec<String> {
    Policy::parse(source)
        .unwrap_err()
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn every_preset_is_valid_and_named_after_its_file() {
    for (name, source) in PRESETS {
        let p = Policy::parse(source).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name, name);
    }
}

#[test]
fn the_organization_actions_are_resolved_once_to_the_ones_named() {
    for (name, source) in PRESETS {
        let p = Policy::parse(source).unwrap_or_else(|e| panic!("{name}: {e}"));
        let named = |action: &str| p.action_index(action).unwrap();
        let a = p.org_actions;
        assert_eq!(
            [
                a.view,
                a.delete,
                a.members_view,
                a.members_manage,
                a.audit_view,
                a.ownership_transfer
            ],
            [
                named("org:view"),
                named("org:delete"),
                named("members:view"),
                named("members:manage"),
                named("audit:view"),
                named("ownership:transfer"),
            ],
            "{name}"
        );
    }
}

#[test]
fn an_unknown_action_is_named_with_its_role_and_line() {
    let source = PRESETS[2].1.replace(
        "permissions = [\"org:view\", \"project:view:all\", \"dashboard:view_row_metadata:all\", \"dashboard:view:all\"]",
        "permissions = [\"org:view\", \"project:edt:all\", \"dashboard:view_row_metadata:all\", \"dashboard:view:all\"]",
    );
    let line = line_of(&source, "project:edt");
    let errs = errors(&source);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(&format!(
            "unknown action \"edt\" in role analyst at line {line}"
        )),
        "{}",
        errs[0]
    );
    assert!(
        errs[0].contains("roles.organization.analyst.permissions"),
        "{}",
        errs[0]
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let source = PRESETS[1]
        .1
        .replace(
            "rank = 20\ndescription = \"Operates",
            "rank = -1\ndescription = \"Operates",
        )
        .replace("\"site:view:assigned\"", "\"site:view:somewhere\"")
        .replace("default_role = \"viewer\"", "default_role = \"guest\"");
    let errs = Policy::parse(&source).unwrap_err().0;
    let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("rank of role operator is negative")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("unknown reach \"somewhere\"")),
        "{messages:?}"
    );
    // Governance is checked once the roles are sound; fix those and it speaks.
    let source = source
        .replace("rank = -1", "rank = 20")
        .replace("site:view:somewhere", "site:view:assigned");
    let errs = errors(&source);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].contains("unknown organization role \"guest\""),
        "{}",
        errs[0]
    );
    assert!(
        errs[0].contains(&format!("at line {}", line_of(&source, "default_role"))),
        "{}",
        errs[0]
    );
}

#[test]
fn a_toml_syntax_error_gives_its_line() {
    let source = PRESETS[0].1.replace(
        "rank = 30\ndescription = \"Every permission",
        "rank = = 30\ndescription = \"Every permission",
    );
    let line = line_of(&source, "rank = = 30");
    let errs = errors(&source);
    assert!(errs[0].contains(&format!("at line {line}")), "{errs:?}");
}

#[test]
fn a_misspelled_key_is_refused() {
    let source = PRESETS[1]
        .1
        .replace("self_change = false", "self_chnage = false");
    let errs = errors(&source);
    assert!(errs[0].contains("unknown field `self_chnage`"), "{errs:?}");
    assert!(
        errs[0].contains(&format!("at line {}", line_of(&source, "self_chnage"))),
        "{errs:?}"
    );
}

#[test]
fn a_role_cannot_reach_above_where_it_is_held() {
    let source = PRESETS[1].1.replace(
        "permissions = [\"site:view\", \"site:operate\"]",
        "permissions = [\"site:view\", \"org:delete\"]",
    );
    let errs = errors(&source);
    assert!(
        errs[0].contains(
            "action org:delete in role operator is about organization, which is not below site"
        ),
        "{errs:?}"
    );
}

#[test]
fn the_owner_role_cannot_be_assigned_unless_transfer_is_direct() {
    let source = PRESETS[1].1.replace(
        "owner = [\"viewer\", \"operator\", \"admin\"]",
        "owner = [\"viewer\", \"operator\", \"admin\", \"owner\"]",
    );
    let errs = errors(&source);
    assert!(errs[0].contains("moves only by transfer"), "{errs:?}");
}

#[test]
fn a_nomination_needs_its_ttl() {
    let source = PRESETS[1].1.replace("nomination_ttl_days = 7\n", "");
    let errs = errors(&source);
    assert!(errs[0].contains("needs nomination_ttl_days"), "{errs:?}");
}

#[test]
fn reaches_are_read_from_the_permission() {
    let p = Policy::preset("operations").unwrap();
    let viewer = p.role(p.org_role("viewer").unwrap());
    let view = p.action_index("site:view").unwrap();
    assert_eq!(
        viewer
            .permissions
            .iter()
            .find(|(a, _)| *a == view)
            .unwrap()
            .1,
        Reach::Assigned
    );
    assert!(viewer.assigned.contains(view) && !viewer.all.contains(view));
    // Organization actions are always reach all; wildcards expand to what the level reaches.
    let owner = p.role(p.org_role("owner").unwrap());
    assert_eq!(owner.all.iter().count(), p.actions.len());
}

#[test]
fn a_child_type_takes_its_parents_actions() {
    let p = Policy::preset("analytics").unwrap();
    let q = p.type_index("question").unwrap();
    let proj = p.type_index("project").unwrap();
    assert_eq!(p.object_type(q).action_type, proj);
    assert!(p.applies(p.action_index("project:edit").unwrap(), q));
    assert!(!p.applies(p.action_index("dashboard:edit").unwrap(), q));
}

#[test]
fn every_policy_declares_the_organization_actions_steward_asks_about() {
    let source = PRESETS[1].1.replace(
        "\"audit:view\", \"ownership:transfer\"]",
        "\"ownership:transfer\"]",
    );
    let errs = errors(&source);
    assert!(
        errs.iter()
            .any(|e| e.contains("must declare the action \"audit:view\"")),
        "{errs:?}"
    );
}

#[test]
fn a_type_says_who_creates_deletes_and_shares_it() {
    let source = PRESETS[1].1.replace("delete = \"site:configure\"\n", "");
    let errs = errors(&source);
    assert!(
        errs.iter()
            .any(|e| e.contains("type site needs delete = \"<action>\": who may delete one")),
        "{errs:?}"
    );
    let source = PRESETS[2].1.replace(
        "inherits = true\ncreate = \"project:edit\"\n",
        "inherits = true\n",
    );
    let errs = errors(&source);
    assert!(
        errs.iter()
            .any(|e| e.contains("type question needs create")),
        "{errs:?}"
    );
}

proptest! {
    /// A mangled policy file gets an answer, never a panic: whatever was dropped or
    /// changed, it parses or it says what is wrong.
    #[test]
    fn a_mangled_preset_is_answered_not_panicked_on(
        preset in 0..PRESETS.len(),
        drops in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), "[a-z_:\\[\\]\"=*. ]"), 0..4),
    ) {
        let mut lines: Vec<String> = PRESETS[preset].1.lines().map(String::from).collect();
        for d in drops {
            let i = d.index(lines.len());
            lines.remove(i);
        }
        let mut text = lines.join("\n");
        for (at, ch) in flips {
            let i = at.index(text.len());
            if text.is_char_boundary(i) && text.is_char_boundary(i + 1) {
                text.replace_range(i..i + 1, &ch);
            }
        }
        if let Err(errors) = Policy::parse(&text) {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                prop_assert!(e.line <= text.lines().count() + 1, "{e}");
            }
        }
    }
}

#[test]
fn the_platform_preset_offers_organization_admin_as_a_check_box() {
    use steward_core::policy::RoleControl;
    let p = Policy::preset("platform").unwrap();
    let RoleControl::Checkbox { checked, unchecked } = p.console.role_control else {
        panic!("platform offers its organization roles as a check box (seed 003)");
    };
    assert_eq!(p.role(checked).name, "organization_administrator");
    assert_eq!(p.role(unchecked).name, "user");
    let ops = Policy::preset("operations").unwrap();
    assert_eq!(ops.console.role_control, RoleControl::Dropdown);
}

#[test]
fn a_check_box_role_control_names_two_organization_roles_that_cover_the_others() {
    let platform = PRESETS.iter().find(|(n, _)| *n == "platform").unwrap().1;
    let broken = platform.replace("unchecked_role = \"user\"", "unchecked_role = \"nobody\"");
    assert_ne!(broken, platform, "the preset's unchecked_role line moved");
    let e = errors(&broken);
    let line = line_of(&broken, "unchecked_role = \"nobody\"");
    assert!(
        e.iter()
            .any(|e| e.contains("unknown organization role \"nobody\"")
                && e.contains(&format!("line {line}"))
                && e.contains("console.unchecked_role")),
        "{e:?}"
    );

    let missing = platform.replace("unchecked_role = \"user\"\n", "");
    assert!(
        errors(&missing).iter().any(
            |e| e.contains("role_control = \"checkbox\" needs checked_role and unchecked_role")
        ),
        "{:?}",
        errors(&missing)
    );

    let unknown = platform.replace("role_control = \"checkbox\"", "role_control = \"radio\"");
    assert!(
        errors(&unknown)
            .iter()
            .any(|e| e.contains("unknown role_control \"radio\" (dropdown or checkbox)")),
        "{:?}",
        errors(&unknown)
    );

    let same = platform.replace(
        "unchecked_role = \"user\"",
        "unchecked_role = \"organization_administrator\"",
    );
    assert!(
        errors(&same)
            .iter()
            .any(|e| e.contains("user is neither checked_role nor unchecked_role")),
        "{:?}",
        errors(&same)
    );
}

#[test]
fn every_action_of_every_preset_has_a_label_in_words() {
    for (name, source) in PRESETS {
        let p = Policy::parse(source).unwrap();
        for a in &p.actions {
            assert_ne!(a.label, a.name, "{name}: {} has no label", a.name);
            assert!(
                !a.label.contains(&a.name),
                "{name}: {} reads as an id",
                a.label
            );
        }
    }
    let p = Policy::preset("analytics").unwrap();
    let append = p.action_index("project:append_rows").unwrap();
    assert_eq!(p.action(append).label, "append rows to projects");
}

#[test]
fn an_action_without_a_label_is_shown_by_its_name() {
    let source = PRESETS[1]
        .1
        .replace("\"site:operate\" = \"operate sites\"\n", "");
    let p = Policy::parse(&source).unwrap();
    let operate = p.action_index("site:operate").unwrap();
    assert_eq!(p.action(operate).label, "site:operate");
}

#[test]
fn a_label_for_an_action_the_type_does_not_declare_is_refused_with_its_line() {
    let source = PRESETS[1]
        .1
        .replace(
            "\"site:operate\" = \"operate sites\"",
            "\"site:operate\" = \"operate sites\"\n\"org:view\" = \"see it\"\n\"site:fly\" = \"fly\"",
        )
        .replace("\"site:view\" = \"view sites\"", "\"site:view\" = \"  \"");
    let errs = errors(&source);
    assert_eq!(errs.len(), 3, "{errs:?}");
    let line = line_of(&source, "\"site:fly\"");
    assert!(
        errs.iter()
            .any(|e| e.contains("\"site:fly\" is not an action of type site")
                && e.contains(&format!("line {line}"))),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("\"org:view\" is not an action of type site")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.contains("must be one line of words")),
        "{errs:?}"
    );
}
