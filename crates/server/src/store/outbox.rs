//! Mail waiting to go out (the outbox), the one-time links mailed to an account
//! (password reset, proof of address) and which addresses are proven. A mail is
//! written in the same transaction as the link it carries, so neither exists
//! without the other.

use super::{Dialect, Store, StoreError};
use crate::secrets::{new_secret, random_id, secret_hash_hex};
use sqlx::Row as _;
use steward_core::UserId;

/// A mail as queued: already rendered.
#[derive(Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl std::fmt::Debug for Letter {
    // The bodies carry one-time links: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Letter")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A queued mail a node has claimed for delivery.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: String,
    pub attempts: i64,
    pub letter: Letter,
}

/// What a one-time account link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Reset,
    Verify,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Reset => "reset",
            LinkPurpose::Verify => "verify",
        }
    }

    /// The secret's prefix, so a reset link is never taken for a verification.
    pub fn prefix(self) -> &'static str {
        match self {
            LinkPurpose::Reset => "stw_reset_",
            LinkPurpose::Verify => "stw_verify_",
        }
    }
}

async fn insert_letter<'c, E>(executor: E, letter: &Letter, now: i64) -> Result<(), StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, text_body, html_body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(random_id("mail"))
    .bind(&letter.to)
    .bind(&letter.subject)
    .bind(&letter.text)
    .bind(&letter.html)
    .bind(now)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    /// Queues a mail on its own (after the change it tells of committed).
    pub async fn queue_mail(&self, letter: &Letter, now: i64) -> Result<(), StoreError> {
        insert_letter(&self.pool, letter, now).await
    }

    /// A new one-time link's secret (stored only as its hash, by `queue_link_mail`).
    pub fn new_link_secret(purpose: LinkPurpose) -> String {
        new_secret(purpose.prefix())
    }

    /// Stores the one-time link `secret` for `account` and queues the mail that
    /// carries it, in one transaction.
    pub async fn queue_link_mail(
        &self,
        account: &UserId,
        purpose: LinkPurpose,
        secret: &str,
        (now, expires_at): (i64, i64),
        letter: &Letter,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret_hash_hex(secret))
        .bind(account.as_str())
        .bind(purpose.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        insert_letter(&mut *tx, letter, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a live one-time link up: its account, or `None` for one unknown,
    /// used, expired or made for another purpose.
    pub async fn take_account_link(
        &self,
        secret: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        if !secret.starts_with(purpose.prefix()) {
            return Ok(None);
        }
        Ok(sqlx::query_scalar(
            "UPDATE account_links SET used_at = $1 \
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4 \
             RETURNING account_id",
        )
        .bind(now)
        .bind(secret_hash_hex(secret))
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The account of a live link, without using it up (the page that asks for
    /// the password).
    pub async fn account_link(
        &self,
        secret: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        if !secret.starts_with(purpose.prefix()) {
            return Ok(None);
        }
        Ok(sqlx::query_scalar(
            "SELECT account_id FROM account_links \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(secret_hash_hex(secret))
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Whether the account has proven its address.
    pub async fn is_email_verified(&self, account: &UserId) -> Result<bool, StoreError> {
        let at: Option<Option<i64>> =
            sqlx::query_scalar("SELECT email_verified_at FROM accounts WHERE id = $1")
                .bind(account.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(matches!(at, Some(Some(_))))
    }

    /// Records that the account holds its address (the first proof counts).
    pub async fn mark_email_verified(&self, account: &UserId, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL",
        )
        .bind(now)
        .bind(account.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that an invitation's link went only by mail.
    pub async fn record_mailed_invitation(
        &self,
        invitation: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO mailed_invitations (invitation_id, created_at) VALUES ($1, $2)")
            .bind(invitation)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn was_invitation_mailed_only(&self, invitation: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM mailed_invitations WHERE invitation_id = $1")
                .bind(invitation)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Claims up to `limit` due mails for `node` until `lease_until`: one node at
    /// a time delivers a mail, and a claim whose node died runs out.
    pub async fn claim_mail(
        &self,
        node: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        let skip_locked = match self.dialect {
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
            // SQLite's write transaction (BEGIN IMMEDIATE) is the database's only
            // writer: no other node reads between the select and the update.
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2 \
             WHERE id IN (SELECT id FROM mail_outbox \
                 WHERE sent_at IS NULL AND next_attempt_at <= $3 \
                   AND (claimed_until IS NULL OR claimed_until <= $4) \
                 ORDER BY next_attempt_at LIMIT $5 {skip_locked}) \
             RETURNING id, attempts, recipient, subject, text_body, html_body"
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&sql)
            .bind(node)
            .bind(lease_until)
            .bind(now)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                Ok(QueuedMail {
                    id: r.try_get(0)?,
                    attempts: r.try_get(1)?,
                    letter: Letter {
                        to: r.try_get(2)?,
                        subject: r.try_get(3)?,
                        text: r.try_get(4)?,
                        html: r.try_get(5)?,
                    },
                })
            })
            .collect()
    }

    /// A mail went out: its body (and the link in it) is dropped.
    pub async fn mail_sent(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET sent_at = $1, text_body = '', html_body = '', \
             claimed_by = NULL, claimed_until = NULL, last_error = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A delivery failed: tried again at `retry_at`, by whichever node claims it.
    pub async fn mail_failed(
        &self,
        id: &str,
        retry_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $1, \
             last_error = $2, claimed_by = NULL, claimed_until = NULL WHERE id = $3",
        )
        .bind(retry_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The mails not yet delivered to `to`, oldest first (tests and operators
    /// reading the queue).
    pub async fn pending_mail_to(&self, to: &str) -> Result<Vec<Letter>, StoreError> {
        let rows = sqlx::query(
            "SELECT recipient, subject, text_body, html_body FROM mail_outbox \
             WHERE recipient = $1 AND sent_at IS NULL ORDER BY created_at, id",
        )
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Letter {
                    to: r.try_get(0)?,
                    subject: r.try_get(1)?,
                    text: r.try_get(2)?,
                    html: r.try_get(3)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::temp_store;

    fn letter(to: &str) -> Letter {
        Letter {
            to: to.into(),
            subject: "Hello".into(),
            text: "a link".into(),
            html: "<p>a link</p>".into(),
        }
    }

    #[tokio::test]
    async fn a_claimed_mail_is_no_other_nodes_until_its_lease_ends_or_it_fails() {
        let (_dir, store) = temp_store().await;
        store.queue_mail(&letter("a@acme.test"), 100).await.unwrap();
        store.queue_mail(&letter("b@acme.test"), 100).await.unwrap();

        let first = store.claim_mail("node_a", 100, 220, 10).await.unwrap();
        assert_eq!(first.len(), 2);
        assert!(store
            .claim_mail("node_b", 150, 270, 10)
            .await
            .unwrap()
            .is_empty());

        store.mail_sent(&first[0].id, 151).await.unwrap();
        store
            .mail_failed(&first[1].id, 160, "relay down")
            .await
            .unwrap();
        // Not due yet, then due again, with its try counted; the sent one never.
        assert!(store
            .claim_mail("node_b", 159, 279, 10)
            .await
            .unwrap()
            .is_empty());
        let again = store.claim_mail("node_b", 160, 280, 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        assert_eq!(again[0].letter, letter("b@acme.test"));

        // node_b dies holding it: once the lease ends another node takes it.
        assert!(store
            .claim_mail("node_a", 279, 399, 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .claim_mail("node_a", 280, 400, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        // A delivered mail keeps no body.
        assert_eq!(store.pending_mail_to("a@acme.test").await.unwrap(), vec![]);
    }

    #[tokio::test]
    async fn an_account_link_works_once_before_it_expires_and_for_its_purpose_only() {
        let (_dir, store) = temp_store().await;
        let account = crate::store::Account {
            id: UserId::parse("usr_a").unwrap(),
            email: steward_core::Email::parse("a@acme.test").unwrap(),
            name: steward_core::Name::parse("A").unwrap(),
            password_hash: None,
            created_at: steward_core::Timestamp(1),
        };
        store.create_account(&account).await.unwrap();
        assert!(!store.is_email_verified(&account.id).await.unwrap());
        let secret = Store::new_link_secret(LinkPurpose::Reset);
        store
            .queue_link_mail(
                &account.id,
                LinkPurpose::Reset,
                &secret,
                (100, 200),
                &letter("a@acme.test"),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .take_account_link(&secret, LinkPurpose::Verify, 150)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .take_account_link(&secret, LinkPurpose::Reset, 200)
                .await
                .unwrap(),
            None,
            "expired"
        );
        assert_eq!(
            store
                .take_account_link(&secret, LinkPurpose::Reset, 150)
                .await
                .unwrap(),
            Some("usr_a".into())
        );
        assert_eq!(
            store
                .take_account_link(&secret, LinkPurpose::Reset, 151)
                .await
                .unwrap(),
            None,
            "used"
        );
        store.mark_email_verified(&account.id, 160).await.unwrap();
        assert!(store.is_email_verified(&account.id).await.unwrap());
    }
}
