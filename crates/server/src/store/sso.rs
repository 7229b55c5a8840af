//! Single sign-on's rows (migration 0009): an organization's OpenID provider
//! and its secret, the domains it claims and their proof, the sign-ins sent to
//! a provider and not yet back, and the providers each account has used.

use super::{Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row as _;
use std::fmt;

/// An organization's provider (`sso_providers`).
#[derive(Clone, PartialEq, Eq)]
pub struct SsoProviderRow {
    pub org_id: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub require_sso: bool,
    pub notify_new_sign_in: bool,
    pub updated_at: i64,
}

/// The client secret never reaches a log.
impl fmt::Debug for SsoProviderRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoProviderRow")
            .field("org_id", &self.org_id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("require_sso", &self.require_sso)
            .field("notify_new_sign_in", &self.notify_new_sign_in)
            .finish()
    }
}

/// A domain a provider covers (`sso_domains`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoDomainRow {
    pub domain: String,
    pub org_id: String,
    pub proven_by: Option<String>,
    pub proven_at: Option<i64>,
}

/// A sign-in sent to a provider (`sso_attempts`), by its state's hash.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoAttemptRow {
    pub state_hash: String,
    pub org_id: String,
    pub email: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl fmt::Debug for SsoAttemptRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoAttemptRow")
            .field("org_id", &self.org_id)
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A domain the settings name is another organization's already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainTaken(pub String);

fn provider_row(r: &AnyRow) -> Result<SsoProviderRow, StoreError> {
    Ok(SsoProviderRow {
        org_id: r.try_get(0)?,
        issuer: r.try_get(1)?,
        client_id: r.try_get(2)?,
        client_secret: r.try_get(3)?,
        require_sso: r.try_get::<i64, _>(4)? != 0,
        notify_new_sign_in: r.try_get::<i64, _>(5)? != 0,
        updated_at: r.try_get(6)?,
    })
}

fn domain_row(r: &AnyRow) -> Result<SsoDomainRow, StoreError> {
    Ok(SsoDomainRow {
        domain: r.try_get(0)?,
        org_id: r.try_get(1)?,
        proven_by: r.try_get(2)?,
        proven_at: r.try_get(3)?,
    })
}

const PROVIDER_COLUMNS: &str =
    "org_id, issuer, client_id, client_secret, require_sso, notify_new_sign_in, updated_at";
const DOMAIN_COLUMNS: &str = "domain, org_id, proven_by, proven_at";

impl Store {
    pub async fn sso_provider(&self, org: &str) -> Result<Option<SsoProviderRow>, StoreError> {
        let sql = format!("SELECT {PROVIDER_COLUMNS} FROM sso_providers WHERE org_id = $1");
        let row = sqlx::query(&sql)
            .bind(org)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(provider_row).transpose()
    }

    /// The organization's domains, in name order.
    pub async fn sso_domains(&self, org: &str) -> Result<Vec<SsoDomainRow>, StoreError> {
        let sql =
            format!("SELECT {DOMAIN_COLUMNS} FROM sso_domains WHERE org_id = $1 ORDER BY domain");
        let rows = sqlx::query(&sql).bind(org).fetch_all(self.pool()).await?;
        rows.iter().map(domain_row).collect()
    }

    /// Whichever organization claims the domain.
    pub async fn sso_domain(&self, domain: &str) -> Result<Option<SsoDomainRow>, StoreError> {
        let sql = format!("SELECT {DOMAIN_COLUMNS} FROM sso_domains WHERE domain = $1");
        let row = sqlx::query(&sql)
            .bind(domain)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(domain_row).transpose()
    }

