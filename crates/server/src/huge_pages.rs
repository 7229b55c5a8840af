//! Large blocks in transparent huge pages. Loading 1,000,000 members and objects
//! touches about 400 MiB of new memory, and with 4-KiB pages the kernel takes a
//! page fault and zeroes a page for every 4 KiB of it: a tenth of the start-up's
//! CPU. A block of 2 MiB or more is marked `MADV_HUGEPAGE`, so on a kernel whose
//! transparent huge pages are `madvise` (Debian's default) it is faulted in
//! 2-MiB pages; small blocks and malloc's arenas are left as they are. `serve`
//! turns it on; other commands allocate little and keep malloc as it is.
//! Figures: docs/benchmarks.md, "Start-up on a quiet machine, and huge pages
//! for large blocks".

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

/// The size of a huge page on x86-64 and of the smallest on aarch64: a block
/// smaller than this has no whole huge page to give.
const HUGE_PAGE: usize = 2 << 20;

static ADVISING: AtomicBool = AtomicBool::new(false);

/// Marks every block of `HUGE_PAGE` bytes or more allocated from now on for
/// huge pages. Whether this system can (Linux with glibc).
pub fn advise_for_large_blocks() -> bool {
    let can = cfg!(all(target_os = "linux", target_env = "gnu"));
    ADVISING.store(can, Ordering::Relaxed);
    can
}

/// The system's allocator, which marks the large blocks once
/// `advise_for_large_blocks` was called. The binary's global allocator.
pub struct LargeBlocksInHugePages;

// SAFETY: every call is the system allocator's, with the caller's arguments; the
// advice only changes how the kernel backs pages the block already owns.
unsafe impl GlobalAlloc for LargeBlocksInHugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = System.alloc(layout);
        advise(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // A block malloc maps by itself comes zeroed from the kernel untouched,
        // so the advice still comes before its pages are faulted in.
        let block = System.alloc_zeroed(layout);
        advise(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        System.dealloc(block, layout)
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A vector grown past `HUGE_PAGE` by doubling: the grown block is advised
        // (a mapped block moved by `mremap` keeps its advice).
        let grown = System.realloc(block, layout, new_size);
        advise(grown, new_size);
        grown
    }
}

/// Advises the whole huge pages inside `[block, block + size)`.
#[inline]
fn advise(block: *mut u8, size: usize) {
    if size < HUGE_PAGE || block.is_null() || !ADVISING.load(Ordering::Relaxed) {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let start = (block as usize).next_multiple_of(HUGE_PAGE);
        let end = (block as usize + size) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: the range lies inside a block the allocator just handed
            // out; MADV_HUGEPAGE changes no content, only how pages are backed.
            // Advice that fails (a kernel without THP) leaves small pages.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kilobytes of anonymous huge pages in this process.
    fn huge_kib() -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap();
        let line = smaps
            .lines()
            .find(|l| l.starts_with("AnonHugePages:"))
            .unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn thp_is(mode: &str) -> bool {
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
            .is_ok_and(|s| s.contains(&format!("[{mode}]")))
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn a_large_block_is_backed_by_huge_pages_once_advised() {
        // Only where the kernel gives huge pages on advice alone; the test binary's
        // own allocator is the system's, so the wrapper is called directly.
        if !thp_is("madvise") {
            eprintln!("transparent huge pages are not `madvise` here: nothing to see");
            return;
        }
        assert!(advise_for_large_blocks());
        let layout = Layout::from_size_align(64 << 20, 8).unwrap();
        let before = huge_kib();
        // SAFETY: a non-zero layout; the block is written within it and freed with it.
        unsafe {
            let block = LargeBlocksInHugePages.alloc(layout);
            assert!(!block.is_null());
            block.write_bytes(1, layout.size());
            let backed = huge_kib().saturating_sub(before);
            LargeBlocksInHugePages.dealloc(block, layout);
            // 64 MiB holds at least 31 whole 2-MiB pages wherever it starts; the
            // kernel may fall back to small pages for some when it finds no free
            // 2 MiB, so a quarter of them is asked. Without the advice: none.
            assert!(backed >= 8 * 2048, "{backed} KiB in huge pages");
        }
    }
}
