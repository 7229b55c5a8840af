//! A change's transaction on one organization: how it begins (its lane's group,
//! or alone), holds the organization's write lock, writes, and commits
//! (docs/architecture.md#group-commit).

use super::script::Script;
use super::*;
use std::borrow::Cow;

impl Store {
    /// Begins a write on an existing organization, in the group of changes its
    /// lane has open (store/group.rs, docs/architecture.md#group-commit): takes its
    /// write lock (SQLite: `BEGIN IMMEDIATE`, the database's one writer, taken by
    /// the group's first change; PostgreSQL: the organization's row `FOR UPDATE`)
    /// and reads the head of its chain under it.
    pub async fn begin_org(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let (seat, open) = self.group.seat(org).await?;
        let first = open.is_none();
        let tx = match open {
            Some(tx) => tx,
            None => match self.begin_write().await {
                Ok(tx) => tx,
                Err(e) => {
                    drop(seat);
                    return Err(e);
                }
            },
        };
        let tx = OrgTx {
            tx: Some(tx),
            seat: Some(seat),
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: false,
        };
        self.locked(tx, first).await
    }

    /// `begin_org` in a transaction of its own, outside the lanes: for a change
    /// large enough to hold a lane for long (a CSV import of thousands of rows),
    /// which would keep the other organizations of its lane waiting.
    pub async fn begin_org_alone(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let tx = OrgTx {
            tx: Some(self.begin_write().await?),
            seat: None,
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: false,
        };
        self.locked(tx, true).await
    }

