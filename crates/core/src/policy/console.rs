//! `[console]`: how the console offers the organization roles, checked against
//! the roles the policy declares so that the control can give every one of them.

use super::raw::RawConsole;
use super::validate::Validator;
use super::{Policy, RoleControl, RoleIndex, ORGANIZATION};

impl Validator {
    pub(super) fn console(&mut self, raw: &RawConsole, policy: &mut Policy) {
        let control = raw.role_control.as_ref();
        match control.map(|c| c.get_ref().as_str()) {
            None | Some("dropdown") => {
                for (field, role) in [
                    ("checked_role", &raw.checked_role),
                    ("unchecked_role", &raw.unchecked_role),
                ] {
                    if let Some(role) = role {
                        self.err(
                            role,
                            format!("console.{field}"),
                            format!("{field} is only for role_control = \"checkbox\""),
                        );
                    }
                }
            }
            Some("checkbox") => {
                let (Some(checked), Some(unchecked)) = (&raw.checked_role, &raw.unchecked_role)
                else {
                    if let Some(c) = control {
                        self.err(
                            c,
                            "console.role_control",
                            "role_control = \"checkbox\" needs checked_role and unchecked_role: \
                             the roles the box gives ticked and unticked",
                        );
                    }
                    return;
                };
                let checked_index = self.org_role(policy, checked, "console.checked_role");
                let unchecked_index = self.org_role(policy, unchecked, "console.unchecked_role");
                let (Some(checked_index), Some(unchecked_index)) = (checked_index, unchecked_index)
                else {
                    return;
                };
                // A member's role the box cannot give would be one nobody can change.
                let uncovered: Vec<RoleIndex> = (0..policy.roles.len() as RoleIndex)
                    .filter(|&r| policy.roles[r as usize].level == ORGANIZATION)
                    .filter(|&r| r != checked_index && r != unchecked_index)
                    .filter(|&r| Some(r) != policy.ownership.role)
                    .collect();
                if let Some(&r) = uncovered.first() {
                    let c = control.unwrap_or(checked);
                    self.err(
                        c,
                        "console.role_control",
                        format!(
                            "with role_control = \"checkbox\", every organization role but the \
                             owner's is one of the box's two: {} is neither checked_role nor \
                             unchecked_role",
                            policy.roles[r as usize].name
                        ),
                    );
                    return;
                }
                policy.console.role_control = RoleControl::Checkbox {
                    checked: checked_index,
                    unchecked: unchecked_index,
                };
            }
            Some(other) => {
                if let Some(c) = control {
                    self.err(
                        c,
                        "console.role_control",
                        format!("unknown role_control {other:?} (dropdown or checkbox)"),
                    );
                }
            }
        }
    }
}
