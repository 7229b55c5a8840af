//! Where the bytes of a member+object pair are (issue 20, docs/benchmarks.md
//! "Memory per pair"): the scale bench's organization (1,000,000 members
//! `u0000001`... with `u...@scale.test`, `User i` and three roles; 1,000,000
//! top-level sites `site0000001`..., every other one owned by the owner, the
//! operations preset) made in memory as the loaders make its rows, restored and
//! built, and the heap each part holds counted by the allocator, with no database.
//!
//! cargo bench -p steward-core --bench pair [-- MEMBERS OBJECTS]
//!
//! Two figures per part: the bytes the program asked for, and the bytes glibc's
//! malloc gives for them (16-byte steps with an 8-byte header, 32 at least; mmap'd
//! pages from 128 KiB), which is what VmRSS sees. Also the time of
//! `State::restore` and `Snapshot::build`, on however loaded a machine it is.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;
use steward_core::state::{ByEmail, Children, Label, Member, Object, OrgInfo, Table};
use steward_core::{Email, Name, ObjectId, OrgId, Policy, Snapshot, State, StateRows, UserId};

struct Counting;
static ASKED: AtomicUsize = AtomicUsize::new(0);
static GIVEN: AtomicUsize = AtomicUsize::new(0);

/// What glibc's malloc takes for `size` bytes.
fn given(size: usize) -> usize {
    if size >= 128 * 1024 {
        (size + 16).div_ceil(4096) * 4096
    } else {
        ((size + 8 + 15) & !15).max(32)
    }
}

// SAFETY: every call goes to the system allocator unchanged; only counters move.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ASKED.fetch_add(l.size(), Relaxed);
        GIVEN.fetch_add(given(l.size()), Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        ASKED.fetch_sub(l.size(), Relaxed);
        GIVEN.fetch_sub(given(l.size()), Relaxed);
        System.dealloc(p, l)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Clone, Copy)]
struct Heap {
    asked: usize,
    given: usize,
}

fn heap() -> Heap {
    Heap {
        asked: ASKED.load(Relaxed),
        given: GIVEN.load(Relaxed),
    }
}

/// Prints the heap held since `from`, per pair.
fn report(what: &str, from: Heap, pairs: usize) -> Heap {
    let now = heap();
    let (a, g) = (now.asked - from.asked, now.given - from.given);
    println!(
        "{what:<52} {:>8.1} MiB asked {:>6.1} B/pair | {:>8.1} MiB malloc {:>6.1} B/pair",
        a as f64 / 1048576.0,
        a as f64 / pairs as f64,
        g as f64 / 1048576.0,
        g as f64 / pairs as f64
    );
    now
}

fn role_of(i: usize) -> &'static str {
    match i {
        i if i % 1000 == 0 => "admin",
        i if i % 2 == 0 => "operator",
        _ => "viewer",
    }
}

fn owner() -> UserId {
    UserId::parse("owner").unwrap()
}

fn member(i: usize) -> Member {
    let u = format!("u{i:07}");
    Member {
        user_id: UserId::parse(&u).unwrap(),
        email: Email::from_stored(&format!("{u}@scale.test")).unwrap(),
        name: Name::parse(&format!("User {i}")).unwrap(),
        // As the loaders make it: a label per row, shared by `restore`.
        role: Label::new(role_of(i)),
        suspended: false,
    }
}

fn object(i: usize, owner: &UserId) -> Object {
    Object {
        id: ObjectId::parse(&format!("site{i:07}")).unwrap(),
        object_type: Label::new("site"),
        name: Name::parse(&format!("Site {i}")).unwrap(),
        parent: None,
        owner: (i % 2 == 1).then(|| owner.clone()),
        children: Children::new(),
    }
}

