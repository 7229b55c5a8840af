//! The check path allocates nothing: counted by a global allocator, per thread, in
//! a test binary of its own. Per thread, because the test harness's main thread
//! may allocate while this test runs (it did, under load: 4 allocations that were
//! not the check's), and only the checking thread's allocations are the check's.

mod support;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use support::*;

struct Counting;

thread_local! {
    // `const` and without a destructor: reading it never allocates, so the
    // allocator may use it.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

/// Allocations made by this thread so far.
fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn check_allocates_nothing() {
    let mut org = Org::new("analytics");
    org.add("ana", "analyst");
    org.add("pm", "project_manager");
    org.create("pm", "p1", "project", None);
    org.create("pm", "q1", "question", Some("p1"));
    // An id as Steward mints it, found at its hint.
    let hinted =
        steward_core::minted_id::hinted_id("question", org.snapshot.next_object_hint(), &[9; 20]);
    org.create("pm", &hinted, "question", Some("p1"));
    org.grant("pm", "p1", "ana", &["project:edit"]);
    // A suspended member is denied on the same path, allocating nothing either.
    org.add("sue", "analyst");
    org.grant("pm", "p1", "sue", &["project:edit"]);
    assert_eq!(
        org.outcome(
            "owner",
            steward_core::Command::SuspendMember {
                user_id: uid("sue")
            }
        ),
        "ok"
    );
    let s = &org.snapshot;
    let questions: Vec<(&str, &str, &str)> = vec![
        ("ana", "project:edit", "q1"),
        ("ana", "project:delete", "q1"),
        ("pm", "project:delete", "q1"),
        ("owner", "org:delete", "acme"),
        ("nobody", "project:view", "p1"),
        ("ana", "project:fly", "p1"),
        ("ana", "dashboard:view", "p1"),
        ("ana", "project:view", "nothing"),
        ("sue", "project:edit", "q1"),
        ("ana", "project:edit", &hinted),
    ];
    let refs: Vec<_> = questions
        .iter()
        .filter_map(|(u, a, o)| Some((s.user(u)?, s.action(a)?, s.node(o)?)))
        .collect();
    assert_eq!(refs.len(), 6);

    let before = allocations();
    let mut allowed = 0;
    for _ in 0..1000 {
        for &(u, a, o) in &refs {
            allowed += black_box(s.check(u, a, o)).allowed as usize;
            allowed += black_box(s.allows(u, a, o)) as usize;
        }
        for (u, a, o) in &questions {
            allowed += black_box(s.check_by_name(u, a, o)).allowed as usize;
            allowed += black_box(s.allows_by_name(u, a, o)) as usize;
        }
        let (u, _, o) = refs[0];
        allowed += black_box(s.permissions(u, o)).iter().count();
    }
    let after = allocations();
    assert_eq!(after - before, 0, "the check path allocated");
    assert!(allowed > 0);

    // The counter does count: turning a reason into text allocates, as it should.
    let d = s.check(refs[0].0, refs[0].1, refs[0].2);
    let text = s.reason_text(&d).to_string();
    assert_eq!(text, "grant@p1");
    assert!(allocations() > after);
}
