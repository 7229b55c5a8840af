//! The memory of a long-running node: the server's resident memory (VmRSS) fresh,
//! after sign-ins, after many writes, and against a fresh start of the same data.
//! See docs/benchmarks.md#memory.
//!
//! One process runs the server in-process (the code `steward serve` runs: store,
//! service, `Application`, the HTTP router, on a random port of 127.0.0.1) and:
//!
//! 1. reads its VmRSS fresh, after one request;
//! 2. signs people in over HTTP from `--clients` tasks at once: `--sign-ins` times a
//!    `POST /api/v1/signup` (an account and its organization: one Argon2 hash)
//!    and a `POST /api/v1/auth/login` (one Argon2 verification). Each login comes
//!    from one of 250 loopback addresses (127.0.1.x), so the per-address login
//!    limit does not refuse them;
//! 3. adds every signed-up account to the first one's organization (through the
//!    service: invited, joined), then makes `--writes` mixed writes through the
//!    service, one after the other, each its own transaction with its audit event:
//!    in turn a role change (viewer and operator), a site created, and a grant on
//!    one of the sites so far to one of the members;
//! 4. starts a second process on the same database (a fresh start holding the same
//!    data) and reads its VmRSS the same way, after one request.
//!
//! ```sh
//! cargo bench -p steward --bench memory -- [--sign-ins N] [--clients N] [--writes N]
//! ```
//!
//! Defaults: 1,000 sign-ins from 8 clients, 1,000,000 writes (about 15 minutes on a
//! 2-core machine, most of it SQLite's commits); SQLite in a temporary folder.

use anyhow::{anyhow, bail, Context as _, Result};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use steward::application::{Application, Settings};
use steward::service::Service;
use steward::store::Store;
use steward_core::{Actor, Command, Email, InvitationId, Name, ObjectId, OrgId, Policy};
use steward_core::{Timestamp, UserId};

const PASSWORD: &str = "memory bench password";
/// Login sources: 127.0.1.1 to 127.0.1.250.
const ADDRESSES: usize = 250;

struct Args {
    sign_ins: usize,
    clients: usize,
    writes: usize,
    /// The child process: start on this database, print the RSS, stop.
    restart: Option<String>,
}

fn main() -> Result<()> {
    let mut args = Args {
        sign_ins: 1_000,
        clients: 8,
        writes: 1_000_000,
        restart: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg.as_str() {
            "--sign-ins" => args.sign_ins = value()?.parse()?,
            "--clients" => args.clients = value()?.parse()?,
            "--writes" => args.writes = value()?.parse()?,
            "--restart" => args.restart = Some(value()?),
            "--bench" => {} // added by `cargo bench`
            other => bail!("unknown argument {other}"),
        }
    }
    if args.sign_ins == 0 || args.clients == 0 {
        bail!("--sign-ins and --clients must be at least 1");
    }
    // As `steward serve` builds its runtime.
    let runtime = tokio::runtime::Runtime::new()?;
    match &args.restart {
        Some(url) => runtime.block_on(restart(url)),
        None => runtime.block_on(run(&args)),
    }
}

/// The child: a fresh start on the grown database; prints `rss <KiB>`.
async fn restart(url: &str) -> Result<()> {
    let (addr, _service) = start(url).await?;
    healthy(&reqwest::Client::new(), addr).await?;
    println!("rss {}", status_kib("VmRSS")?);
    Ok(())
}

