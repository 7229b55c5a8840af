//! Build facts for `/metrics`' `steward_build_info` (src/telemetry/build_info.rs):
//! the git commit and the compiler. `STEWARD_GIT_COMMIT` given to the build wins
//! (a container build has no `.git`); without either, "unknown".

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=STEWARD_GIT_COMMIT");
    // The commit moves with HEAD (and the branch it names); a worktree's `.git`
    // is a file naming the real one, so ask git where HEAD lives.
    for path in ["HEAD", "refs/heads"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    let commit = std::env::var("STEWARD_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STEWARD_GIT_COMMIT={commit}");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(Command::new(rustc).arg("--version")).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STEWARD_RUSTC_VERSION={version}");
}

fn git(args: &[&str]) -> Option<String> {
    output(Command::new("git").args(args))
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
