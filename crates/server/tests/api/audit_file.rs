//! An exported audit log verifies anywhere: `steward audit verify --file` with no
//! database, and the Python snippet of docs/audit.md, run as written; a tampered
//! line fails both, naming its event.

use crate::support::{spawn_preset, Org, TestApp};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// An organization with a few events, and its log as exported.
async fn exported(app: &TestApp) -> (Org, String) {
    let org = app.signup("olivia@acme.test", "Acme").await;
    let ann = app
        .join(&org.id, &org.owner, "ann@acme.test", Some("admin"))
        .await;
    app.set_role(&org.id, &org.owner, &ann, "operator")
        .await
        .expect(200);
    let response = app
        .http
        .get(app.url(&format!("/api/v1/orgs/{}/audit/export", org.id)))
        .bearer_auth(&org.owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    (org, response.text().await.unwrap())
}

/// `text` with the first line that mentions `needle` in its hashed body edited
/// (`needle` replaced in the body only, so the line still parses); and that
/// line's seq.
fn tampered(text: &str, needle: &str, replacement: &str) -> (String, i64) {
    let mut seq = None;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut event: Value = serde_json::from_str(line).unwrap();
            let body = event["body"].as_str().unwrap().to_string();
            if seq.is_none() && body.contains(needle) {
                seq = event["seq"].as_i64();
                event["body"] = Value::String(body.replace(needle, replacement));
                return serde_json::to_string(&event).unwrap();
            }
            line.to_string()
        })
        .collect();
    (lines.join("\n") + "\n", seq.expect("a line mentions it"))
}

fn verify_file(path: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["audit", "verify", "--file"])
        .arg(path)
        .env_remove("STEWARD_DATABASE_URL")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn an_export_verifies_offline_and_a_tampered_line_fails_naming_its_seq() {
    let app = spawn_preset("operations").await;
    let (org, text) = exported(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    std::fs::write(&file, &text).unwrap();
    let events = text.lines().count();
    let (ok, said) = verify_file(&file);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("{}: audit chain intact, {events} events", org.id)),
        "{said}"
    );

    let (edited, seq) = tampered(&text, "ann@acme.test", "eve@acme.test");
    std::fs::write(&file, edited).unwrap();
    let (ok, said) = verify_file(&file);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!("audit chain broken at event #{seq}:")),
        "{said}"
    );

    // A line whose shown data differs from its hashed body fails too.
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines[1]["type"] = Value::String("org.deleted".into());
    let shown: String = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap() + "\n")
        .collect();
    std::fs::write(&file, shown).unwrap();
    let (ok, said) = verify_file(&file);
    assert!(!ok && said.contains("broken at event #2:"), "{said}");

    // A line removed: the next one is out of place.
    let gap: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&file, gap).unwrap();
    let (ok, said) = verify_file(&file);
    assert!(!ok && said.contains("broken at event #4:"), "{said}");
}

/// The ```python block of docs/audit.md, as a customer would copy it.
fn python_snippet() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/audit.md"))
        .unwrap();
    let start = doc.find("```python\n").expect("docs/audit.md shows Python") + "```python\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

fn python(snippet: &Path, file: &Path) -> (bool, String) {
    let out = Command::new("python3")
        .arg(snippet)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 is needed to test docs/audit.md's snippet and could not run: {e}")
        });
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn the_python_of_docs_audit_md_verifies_a_real_export_and_catches_a_tampered_line() {
    let app = spawn_preset("operations").await;
    let (_, text) = exported(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let snippet = dir.path().join("verify.py");
    std::fs::write(&snippet, python_snippet()).unwrap();
    let file = dir.path().join("audit.jsonl");
    std::fs::write(&file, &text).unwrap();
    let head = text.lines().last().unwrap();
    let head: Value = serde_json::from_str(head).unwrap();
    let (ok, said) = python(&snippet, &file);
    assert!(ok, "{said}");
    assert_eq!(
        said.trim(),
        format!(
            "audit chain intact, {} events, head {}",
            text.lines().count(),
            head["hash"].as_str().unwrap()
        )
    );

    let (edited, seq) = tampered(&text, "ann@acme.test", "eve@acme.test");
    std::fs::write(&file, edited).unwrap();
    let (ok, said) = python(&snippet, &file);
    assert!(!ok, "{said}");
    assert_eq!(said.trim(), format!("audit chain broken at event #{seq}"));
}
