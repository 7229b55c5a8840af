//! The floor of the check benchmarks: the workload's questions answered from
//! three flat lookups on integer ids (docs/benchmarks.md). A child of
//! `workload.rs`, so every crate that includes that file includes this one.

use super::{IntMap, Question, Workload, ACTIONS, FIRST_ORG_ACTION, ROLES, ROOT_USER};

/// The floor: role, owner and grant from three flat lookups on integer ids. Not a
/// full model (no reasons, no scopes, no reach other than "all", no deeper trees):
/// the least any engine answering this workload has to do.
pub struct Floor {
    /// Role of each user; the root account gets `ROOT_ROLE`.
    role_of: Vec<u8>,
    /// Bitset over `ACTIONS` for each role (and `ROOT_ROLE`: everything).
    role_bits: [u16; 8],
    /// Owner of each object (a question's is its project's owner, precomputed),
    /// packed with the object's project so one load gives both.
    owner_project: Vec<(u32, u32)>,
    /// Grant bitset over `ACTIONS`, keyed by (user, project object index).
    grants: IntMap<(u32, u32), u16>,
}

pub const ROOT_ROLE: u8 = ROLES.len() as u8;

impl Floor {
    /// Reads each role's actions from the policy (`actions` holds, per role, the
    /// action names the role gives with reach `all` or at the organization).
    pub fn new(w: &Workload, role_actions: &[Vec<String>; 6]) -> Floor {
        let mut role_bits = [0u16; 8];
        for (r, names) in role_actions.iter().enumerate() {
            for (a, name) in ACTIONS.iter().enumerate() {
                if names.iter().any(|n| n == name) {
                    role_bits[r] |= 1 << a;
                }
            }
        }
        role_bits[ROOT_ROLE as usize] = u16::MAX;
        let mut role_of = w.user_role.clone();
        role_of[ROOT_USER as usize] = ROOT_ROLE;
        let owner_project = w
            .owner
            .iter()
            .copied()
            .zip(w.project.iter().copied())
            .collect();
        let grants = w
            .grants
            .iter()
            .map(|&(u, p, m)| ((u, p), m as u16))
            .collect();
        Floor {
            role_of,
            role_bits,
            owner_project,
            grants,
        }
    }

    #[inline]
    pub fn check(&self, q: Question) -> bool {
        let bit = 1u16 << q.action;
        if self.role_bits[self.role_of[q.user as usize] as usize] & bit != 0 {
            return true;
        }
        if q.action >= FIRST_ORG_ACTION {
            return false;
        }
        let (owner, project) = self.owner_project[q.object as usize];
        owner == q.user
            || self
                .grants
                .get(&(q.user, project))
                .is_some_and(|g| g & bit != 0)
    }
}

/// The role actions the floor needs, read from the analytics policy: for each of
/// `ROLES`, the names of the actions it gives with reach `all`.
pub fn role_actions(policy: &steward_core::Policy) -> [Vec<String>; 6] {
    std::array::from_fn(|r| {
        let idx = policy.org_role(ROLES[r].0).expect("analytics role");
        let role = policy.role(idx);
        role.all
            .iter()
            .map(|a| policy.action(a).name.clone())
            .collect()
    })
}