    /// `tx` with its organization locked and its head read; on a refusal the
    /// change's statements are taken back.
    async fn locked(&self, mut tx: OrgTx, first: bool) -> Result<OrgTx, StoreError> {
        match self.lock_org(&mut tx, first).await {
            Ok(head) => {
                tx.head = head;
                Ok(tx)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// Locks the organization in `tx` and reads its head; the group's first change
    /// also compares the policy, which then cannot change before the group commits
    /// (a replacement waits for the lock the group holds).
    async fn lock_org(&self, tx: &mut OrgTx, first: bool) -> Result<Head, StoreError> {
        let conn = group::live(&mut tx.tx)?;
        // A change in a group opens its savepoint in the same call (store/group.rs).
        let opening = tx.seat.as_ref().and_then(group::Seat::opening);
        let row = match (self.dialect, opening) {
            (Dialect::Sqlite, opening) => {
                let lock = "SELECT head_seq, head_hash FROM organizations WHERE id = ?";
                let sql = match opening {
                    Some(opening) => Cow::Owned(format!("{opening}; {lock}")),
                    None => Cow::Borrowed(lock),
                };
                // `fetch_all`: with a savepoint first, the first result is not a row.
                let rows = sqlx::query(&sql)
                    .bind(tx.org.as_str())
                    .fetch_all(&mut *conn)
                    .await;
                if let Some(seat) = tx.seat.as_mut() {
                    seat.opened(rows.is_ok());
                }
                rows?.into_iter().next()
            }
            (Dialect::Postgres, Some(opening)) => {
                // Several statements go in one call only without parameters (the
                // simple protocol), so the id is written in: an `OrgId` is
                // letters, digits, `-`, `_` and `.` only, and quoted as a literal
                // all the same, should that rule ever widen.
                let sql = format!(
                    "{opening}; SELECT head_seq, head_hash FROM organizations \
                     WHERE id = '{}' FOR UPDATE",
                    tx.org.as_str().replace('\'', "''")
                );
                let rows = sqlx::Executor::fetch_all(&mut *conn, sql.as_str()).await;
                if let Some(seat) = tx.seat.as_mut() {
                    seat.opened(rows.is_ok());
                }
                rows?.into_iter().next()
            }
            (Dialect::Postgres, None) => {
                sqlx::query(
                    "SELECT head_seq, head_hash FROM organizations WHERE id = $1 FOR UPDATE",
                )
                .bind(tx.org.as_str())
                .fetch_optional(&mut *conn)
                .await?
            }
        };
        let Some(row) = row else {
            return Err(StoreError::NoSuchOrganization(tx.org.to_string()));
        };
        if first {
            self.check_pinned_policy(conn).await?;
        }
        Ok(Head {
            seq: row.try_get(0)?,
            hash: row.try_get(1)?,
        })
    }

    /// How many groups of changes committed, and how many changes they held.
    pub fn group_counts(&self) -> GroupCounts {
        self.group.counts()
    }

    /// Changes waiting for their lane now.
    pub fn changes_queued(&self) -> usize {
        self.group.queued()
    }

    /// Holds every lane of group commit until the answer is dropped: changes
    /// queue meanwhile, then commit as one group per lane (how tests gather one).
    pub async fn hold_group_commits(&self) -> HeldLanes {
        self.group.hold().await
    }

    /// Begins the write that creates an organization: its row is inserted with the
    /// first events.
    pub async fn begin_new_org(&self, org: &OrgId) -> Result<OrgTx, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.dialect == Dialect::Postgres {
            // The lock its insert takes anyway, taken first: a policy replacement
            // (EXCLUSIVE) in progress is waited for before the policy is compared.
            sqlx::query("LOCK TABLE organizations IN ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        if let Err(e) = self.check_pinned_policy(&mut tx).await {
            tx.rollback().await?;
            return Err(e);
        }
        Ok(OrgTx {
            tx: Some(tx),
            seat: None,
            org: org.clone(),
            head: Head::genesis(),
            dialect: self.dialect,
            is_new: true,
        })
    }
}

/// An open write on one organization, holding its write lock: a transaction of
/// its own (a new organization), or its place in a group of changes.
pub struct OrgTx {
    /// `None` only once ended.
    pub(super) tx: Option<Transaction<'static, sqlx::Any>>,
    /// Its lane, when it writes in a group (store/group.rs).
    seat: Option<group::Seat>,
    pub(super) org: OrgId,
    head: Head,
    dialect: Dialect,
    is_new: bool,
}

impl OrgTx {
    /// The head of the chain as the database has it, read under the lock.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The events after `seq`: what another node committed since this one last
    /// looked.
    pub async fn events_after(
        &mut self,
        seq: i64,
    ) -> Result<(Vec<Event>, Option<Head>), StoreError> {
        audit::events_after(group::live(&mut self.tx)?, &self.org, seq).await
    }

    /// Stores the events at the end of the chain and the rows they touched, as
    /// `state` (already folded) has them. Nothing is visible before `commit`.
    pub async fn write(
        &mut self,
        events: &[Event],
        rows: &[Row],
        state: &State,
    ) -> Result<Head, StoreError> {
        if self.is_new {
            // The events refer to the organization's row: it comes first.
            rows::insert_org(group::live(&mut self.tx)?, &self.org, state, &self.head).await?;
            self.is_new = false;
        }
        // On SQLite one call for the events, the head and the rows (store/script.rs).
        let conn = group::live(&mut self.tx)?;
        let mut script = Script::new(self.dialect);
        let head = audit::append(
            conn,
            &mut script,
            self.dialect,
            &self.org,
            &self.head,
            events,
        )
        .await?;
        rows::set_head(conn, &mut script, &self.org, &head).await?;
        rows::write(conn, &mut script, self.dialect, &self.org, rows, state).await?;
        script.send(conn).await?;
        // The webhook outbox commits with the events, or neither does.
        let first = self.head.seq + 1;
        webhooks::enqueue(
            group::live(&mut self.tx)?,
            self.dialect,
            &self.org,
            first,
            events,
            state,
        )
        .await?;
        self.head = head.clone();
        Ok(head)
    }

    /// Ends the account's console sessions and revokes its refresh tokens, in this
    /// write: a member's deletion and the end of their credentials commit together,
    /// so there is no moment (nor a crash) where one happened without the other.
    pub async fn end_credentials(&mut self, account_id: &str, now: i64) -> Result<(), StoreError> {
        sessions::end_account_sessions(group::live(&mut self.tx)?, account_id).await?;
        refresh::revoke_account_tokens(group::live(&mut self.tx)?, account_id, now).await?;
        Ok(())
    }

    /// Removes the account's second factor, with the change that records it.
    pub async fn remove_second_factor(&mut self, account_id: &str) -> Result<(), StoreError> {
        second_factor::remove_second_factor(group::live(&mut self.tx)?, account_id).await
    }

    /// Commits; on PostgreSQL the change notice goes out with the commit (a NOTIFY
    /// inside a transaction is delivered only if it commits). In a group, the
    /// change joins it and this returns once the group committed (or failed:
    /// then none of it is stored).
    pub async fn commit(self, node: &str) -> Result<(), StoreError> {
        use tracing::Instrument;
        // A span of its own for traces (docs/operations.md#tracing).
        self.commit_now(node)
            .instrument(tracing::info_span!("commit"))
            .await
    }

    async fn commit_now(mut self, node: &str) -> Result<(), StoreError> {
        if self.dialect == Dialect::Postgres {
            let payload = format!("{}:{}:{}", self.org, self.head.seq, node);
            let notified = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(payload)
                .execute(group::live(&mut self.tx)?)
                .await;
            if let Err(e) = notified {
                self.rollback_now().await;
                return Err(e.into());
            }
        }
        let tx = self.tx.take().ok_or_else(group::ended)?;
        match self.seat.take() {
            None => tx.commit().await?,
            Some(seat) => {
                let ticket = seat.join(tx).await?;
                ticket.committed().await?;
            }
        }
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.rollback_now().await;
        Ok(())
    }

    /// Takes back this change's statements (its savepoint, in a group).
    async fn rollback_now(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        match self.seat.take() {
            None => {
                let _ = tx.rollback().await;
            }
            Some(seat) => seat.leave(tx).await,
        }
    }
}

impl Drop for OrgTx {
    /// A change dropped before it ended (an error's early return, a cancelled
    /// request): its own transaction rolls back as sqlx drops it; in a group,
    /// its savepoint is taken back and the group goes on.
    fn drop(&mut self) {
        if let (Some(tx), Some(seat)) = (self.tx.take(), self.seat.take()) {
            seat.leave_later(tx);
        }
    }
}
