//! The write paths of the service: one command, several together, a turn of
//! steps, an import and each of many, every one a single transaction that
//! decides on the held state, stores events and rows, then publishes (mod.rs
//! says the contract). All but the import commit in a group with the changes to
//! other organizations that arrive together (docs/architecture.md#group-commit).

use super::*;

impl Service {
    /// Decides and stores one command on an existing organization. The events it
    /// caused are returned (none: nothing to do); a refusal leaves no trace.
    pub async fn execute(
        &self,
        org: &OrgId,
        actor: &Actor,
        command: Command,
    ) -> Result<Vec<Event>, ServiceError> {
        self.execute_together(org, actor, vec![command]).await
    }

    /// Several commands on one organization as one change: all stored, or none.
    /// Each is decided against the state before any of them, so they must not
    /// depend on each other (a member's new name and new role, say); the first
    /// refusal refuses them all.
    pub async fn execute_together(
        &self,
        org: &OrgId,
        actor: &Actor,
        commands: Vec<Command>,
    ) -> Result<Vec<Event>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        let (events, ()) = self
            .change(org, Commit::Grouped, |state, now| {
                let mut events = Vec::new();
                for command in commands {
                    enrolment.check(policy, state, actor, &command)?;
                    events.extend(decide(policy, state, actor, command, now)?);
                }
                Ok((events, ()))
            })
            .await?;
        Ok(events)
    }

    /// Several commands on one organization as one change, each by its own
    /// actor and decided against the state the ones before it left (a
    /// directory's invitation, then the person joining it): all stored, in one
    /// transaction, or none; the first refusal refuses them all.
    ///
    /// Each step is decided on the held state and folded into it at once, with
    /// no copy of the state (a copy cost milliseconds per SCIM create in a large
    /// organization, docs/benchmarks.md). A refusal after a step was folded, or a
    /// failed write, reloads the organization from the database, which never saw
    /// the turn: nothing is half-applied.
    pub async fn execute_in_turn(
        &self,
        org: &OrgId,
        steps: Vec<(Actor, Command)>,
    ) -> Result<Vec<Event>, ServiceError> {
        self.execute_in_turn_with(org, steps, &[]).await
    }

    /// `execute_in_turn`, storing `alongside` (a provisioning use case's own
    /// rows: a new account, the directory's record of the person) in the same
    /// transaction, written before the steps are decided: one commit, and a
    /// refusal or a failed write leaves none of it. With no events to store,
    /// the rows alone are committed.
    pub async fn execute_in_turn_with(
        &self,
        org: &OrgId,
        steps: Vec<(Actor, Command)>,
        alongside: &[Alongside],
    ) -> Result<Vec<Event>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self
            .enrolment(org, second_factor::members(steps.iter().map(|(a, _)| a)))
            .await?;
        let live = self.live_or_load(org).await?;
        let mut books = live.books.lock().await;
        let mut tx = (self.begin_change(org, &live, &mut books, Commit::Grouped)).await?;
        for row in alongside {
            // Nothing is folded yet: a failure here takes back the change, and
            // the held state never saw the turn.
            if let Err(e) = tx.write_alongside(row).await {
                tx.rollback().await?;
                return Err(e.into());
            }
        }
        let now = self.inner.clock.now();
        let mut snapshot: Option<Snapshot> = None;
        let mut rows = BTreeSet::new();
        let mut events = Vec::new();
        let deciding = tracing::info_span!("decide");
        for (actor, command) in steps {
            let decided = deciding.in_scope(|| {
                enrolment
                    .check(policy, &books.state, &actor, &command)
                    .and_then(|()| decide(policy, &books.state, &actor, command, now))
            });
            match decided {
                Ok(decided) if decided.is_empty() => {}
                Ok(decided) => {
                    let snapshot = snapshot.get_or_insert_with(|| (*live.snapshot()).clone());
                    fold(&mut books.state, snapshot, &decided, &mut rows);
                    events.extend(decided);
                }
                Err(refusal) => {
                    tx.rollback().await?;
                    if !events.is_empty() {
                        // The held state took the earlier steps: read it again.
                        books.stale = true;
                        self.reload(org, &live, &mut books).await?;
                    }
                    return Err(refusal.into());
                }
            }
        }
        let Some(snapshot) = snapshot else {
            if alongside.is_empty() {
                tx.rollback().await?;
            } else {
                tx.commit(&self.inner.node).await?;
            }
            return Ok(events);
        };
        self.store_change(org, &live, &mut books, tx, &events, rows, snapshot, now)
            .await?;
        Ok(events)
    }

    /// Runs the CSV import's rows (`dry_run`: decides them and stores nothing).
    /// The plan says what each row does or why it is refused; its events are
    /// stored, in one transaction, only when no row is refused.
    pub async fn import(
        &self,
        org: &OrgId,
        actor: &Actor,
        rows: Vec<ImportRow>,
        dry_run: bool,
    ) -> Result<ImportPlan, ServiceError> {
        if dry_run {
            let now = self.inner.clock.now();
            let policy = self.inner.policy.clone();
            return self
                .read(org, |state| plan_import(&policy, state, actor, rows, now))
                .await?
                .map_err(ServiceError::from);
        }
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        // Alone: an import holds its lane for as long as it writes.
        let (events, mut plan) = self
            .change(org, Commit::Alone, |state, now| {
                let import = Command::Import { rows: Vec::new() };
                enrolment.check(&self.inner.policy, state, actor, &import)?;
                let mut plan = plan_import(&self.inner.policy, state, actor, rows, now)?;
                let events = if plan.refused.is_empty() {
                    std::mem::take(&mut plan.events)
                } else {
                    Vec::new()
                };
                Ok((events, plan))
            })
            .await?;
        plan.events = events;
        Ok(plan)
    }

    /// Several commands on one organization, each decided on its own against the
    /// state the ones before it left (deleting two admins meets the minimum-admins
    /// rule on the second): the permitted ones are stored together, in one
    /// transaction, and each command's outcome is answered in order. A refused
    /// command leaves no trace and does not stop the others.
    pub async fn execute_each(
        &self,
        org: &OrgId,
        actor: &Actor,
        commands: Vec<Command>,
    ) -> Result<Vec<Result<Vec<Event>, Refusal>>, ServiceError> {
        let policy = &self.inner.policy;
        let enrolment = self.enrolment(org, second_factor::members([actor])).await?;
        let (_, outcomes) = self
            .change(org, Commit::Grouped, |state, now| {
                let mut scratch = state.clone();
                let mut events = Vec::new();
                let mut outcomes = Vec::with_capacity(commands.len());
                for command in commands {
                    let outcome = enrolment
                        .check(policy, &scratch, actor, &command)
                        .and_then(|()| decide(policy, &scratch, actor, command, now));
                    if let Ok(decided) = &outcome {
                        for event in decided {
                            steward_core::apply(&mut scratch, event);
                        }
                        events.extend(decided.iter().cloned());
                    }
                    outcomes.push(outcome);
                }
                Ok((events, outcomes))
            })
            .await?;
        Ok(outcomes)
    }

    /// One change to an organization: under its lock and after catching up with
    /// other nodes, `decide` turns the current state into events (and an answer of
    /// its own); they are stored in one transaction and published. Members it
    /// deletes lose their sessions and refresh tokens in that transaction. A refusal
    /// stores nothing; no events, nothing to do.
    async fn change<R>(
        &self,
        org: &OrgId,
        commit: Commit,
        decided_by: impl FnOnce(&State, Timestamp) -> Result<(Vec<Event>, R), Refusal>,
    ) -> Result<(Vec<Event>, R), ServiceError> {
        let live = self.live_or_load(org).await?;
        let mut books = live.books.lock().await;
        let tx = self.begin_change(org, &live, &mut books, commit).await?;
        if commit == Commit::Alone {
            // A long write (an import): the committed state becomes the readers'
            // view before it starts, so no read waits for it even when none came
            // since the last commit; it costs one copy of the state, at the fold
            // (docs/scaling.md#reads-during-a-long-write).
            live.share(&books);
        }
        let now = self.inner.clock.now();
        // A span of its own for traces (docs/operations.md#tracing).
        let deciding = tracing::info_span!("decide");
        let (events, answer) = match deciding.in_scope(|| decided_by(&books.state, now)) {
            Ok(decided) => decided,
            Err(refusal) => {
                tx.rollback().await?;
                return Err(refusal.into());
            }
        };
        if events.is_empty() {
            tx.rollback().await?;
            return Ok((events, answer));
        }
        let mut snapshot = (*live.snapshot()).clone();
        let mut rows = BTreeSet::new();
        fold(&mut books.state, &mut snapshot, &events, &mut rows);
        self.store_change(org, &live, &mut books, tx, &events, rows, snapshot, now)
            .await?;
        Ok((events, answer))
    }

    /// Opens a change's transaction under the organization's lock, after
    /// catching up with what other nodes committed (or reloading a stale state).
    async fn begin_change(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
        commit: Commit,
    ) -> Result<OrgTx, ServiceError> {
        if books.stale {
            self.reload(org, live, books).await?;
        }
        let store = &self.inner.store;
        let tx = match commit {
            Commit::Grouped => store.begin_org(org).await,
            Commit::Alone => store.begin_org_alone(org).await,
        };
        let mut tx = tx.inspect_err(|e| self.noticed(e))?;
        if tx.head() != &books.head {
            // Another node committed since we last looked: fold its events first.
            let (missed, head) = match tx.events_after(books.head.seq).await {
                Ok(missed) => missed,
                Err(e) => {
                    tx.rollback().await?;
                    return Err(e.into());
                }
            };
            self.catch_up(org, live, books, &missed, head);
        }
        Ok(tx)
    }

    /// Stores events already folded into the held state (and `snapshot`), ends
    /// the credentials of the members they delete or suspend, commits and
    /// publishes. A failed write, or a failed commit of the group the change was
    /// written in (docs/architecture.md#group-commit), reloads the state from the
    /// database.
    #[allow(clippy::too_many_arguments)]
    async fn store_change(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
        mut tx: OrgTx,
        events: &[Event],
        rows: BTreeSet<Row>,
        snapshot: Snapshot,
        now: Timestamp,
    ) -> Result<(), ServiceError> {
        let rows: Vec<_> = rows.into_iter().collect();
        let written = async {
            for account in leavers(events) {
                tx.end_credentials(account.as_str(), now.0).await?;
            }
            for account in second_factor::resets(events) {
                tx.remove_second_factor(account.as_str()).await?;
                tx.end_credentials(account.as_str(), now.0).await?;
            }
            tx.write(events, &rows, &books.state).await
        }
        .await;
        let written = match written {
            // In a group, this waits for the group's commit.
            Ok(head) => tx.commit(&self.inner.node).await.map(|()| head),
            Err(e) => {
                // Only this change's statements are taken back: the others in
                // its group go on (store/group.rs).
                tx.rollback().await?;
                Err(e)
            }
        };
        match written {
            Ok(head) => {
                live.announce(head.seq);
                books.head = head;
                live.publish(snapshot);
                self.rebuild_if_drifted(live, org.as_str());
                self.inner.commits.notify_one();
                self.inner.keys.follow(org, events, &books.state);
                Ok(())
            }
            Err(e) => {
                // The state already holds the events; whether the commit happened
                // is for the database to say.
                books.stale = true;
                if let Err(reload) = self.reload(org, live, books).await {
                    tracing::error!(%org, error = %reload, "reload after a failed write failed");
                }
                Err(e.into())
            }
        }
    }

    /// Folds events another node committed into the state and the snapshot.
    pub(super) fn catch_up(
        &self,
        org: &OrgId,
        live: &LiveOrg,
        books: &mut Books,
        events: &[Event],
        head: Option<Head>,
    ) {
        let Some(head) = head else { return };
        let mut snapshot = (*live.snapshot()).clone();
        fold(
            &mut books.state,
            &mut snapshot,
            events,
            &mut BTreeSet::new(),
        );
        live.announce(head.seq);
        books.head = head;
        live.publish(snapshot);
        self.rebuild_if_drifted(live, org.as_str());
        self.inner.keys.follow(org, events, &books.state);
        self.inner.commits.notify_one();
    }
}

/// How a change commits: with the changes to other organizations that arrive
/// together (docs/architecture.md#group-commit), or in a transaction of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Commit {
    Grouped,
    Alone,
}

/// The accounts a change deletes from the organization or suspends in it: their
/// sessions and refresh tokens end in the same transaction
/// (docs/model.md#deleting-a-member, docs/provisioning.md#suspension), whichever path did it.
/// The whole account is signed out, even if it belongs to other organizations:
/// a session or token is the account's, not one membership's, so it signs in again.
fn leavers(events: &[Event]) -> impl Iterator<Item = &UserId> {
    events.iter().filter_map(|e| match &e.change {
        Change::MemberDeleted { user_id, .. } | Change::MemberSuspended { user_id, .. } => {
            Some(user_id)
        }
        _ => None,
    })
}
