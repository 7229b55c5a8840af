//! `/metrics` in Prometheus text: requests and their latency by route and status,
//! and checks by answer. Counters are relaxed atomics behind a map read-locked
//! per request, hashed with FxHash (the keys are this crate's route templates,
//! not a client's choice); a request whose route was seen before allocates
//! nothing here and takes no reference count.

use crate::application::CheckTally;
use axum::http::Method;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    /// By route template, then method and status.
    routes: RwLock<FxHashMap<String, ByMethodAndStatus>>,
}

type ByMethodAndStatus = FxHashMap<(Method, u16), Arc<RouteStats>>;

#[derive(Default)]
struct RouteStats {
    count: AtomicU64,
    micros: AtomicU64,
    /// Answers whose time is at most this bucket's bound and over the one
    /// before: one increment per answer (not one per bucket it is under), the
    /// cumulative counts Prometheus reads are summed when rendered.
    buckets: [AtomicU64; BUCKETS.len()],
}

impl RouteStats {
    fn add(&self, seconds: f64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Metrics {
    /// Counts one answer under its route template (`/api/v1/orgs/{org}`), never
    /// the raw path, so ids do not become labels.
    pub fn observe(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let key = (method.clone(), status);
        {
            // Counted under the read lock: no reference count taken and dropped.
            let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
            if let Some(stats) = routes.get(route).and_then(|r| r.get(&key)) {
                stats.add(seconds);
                return;
            }
        }
        let stats = self
            .routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(route.to_string())
            .or_default()
            .entry(key)
            .or_default()
            .clone();
        stats.add(seconds);
    }

    /// The Prometheus text exposition, with the application's check tally.
    pub fn render(&self, checks: &CheckTally) -> String {
        let (allowed, denied) = checks.totals();
        let mut out = String::new();
        out.push_str("# HELP steward_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE steward_http_requests_total counter\n");
        // Sorted, so the text is stable from one scrape to the next.
        let routes: BTreeMap<(String, String, u16), Arc<RouteStats>> = self
            .routes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .flat_map(|(route, by)| {
                by.iter().map(move |((method, status), s)| {
                    ((method.to_string(), route.clone(), *status), s.clone())
                })
            })
            .collect();
        for ((method, route, status), s) in routes.iter() {
            let _ = writeln!(
                out,
                "steward_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP steward_http_request_duration_seconds Time to answer.\n");
        out.push_str("# TYPE steward_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            let mut under = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                under += s.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "steward_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {under}"
                );
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "steward_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "steward_http_request_duration_seconds_sum{{{labels}}} {}",
                s.micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "steward_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        out.push_str("# HELP steward_checks_total Permission checks answered, by result.\n");
        out.push_str("# TYPE steward_checks_total counter\n");
        let _ = writeln!(out, "steward_checks_total{{result=\"allowed\"}} {allowed}");
        let _ = writeln!(out, "steward_checks_total{{result=\"denied\"}} {denied}");
        out
    }
}

/// The organizations held in memory, in Prometheus text
/// (docs/scaling.md#a-memory-limit).
pub fn holding(figures: &crate::service::HoldingFigures) -> String {
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, kind: &str, value: u64| {
        let _ = writeln!(out, "# HELP steward_{name} {help}");
        let _ = writeln!(out, "# TYPE steward_{name} {kind}");
        let _ = writeln!(out, "steward_{name} {value}");
    };
    let (held, known) = (figures.held as u64, figures.known as u64);
    gauge(
        "organizations_held",
        "Organizations held whole in memory.",
        "gauge",
        held,
    );
    let help = "Organizations this node knows, held or dropped under the memory limit.";
    gauge("organizations_known", help, "gauge", known);
    let help = "Estimated bytes of the organizations held (state and check snapshot).";
    gauge(
        "organizations_estimated_bytes",
        help,
        "gauge",
        figures.estimated_bytes,
    );
    if let Some(limit) = figures.limit {
        gauge("memory_limit_bytes", "The --memory-limit.", "gauge", limit);
    }
    let help = "Organizations dropped to keep under the memory limit.";
    gauge(
        "organization_evictions_total",
        help,
        "counter",
        figures.evictions,
    );
    let help = "Dropped organizations loaded again on their next use.";
    gauge(
        "organization_reloads_total",
        help,
        "counter",
        figures.reloads,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_counts_by_route_and_checks_by_result() {
        let m = Metrics::default();
        m.observe(&Method::POST, "/api/v1/orgs/{org}/check", 200, 0.0007);
        m.observe(&Method::POST, "/api/v1/orgs/{org}/check", 200, 0.02);
        let checks = CheckTally::default();
        checks.count(3, 1);
        let text = m.render(&checks);
        assert!(text.contains(
            "steward_http_requests_total{method=\"POST\",route=\"/api/v1/orgs/{org}/check\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.0005\"} 0"));
        assert!(text.contains("le=\"0.001\"} 1"));
        assert!(
            text.contains("le=\"0.025\"} 2"),
            "the buckets are cumulative"
        );
        assert!(text.contains("le=\"2.5\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("steward_checks_total{result=\"allowed\"} 3"));
        assert!(text.contains("steward_checks_total{result=\"denied\"} 1"));
    }
}
