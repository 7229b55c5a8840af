//! Which organizations an account belongs to, across all of them: for `/me` and
//! the roles an access token carries.

use super::{Store, StoreError};
use sqlx::Row;

/// One membership of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountMembership {
    pub org_id: String,
    pub org_name: String,
    pub role: String,
}

impl Store {
    /// The account's memberships in live organizations, by organization name.
    /// A suspended membership is left out: the account is answered there as a
    /// non-member (docs/provisioning.md#suspension), its tokens carry no role.
    pub async fn memberships_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<AccountMembership>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.org_id, o.name, m.role FROM memberships m \
             JOIN organizations o ON o.id = m.org_id \
             WHERE m.user_id = $1 AND m.suspended = 0 AND o.deleted = 0 ORDER BY o.name, m.org_id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountMembership {
                    org_id: r.try_get(0)?,
                    org_name: r.try_get(1)?,
                    role: r.try_get(2)?,
                })
            })
            .collect()
    }
}
