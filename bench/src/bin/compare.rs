//! Prints ns/check for Steward, the floor, cedar-policy and casbin on the analytics
//! workload, their agreement with Steward, and (with `--scale`) Steward at 1,000,000
//! projects.
//!
//! cargo run --release --manifest-path bench/Cargo.toml --bin compare -- [options]
//!   --projects N      projects (default 100000; 5 questions each)
//!   --users N         members (default 10000)
//!   --checks N        questions in the mix (default 1000000)
//!   --peer-checks N   questions asked of cedar and casbin (default 50000)
//!   --agreement N     questions compared between engines (default 20000)
//!   --no-peers        Steward and the floor only
//!   --minted-ids      ids as Steward mints them (`project_` and 20 base-32
//!                     characters...) instead of `p3`; Steward and the floor only
//!   --hinted-ids      as --minted-ids, object ids with their hint (`project_u`,
//!                     five characters of the creation order, 14 random ones)
//!   --scale           also measure Steward and the floor at 1,000,000 projects
//!   --print-models    print the Cedar policies and the casbin model, and exit

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
#[cfg(feature = "peers")]
use steward_bench::casbin_engine::CasbinEngine;
#[cfg(feature = "peers")]
use steward_bench::cedar_engine::CedarEngine;
#[cfg(feature = "peers")]
use steward_bench::timing::ns_per_check;
use steward_bench::timing::{median, round};
#[cfg(feature = "peers")]
use steward_bench::workload::Question;
use steward_bench::workload::{self, Floor, Params, Workload};
use steward_core::snapshot::Snapshot;
use steward_core::Policy;

struct Options {
    params: Params,
    peer_checks: usize,
    agreement: usize,
    peers: bool,
    scale: bool,
    print_models: bool,
}

fn options() -> Options {
    let mut o = Options {
        params: Params::default(),
        peer_checks: 50_000,
        agreement: 20_000,
        peers: true,
        scale: false,
        print_models: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = || -> usize {
            args.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| panic!("{a} needs a number"))
        };
        match a.as_str() {
            "--projects" => o.params.projects = num(),
            "--users" => o.params.users = num(),
            "--checks" => o.params.checks = num(),
            "--peer-checks" => o.peer_checks = num(),
            "--agreement" => o.agreement = num(),
            "--no-peers" => o.peers = false,
            "--minted-ids" => {
                o.params.minted_ids = true;
                o.peers = false;
            }
            "--hinted-ids" => {
                o.params.minted_ids = true;
                o.params.hinted_ids = true;
                o.peers = false;
            }
            "--scale" => o.scale = true,
            "--print-models" => o.print_models = true,
            "--bench" => {} // passed by `cargo bench`
            other => panic!("unknown option {other}"),
        }
    }
    o
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let t = f();
    eprintln!("  {what}: {:.1} s", start.elapsed().as_secs_f64());
    t
}

struct Row {
    engine: String,
    ns: f64,
    questions: usize,
}

/// Every question's ids in one contiguous buffer.
struct QuestionNames {
    text: String,
    /// Per question: user id span, object id span (start, end), and the action.
    spans: Vec<(u32, u32, u32, u32, &'static str)>,
}

impl QuestionNames {
    fn new(w: &Workload) -> Self {
        let mut text = String::new();
        let mut spans = Vec::with_capacity(w.questions.len());
        for &q in &w.questions {
            let (u, a, o) = w.names(q);
            let us = text.len() as u32;
            text.push_str(&u);
            let os = text.len() as u32;
            text.push_str(&o);
            spans.push((us, os, os, text.len() as u32, a));
        }
        QuestionNames { text, spans }
    }