fn rows(members: usize, objects: usize) -> StateRows {
    let owner = owner();
    let mut all = vec![Member {
        user_id: owner.clone(),
        email: Email::from_stored("owner@scale.test").unwrap(),
        name: Name::parse("Owner").unwrap(),
        role: Label::new("owner"),
        suspended: false,
    }];
    all.extend((1..=members).map(member));
    all.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    StateRows {
        org: Some(OrgInfo {
            id: OrgId::parse("scale").unwrap(),
            name: Name::parse("Scale").unwrap(),
            owner: owner.clone(),
            deleted: false,
            second_factor_required: false,
            on_deprovision: Default::default(),
        }),
        members: all,
        objects: (1..=objects).map(|i| object(i, &owner)).collect(),
        ..StateRows::default()
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let members = args.first().copied().unwrap_or(1_000_000);
    let objects = args.get(1).copied().unwrap_or(members);
    let pairs = members.max(objects);
    let policy = Arc::new(Policy::preset("operations").unwrap());
    println!("{members} members, {objects} objects; per pair = per {pairs}");

    // The strings alone, as many as the state keeps: each vector's own buffer is
    // taken off, so only the strings count.
    fn strings<T>(what: &str, make: impl Fn() -> Vec<T>, pairs: usize) -> Vec<T> {
        let start = heap();
        let v = make();
        let own = v.capacity() * std::mem::size_of::<T>();
        let start = Heap {
            asked: start.asked + own,
            given: start.given + given(own),
        };
        report(what, start, pairs);
        v
    }
    let ids = strings(
        "  strings: user ids",
        || (1..=members).map(|i| member(i).user_id).collect::<Vec<_>>(),
        pairs,
    );
    let emails = strings(
        "  strings: e-mails",
        || (1..=members).map(|i| member(i).email).collect::<Vec<_>>(),
        pairs,
    );
    let names = strings(
        "  strings: member names",
        || (1..=members).map(|i| member(i).name).collect::<Vec<_>>(),
        pairs,
    );
    let oids = strings(
        "  strings: object ids",
        || {
            (1..=objects)
                .map(|i| object(i, &ids[0]).id)
                .collect::<Vec<_>>()
        },
        pairs,
    );
    let onames = strings(
        "  strings: object names",
        || {
            (1..=objects)
                .map(|i| object(i, &ids[0]).name)
                .collect::<Vec<_>>()
        },
        pairs,
    );
    // The trees, apart: the same types and bulk builds as `restore`, over strings
    // made above (so only the trees count). Each is collected from a vector that
    // it frees, whose bytes are added back.
    let vec_bytes = |n: usize, each: usize| Heap {
        asked: n * each,
        given: given(n * each),
    };
    let tree = |what: &str, from: Heap, freed: Heap| {
        let from = Heap {
            asked: from.asked - freed.asked,
            given: from.given - freed.given,
        };
        report(what, from, pairs)
    };
    let ms: Vec<Member> = (0..members)
        .map(|i| Member {
            user_id: ids[i].clone(),
            email: emails[i].clone(),
            name: names[i].clone(),
            role: Label::new("viewer"),
            suspended: false,
        })
        .collect();
    let h = heap();
    let by_id: Table<Member> = ms.into_iter().collect();
    let each = std::mem::size_of::<Member>();
    tree(
        "  table: members by id (the Members)",
        h,
        vec_bytes(members, each),
    );
    let h = heap();
    let by_email: ByEmail = by_id.values().collect();
    let _ = report("  tree: members by e-mail (hash, id)", h, pairs);
    // Members by role are counts per role (`state/holders.rs`): nothing per member.
    let os: Vec<Object> = (0..objects)
        .map(|i| Object {
            id: oids[i].clone(),
            object_type: Label::new("site"),
            name: onames[i].clone(),
            parent: None,
            owner: None,
            children: Children::new(),
        })
        .collect();
    let h = heap();
    let by_oid: Table<Object> = os.into_iter().collect();
    let each = std::mem::size_of::<Object>();
    tree(
        "  table: objects by id (the Objects)",
        h,
        vec_bytes(objects, each),
    );
    println!(
        "  sizes: Member {} B, Object {} B, an id {} B, Name {} B, Email {} B",
        std::mem::size_of::<Member>(),
        std::mem::size_of::<Object>(),
        std::mem::size_of::<UserId>(),
        std::mem::size_of::<Name>(),
        std::mem::size_of::<Email>()
    );
    drop((by_id, by_email, by_oid));
    drop((ids, emails, names, oids, onames));

    let rows_of = |m: usize, o: usize| rows(m, o);
    for (what, m, o) in [
        ("members only", members, 0),
        ("objects only", 0, objects),
        ("both", members, objects),
    ] {
        let start = heap();
        let r = rows_of(m, o);
        let t = Instant::now();
        let state = State::restore(r);
        let restore = t.elapsed().as_secs_f64();
        let h = report(
            &format!("state, {what} (State::restore {restore:.2} s)"),
            start,
            pairs,
        );
        let t = Instant::now();
        let snapshot = Snapshot::build(policy.clone(), &state);
        let build = t.elapsed().as_secs_f64();
        let _ = report(
            &format!("snapshot, {what} (Snapshot::build {build:.2} s)"),
            h,
            pairs,
        );
        let _ = report(&format!("state + snapshot, {what}"), start, pairs);
        drop(snapshot);
        drop(state);
    }
}
