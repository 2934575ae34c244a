//! The real pre-commit framework runs this repository's hook (`.pre-commit-hooks.yaml`):
//! `pre-commit try-repo` builds leaklint with `cargo install` and runs it on the named files.
//!
//! Needs `pre-commit` (PyPI) and git. `.ci/run` installs the pinned version and sets
//! `LEAKLINT_REQUIRE_PRE_COMMIT=1`, so there the test cannot be skipped; elsewhere, without
//! `pre-commit` on PATH, it says so and passes. The hook's `cargo install` shares this build's
//! target directory, so it reuses the compiled dependencies (oxc) instead of building them again.

#[path = "support/external_tool.rs"]
mod external_tool;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

const LEAKY: &str = "const express = require('express');
const app = express();
app.get('/events', (req, res) => {
  setInterval(() => res.write('x'), 1000);
});
";
const CLEAN: &str = "const express = require('express');
const app = express();
app.get('/events', (req, res) => {
  const timer = setInterval(() => res.write('x'), 1000);
  req.on('close', () => clearInterval(timer));
});
";

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=leaklint",
            "-c",
            "user.email=ci@leaklint.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

/// A git repository holding this checkout's files (what `.gitignore` does not exclude), so the
/// test does not depend on how the checkout was made or on uncommitted changes.
fn repository_copy(into: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = into.join("leaklint");
    for entry in ignore::WalkBuilder::new(source)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
    {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(source).unwrap();
        let target = copy.join(relative);
        if entry.file_type().is_some_and(|t| t.is_dir()) {
            std::fs::create_dir_all(&target).unwrap();
        } else if entry.file_type().is_some_and(|t| t.is_file()) {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    git(&copy, &["init", "-q"]);
    git(&copy, &["add", "-A"]);
    git(&copy, &["commit", "-q", "-m", "leaklint"]);
    copy
}

fn try_repo(project: &Path, hook_repo: &Path, home: &Path, files: &[&str]) -> Output {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`: the hook builds in this build's target directory.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    Command::new("pre-commit")
        .arg("try-repo")
        .arg(hook_repo)
        .arg("leaklint")
        .arg("--files")
        .args(files)
        .current_dir(project)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", target)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pre-commit")
}

#[test]
fn pre_commit_runs_the_hook_from_this_repository() {
    if !external_tool::available("pre-commit", "LEAKLINT_REQUIRE_PRE_COMMIT") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let hook_repo = repository_copy(work.path());
    let project = work.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join("leaky.js"), LEAKY).unwrap();
    std::fs::write(project.join("clean.mts"), CLEAN).unwrap();
    std::fs::write(project.join("notes.md"), "# notes\n").unwrap();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "-A"]);
    let home = work.path().join("pre-commit-home");

    let failed = try_repo(&project, &hook_repo, &home, &["leaky.js", "notes.md"]);
    let out = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{out}\n{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(out.contains("leaklint") && out.contains("Failed"), "{out}");
    assert!(out.contains("uncleared-interval"), "{out}");
    assert!(out.contains("leaky.js:4:3"), "{out}");

    // `.mts` is matched by name (identify has no type for it); a clean file passes.
    let passed = try_repo(&project, &hook_repo, &home, &["clean.mts", "notes.md"]);
    let out = String::from_utf8_lossy(&passed.stdout);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(out.contains("Passed"), "{out}");
}