async fn run(args: &Args) -> Result<()> {
    let dir = tempfile::tempdir()?; // removed when dropped
    let file = dir.path().join("steward.db");
    let url = format!("sqlite://{}", file.display());
    let (addr, service) = start(&url).await?;
    healthy(&reqwest::Client::new(), addr).await?;
    let fresh = status_kib("VmRSS")?;
    println!("fresh: VmRSS {}", mib(fresh));

    let (t, faults) = (Instant::now(), minor_faults()?);
    let accounts = sign_in(addr, args.sign_ins, args.clients).await?;
    let secs = t.elapsed().as_secs_f64();
    let faults = minor_faults()? - faults;
    let signed = status_kib("VmRSS")?;
    println!(
        "after {} sign-ins (signup + login) from {} clients in {secs:.1} s: VmRSS {}, VmHWM {}",
        args.sign_ins,
        args.clients,
        mib(signed),
        mib(status_kib("VmHWM")?)
    );
    println!(
        "  minor page faults meanwhile: {faults} ({:.0} per sign-in, of two Argon2 computations)",
        faults as f64 / args.sign_ins as f64
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!("  5 s later: VmRSS {}", mib(status_kib("VmRSS")?));
    let again = restarted(&url)?;
    println!(
        "  a fresh start on that data: VmRSS {} (the grown node is {:.2}x)",
        mib(again),
        signed as f64 / again as f64
    );

    if args.writes == 0 {
        return Ok(());
    }
    let (org, owner) = accounts[0].clone();
    let members = join(&service, &org, &owner, &accounts[1..]).await?;
    let t = Instant::now();
    write(&service, &org, &owner, &members, args.writes, &file).await?;
    let secs = t.elapsed().as_secs_f64();
    let grown = status_kib("VmRSS")?;
    println!(
        "after {} writes in {secs:.0} s ({:.0}/s): VmRSS {}, VmHWM {}",
        args.writes,
        args.writes as f64 / secs,
        mib(grown),
        mib(status_kib("VmHWM")?)
    );
    let again = restarted(&url)?;
    println!(
        "  a fresh start on that data: VmRSS {} (the grown node is {:.2}x; goal at most 1.5x)",
        mib(again),
        grown as f64 / again as f64
    );
    Ok(())
}

/// The server as `steward serve` starts it (without its logs).
async fn start(url: &str) -> Result<(SocketAddr, Service)> {
    let policy = Policy::preset("operations").context("the operations preset")?;
    let service = Service::open(Store::open(url).await?, policy).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = Settings {
        signup: true,
        public_url: format!("http://{addr}"),
        token_audience: steward::auth::DEFAULT_TOKEN_AUDIENCE.into(),
    };
    let app = Application::open(service.clone(), config).await?;
    tokio::spawn(steward::app::serve(app, listener, std::future::pending()));
    Ok((addr, service))
}

async fn healthy(http: &reqwest::Client, addr: SocketAddr) -> Result<()> {
    let status = http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await?
        .status();
    if !status.is_success() {
        bail!("/healthz answered {status}");
    }
    Ok(())
}

/// `n` signups and logins from `clients` tasks; each account's (org, user id).
async fn sign_in(addr: SocketAddr, n: usize, clients: usize) -> Result<Vec<(OrgId, UserId)>> {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let next = next.clone();
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return Ok::<_, anyhow::Error>(done);
                    }
                    done.push((i, sign_in_one(addr, i).await?));
                }
            })
        })
        .collect();
    let mut accounts = Vec::with_capacity(n);
    for task in tasks {
        accounts.extend(task.await??);
    }
    accounts.sort_by_key(|(i, _)| *i);
    Ok(accounts.into_iter().map(|(_, a)| a).collect())
}

async fn sign_in_one(addr: SocketAddr, i: usize) -> Result<(OrgId, UserId)> {
    let from = Ipv4Addr::new(127, 0, 1, 1 + (i % ADDRESSES) as u8);
    let http = reqwest::Client::builder()
        .local_address(IpAddr::V4(from))
        .build()?;
    let email = format!("person{i}@memory.test");
    let signup = serde_json::json!({
        "email": email, "name": format!("Person {i}"),
        "password": PASSWORD, "org_name": format!("Org {i}"),
    });
    let answer = post(&http, addr, "/api/v1/signup", &signup, 201).await?;
    let org = OrgId::parse(answer["org"]["id"].as_str().unwrap_or_default())?;
    let user = UserId::parse(answer["account"]["id"].as_str().unwrap_or_default())?;
    let login = serde_json::json!({"email": email, "password": PASSWORD});
    post(&http, addr, "/api/v1/auth/login", &login, 200).await?;
    Ok((org, user))
}

async fn post(
    http: &reqwest::Client,
    addr: SocketAddr,
    path: &str,
    body: &serde_json::Value,
    expected: u16,
) -> Result<serde_json::Value> {
    let response = http
        .post(format!("http://{addr}{path}"))
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if status.as_u16() != expected {
        bail!("{path} answered {status}: {body}");
    }
    Ok(serde_json::from_str(&body)?)
}

