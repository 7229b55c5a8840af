//! Many organizations on one node, and the memory limit, on SQLite and
//! PostgreSQL (docs/benchmarks.md#many-organizations and #a-memory-limit).
//!
//! Seeds `--orgs` organizations of `--members` members (an owner, then operators
//! and viewers) and `--objects` top-level sites each, straight into the state
//! tables with one `INSERT ... SELECT` per table (their chains are empty, as a
//! new organization's), then, in this process:
//!
//! 1. the start-up (`Service::open_counting`, what `serve` runs before it is
//!    ready) with its wall time, VmRSS before and after, the peak (VmHWM), and
//!    the resident bytes per organization against the holding's estimate;
//! 2. `--checks` checks, each on a random organization (`Service::snapshot`,
//!    then `check_by_name`), timed one by one: p50 and p99;
//! 3. with `--first-requests N`: N times, every organization is dropped (a
//!    memory limit of 1 byte and three shedding passes), then a random one's
//!    first request is timed: `bring_back` (what the HTTP layer runs first)
//!    and one check: p50, p99 and max.
//!
//! ```sh
//! cargo bench -p steward --bench orgs -- [--backend sqlite|postgres] [--orgs N] \
//!     [--members N] [--objects N] [--checks N] [--memory-limit SIZE] \
//!     [--first-requests N] [--database URL]
//! ```
//!
//! Defaults: 100,000 organizations of 20 members and 20 objects, 100,000 checks;
//! SQLite, and PostgreSQL too when `STEWARD_TEST_POSTGRES_URL` is set, each in a
//! child process and a database made for the run. `--database URL` (with
//! `--backend`) keeps the database, seeded once.

use anyhow::{anyhow, bail, Context as _, Result};
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};
use steward::secrets::random_id;
use steward::service::{Loading, MemoryLimit, Service};
use steward::store::{Head, Store};
use steward_core::Policy;

const POSTGRES_URL_VAR: &str = "STEWARD_TEST_POSTGRES_URL";

/// The heap's live bytes, counted by the allocator (as in benches/scale.rs):
/// what each organization holds, apart from what the allocator keeps of freed
/// memory. One relaxed atomic add per allocation.
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

