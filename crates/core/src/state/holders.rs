//! Who holds each organization role, as counts: what the governance rules ask of
//! a role (how many owners, how many active admins) without every member's id
//! held a second time (docs/scaling.md#memory).

use std::collections::BTreeMap;

use super::{Label, Member};

/// How many members hold one role, and how many of them are not suspended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Holders {
    pub(crate) count: usize,
    pub(crate) active: usize,
}

/// The roles held, each with its holders' counts. Its keys are the labels the
/// members share, so a new holder of a held role takes the label from here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RoleHolders(BTreeMap<Label, Holders>);

impl RoleHolders {
    /// The counts of the members as they stand.
    pub(crate) fn of<'a>(members: impl IntoIterator<Item = &'a Member>) -> RoleHolders {
        let mut held = RoleHolders::default();
        for m in members {
            held.add(m);
        }
        held
    }

    /// The label members holding `role` already share, if anyone holds it.
    pub(crate) fn label(&self, role: &str) -> Option<&Label> {
        self.0.get_key_value(role).map(|(label, _)| label)
    }

    pub(crate) fn get(&self, role: &str) -> Holders {
        self.0.get(role).copied().unwrap_or_default()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Label, Holders)> {
        self.0.iter().map(|(role, h)| (role, *h))
    }

    /// `member` now holds its role, as it stands.
    pub(crate) fn add(&mut self, member: &Member) {
        let h = self.0.entry(member.role.clone()).or_default();
        h.count += 1;
        h.active += usize::from(!member.suspended);
    }

    /// `member` no longer holds its role, as it stood.
    pub(crate) fn remove(&mut self, member: &Member) {
        if let Some(h) = self.0.get_mut(&member.role) {
            h.count = h.count.saturating_sub(1);
            h.active = h.active.saturating_sub(usize::from(!member.suspended));
            if h.count == 0 {
                self.0.remove(&member.role);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Email, Name, UserId};

    fn member(id: &str, role: &str, suspended: bool) -> Member {
        Member {
            user_id: UserId::parse(id).unwrap(),
            email: Email::parse(&format!("{id}@x.test")).unwrap(),
            name: Name::parse(id).unwrap(),
            role: Label::new(role),
            suspended,
        }
    }

    #[test]
    fn a_suspended_holder_counts_as_a_holder_but_not_as_active() {
        let held = RoleHolders::of(&[
            member("a", "admin", false),
            member("b", "admin", true),
            member("c", "viewer", false),
        ]);
        assert_eq!(
            held.get("admin"),
            Holders {
                count: 2,
                active: 1
            }
        );
        assert_eq!(
            held.get("viewer"),
            Holders {
                count: 1,
                active: 1
            }
        );
        assert_eq!(held.get("owner"), Holders::default());
    }

    #[test]
    fn a_role_nobody_holds_any_more_is_forgotten_with_its_label() {
        let a = member("a", "admin", false);
        let mut held = RoleHolders::of([&a]);
        held.remove(&a);
        assert_eq!(held.label("admin"), None);
        assert_eq!(held, RoleHolders::default());
    }
}
