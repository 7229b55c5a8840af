//! The governance and ownership sections: who may manage whom, the default
//! role, ownership transfer (docs/policy-file.md).

use super::*;

impl Validator {
    pub(in crate::policy) fn org_role(
        &mut self,
        policy: &Policy,
        name: &Spanned<String>,
        key: &str,
    ) -> Option<RoleIndex> {
        let r = policy.org_role(name.get_ref());
        if r.is_none() {
            self.err(
                name,
                key,
                format!("unknown organization role {:?}", name.get_ref()),
            );
        }
        r
    }

    pub(super) fn governance(&mut self, raw: &RawPolicy, policy: &mut Policy) {
        let g = &raw.governance;
        let o = &raw.ownership;
        let default_role = self.org_role(policy, &g.default_role, "governance.default_role");
        let mut admin_roles = RoleSet::EMPTY;
        for r in &g.admin_roles {
            if let Some(i) = self.org_role(policy, r, "governance.admin_roles") {
                admin_roles.insert(i);
            }
        }
        let min_admins = g.min_admins.as_ref().map(|m| *m.get_ref()).unwrap_or(0);
        if let Some(m) = &g.min_admins {
            if min_admins < 0 {
                self.err(m, "governance.min_admins", "min_admins is negative");
            }
            if min_admins > 0 && admin_roles.is_empty() {
                self.err(
                    m,
                    "governance.min_admins",
                    "min_admins needs admin_roles: which roles count as admin",
                );
            }
        }
        let mut may_assign = vec![RoleSet::EMPTY; policy.roles.len()];
        for (who, whom) in &g.may_assign {
            let Some(w) = self.org_role(
                policy,
                who,
                &format!("governance.may_assign.{}", who.get_ref()),
            ) else {
                continue;
            };
            for r in whom {
                if let Some(i) = self.org_role(
                    policy,
                    r,
                    &format!("governance.may_assign.{}", who.get_ref()),
                ) {
                    may_assign[w as usize].insert(i);
                }
            }
        }

        let owner_role = o
            .role
            .as_ref()
            .and_then(|r| self.org_role(policy, r, "ownership.role"));
        let creator_role = match (&o.creator_role, owner_role) {
            (Some(c), _) => self.org_role(policy, c, "ownership.creator_role"),
            (None, Some(r)) => Some(r),
            (None, None) => {
                self.err_whole("ownership.creator_role", "without ownership.role, ownership.creator_role must say which role the owner holds");
                None
            }
        };
        if let (Some(c), Some(r), Some(cs)) = (creator_role, owner_role, &o.creator_role) {
            if c != r {
                self.err(
                    cs,
                    "ownership.creator_role",
                    "with ownership.role set, the creator holds the owner role",
                );
            }
        }
        let count = match o.count.get_ref().as_str() {
            "exactly_one" => OwnerCount::ExactlyOne,
            "at_least_one" => OwnerCount::AtLeastOne,
            other => {
                self.err(
                    &o.count,
                    "ownership.count",
                    format!("unknown owner count {other:?} (exactly_one or at_least_one)"),
                );
                OwnerCount::ExactlyOne
            }
        };
        let transfer = match o.transfer.get_ref().as_str() {
            "never" => Transfer::Never,
            "direct" => Transfer::Direct,
            "nomination" => Transfer::Nomination,
            other => {
                self.err(
                    &o.transfer,
                    "ownership.transfer",
                    format!("unknown transfer {other:?} (never, direct or nomination)"),
                );
                Transfer::Never
            }
        };
        if transfer == Transfer::Direct && (count != OwnerCount::AtLeastOne || owner_role.is_none())
        {
            self.err(
                &o.transfer,
                "ownership.transfer",
                "transfer = \"direct\" needs an owner role and count = \"at_least_one\"",
            );
        }
        if count == OwnerCount::AtLeastOne && owner_role.is_none() {
            self.err(
                &o.count,
                "ownership.count",
                "count = \"at_least_one\" needs an owner role",
            );
        }
        let ttl = match (&o.nomination_ttl_days, transfer) {
            (Some(d), _) if *d.get_ref() <= 0 || *d.get_ref() > 365 => {
                self.err(
                    d,
                    "ownership.nomination_ttl_days",
                    "nomination_ttl_days must be between 1 and 365",
                );
                0
            }
            (Some(d), _) => *d.get_ref() as u32,
            (None, Transfer::Nomination) => {
                self.err(
                    &o.transfer,
                    "ownership.nomination_ttl_days",
                    "transfer = \"nomination\" needs nomination_ttl_days",
                );
                0
            }
            (None, _) => 0,
        };
        let previous_owner_role = match (&o.previous_owner_role, transfer) {
            (Some(r), _) => self.org_role(policy, r, "ownership.previous_owner_role"),
            (None, Transfer::Nomination) => {
                self.err(&o.transfer, "ownership.previous_owner_role", "transfer = \"nomination\" needs previous_owner_role: what the old owner becomes");
                None
            }
            (None, _) => creator_role,
        };
        if let (Some(p), Some(r), Some(ps)) =
            (previous_owner_role, owner_role, &o.previous_owner_role)
        {
            if p == r {
                self.err(
                    ps,
                    "ownership.previous_owner_role",
                    "the old owner cannot stay owner",
                );
            }
        }
        if let (Some(d), Some(r)) = (default_role, owner_role) {
            if d == r {
                self.err(
                    &g.default_role,
                    "governance.default_role",
                    "invitees cannot default to the owner role",
                );
            }
        }
        if let Some(r) = owner_role {
            if transfer != Transfer::Direct {
                for (who, whom) in &g.may_assign {
                    for x in whom {
                        if x.get_ref() == &policy.roles[r as usize].name {
                            self.err(
                                x,
                                format!("governance.may_assign.{}", who.get_ref()),
                                "the owner role moves only by transfer; it cannot be assigned",
                            );
                        }
                    }
                }
            }
        }
        let (Some(default_role), Some(creator_role), Some(previous_owner_role)) =
            (default_role, creator_role, previous_owner_role)
        else {
            return;
        };
        policy.governance = Governance {
            default_role,
            self_change: g.self_change,
            admin_roles,
            min_admins: min_admins.max(0) as usize,
            may_assign,
        };
        policy.ownership = Ownership {
            role: owner_role,
            creator_role,
            count,
            editable: o.editable,
            transfer,
            nomination_ttl_days: ttl,
            previous_owner_role,
            root: o.root,
            owner_has_every_action: o.owner_has_every_action,
        };
    }
}
