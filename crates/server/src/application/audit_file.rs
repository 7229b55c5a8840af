//! An exported audit log verified with no database: every line's hash is
//! computed again from the text it covers, each event links to the one before,
//! numbered from 1, and what the line shows agrees with the text hashed
//! (docs/audit.md#the-hash). `steward audit verify --file` runs it.

use crate::store::{actor_id, chain_hash, Head};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::BufRead;
use steward_core::{Event, OrgId};

/// What a file's verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The organization the events are of (`None`: the file has none).
    pub org: Option<String>,
    pub events: i64,
    /// The first event that does not hold, and why.
    pub broken: Option<(i64, String)>,
}

/// One line as the export writes it (`ChainedEvent`): the fields the hash
/// covers, and those shown beside it that must agree with them.
#[derive(Debug, Deserialize)]
struct Line {
    org_id: String,
    seq: i64,
    prev_hash: String,
    hash: String,
    body: String,
    at: i64,
    #[serde(rename = "type")]
    event_type: String,
    actor_id: Option<String>,
    target_id: Option<String>,
    data: serde_json::Value,
    #[serde(default)]
    names: BTreeMap<String, String>,
}

/// Verifies the lines of an export, oldest first from the organization's first
/// event; stops at the first that does not hold. Fails only when the file
/// cannot be read.
pub fn verify_file(file: impl BufRead) -> std::io::Result<FileReport> {
    let mut report = FileReport {
        org: None,
        events: 0,
        broken: None,
    };
    let mut prev = Head::genesis();
    for line in file.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let expected = prev.seq + 1;
        match check_line(&line, report.org.as_deref(), &prev) {
            Ok((org, head)) => {
                report.org.get_or_insert(org);
                report.events += 1;
                prev = head;
            }
            Err(why) => {
                // A line that does not parse is named by the seq it should have.
                let seq = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v["seq"].as_i64())
                    .unwrap_or(expected);
                report.broken = Some((seq, why));
                return Ok(report);
            }
        }
    }
    if report.events == 0 {
        report.broken = Some((1, "the file holds no events".into()));
    }
    Ok(report)
}

/// One line against the event before it: its organization and its head, or why
/// it does not hold.
fn check_line(text: &str, org: Option<&str>, prev: &Head) -> Result<(String, Head), String> {
    let line: Line = serde_json::from_str(text)
        .map_err(|e| format!("the line is not an exported event: {e}"))?;
    if let Some(org) = org.filter(|&o| o != line.org_id) {
        return Err(format!("the event is of {}, not {org}", line.org_id));
    }
    let org_id =
        OrgId::parse(&line.org_id).map_err(|e| format!("org_id {:?}: {e}", line.org_id))?;
    if line.seq != prev.seq + 1 {
        return Err(format!(
            "expected event #{} after #{}, found #{}",
            prev.seq + 1,
            prev.seq,
            line.seq
        ));
    }
    if line.prev_hash != prev.hash {
        return Err("its prev_hash is not the hash of the event before".into());
    }
    if chain_hash(&org_id, line.seq, &line.prev_hash, &line.body) != line.hash {
        return Err("its hash is not the SHA-256 of what it covers".into());
    }
    let event: Event =
        serde_json::from_str(&line.body).map_err(|e| format!("its body is not an event: {e}"))?;
    let body: serde_json::Value = serde_json::from_str(&line.body).unwrap_or_default();
    let agrees = line.at == event.at.0
        && line.event_type == event.change.type_name()
        && line.actor_id.as_deref() == actor_id(&event.actor)
        && line.target_id.as_deref() == event.change.target()
        && &line.data == body.get("data").unwrap_or(&serde_json::Value::Null)
        && line.names == event.names;
    if !agrees {
        return Err("what the line shows differs from the text its hash covers".into());
    }
    Ok((
        line.org_id,
        Head {
            seq: line.seq,
            hash: line.hash,
        },
    ))
}
