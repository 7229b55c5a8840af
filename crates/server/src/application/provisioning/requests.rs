//! The requests directories sent, for the Provisioning page: a diagnostic log
//! (docs/provisioning.md#the-request-log), not a record of changes (the audit
//! log is that). A request appends to a queue in memory as it is answered; a
//! task writes what the queue holds in one transaction `BATCH_WAIT` later, so a
//! directory's request waits for no commit of its own (one per request cost
//! more than a lookup's whole work, docs/benchmarks.md#scim-directory-sync).
//! Reading the log writes the queue first, so the page lists every request
//! this node answered; a crash loses the last `BATCH_WAIT` of requests at most.

use super::DirectoryRequest;
use crate::store::{ScimRequestRow, Store};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a request waits in memory before its batch is written.
const BATCH_WAIT: Duration = Duration::from_millis(200);

/// Requests held at most while the database does not take them; more are
/// dropped (and counted in the warning), as the table keeps only the last
/// ones of each organization anyway.
const MOST_PENDING: usize = 10_000;

/// The queue of requests not yet written.
#[derive(Default)]
pub(crate) struct RequestLog {
    pending: Mutex<Vec<(String, ScimRequestRow)>>,
    /// A write is already scheduled.
    scheduled: AtomicBool,
    dropped: AtomicUsize,
    /// One batch written at a time, in the order the requests were answered.
    writing: tokio::sync::Mutex<()>,
}

impl RequestLog {
    /// Queues the request; a write follows within `BATCH_WAIT`.
    pub(crate) fn append(self: &Arc<Self>, store: &Store, org: &str, request: DirectoryRequest) {
        let row = ScimRequestRow {
            at: request.at,
            method: request.method,
            path: request.path,
            status: i64::from(request.status),
            outcome: request.outcome,
        };
        {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            if pending.len() >= MOST_PENDING {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            } else {
                pending.push((org.to_string(), row));
            }
        }
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let log = self.clone();
            let store = store.clone();
            tokio::spawn(async move {
                tokio::time::sleep(BATCH_WAIT).await;
                // Cleared before the queue is taken: a request queued after it
                // schedules the next write.
                log.scheduled.store(false, Ordering::Release);
                log.write(&store).await;
            });
        }
    }

    /// Writes what the queue holds now. A failure is logged, never a request's
    /// answer; its batch is lost.
    pub(crate) async fn write(&self, store: &Store) {
        let _writing = self.writing.lock().await;
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(dropped, "SCIM requests were not logged: the queue was full");
        }
        if let Err(e) = store.log_scim_requests(&batch).await {
            tracing::warn!(requests = batch.len(), error = %e, "SCIM requests could not be logged");
        }
    }
}
