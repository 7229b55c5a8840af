//! Several nodes on one PostgreSQL: each commit sends a notice
//! (`org:seq:node`); every node listens and folds the new events of that
//! organization into its memory. When the connection drops, notices may be lost,
//! so after reconnecting (and once after attaching, for what was committed while
//! the organizations were read) every organization is compared with the database.
//! On SQLite the other writer is the CLI (`steward orgs create` while `serve`
//! runs): the file's `data_version` tells when someone else committed.
//! Either way the node also looks whether the deployment's policy was replaced
//! (`serve --replace-policy` on another node), to stop writing with the old one.

use super::Service;
use crate::store::{Dialect, CHANGES_CHANNEL, POLICY_CHANNEL};
use sqlx::postgres::PgListener;
use std::time::Duration;
use steward_core::OrgId;
use tokio::task::JoinHandle;

impl Service {
    /// Starts listening for other nodes' changes (PostgreSQL only; an SQLite file
    /// has one node). Returns once the listener is attached, so a change committed
    /// after this returns is never missed.
    pub async fn spawn_change_listener(&self) -> Result<Option<JoinHandle<()>>, sqlx::Error> {
        if self.store().dialect() != Dialect::Postgres {
            return Ok(None);
        }
        let mut listener = attach(self.store().url().expose()).await?;
        let service = self.clone();
        Ok(Some(tokio::spawn(async move {
            // The organizations were read before the listener attached: what
            // another node committed in between sent its notice to nobody.
            if let Err(e) = service.refresh_all().await {
                tracing::error!(error = %e, "catching up after the start-up failed");
            }
            loop {
                service.follow(&mut listener).await;
                // The connection dropped: reattach, then catch up on what was missed.
                loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    match attach(service.store().url().expose()).await {
                        Ok(l) => {
                            listener = l;
                            break;
                        }
                        Err(e) => tracing::warn!(error = %e, "change listener cannot reconnect"),
                    }
                }
                if let Err(e) = service.refresh_all().await {
                    tracing::error!(error = %e, "catching up after reconnecting failed");
                }
                service.look_at_policy().await;
            }
        })))
    }

    /// Watches an SQLite file for commits made by other processes (the CLI) and
    /// folds them in within `every`. Nothing to do on PostgreSQL (notices).
    pub async fn spawn_file_watcher(
        &self,
        every: Duration,
    ) -> Result<Option<JoinHandle<()>>, sqlx::Error> {
        if self.store().dialect() != Dialect::Sqlite {
            return Ok(None);
        }
        // One connection of its own: `data_version` moves when a connection
        // other than the one asking committed.
        let mut conn = self.store().pool().acquire().await?.detach();
        let mut seen: i64 = data_version(&mut conn).await?;
        let service = self.clone();
        Ok(Some(tokio::spawn(async move {
            // As for the listener: a commit made while the organizations were
            // being read is before `seen`, so it is looked for once here.
            if let Err(e) = service.refresh_all().await {
                tracing::error!(error = %e, "catching up after the start-up failed");
            }
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let now = match data_version(&mut conn).await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "watching the database file failed");
                        continue;
                    }
                };
                if now == seen {
                    continue;
                }
                seen = now;
                if let Err(e) = service.refresh_all().await {
                    tracing::error!(error = %e, "reading another process's changes failed");
                }
                service.look_at_policy().await;
            }
        })))
    }

    /// Handles notices until the connection is lost.
    async fn follow(&self, listener: &mut PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) if notice.channel() == POLICY_CHANNEL => {
                    self.look_at_policy().await;
                }
                Ok(Some(notice)) => {
                    let mut parts = notice.payload().splitn(3, ':');
                    let (Some(org), Some(_seq), Some(node)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    if node == self.node() {
                        continue;
                    }
                    let Ok(org) = OrgId::parse(org) else { continue };
                    if let Err(e) = self.refresh(&org).await {
                        tracing::error!(%org, error = %e, "applying another node's change failed");
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "change listener lost its connection");
                    return;
                }
            }
        }
    }
}

impl Service {
    /// Whether another node replaced the policy; a failure to look is logged (the
    /// next write compares it anyway).
    async fn look_at_policy(&self) {
        if let Err(e) = self.check_policy_in_force().await {
            tracing::warn!(error = %e, "reading the database's policy failed");
        }
    }
}

async fn data_version(conn: &mut sqlx::AnyConnection) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    sqlx::query("PRAGMA data_version")
        .fetch_one(conn)
        .await?
        .try_get(0)
}

async fn attach(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener
        .listen_all([CHANGES_CHANNEL, POLICY_CHANNEL])
        .await?;
    Ok(listener)
}
