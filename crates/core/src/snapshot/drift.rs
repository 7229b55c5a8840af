//! How far a snapshot has drifted from what a fresh build would hold: `apply` only
//! ever adds bits to the per-node holder filters, so a grant or scope role taken
//! away leaves its user's bit set on the node and everything below it, and checks
//! for that bit take the slow walk for nothing (docs/benchmarks.md#drift). The
//! count is kept as changes arrive, in O(1); the caller decides when to rebuild
//! (the server does it in the background, crates/server/src/service/live.rs).

use super::{Entry, Snapshot};

/// Never rebuild for fewer stale holders than this: a small organization's
/// filters stay nearly exact anyway, and a rebuild costs a full pass.
const MIN_STALE: u32 = 1024;
/// Rebuild once the stale holders reach this fraction of the live ones (1/4):
/// measured after 1,000,000 grant changes, checks then stay within 1.2x of a
/// fresh build's (docs/benchmarks.md#drift).
const STALE_SHARE_SHIFT: u32 = 2;

/// What a snapshot holds beyond a fresh build: counted, not measured bit by bit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drift {
    /// (user, node) entries holding a role or a grant.
    live: u32,
    /// Entries emptied since the build: each may have left a stale bit in the
    /// filters of its node's subtree, a flag worth a probe, and an empty entry.
    stale: u32,
}

impl Drift {
    /// A fresh build's: `live` entries, none stale.
    pub(super) fn fresh(live: usize) -> Drift {
        Drift {
            live: u32::try_from(live).unwrap_or(u32::MAX),
            stale: 0,
        }
    }

    /// One entry changed from `before` to `after`.
    pub(super) fn entry_changed(&mut self, before: &Entry, after: &Entry) {
        match (before.is_held(), after.is_held()) {
            (false, true) => self.live = self.live.saturating_add(1),
            (true, false) => {
                self.live = self.live.saturating_sub(1);
                self.stale = self.stale.saturating_add(1);
            }
            _ => {}
        }
    }

    /// `held` entries were dropped (a member deleted) while their bits stay set.
    pub(super) fn entries_dropped(&mut self, held: u32) {
        self.live = self.live.saturating_sub(held);
        self.stale = self.stale.saturating_add(held);
    }

    /// `held` entries were dropped with their nodes (an object deleted): the
    /// nodes' slots are cleared too, so nothing stale remains of them.
    pub(super) fn entries_deleted(&mut self, held: u32) {
        self.live = self.live.saturating_sub(held);
    }

    /// Entries holding a role or a grant.
    pub fn live(&self) -> u32 {
        self.live
    }

    /// Entries emptied or dropped since the build whose bits may still be set.
    pub fn stale(&self) -> u32 {
        self.stale
    }

    /// Whether a rebuild is worth its cost: at least `MIN_STALE` stale entries,
    /// and a quarter of the live ones.
    pub fn is_past_threshold(&self) -> bool {
        self.stale >= MIN_STALE.max(self.live >> STALE_SHARE_SHIFT)
    }
}

impl Entry {
    pub(super) fn is_held(&self) -> bool {
        !self.roles.is_empty() || !self.grant.is_empty()
    }
}

impl Snapshot {
    /// How far this snapshot has drifted since it was built.
    pub fn drift(&self) -> Drift {
        self.drift
    }

    /// Whether it is time to build it again from the state (`Snapshot::build`):
    /// it answers the same either way, only slower.
    pub fn has_drifted(&self) -> bool {
        self.drift.is_past_threshold()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::{ActionSet, RoleSet};

    fn held() -> Entry {
        Entry {
            roles: RoleSet::EMPTY,
            grant: ActionSet(1),
        }
    }

    #[test]
    fn an_emptied_entry_counts_as_stale_and_a_changed_one_does_not() {
        let mut d = Drift::fresh(2);
        d.entry_changed(&held(), &Entry::default());
        d.entry_changed(
            &held(),
            &Entry {
                grant: ActionSet(2),
                ..held()
            },
        );
        d.entry_changed(&Entry::default(), &held());
        assert_eq!((d.live(), d.stale()), (2, 1));
    }

    #[test]
    fn a_few_revocations_in_a_large_organization_are_not_worth_a_rebuild() {
        let mut d = Drift::fresh(100_000);
        d.entries_dropped(MIN_STALE);
        assert!(!d.is_past_threshold());
        d.entries_dropped(100_000 / 4);
        assert!(d.is_past_threshold());
    }

    #[test]
    fn deleted_objects_leave_nothing_stale() {
        let mut d = Drift::fresh(5000);
        d.entries_deleted(5000);
        assert_eq!((d.live(), d.stale()), (0, 0));
        assert!(!d.is_past_threshold());
    }
}