    /// Replaces the organization's provider and domains in one transaction: a
    /// domain it keeps keeps its proof; one another organization claims refuses
    /// the whole change (`DomainTaken`) and nothing is written.
    pub async fn put_sso_provider(
        &self,
        row: &SsoProviderRow,
        domains: &[String],
    ) -> Result<Result<(), DomainTaken>, StoreError> {
        let mut tx = self.begin_write().await?;
        for domain in domains {
            let owner: Option<String> =
                sqlx::query_scalar("SELECT org_id FROM sso_domains WHERE domain = $1")
                    .bind(domain)
                    .fetch_optional(&mut *tx)
                    .await?;
            if owner.is_some_and(|o| o != row.org_id) {
                tx.rollback().await?;
                return Ok(Err(DomainTaken(domain.clone())));
            }
        }
        sqlx::query("DELETE FROM sso_providers WHERE org_id = $1")
            .bind(&row.org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_providers (org_id, issuer, client_id, client_secret, require_sso, \
             notify_new_sign_in, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.org_id)
        .bind(&row.issuer)
        .bind(&row.client_id)
        .bind(&row.client_secret)
        .bind(i64::from(row.require_sso))
        .bind(i64::from(row.notify_new_sign_in))
        .bind(row.updated_at)
        .execute(&mut *tx)
        .await?;
        let kept: Vec<String> =
            sqlx::query_scalar("SELECT domain FROM sso_domains WHERE org_id = $1")
                .bind(&row.org_id)
                .fetch_all(&mut *tx)
                .await?;
        for gone in kept.iter().filter(|d| !domains.contains(d)) {
            sqlx::query("DELETE FROM sso_domains WHERE domain = $1")
                .bind(gone)
                .execute(&mut *tx)
                .await?;
        }
        for new in domains.iter().filter(|d| !kept.contains(d)) {
            sqlx::query("INSERT INTO sso_domains (domain, org_id) VALUES ($1, $2)")
                .bind(new)
                .bind(&row.org_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Removes the organization's provider and its domains; `false` if it had none.
    pub async fn delete_sso_provider(&self, org: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sso_domains WHERE org_id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM sso_providers WHERE org_id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(gone > 0)
    }

    /// Marks the organization's domain proven; `false` if it claims no such domain.
    pub async fn prove_sso_domain(
        &self,
        org: &str,
        domain: &str,
        proven_by: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sso_domains SET proven_by = $1, proven_at = $2 WHERE domain = $3 AND org_id = $4",
        )
        .bind(proven_by)
        .bind(now)
        .bind(domain)
        .bind(org)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn put_sso_attempt(&self, row: &SsoAttemptRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sso_attempts (state_hash, org_id, email, nonce, pkce_verifier, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.state_hash)
        .bind(&row.org_id)
        .bind(&row.email)
        .bind(&row.nonce)
        .bind(&row.pkce_verifier)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(self.pool())
        .await?;
        // Attempts nobody finished go with the next one.
        sqlx::query("DELETE FROM sso_attempts WHERE expires_at <= $1")
            .bind(row.created_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Takes the attempt by its state's hash: deleted as it is read, so a state
    /// works once whatever happens next; `None` if unknown, used or expired.
    pub async fn take_sso_attempt(
        &self,
        state_hash: &str,
        now: i64,
    ) -> Result<Option<SsoAttemptRow>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT state_hash, org_id, email, nonce, pkce_verifier, created_at, expires_at \
             FROM sso_attempts WHERE state_hash = $1",
        )
        .bind(state_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let deleted = sqlx::query("DELETE FROM sso_attempts WHERE state_hash = $1")
            .bind(state_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        let attempt = SsoAttemptRow {
            state_hash: row.try_get(0)?,
            org_id: row.try_get(1)?,
            email: row.try_get(2)?,
            nonce: row.try_get(3)?,
            pkce_verifier: row.try_get(4)?,
            created_at: row.try_get(5)?,
            expires_at: row.try_get(6)?,
        };
        // Another node that took it in the same moment deleted it first.
        Ok((deleted == 1 && attempt.expires_at > now).then_some(attempt))
    }

    /// Records a sign-in through `issuer`; `true` if it is the account's first
    /// through it.
    pub async fn note_sso_sign_in(
        &self,
        account: &str,
        issuer: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let seen = sqlx::query("SELECT 1 FROM sso_sign_ins WHERE account_id = $1 AND issuer = $2")
            .bind(account)
            .bind(issuer)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !seen {
            sqlx::query(
                "INSERT INTO sso_sign_ins (account_id, issuer, first_at) VALUES ($1, $2, $3)",
            )
            .bind(account)
            .bind(issuer)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(!seen)
    }
}
