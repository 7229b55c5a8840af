//! One organization's API keys and head, without the rest of it: what a node
//! that does not hold the organization (dropped under its memory limit, or
//! never loaded) reads when another node changed it, so that its key index
//! follows a key revoked elsewhere (docs/scaling.md#routing-organizations-to-nodes).

use super::load;
use super::{Head, Store, StoreError};
use sqlx::Row as _;
use steward_core::{ApiKey, OrgId};

/// What the key index needs of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgKeys {
    pub head: Head,
    pub deleted: bool,
    /// Its live keys (a revoked key's row is deleted).
    pub keys: Vec<ApiKey>,
}

impl Store {
    /// The organization's keys, head and whether it is deleted, in one query
    /// (`None`: no such organization).
    pub async fn org_keys(&self, org: &OrgId) -> Result<Option<OrgKeys>, StoreError> {
        let sql = "SELECT o.head_seq, o.head_hash, o.deleted, k.id, k.key_hash, k.name, \
                   k.actions, k.created_by, k.created_at \
                   FROM organizations o LEFT JOIN api_keys k ON k.org_id = o.id \
                   WHERE o.id = $1";
        let rows = sqlx::query(sql)
            .bind(org.as_str())
            .fetch_all(&self.pool)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut found = OrgKeys {
            head: Head {
                seq: first.try_get(0)?,
                hash: first.try_get(1)?,
            },
            deleted: first.try_get::<i64, _>(2)? != 0,
            keys: Vec::new(),
        };
        for r in &rows {
            let Some(id) = r.try_get::<Option<String>, _>(3)? else {
                continue; // no key: the LEFT JOIN's one row of NULLs
            };
            let (hash, name): (String, String) = (r.try_get(4)?, r.try_get(5)?);
            let (actions, by): (String, String) = (r.try_get(6)?, r.try_get(7)?);
            let key = load::api_key(&id, &hash, &name, &actions, &by, r.try_get(8)?)?;
            found.keys.push(key);
        }
        Ok(Some(found))
    }
}