fn live_bytes() -> usize {
    LIVE_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

struct Args {
    backend: Option<String>,
    orgs: usize,
    members: usize,
    objects: usize,
    checks: usize,
    memory_limit: Option<MemoryLimit>,
    first_requests: usize,
    database: Option<String>,
}

fn main() -> Result<()> {
    let mut args = Args {
        backend: None,
        orgs: 100_000,
        members: 20,
        objects: 20,
        checks: 100_000,
        memory_limit: None,
        first_requests: 0,
        database: None,
    };
    let mut forwarded = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--backend" => args.backend = Some(value()?),
            "--database" => args.database = Some(value()?),
            "--bench" => continue, // added by `cargo bench`
            flag => {
                let v = value()?;
                match flag {
                    "--orgs" => args.orgs = v.parse()?,
                    "--members" => args.members = v.parse()?,
                    "--objects" => args.objects = v.parse()?,
                    "--checks" => args.checks = v.parse()?,
                    "--memory-limit" => args.memory_limit = Some(v.parse()?),
                    "--first-requests" => args.first_requests = v.parse()?,
                    other => bail!("unknown argument {other}"),
                }
                forwarded.extend([flag.to_string(), v]);
            }
        }
    }
    if args.members == 0 || args.objects == 0 || args.orgs == 0 {
        bail!("--orgs, --members and --objects must be at least 1");
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
            .args(&forwarded)
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
            let name = format!("steward_orgs_{}", random_id("db"));
            let mut conn = PgConnection::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
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
    let (n, m, o) = (args.orgs, args.members, args.objects);
    let store = Store::open(url).await?;
    let t = Instant::now();
    let seeded = store.organization_ids().await?.len();
    if seeded == 0 {
        seed(&store, url, args).await?;
        let s = secs(t.elapsed());
        println!("{b}: {n} organizations of {m} members and {o} objects seeded in {s:.1} s");
    } else {
        println!("{b}: the kept database's {seeded} organizations");
    }
    store.pool().close().await;

    // 5: VmHWM (the peak) starts again from the current VmRSS.
    std::fs::write("/proc/self/clear_refs", "5")?;
    let rss_before = status_kib("VmRSS")?;
    let heap_before = live_bytes();
    let loading = Loading {
        memory_limit: args.memory_limit,
        ..Loading::default()
    };
    let t = Instant::now();
    let svc = Service::open_counting(Store::open(url).await?, policy.clone(), &loading).await?;
    let open = secs(t.elapsed());
    let (rss, peak) = (status_kib("VmRSS")?, status_kib("VmHWM")?);
    let heap = live_bytes().saturating_sub(heap_before);
    let held = svc.holding();
    let per_org = (rss - rss_before) as f64 * 1024.0 / held.held.max(1) as f64;
    let estimate = held.estimated_bytes as f64 / held.held.max(1) as f64;
    println!(
        "{b}: start-up {open:.2} s ({:.0} µs per organization); VmRSS {} -> {} MiB, VmHWM {} MiB; \
         {} held of {}, {per_org:.0} B resident per held organization (estimate {estimate:.0} B)",
        open * 1e6 / n as f64,
        rss_before / 1024,
        rss / 1024,
        peak / 1024,
        held.held,
        held.known,
    );
    println!(
        "{b}: heap in use after start-up {:.1} MiB: {:.0} B per held organization",
        heap as f64 / 1048576.0,
        heap as f64 / held.held.max(1) as f64
    );
    parts(b, url, &policy).await?;

    let ids: Vec<String> = (1..=n).map(org_id).collect();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut times = Vec::with_capacity(args.checks);
    let mut allowed = 0usize;
    for _ in 0..args.checks {
        let org = &ids[random.below(n)];
        let user = user_id(1 + random.below(m.max(2) - 1));
        let site = format!("site{}", 1 + random.below(o));
        let t = Instant::now();
        let Some(snapshot) = svc.snapshot(org) else {
            continue; // dropped under a memory limit: `bring_back` first (below)
        };
        allowed += snapshot.check_by_name(&user, "site:view", &site).allowed as usize;
        times.push(t.elapsed());
    }
    if !times.is_empty() {
        let (p50, p99) = (quantile(&mut times, 0.5), quantile(&mut times, 0.99));
        println!(
            "{b}: {} checks on random organizations ({allowed} allowed): p50 {:.0} ns, p99 {:.0} ns",
            times.len(),
            p50.as_nanos(),
            p99.as_nanos()
        );
    }
    if args.first_requests > 0 {
        first_requests(b, url, &policy, &ids, args).await?;
    }
    Ok(())
}

/// One organization's parts, each counted by the allocator: its rows, its
/// restored state, its check snapshot (what the holding's per-organization
/// figure is made of, beside the `LiveOrg` and the maps' entries).
async fn parts(b: &str, url: &str, policy: &Policy) -> Result<()> {
    let store = Store::open(url).await?;
    let org = steward_core::OrgId::parse(&org_id(1))?;
    let policy = std::sync::Arc::new(policy.clone());
    let base = live_bytes() as i64;
    let (rows, _) = store.load_rows(&org).await?;
    let rows_bytes = live_bytes() as i64 - base;
    let state = steward_core::State::restore(rows);
    let state_bytes = live_bytes() as i64 - base;
    let snapshot = steward_core::Snapshot::build(policy.clone(), &state);
    let snapshot_bytes = live_bytes() as i64 - base - state_bytes;
    println!(
        "{b}: one organization's parts (heap): rows {rows_bytes} B, state {state_bytes} B, \
         check snapshot {snapshot_bytes} B"
    );
    drop((snapshot, state));
    // What any organization's snapshot costs before its first member: the
    // tables it derives from the policy, its indexes' first shards.
    let at = live_bytes() as i64;
    let empty = steward_core::Snapshot::build(policy.clone(), &steward_core::State::default());
    let empty_bytes = live_bytes() as i64 - at;
    println!("{b}: a snapshot of no member and no object (heap): {empty_bytes} B");
    drop(empty);
    store.pool().close().await;
    Ok(())
}