/// The other accounts join the first one's organization as viewers.
async fn join(
    svc: &Service,
    org: &OrgId,
    owner: &UserId,
    accounts: &[(OrgId, UserId)],
) -> Result<Vec<UserId>> {
    let expires_at = Timestamp(svc.clock().now().0 + 7 * 86_400);
    let mut members = Vec::with_capacity(accounts.len());
    for (i, (_, user)) in accounts.iter().enumerate() {
        let invitation_id = InvitationId::parse(&format!("inv{i:07}"))?;
        let invite = Command::Invite {
            invitation_id: invitation_id.clone(),
            // The signed-up account's own address: `i + 1`, the first is the owner.
            email: Email::parse(&format!("person{}@memory.test", i + 1))?,
            name: None,
            role: Some("viewer".into()),
            scopes: vec![],
            expires_at,
        };
        svc.execute(org, &Actor::User(owner.clone()), invite)
            .await?;
        let join = Command::Join {
            invitation_id,
            user_id: user.clone(),
            name: None,
        };
        svc.execute(org, &Actor::User(user.clone()), join).await?;
        members.push(user.clone());
    }
    Ok(members)
}

/// `n` writes by the owner, in turn: a role change, a site, a grant.
async fn write(
    svc: &Service,
    org: &OrgId,
    owner: &UserId,
    members: &[UserId],
    n: usize,
    file: &std::path::Path,
) -> Result<()> {
    if members.is_empty() {
        bail!("the writes need at least 2 sign-ins (an owner and a member)");
    }
    let owner = Actor::User(owner.clone());
    let mut operator = vec![false; members.len()];
    let mut sites: Vec<ObjectId> = Vec::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let t = Instant::now();
    for j in 0..n {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (rng >> 33) as usize;
        let k = r % members.len();
        let command = match j % 3 {
            0 => {
                operator[k] = !operator[k];
                let role = if operator[k] { "operator" } else { "viewer" };
                Command::ChangeRole {
                    user_id: members[k].clone(),
                    role: role.into(),
                }
            }
            1 => {
                let id = ObjectId::parse(&format!("site{j:07}"))?;
                sites.push(id.clone());
                Command::CreateObject {
                    object_id: id,
                    object_type: "site".into(),
                    name: Name::parse(&format!("Site {j}"))?,
                    parent_id: None,
                    owner_id: None,
                }
            }
            _ => {
                let actions = match r % 3 {
                    0 => vec!["site:view".to_string()],
                    1 => vec!["site:view".into(), "site:operate".into()],
                    _ => vec!["site:operate".into()],
                };
                Command::SetGrant {
                    object_id: sites[(r / 7) % sites.len()].clone(),
                    user_id: members[k].clone(),
                    actions,
                }
            }
        };
        svc.execute(org, &owner, command)
            .await
            .with_context(|| format!("write {j}"))?;
        if (j + 1) % 100_000 == 0 || j + 1 == n {
            let secs = t.elapsed().as_secs_f64();
            println!(
                "  {} writes, {secs:.0} s: VmRSS {}; database {}",
                j + 1,
                mib(status_kib("VmRSS")?),
                mib(database_kib(file))
            );
        }
    }
    Ok(())
}

/// A second process started on `url`; its VmRSS in KiB.
fn restarted(url: &str) -> Result<u64> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["--restart", url])
        .output()?;
    if !out.status.success() {
        bail!(
            "the fresh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("rss "))
        .context("the fresh start printed no rss")?
        .trim()
        .parse()
        .context("the fresh start's rss")
}

/// The SQLite file and its write-ahead log, in KiB.
fn database_kib(file: &std::path::Path) -> u64 {
    let size = |p: std::path::PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    (size(file.to_path_buf()) + size(file.with_extension("db-wal"))) / 1024
}

/// The process's minor page faults so far (/proc/self/stat, field 10).
fn minor_faults() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let after_name = stat.rsplit_once(')').context("/proc/self/stat")?.1;
    // Fields from the third on: state, ppid, pgrp, session, tty, tpgid, flags, minflt.
    let field = after_name.split_whitespace().nth(7).context("no minflt")?;
    Ok(field.parse()?)
}

/// A line of /proc/self/status, in KiB.
fn status_kib(key: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = (status.lines())
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .with_context(|| format!("no {key} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches(" kB").parse()?)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
