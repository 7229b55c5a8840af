//! Storage at scale, on SQLite and PostgreSQL. With one organization of 1,000,000
//! members and 1,000,000 objects: the wall time of a fresh `Store::open` +
//! `Service::open`, the process's VmRSS before and after it and its peak (VmHWM),
//! the database's size, and the parts of the start-up timed on their own
//! (`Store::load_rows`, `State::restore`, `Snapshot::build`, and the heap the state and
//! the snapshot hold, counted by the bench's allocator). Then role changes per second, each one
//! `Service::execute(ChangeRole)` (one transaction: a hash-chained audit event and
//! the membership row), one after the other in that organization and in a 100-member
//! one, and four tasks at once, each on its own 100-member organization.
//!
//! The large organization is created through the service, then its members and
//! objects are inserted directly (multi-row INSERTs, one transaction): their events
//! are not in the audit log. The small ones are filled through the service.
//!
//! ```sh
//! cargo bench -p steward --bench scale -- [--backend sqlite|postgres] \
//!     [--members N] [--objects N] [--changes N] [--database URL] [--startup-only]
//! ```
//!
//! `--database URL` (with `--backend`): a database kept after the run, filled only
//! if it has no `scale` organization yet, so that start-up can be measured again and
//! again (and by `bench/startup/run.sh`, which times `steward serve` on it).
//! `--startup-only`: the start-up and its parts, without the role changes.
//!
//! Defaults: 1,000,000 members and objects, 2,000 changes; SQLite, and PostgreSQL
//! too when `STEWARD_TEST_POSTGRES_URL` is set (in a database created for the run
//! and dropped after it). Without `--backend` each backend runs in a child process,
//! so that one's memory does not show in the other's figures.

use anyhow::{anyhow, bail, Context as _, Result};
use sqlx::{AnyConnection, Connection, PgConnection};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward::secrets::random_id;
use steward::service::Service;
use steward::store::Store;
use steward_core::{Actor, Command, Email, InvitationId, Name, OrgId, Policy, Snapshot, State};
use steward_core::{Timestamp, UserId};

/// The heap's live bytes, counted by the allocator: what the state and the snapshot
/// hold, apart from what the allocator keeps of memory freed earlier (VmRSS, after
/// a first start-up was dropped, shows neither exactly). It costs one relaxed atomic
/// add per allocation, a few nanoseconds beside the microsecond a row takes.
struct Counting;

static LIVE_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only a
// counter is added to or taken from.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_mib() -> f64 {
    LIVE_BYTES.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1048576.0
}

const POSTGRES_URL_VAR: &str = "STEWARD_TEST_POSTGRES_URL";
const ROWS_PER_INSERT: usize = 1000;
const SMALL_MEMBERS: usize = 99;

struct Args {
    backend: Option<String>,
    members: usize,
    objects: usize,
    changes: usize,
    database: Option<String>,
    startup_only: bool,
}

fn main() -> Result<()> {
    let mut args = Args {
        backend: None,
        members: 1_000_000,
        objects: 1_000_000,
        changes: 2_000,
        database: None,
        startup_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--backend" => args.backend = Some(value()?),
            "--members" => args.members = value()?.parse()?,
            "--objects" => args.objects = value()?.parse()?,
            "--changes" => args.changes = value()?.parse()?,
            "--database" => args.database = Some(value()?),
            "--startup-only" => args.startup_only = true,
            "--bench" => {} // added by `cargo bench`
            other => bail!("unknown argument {other}"),
        }
    }
    if let Some(backend) = &args.backend {
        let runtime = tokio::runtime::Runtime::new()?;
        return match &args.database {
            Some(url) => runtime.block_on(measure(backend, url, &args)),
            None => runtime.block_on(run(backend, &args)),
        };
    }
    if args.database.is_some() {
        bail!("--database needs --backend");
    }
    let mut backends = vec!["sqlite"];
    if std::env::var(POSTGRES_URL_VAR).is_ok_and(|s| !s.is_empty()) {
        backends.push("postgres");
    }
    for backend in backends {
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(["--backend", backend])
            .args(["--members", &args.members.to_string()])
            .args(["--objects", &args.objects.to_string()])
            .args(["--changes", &args.changes.to_string()])
            .status()?;
        if !status.success() {
            bail!("the {backend} run failed: {status}");
        }
    }
    Ok(())
}