/// The first request to a dropped organization: `bring_back` and one check.
async fn first_requests(
    b: &str,
    url: &str,
    policy: &Policy,
    ids: &[String],
    args: &Args,
) -> Result<()> {
    let loading = Loading {
        memory_limit: Some(MemoryLimit(1)),
        ..Loading::default()
    };
    let svc = Service::open_counting(Store::open(url).await?, policy.clone(), &loading).await?;
    let mut random = Random(7);
    let mut times = Vec::with_capacity(args.first_requests);
    for _ in 0..args.first_requests {
        for _ in 0..3 {
            svc.shed();
        }
        let org = &ids[random.below(ids.len())];
        let t = Instant::now();
        svc.bring_back(org).await?;
        let snapshot = svc.snapshot(org).context("held again")?;
        let user = user_id(1 + random.below(args.members.max(2) - 1));
        std::hint::black_box(snapshot.check_by_name(&user, "site:view", "site1"));
        times.push(t.elapsed());
    }
    // What a write after a read pays once (docs/scaling.md#reads-during-a-long-write).
    let org = steward_core::OrgId::parse(&ids[0])?;
    let mut copies = Vec::new();
    for _ in 0..20 {
        let copy = svc.read(&org, |state| {
            let t = Instant::now();
            let copy = state.clone();
            (t.elapsed(), copy)
        });
        copies.push(copy.await?.0);
    }
    let copy = quantile(&mut copies, 0.5);
    let figures = svc.holding();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (p50, p99) = (quantile(&mut times, 0.5), quantile(&mut times, 0.99));
    println!(
        "{b}: first request to a dropped organization of {} members and {} objects \
         ({} reloads): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        args.members,
        args.objects,
        figures.reloads,
        ms(p50),
        ms(p99),
        ms(*times.last().context("no request")?),
    );
    println!(
        "{b}: a copy of one such organization's state: median {:.3} ms",
        ms(copy)
    );
    Ok(())
}

fn org_id(i: usize) -> String {
    format!("o{i:07}")
}

fn user_id(j: usize) -> String {
    format!("u{j:07}")
}

/// The organizations, their members and their sites, one `INSERT ... SELECT`
/// each over a generated series: seconds, where 100,000 creations through the
/// service would be 100,000 transactions.
async fn seed(store: &Store, url: &str, args: &Args) -> Result<()> {
    let sqlite = url.starts_with("sqlite:");
    // The text of `prefix` and a number padded to 7 digits.
    let id = |prefix: &str, n: &str| match sqlite {
        true => format!("printf('{prefix}%07d', {n})"),
        false => format!("'{prefix}' || lpad(({n})::text, 7, '0')"),
    };
    let series = |name: &str, first: usize, last: usize| {
        format!("{name}(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM {name} WHERE i < {last})")
    };
    let genesis = Head::genesis();
    let (orgs, people, sites) = (
        series("o", 1, args.orgs),
        series("p", 0, args.members - 1),
        series("s", 1, args.objects),
    );
    let statements = [
        format!(
            "WITH RECURSIVE {orgs} INSERT INTO organizations \
             (id, name, owner_id, deleted, head_seq, head_hash) \
             SELECT {}, 'Org ' || i, 'owner', 0, {}, '{}' FROM o",
            id("o", "i"),
            genesis.seq,
            genesis.hash
        ),
        format!(
            "WITH RECURSIVE {orgs}, {people} INSERT INTO memberships \
             (org_id, user_id, email, name, role) \
             SELECT {}, CASE WHEN p.i = 0 THEN 'owner' ELSE {} END, \
             CASE WHEN p.i = 0 THEN 'owner@x.test' ELSE {} || '@x.test' END, 'Person', \
             CASE WHEN p.i = 0 THEN 'owner' WHEN p.i % 2 = 0 THEN 'operator' ELSE 'viewer' END \
             FROM o, p",
            id("o", "o.i"),
            id("u", "p.i"),
            id("u", "p.i"),
        ),
        format!(
            "WITH RECURSIVE {orgs}, {sites} INSERT INTO objects \
             (org_id, id, type, name, parent_id, owner_id) \
             SELECT {}, 'site' || s.i, 'site', 'Site', NULL, \
             CASE WHEN s.i % 2 = 1 THEN 'owner' END FROM o, s",
            id("o", "o.i"),
        ),
    ];
    let mut tx = store.pool().begin().await?;
    for sql in statements {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    if sqlite {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.pool())
            .await?;
    } else {
        sqlx::query("VACUUM ANALYZE").execute(store.pool()).await?;
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn quantile(times: &mut [Duration], q: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * q) as usize]
}

/// A line of /proc/self/status, in KiB.
fn status_kib(key: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = (status.lines())
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .with_context(|| format!("no {key} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches(" kB").parse::<u64>()?)
}

/// xorshift64: the same organizations every run, without a crate.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
