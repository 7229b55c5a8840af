//! Giving back to the system what the start-up allocated and freed. Reading and
//! restoring 1,000,000 members and objects frees row buffers, vectors grown by
//! doubling and intermediate trees; glibc's malloc keeps those pages, scattered
//! among the live ones, in the arena of the thread that freed them, so they stay
//! in the process's resident set (about 30 MiB at 1,000,000 + 1,000,000,
//! docs/benchmarks.md; docs/scaling.md#memory).

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

    #[test]
    fn memory_freed_between_live_chunks_goes_back_to_the_system() {
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
}