/// Creates the run's database, measures, and removes the database.
async fn run(backend: &str, args: &Args) -> Result<()> {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir()?; // removed when dropped
            let url = format!("sqlite://{}", dir.path().join("steward.db").display());
            measure(backend, &url, args).await
        }
        "postgres" => {
            let admin = std::env::var(POSTGRES_URL_VAR).context(POSTGRES_URL_VAR)?;
            let name = format!("steward_scale_{}", random_id("db"));
            let mut conn = PgConnection::connect(&admin).await?;
            let create = format!("CREATE DATABASE {name}");
            sqlx::query(&create).execute(&mut conn).await?;
            let base = admin.split('?').next().unwrap_or(&admin);
            let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
            let measured = measure(backend, &format!("{base}/{name}"), args).await;
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(&drop).execute(&mut conn).await?;
            measured
        }
        other => bail!("unknown backend {other}: sqlite or postgres"),
    }
}

async fn measure(b: &str, url: &str, args: &Args) -> Result<()> {
    let policy = Policy::preset("operations").context("the operations preset")?;
    let (large, m, o) = (OrgId::parse("scale")?, args.members, args.objects);

    let t = Instant::now();
    let store = Store::open(url).await?;
    let kept = store.organization_ids().await?.contains(&large);
    if !kept {
        create_org(&Service::open(store.clone(), policy.clone()).await?, &large).await?;
        insert_rows(&store, &large, m, o).await?;
    }
    // As the database would be after a while: SQLite's WAL checkpointed into the
    // file, PostgreSQL's new rows vacuumed and analyzed.
    let size: i64 = match url.strip_prefix("sqlite://") {
        Some(path) => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(store.pool())
                .await?;
            std::fs::metadata(path)?.len() as i64
        }
        None => {
            sqlx::query("VACUUM ANALYZE").execute(store.pool()).await?;
            let size = "SELECT pg_database_size(current_database())";
            sqlx::query_scalar(size).fetch_one(store.pool()).await?
        }
    };
    store.pool().close().await;
    let (filled, mib) = (secs(t.elapsed()), size as f64 / 1048576.0);
    match kept {
        true => println!("{b}: the kept database's organization; database {mib:.0} MiB"),
        false => println!(
            "{b}: {m} members, {o} objects inserted in {filled:.1} s; database {mib:.0} MiB"
        ),
    }

    // 5: VmHWM (the peak) starts again from the current VmRSS.
    std::fs::write("/proc/self/clear_refs", "5")?;
    let rss_before = status_mib("VmRSS")?;
    let t = Instant::now();
    let svc = Service::open(Store::open(url).await?, policy.clone()).await?;
    let open = secs(t.elapsed());
    let (rss, peak) = (status_mib("VmRSS")?, status_mib("VmHWM")?);
    println!("{b}: start-up {open:.2} s; VmRSS {rss_before} -> {rss} MiB, VmHWM {peak} MiB");

    if args.startup_only {
        svc.store().pool().close().await;
        drop(svc);
        return startup_parts(b, url, &policy, &large).await;
    }
    let rate = change_roles(&svc, &large, m, args.changes).await?;
    println!("{b}: role changes, {m}-member organization: {rate}");
    let mut small = Vec::new();
    for i in 1..=4 {
        let org = OrgId::parse(&format!("small{i}"))?;
        create_org(&svc, &org).await?;
        add_members(&svc, &org, SMALL_MEMBERS).await?;
        small.push(org);
    }
    let rate = change_roles(&svc, &small[0], SMALL_MEMBERS, args.changes).await?;
    println!("{b}: role changes, 100-member organization: {rate}");
    let (t, each) = (Instant::now(), args.changes / 4);
    let tasks: Vec<_> = (small.into_iter())
        .map(|org| {
            let svc = svc.clone();
            tokio::spawn(async move { change_roles(&svc, &org, SMALL_MEMBERS, each).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let rate = (each * 4) as f64 / secs(t.elapsed());
    println!("{b}: role changes, 4 tasks on 4 100-member organizations: {rate:.0}/s in all");
    svc.store().pool().close().await;
    drop(svc);
    startup_parts(b, url, &policy, &large).await
}

/// The start-up again, now that the allocator holds memory, and its parts: the
/// bulk reader's rows (`Store::load_rows`: fetched and decoded), `State::restore`,
/// `Snapshot::build`; and, to compare, `load_org_by_rows` (the row-by-row reader
/// through sqlx the start-up used before issue 20, with the restore).
async fn startup_parts(b: &str, url: &str, policy: &Policy, large: &OrgId) -> Result<()> {
    let policy = policy.clone();
    let store = Store::open(url).await?;
    let t = Instant::now();
    drop(Service::open(store.clone(), policy.clone()).await?);
    let again = secs(t.elapsed());
    let live_before = live_mib();
    let t = Instant::now();
    let (rows, _) = store.load_rows(large).await?;
    let read = secs(t.elapsed());
    let t = Instant::now();
    let state = State::restore(rows);
    let restore = secs(t.elapsed());
    let live_state = live_mib();
    let t = Instant::now();
    let snapshot = Snapshot::build(Arc::new(policy), &state);
    let build = secs(t.elapsed());
    let live_snapshot = live_mib();
    drop(snapshot);
    drop(state);
    let t = Instant::now();
    drop(store.load_org_by_rows(large).await?);
    let by_rows = secs(t.elapsed());
    println!(
        "{b}: start-up again {again:.2} s: load_rows {read:.2} s, State::restore {restore:.2} s, \
         Snapshot::build {build:.2} s; load_org_by_rows (before) {by_rows:.2} s"
    );
    let (state_mib, snapshot_mib) = (live_state - live_before, live_snapshot - live_state);
    println!(
        "{b}: heap in use (allocations' own sizes): the state {state_mib:.0} MiB, \
         its snapshot {snapshot_mib:.0} MiB"
    );
    store.pool().close().await;
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A line of /proc/self/status, in MiB.
fn status_mib(key: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = (status.lines())
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .with_context(|| format!("no {key} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches(" kB").parse::<u64>()? / 1024)
}

fn owner() -> UserId {
    UserId::parse("owner").expect("a valid id")
}

fn user(i: usize) -> String {
    format!("u{i:07}")
}

/// Members' roles before any change: a few admins, then operators and viewers.
fn initial_role(i: usize) -> &'static str {
    match i {
        i if i % 1000 == 0 => "admin",
        i if i % 2 == 0 => "operator",
        _ => "viewer",
    }
}

async fn create_org(svc: &Service, org: &OrgId) -> Result<()> {
    let command = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Scale")?,
        owner_id: owner(),
        owner_email: Email::parse("owner@scale.test")?,
        owner_name: Name::parse("Owner")?,
    };
    svc.create_organization(&Actor::User(owner()), command)
        .await?;
    Ok(())
}

/// Members `u0000001`... and top-level sites `site0000001`... (every other one
/// owned by the owner), straight into the state tables, in one transaction.
async fn insert_rows(store: &Store, org: &OrgId, members: usize, objects: usize) -> Result<()> {
    let o = || Some(org.to_string());
    let mut tx = store.pool().begin().await?;
    let table = "memberships (org_id, user_id, email, name, role)";
    insert_many(&mut tx, table, members, |i| {
        let (u, name, role) = (user(i), format!("User {i}"), initial_role(i));
        let email = format!("{u}@scale.test");
        vec![o(), Some(u), Some(email), Some(name), Some(role.into())]
    })
    .await?;
    let table = "objects (org_id, id, type, name, parent_id, owner_id)";
    insert_many(&mut tx, table, objects, |i| {
        let (id, name) = (format!("site{i:07}"), format!("Site {i}"));
        let owner = (i % 2 == 1).then(|| owner().to_string());
        vec![o(), Some(id), Some("site".into()), Some(name), None, owner]
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rows `1..=n` of `table`, `ROWS_PER_INSERT` to an INSERT.
async fn insert_many(
    conn: &mut AnyConnection,
    table: &str,
    n: usize,
    row: impl Fn(usize) -> Vec<Option<String>>,
) -> Result<()> {
    for first in (1..=n).step_by(ROWS_PER_INSERT) {
        let rows: Vec<_> = (first..=n.min(first + ROWS_PER_INSERT - 1))
            .map(&row)
            .collect();
        let width = rows[0].len();
        let tuples: Vec<String> = (0..rows.len())
            .map(|r| {
                let params: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", params.join(","))
            })
            .collect();
        let sql = format!("INSERT INTO {table} VALUES {}", tuples.join(","));
        let mut query = sqlx::query(&sql);
        for value in rows.into_iter().flatten() {
            query = query.bind(value);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Members `u0000001`..`u{n}` through the service: invited by the owner, then joining.
async fn add_members(svc: &Service, org: &OrgId, n: usize) -> Result<()> {
    let expires_at = Timestamp(svc.clock().now().0 + 7 * 86_400);
    for i in 1..=n {
        let invitation_id = InvitationId::parse(&format!("inv{i:07}"))?;
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            email: Email::parse(&format!("{}@scale.test", user(i)))?,
            name: None,
            role: Some(initial_role(i).to_string()),
            scopes: vec![],
            expires_at,
        };
        svc.execute(org, &Actor::User(owner()), invite).await?;
        let member = UserId::parse(&user(i))?;
        let name = Some(Name::parse(&format!("User {i}"))?);
        let join = Command::Join {
            invitation_id,
            user_id: member.clone(),
            name,
        };
        svc.execute(org, &Actor::User(member), join).await?;
    }
    Ok(())
}

/// `changes` role changes by the owner, one after the other, spread over members
/// `1..=members`, each between viewer and operator (an admin becomes a viewer).
/// Returns the rate and the median and 99th percentile latency.
async fn change_roles(
    svc: &Service,
    org: &OrgId,
    members: usize,
    changes: usize,
) -> Result<String> {
    let users: Vec<usize> = (0..changes).map(|j| 1 + j * 7919 % members).collect();
    // Their roles now (an earlier run may have changed them).
    let mut roles: HashMap<usize, String> = svc
        .read(org, |s| {
            let role = |i| Some(s.member(&UserId::parse(&user(i)).ok()?)?.role.to_string());
            users.iter().filter_map(|&i| Some((i, role(i)?))).collect()
        })
        .await?;
    let mut latencies = Vec::with_capacity(changes);
    let start = Instant::now();
    for &i in &users {
        let role = if roles[&i] == "viewer" {
            "operator"
        } else {
            "viewer"
        };
        let user_id = UserId::parse(&user(i))?;
        let command = Command::ChangeRole {
            user_id,
            role: role.to_string(),
        };
        let t = Instant::now();
        let events = svc.execute(org, &Actor::User(owner()), command).await?;
        latencies.push(t.elapsed());
        if events.is_empty() {
            bail!("changing {}'s role to {role} changed nothing", user(i));
        }
        roles.insert(i, role.to_string());
    }
    let total = secs(start.elapsed());
    latencies.sort();
    let ms = |q: f64| secs(latencies[((latencies.len() - 1) as f64 * q) as usize]) * 1000.0;
    let (p50, p99) = (ms(0.5), ms(0.99));
    let rate = changes as f64 / total;
    Ok(format!(
        "{rate:.0}/s ({changes} in {total:.2} s; p50 {p50:.2} ms, p99 {p99:.2} ms)"
    ))
}
