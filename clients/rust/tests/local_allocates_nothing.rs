//! A check from the local copy allocates nothing, as the core's check does
//! (crates/core/tests/check_allocates_nothing.rs): counted by a global
//! allocator, per thread, in a test binary of its own. The server and the
//! copy's follower run on the runtime's other threads; only this thread's
//! allocations are the checks'.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use steward_client::{LocalCopy, Steward};

mod support;
use support::{live_steward, STRANGER};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_from_the_copy_allocates_nothing() {
    let live = live_steward(&["check", "events"]).await;
    let ann = live.join("ann@acme.test", "viewer").await;
    live.set_scope_roles(&ann, &live.site, &["operator"]).await;
    let copy = LocalCopy::load(Steward::new(&live.url, &live.org, &live.key))
        .await
        .unwrap();
    let questions = [
        (live.owner.as_str(), "site:configure", live.site.as_str()),
        (ann.as_str(), "site:operate", live.site.as_str()),
        (ann.as_str(), "members:manage", live.org.as_str()),
        (STRANGER, "site:view", live.site.as_str()),
        (ann.as_str(), "site:view", "site_00000000000000000000000000"),
    ];
    let mut reason = String::with_capacity(128);
    // On a thread of its own, so that no task of the runtime runs in between.
    let counted = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let before = allocations();
                let mut answered = 0;
                for _ in 0..1000 {
                    for (u, a, o) in questions {
                        answered += copy.check_here(black_box(u), a, o).is_some() as usize;
                        copy.check_here_with_reason(u, a, o, &mut reason);
                    }
                }
                (allocations() - before, answered)
            })
            .join()
            .unwrap()
    });
    assert_eq!(counted.1, 5000, "every check was answered here");
    assert_eq!(counted.0, 0, "allocations in 10,000 checks from the copy");
}