    #[inline]
    fn get(&self, i: usize) -> (&str, &str, &str) {
        let (us, ue, os, oe, a) = self.spans[i];
        (
            &self.text[us as usize..ue as usize],
            a,
            &self.text[os as usize..oe as usize],
        )
    }
}

/// Steward (refs and by name) and the floor on one workload.
fn measure_steward(
    w: &Workload,
    policy: &Arc<Policy>,
    floor: &Floor,
    rows: &mut Vec<Row>,
    label: &str,
) -> Snapshot {
    let snap = timed("Snapshot::build", || {
        Snapshot::build(policy.clone(), &w.state)
    });
    let refs = timed("resolve refs", || workload::resolve(&snap, w));
    // The ids sit in one buffer, in question order, as in a request body: a real
    // caller's strings are where it just parsed them, not scattered over the heap.
    let names = timed("question names", || QuestionNames::new(w));
    // Each question's ids as a caller holds them, `&str`s it parsed, prepared once as
    // the floor's questions and the refs are: slicing the buffer per question (about
    // 50 instructions, two UTF-8 boundary checks each) was the bench's cost, not
    // Steward's (docs/benchmarks.md#the-check-by-name-against-the-floor-issue-19-2026-12-03).
    let asked: Vec<(&str, &str, &str)> = (0..w.questions.len()).map(|i| names.get(i)).collect();
    let n = w.questions.len();
    let min_round = Duration::from_millis(500);
    let qs = &w.questions;
    let mut floor_check = |i: usize| floor.check(qs[i]);
    let mut refs_check = |i: usize| {
        let (u, a, o) = refs[i];
        snap.check(u, a, o).allowed
    };
    let mut name_check = |i: usize| {
        let (u, a, o) = asked[i];
        snap.check_by_name(u, a, o).allowed
    };
    // The answer without its reason (`allows`): the organization role goes first,
    // as in the floor, which answers a bool too.
    let mut refs_allows = |i: usize| {
        let (u, a, o) = refs[i];
        snap.allows(u, a, o)
    };
    let mut name_allows = |i: usize| {
        let (u, a, o) = asked[i];
        snap.allows_by_name(u, a, o)
    };
    // Where check_by_name's time goes: resolving the ids alone.
    let mut node_lookup = |i: usize| snap.node(asked[i].2).is_some();
    let mut user_lookup = |i: usize| snap.user(asked[i].0).is_some();
    let mut action_lookup = |i: usize| snap.action(asked[i].1).is_some();
    // Warm-up, then rounds interleaved so that a noisy moment of the machine falls on
    // every engine alike; the median round of each is reported.
    for f in [
        &mut floor_check as &mut dyn FnMut(usize) -> bool,
        &mut refs_check,
        &mut name_check,
        &mut refs_allows,
        &mut name_allows,
    ] {
        round(n, Duration::ZERO, &mut |i| f(i));
    }
    let (mut tf, mut tr, mut tn) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tra, mut tna) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        tf.push(round(n, min_round, &mut floor_check));
        tr.push(round(n, min_round, &mut refs_check));
        tn.push(round(n, min_round, &mut name_check));
        tra.push(round(n, min_round, &mut refs_allows));
        tna.push(round(n, min_round, &mut name_allows));
    }
    eprintln!("  rounds (ns/check): floor {tf:.1?}, refs {tr:.1?}, by name {tn:.1?}");
    eprintln!("  rounds (ns/check): allows (refs) {tra:.1?}, allows_by_name {tna:.1?}");
    let (mut tnode, mut tuser, mut taction) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        tnode.push(round(n, min_round, &mut node_lookup));
        tuser.push(round(n, min_round, &mut user_lookup));
        taction.push(round(n, min_round, &mut action_lookup));
    }
    for (engine, t) in [
        ("floor (flat lookups)", tf),
        ("steward check (refs)", tr),
        ("steward check_by_name", tn),
        ("steward allows (refs, no reason)", tra),
        ("steward allows_by_name (no reason)", tna),
        ("  of which: snap.node(object id)", tnode),
        ("  of which: snap.user(user id)", tuser),
        ("  of which: snap.action(action)", taction),
    ] {
        rows.push(Row {
            engine: format!("{engine}{label}"),
            ns: median(t),
            questions: n,
        });
    }
    snap
}

