//! Giving back to the system what the start-up allocated and freed. Reading and
//! restoring 1,000,000 members and objects frees row buffers, vectors grown by
//! doubling and intermediate trees; glibc's malloc keeps those pages, scattered
//! among the live ones, in the arena of the thread that freed them, so they stay
//! in the process's resident set (about 30 MiB at 1,000,000 + 1,000,000,
//! docs/benchmarks.md; docs/scaling.md#memory).

/// Bytes from which a block gets pages of its own (glibc's initial threshold).
const OWN_PAGES_FROM: usize = 128 * 1024;

/// Keeps every block of `OWN_PAGES_FROM` bytes or more in pages of its own, which
/// go back to the system when it is freed. glibc otherwise raises that threshold
/// to the size of each such block freed (up to 32 MiB): once the first large
/// vector of a load is freed, the later ones (row buffers, vectors grown by
/// doubling) come from the arenas, and what they leave between the live chunks
/// stays resident. At 1,000,000 + 1,000,000 on SQLite that was 15 MiB more anonymous
/// memory in five starts out of six, and none in six with the threshold kept
/// (docs/benchmarks.md#malloc-keeps-the-large-blocks-threshold-issue-20-stop-30).
/// Called once, before the first organization is loaded. Whether it was set.
pub fn keep_large_blocks_in_own_pages() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` sets one of malloc's parameters under its lock; any
        // thread may call it at any time.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_PAGES_FROM as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Returns the whole free pages every malloc arena holds to the system
/// (`malloc_trim`, which `madvise`s them away). Once, when the start-up has loaded
/// everything: it walks every free chunk under each arena's lock, some
/// milliseconds at 1,000,000 + 1,000,000. Whether anything was given back.
pub fn give_back() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only works on malloc's own free lists, under the
        // arenas' locks; any thread may call it at any time.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// The process's anonymous resident memory, in KiB.
    fn resident_anonymous() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("RssAnon:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Set in the process a test re-runs itself in.
    const ALONE: &str = "STEWARD_FREED_MEMORY_TEST_ALONE";

    /// Runs `measure` in a process of its own: the tests read the whole
    /// process's resident memory, which every other test running beside them in
    /// this one moves by megabytes (CI saw 78 MiB given back where 99 MiB was
    /// freed). The parent re-runs the test binary on this one test; the child,
    /// finding `ALONE` set, measures.
    fn alone(test: &str, measure: fn()) {
        if std::env::var_os(ALONE).is_some() {
            return measure();
        }
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                &format!("freed_memory::tests::{test}"),
                "--exact",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .env(ALONE, "1")
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{printed}");
        // A filter matching nothing passes too: make sure the test ran.
        assert!(printed.contains("1 passed"), "{printed}");
    }

    #[test]
    fn memory_freed_between_live_chunks_goes_back_to_the_system() {
        alone(
            "memory_freed_between_live_chunks_goes_back_to_the_system",
            memory_freed_between_live_chunks,
        );
    }

    fn memory_freed_between_live_chunks() {
        // 64 MiB in 1-KiB chunks, all freed but the last, which keeps malloc
        // from trimming the freed ones off the top of its heap by itself.
        let mut chunks: Vec<Box<[u8; 1024]>> = (0..65_536).map(|_| Box::new([1; 1024])).collect();
        let last = chunks.pop();
        drop(chunks);
        let before = resident_anonymous();
        assert!(give_back());
        let after = resident_anonymous();
        drop(last);
        assert!(
            before - after.min(before) > 32 * 1024,
            "resident {before} KiB before, {after} KiB after"
        );
    }

    #[test]
    fn blocks_allocated_after_a_large_one_was_freed_still_go_back_when_freed() {
        alone(
            "blocks_allocated_after_a_large_one_was_freed_still_go_back_when_freed",
            blocks_after_a_large_one_freed,
        );
    }

    fn blocks_after_a_large_one_freed() {
        assert!(keep_large_blocks_in_own_pages());
        // A large block freed: without the kept threshold, malloc would now serve
        // blocks up to its size from the arena.
        drop(std::hint::black_box(vec![1u8; 48 << 20]));
        // 96 MiB in 512-KiB blocks, a small live chunk after each, so that freed
        // blocks inside an arena could not merge into its top and be trimmed.
        let mut blocks = Vec::new();
        let mut pins = Vec::new();
        for _ in 0..192 {
            blocks.push(vec![1u8; 512 << 10]);
            pins.push(Box::new([1u8; 64]));
        }
        // In pages of their own, nearly all 96 MiB go back (99 MiB seen, the
        // vector of blocks included); from the arenas, 55 MiB did.
        let before = resident_anonymous();
        drop(blocks);
        let after = resident_anonymous();
        drop(pins);
        assert!(
            before - after.min(before) > 80 * 1024,
            "resident {before} KiB before, {after} KiB after"
        );
    }
}
