//! Writes per second, through the service, on SQLite and PostgreSQL: role changes
//! (`Service::execute(ChangeRole)`, each with its hash-chained audit event and
//! membership row) by one client, one after the other, and by `--clients` clients
//! at once, each on its own organization, where group commit
//! (docs/architecture.md#group-commit) lets changes that arrive together share a
//! transaction and its fsync. Each client waits for its change before the next, as
//! an HTTP client would; the figure is the changes of all clients over the wall
//! time, with each change's latency (p50, p99).
//!
//! ```sh
//! cargo bench -p steward --bench writes -- [--backend sqlite|postgres] \
//!     [--clients 32] [--changes 300] [--single 2000] [--members 20]
//! ```
//!
//! Without `--backend`: SQLite, and PostgreSQL too when `STEWARD_TEST_POSTGRES_URL`
//! is set (in a database created for the run and dropped after it).
//! `bench/writes/run.sh` runs it three times on both.

use anyhow::{anyhow, bail, Context as _, Result};
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};
use steward::secrets::random_id;
use steward::service::Service;
use steward::store::Store;
use steward_core::{Actor, Command, Email, InvitationId, Name, OrgId, Policy, Timestamp, UserId};

const POSTGRES_URL_VAR: &str = "STEWARD_TEST_POSTGRES_URL";

struct Args {
    backend: Option<String>,
    clients: usize,
    changes: usize,
    single: usize,
    members: usize,
}

fn main() -> Result<()> {
    let mut args = Args {
        backend: None,
        clients: 32,
        changes: 300,
        single: 2000,
        members: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--backend" => args.backend = Some(value()?),
            "--clients" => args.clients = value()?.parse()?,
            "--changes" => args.changes = value()?.parse()?,
            "--single" => args.single = value()?.parse()?,
            "--members" => args.members = value()?.parse()?,
            "--bench" => {} // added by `cargo bench`
            other => bail!("unknown argument {other}"),
        }
    }
    let mut backends = vec!["sqlite"];
    if std::env::var(POSTGRES_URL_VAR).is_ok_and(|s| !s.is_empty()) {
        backends.push("postgres");
    }
    if let Some(backend) = &args.backend {
        backends = vec![backend.as_str()];
    }
    let runtime = tokio::runtime::Runtime::new()?;
    for backend in backends {
        runtime.block_on(run(backend, &args))?;
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
            let name = format!("steward_writes_{}", random_id("db"));
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
    let svc = Service::open(Store::open(url).await?, policy).await?;
    let mut orgs = Vec::with_capacity(args.clients);
    for i in 0..args.clients.max(1) {
        let org = OrgId::parse(&format!("writes{i:03}"))?;
        create_org(&svc, &org).await?;
        add_members(&svc, &org, args.members).await?;
        orgs.push(org);
    }

    let t = Instant::now();
    let latencies = change_roles(svc.clone(), orgs[0].clone(), args.members, args.single).await?;
    let line = figures(args.single, t.elapsed(), latencies);
    println!("{b}: 1 client: {line}");

    let before = group_note(&svc);
    let t = Instant::now();
    let tasks: Vec<_> = (orgs.iter().cloned())
        .map(|org| {
            let (svc, members, changes) = (svc.clone(), args.members, args.changes);
            tokio::spawn(change_roles(svc, org, members, changes))
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let line = figures(latencies.len(), t.elapsed(), latencies);
    let groups = group_note(&svc) - before;
    let clients = orgs.len();
    println!("{b}: {clients} clients on {clients} organizations: {line}{groups}");
    svc.store().pool().close().await;
    Ok(())
}

/// The changes per second and the latency percentiles.
fn figures(n: usize, wall: Duration, mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    let ms = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    let rate = n as f64 / wall.as_secs_f64();
    let secs = wall.as_secs_f64();
    let (p50, p99) = (ms(0.5), ms(0.99));
    format!("{rate:.0}/s ({n} in {secs:.2} s; p50 {p50:.2} ms, p99 {p99:.2} ms)")
}

/// The groups committed so far, to show how many changes shared a commit.
struct Groups(steward::store::GroupCounts);

fn group_note(svc: &Service) -> Groups {
    Groups(svc.store().group_counts())
}

impl std::ops::Sub for Groups {
    type Output = String;
    fn sub(self, before: Groups) -> String {
        let (groups, changes) = (
            self.0.groups - before.0.groups,
            self.0.changes - before.0.changes,
        );
        let mean = changes as f64 / groups.max(1) as f64;
        format!("; {groups} commits, {mean:.1} changes each")
    }
}

fn owner() -> UserId {
    UserId::parse("owner").expect("a valid id")
}

fn user(i: usize) -> String {
    format!("u{i:04}")
}

async fn create_org(svc: &Service, org: &OrgId) -> Result<()> {
    let command = Command::CreateOrganization {
        org_id: org.clone(),
        name: Name::parse("Writes")?,
        owner_id: owner(),
        owner_email: Email::parse("owner@writes.test")?,
        owner_name: Name::parse("Owner")?,
    };
    svc.create_organization(&Actor::User(owner()), command)
        .await?;
    Ok(())
}

/// Members `u0001`..`u{n}`, viewers, through the service: invited, then joining.
async fn add_members(svc: &Service, org: &OrgId, n: usize) -> Result<()> {
    let expires_at = Timestamp(svc.clock().now().0 + 7 * 86_400);
    for i in 1..=n {
        let invitation_id = InvitationId::parse(&format!("inv{i:04}"))?;
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            email: Email::parse(&format!("{}@writes.test", user(i)))?,
            name: None,
            role: Some("viewer".into()),
            scopes: vec![],
            expires_at,
        };
        svc.execute(org, &Actor::User(owner()), invite).await?;
        let member = UserId::parse(&user(i))?;
        let join = Command::Join {
            invitation_id,
            user_id: member.clone(),
            name: Some(Name::parse(&format!("User {i}"))?),
        };
        svc.execute(org, &Actor::User(member), join).await?;
    }
    Ok(())
}

/// `changes` role changes by the owner, one after the other, round the members,
/// each between viewer and operator. Answers each one's latency.
async fn change_roles(
    svc: Service,
    org: OrgId,
    members: usize,
    changes: usize,
) -> Result<Vec<Duration>> {
    let mut roles: Vec<&str> = svc
        .read(&org, |s| {
            (1..=members)
                .map(|i| {
                    let id = UserId::parse(&user(i)).expect("a valid id");
                    match s.member(&id).map(|m| m.role.as_str()) {
                        Some("operator") => "operator",
                        _ => "viewer",
                    }
                })
                .collect()
        })
        .await?;
    let mut latencies = Vec::with_capacity(changes);
    for j in 0..changes {
        let i = j % members;
        let role = if roles[i] == "viewer" {
            "operator"
        } else {
            "viewer"
        };
        let command = Command::ChangeRole {
            user_id: UserId::parse(&user(i + 1))?,
            role: role.to_string(),
        };
        let t = Instant::now();
        let events = svc.execute(&org, &Actor::User(owner()), command).await?;
        latencies.push(t.elapsed());
        if events.is_empty() {
            bail!("changing {}'s role to {role} changed nothing", user(i + 1));
        }
        roles[i] = role;
    }
    Ok(latencies)
}