fn agreement(
    name: &str,
    n: usize,
    steward: &[bool],
    mut other: impl FnMut(usize) -> bool,
    w: &Workload,
) {
    let mut agree = 0;
    let mut shown = 0;
    for (i, &s) in steward.iter().enumerate().take(n) {
        let o = other(i);
        if o == s {
            agree += 1;
        } else if shown < 5 {
            shown += 1;
            let (u, a, obj) = w.names(w.questions[i]);
            println!("    disagreement: {name} says {o}, steward {s} for ({u}, {a}, {obj})");
        }
    }
    println!(
        "  {name:<28} agrees with steward on {agree}/{n} ({:.3}%)",
        100.0 * agree as f64 / n as f64
    );
}

fn main() {
    let opts = options();
    let policy = Arc::new(Policy::preset("analytics").expect("analytics preset"));
    let role_actions = workload::role_actions(&policy);
    #[cfg(feature = "peers")]
    if opts.print_models {
        println!(
            "# Cedar policies\n\n{}",
            steward_bench::cedar_engine::policy_text(&role_actions)
        );
        println!("# casbin model\n{}", steward_bench::casbin_engine::MODEL);
        return;
    }

    eprintln!(
        "building workload: {} users, {} projects ({} objects), {} grants, {} questions",
        opts.params.users,
        opts.params.projects,
        opts.params.objects(),
        opts.params.grants,
        opts.params.checks
    );
    let w = timed("workload (events folded with apply)", || {
        Workload::build(opts.params.clone())
    });
    let floor = Floor::new(&w, &role_actions);
    let mut rows = Vec::new();
    let snap = measure_steward(&w, &policy, &floor, &mut rows, "");

    // What the mix asks, by Steward's reasons.
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for q in &w.questions {
        let (u, a, o) = w.names(*q);
        let d = snap.check_by_name(&u, a, &o);
        let text = snap.reason_text(&d).to_string();
        let kind = text.split([':', '@']).next().unwrap_or("").to_string();
        *kinds.entry(kind).or_default() += 1;
    }
    println!("question mix by steward's reason: {kinds:?}");

    let n_agree = opts.agreement.min(w.questions.len());
    let steward_answers: Vec<bool> = w.questions[..n_agree]
        .iter()
        .map(|&q| {
            let (u, a, o) = w.names(q);
            snap.check_by_name(&u, a, &o).allowed
        })
        .collect();
    // The answers without their reason are the same answers.
    let refs = workload::resolve(&snap, &w);
    agreement(
        "steward allows_by_name",
        n_agree,
        &steward_answers,
        |i| {
            let (u, a, o) = w.names(w.questions[i]);
            snap.allows_by_name(&u, a, &o)
        },
        &w,
    );
    agreement(
        "steward allows (refs)",
        n_agree,
        &steward_answers,
        |i| {
            let (u, a, o) = refs[i];
            snap.allows(u, a, o)
        },
        &w,
    );
    println!("agreement on the first {n_agree} questions of the mix:");
    agreement(
        "reference (access::check)",
        n_agree,
        &steward_answers,
        |i| {
            let (u, a, o) = w.names(w.questions[i]);
            steward_core::access::check_by_name(&policy, &w.state, &u, a, &o).0
        },
        &w,
    );
    agreement(
        "floor",
        n_agree,
        &steward_answers,
        |i| floor.check(w.questions[i]),
        &w,
    );

    #[cfg(not(feature = "peers"))]
    if opts.peers || opts.print_models {
        eprintln!("built without the peers feature: cedar-policy and casbin are left out");
    }
    #[cfg(feature = "peers")]
    if opts.peers {
        let peer_n = opts.peer_checks.min(w.questions.len());
        let sample: &[Question] = &w.questions[..peer_n];
        let names: Vec<(String, &'static str, String)> =
            sample.iter().map(|&q| w.names(q)).collect();
        let round = Duration::from_millis(1500);

        eprintln!("building cedar entities and policies");
        let cedar = timed("cedar build", || CedarEngine::build(&w, &role_actions));
        let requests: Vec<_> = timed("cedar requests", || {
            sample.iter().map(|&q| cedar.request(&w, q)).collect()
        });
        agreement(
            "cedar-policy",
            n_agree.min(peer_n),
            &steward_answers,
            |i| cedar.check(&requests[i]),
            &w,
        );
        let ns = ns_per_check(peer_n, 3, round, |i| cedar.check(&requests[i]));
        rows.push(Row {
            engine: "cedar-policy is_authorized".into(),
            ns,
            questions: peer_n,
        });
        println!(
            "  cedar reasons, first 3 questions: {:?}",
            (0..3)
                .map(|i| cedar.reasons(&requests[i]))
                .collect::<Vec<_>>()
        );
        drop(requests);
        drop(cedar);

        eprintln!("building casbin enforcer");
        let casbin = timed("casbin build", || CasbinEngine::build(&w, &role_actions));
        eprintln!(
            "  casbin: {} p lines, {} g lines, {} g2 lines",
            casbin.p_lines, casbin.g_lines, casbin.g2_lines
        );
        agreement(
            "casbin",
            n_agree.min(peer_n),
            &steward_answers,
            |i| {
                let (u, a, o) = &names[i];
                casbin.check(u, o, a)
            },
            &w,
        );
        let ns = ns_per_check(peer_n, 3, round, |i| {
            let (u, a, o) = &names[i];
            casbin.check(u, o, a)
        });
        rows.push(Row {
            engine: "casbin enforce".into(),
            ns,
            questions: peer_n,
        });
    }

    if opts.scale {
        drop(snap);
        let params = Params {
            projects: 1_000_000,
            ..opts.params.clone()
        };
        eprintln!("building the scale workload: {} objects", params.objects());
        let big = timed("workload (1,000,000 projects)", || Workload::build(params));
        let big_floor = Floor::new(&big, &role_actions);
        let label = format!(" @{} objects", big.params.objects());
        black_box(measure_steward(
            &big, &policy, &big_floor, &mut rows, &label,
        ));
    }

    print_table(&rows, w.params.objects());
}

fn print_table(rows: &[Row], objects: usize) {
    let floor = rows
        .iter()
        .find(|r| r.engine.starts_with("floor"))
        .map_or(f64::NAN, |r| r.ns);
    let steward = rows
        .iter()
        .find(|r| r.engine.starts_with("steward check (refs)"))
        .map_or(f64::NAN, |r| r.ns);
    println!();
    println!(
        "workload: {objects} objects unless noted; ratios to the floor and Steward at that size"
    );
    println!(
        "| {:<52} | {:>10} | {:>9} | {:>10} | {:>10} |",
        "engine", "ns/check", "questions", "x floor", "x steward"
    );
    println!(
        "|{:-<54}|{:->12}|{:->11}|{:->12}|{:->12}|",
        "", "", "", "", ""
    );
    for r in rows {
        // Rows at another size compare with the floor and Steward at that size.
        let (f, s) = if r.engine.contains(" @") {
            let suffix = &r.engine[r.engine.find(" @").unwrap()..];
            let find = |prefix: &str| {
                rows.iter()
                    .find(|x| x.engine.starts_with(prefix) && x.engine.ends_with(suffix))
                    .map_or(f64::NAN, |x| x.ns)
            };
            (find("floor"), find("steward check (refs)"))
        } else {
            (floor, steward)
        };
        println!(
            "| {:<52} | {:>10.1} | {:>9} | {:>10.2} | {:>10.2} |",
            r.engine,
            r.ns,
            r.questions,
            r.ns / f,
            r.ns / s
        );
    }
}
