//! The process's own figures for `/metrics`, read from Linux's /proc as
//! Prometheus' client libraries read them (resident memory, open files, CPU
//! time, start time). Elsewhere, or when /proc cannot be read, none is given.

/// Clock ticks per second of /proc/self/stat's times: `sysconf(_SC_CLK_TCK)`,
/// 100 on every Linux this runs on.
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessFigures {
    pub resident_bytes: u64,
    pub open_fds: u64,
    pub cpu_seconds: f64,
    /// Seconds since the epoch.
    pub start_time_seconds: f64,
}

impl ProcessFigures {
    /// This process's figures now; `None` without /proc.
    pub fn read() -> Option<ProcessFigures> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let machine = std::fs::read_to_string("/proc/stat").ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        let (cpu_ticks, start_ticks) = times(&stat)?;
        Some(ProcessFigures {
            resident_bytes: resident_kib(&status)? * 1024,
            open_fds,
            cpu_seconds: cpu_ticks as f64 / TICKS_PER_SECOND,
            start_time_seconds: boot_time(&machine)? as f64 + start_ticks as f64 / TICKS_PER_SECOND,
        })
    }
}

/// `VmRSS:   12345 kB` of /proc/self/status.
fn resident_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// (user + system ticks, start ticks after boot) of /proc/self/stat. The
/// command name (field 2) may hold spaces and parentheses: fields are counted
/// after its last `)`.
fn times(stat: &str) -> Option<(u64, u64)> {
    let after = &stat[stat.rfind(')')? + 1..];
    // After the name come field 3 (state) onwards: utime is field 14, stime 15,
    // starttime 22 (proc(5)).
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
    Some((field(14)? + field(15)?, field(22)?))
}

/// `btime 1700000000` of /proc/stat: when the machine booted.
fn boot_time(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|l| l.starts_with("btime "))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_times_are_read_after_a_command_name_with_spaces_and_parentheses() {
        let stat =
            "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 7000 1000 300";
        assert_eq!(times(stat), Some((300, 7000)));
    }

    #[test]
    fn resident_memory_and_boot_time_come_from_their_lines() {
        assert_eq!(resident_kib("Name:\tx\nVmRSS:\t  2048 kB\n"), Some(2048));
        assert_eq!(
            boot_time("cpu 1 2 3\nbtime 1700000000\n"),
            Some(1_700_000_000)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_memory_files_cpu_time_and_started_before_now() {
        let p = ProcessFigures::read().expect("/proc is readable");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(p.resident_bytes > 1024 * 1024, "{p:?}");
        assert!(p.open_fds >= 3, "{p:?}");
        assert!(p.cpu_seconds >= 0.0, "{p:?}");
        assert!(
            p.start_time_seconds > now - 86_400.0 && p.start_time_seconds <= now + 1.0,
            "{p:?}"
        );
    }
}
