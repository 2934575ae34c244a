//! Input that real trees hold and that once broke a run: vendored bundles on one line,
//! non-UTF-8 text, FIFOs, directories nobody may read, absurd thread counts. Each must end with
//! a clear message and the exit code the README promises, and every finding still reported.

#[path = "support/run.rs"]
mod run;

use std::{
    path::Path,
    process::{Command, Output},
    time::Duration,
};

use run::{json, write};
use serde_json::Value;

/// A per-request leak on one line: `uncleared-interval`, an error.
const LEAK: &str = "app.get('/s', (req, res) => { setInterval(() => res.write('.'), 1000); });";

/// A single-line bundle of about `bytes` bytes with the leak at its start, middle and end.
fn bundle(bytes: usize) -> String {
    let filler = "var a=1;".repeat(bytes / 16);
    format!("{LEAK}{filler}{LEAK}{filler}{LEAK}\n")
}

/// The byte offsets of the three leaks' `setInterval` in a bundle, as UTF-16 columns.
fn columns(text: &str) -> Vec<u64> {
    text.match_indices("setInterval")
        .map(|(at, _)| at as u64 + 1)
        .collect()
}

fn leaklint(dir: &Path, args: &[&str]) -> Output {
    run::leaklint(dir, args, &[])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (file, line, column, rule) of every diagnostic in a JSON report.
fn places(report: &Value) -> Vec<(String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn findings_on_very_long_lines_are_reported_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let small = bundle(70_000);
    let large = bundle(5_000_000);
    write(dir.path(), "vendor/widget.js", &small);
    write(dir.path(), "vendor/app-bundle.js", &large);
    let mut expected = Vec::new();
    for (name, source) in [
        ("vendor/app-bundle.js", &large),
        ("vendor/widget.js", &small),
    ] {
        for column in columns(source) {
            expected.push((
                name.to_string(),
                1,
                column,
                "uncleared-interval".to_string(),
            ));
        }
    }
    assert!(
        expected.iter().any(|e| e.2 > 65_535),
        "past miette's width limit"
    );

    let output = leaklint(dir.path(), &["-f", "json", "vendor"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(places(&json(&output)), expected);

    let output = leaklint(dir.path(), &["-f", "sarif", "vendor"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif = json(&output);
    let columns: Vec<u64> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startColumn"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(columns, expected.iter().map(|e| e.2).collect::<Vec<_>>());

    let output = leaklint(dir.path(), &["-f", "github", "vendor"]);
    assert_eq!(output.status.code(), Some(1));
    let github = text(&output.stdout);
    for (name, _, column, _) in &expected {
        let needle = format!("file={name},line=1,col={column},");
        assert!(github.contains(&needle), "{needle} in {github}");
    }

    // The terminal report shows each finding with a window of its line, never the line whole:
    // 10 MB of bundle come out as a few kilobytes.
    let output = leaklint(dir.path(), &["vendor"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let pretty = text(&output.stdout);
    for (name, _, column, _) in &expected {
        let header = format!("[{name}:1:{column}]");
        assert!(pretty.contains(&header), "{header} in {pretty}");
    }
    assert_eq!(pretty.matches("handle discarded").count(), 6, "{pretty}");
    assert!(pretty.len() < 12_000, "{} bytes of report", pretty.len());
    assert!(pretty.contains("var a=1;var a=1;app.get('/s'"), "{pretty}");
    assert!(
        pretty.contains(" 1 │ …"),
        "a cut line starts with an ellipsis: {pretty}"
    );
    for line in pretty.lines() {
        assert!(
            line.chars().count() < 300,
            "a line of {} characters",
            line.len()
        );
    }
    assert!(text(&output.stderr).contains("✖ 6 problems (6 errors, 0 warnings) in 2 files"));
}

#[test]
fn a_warning_beside_a_long_minified_line_shows_a_window_of_it() {
    let dir = tempfile::tempdir().unwrap();
    // A start-up interval (a warning) on the line after 5 MB of code on one line.
    let source = format!(
        "{}\nsetInterval(() => refresh(), 60000);\nprocess.on('SIGTERM', () => server.close());\n",
        "var b=2;".repeat(650_000)
    );
    write(dir.path(), "lib.js", &source);
    let output = leaklint(dir.path(), &["lib.js"]);
    assert_eq!(output.status.code(), Some(0), "a warning alone passes");
    let pretty = text(&output.stdout);
    assert!(pretty.contains("[lib.js:2:1]"), "{pretty}");
    assert!(
        pretty.contains(" 1 │ var b=2;"),
        "the line before, cut: {pretty}"
    );
    assert!(pretty.len() < 3_000, "{} bytes of report", pretty.len());
}

#[test]
fn thread_counts_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", LEAK);
    for absurd in ["100000", "257", "-1", "many"] {
        let output = leaklint(dir.path(), &[&format!("--threads={absurd}"), "."]);
        assert_eq!(output.status.code(), Some(2), "--threads {absurd}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("--threads"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    assert!(
        text(&leaklint(dir.path(), &["--threads", "100000", "."]).stderr)
            .contains("more than the 256 leaklint runs at most")
    );
    // 0 is all cores, as the help says; the largest count works on a tree of one file.
    for fine in ["0", "1", "256"] {
        let output = leaklint(dir.path(), &["-f", "json", "--threads", fine, "."]);
        assert_eq!(output.status.code(), Some(1), "--threads {fine}");
        assert_eq!(places(&json(&output)).len(), 1);
    }
    let help = text(&leaklint(dir.path(), &["--help"]).stdout);
    assert!(help.contains("0: all cores"), "{help}");
}

#[test]
fn latin1_text_is_linted_with_a_note_that_does_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // A vendored file with a `©` in a comment, and a leak two lines down.
    write(
        dir.path(),
        "vendor/legacy.js",
        b"/* \xa9 2014 Acme */\nvar app = require('express')();\napp.get('/s', function (req, res) { setInterval(function () { res.write('\xe9'); }, 1000); });\n",
    );
    write(
        dir.path(),
        "vendor/clean.js",
        b"// Fran\xe7ois wrote this\nmodule.exports = 1;\n",
    );
    let output = leaklint(dir.path(), &["-f", "json", "vendor"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the finding decides the exit code, not the encoding"
    );
    let report = json(&output);
    assert_eq!(
        places(&report),
        [
            ("vendor/clean.js".to_string(), 1, 8, "encoding".to_string()),
            ("vendor/legacy.js".to_string(), 1, 4, "encoding".to_string()),
            (
                "vendor/legacy.js".to_string(),
                3,
                37,
                "uncleared-interval".to_string()
            ),
        ]
    );
    let notice = &report["diagnostics"][0];
    assert_eq!(notice["kind"], "notice");
    assert_eq!(notice["severity"], "note");
    assert!(notice["message"]
        .as_str()
        .unwrap()
        .contains("not valid UTF-8"));
    assert_eq!(report["summary"]["errors"], 1);

    // Alone, the clean file passes; the note is shown and counted as neither.
    let output = leaklint(dir.path(), &["vendor/clean.js"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("not valid UTF-8"));
    assert!(text(&output.stderr).contains("no problems in 1 file"));
    let sarif = json(&leaklint(dir.path(), &["-f", "sarif", "vendor/clean.js"]));
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["toolExecutionNotifications"][0]["level"], "note");
    let github = text(&leaklint(dir.path(), &["-f", "github", "vendor/clean.js"]).stdout);
    assert!(
        github.starts_with("::notice file=vendor/clean.js,line=1,col=8,"),
        "{github}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/app.js", LEAK);
    let fifo = dir.path().join("src/pipe.js");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // A walk passes it over; named, it is a read error, and the other file is still linted.
    let output = leaklint(dir.path(), &["-f", "json", "src"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(places(&json(&output)).len(), 1);
    let output = leaklint(dir.path(), &["-f", "json", "src/pipe.js", "src/app.js"]);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let rules: Vec<_> = places(&report).into_iter().map(|p| (p.0, p.3)).collect();
    assert_eq!(
        rules,
        [
            ("src/app.js".to_string(), "uncleared-interval".to_string()),
            ("src/pipe.js".to_string(), "read-error".to_string())
        ]
    );
    let message = report["diagnostics"][1]["message"].as_str().unwrap();
    assert!(message.contains("not a regular file (a FIFO)"), "{message}");
}

/// Runs leaklint as an unprivileged user: root reads every directory whatever its mode.
#[cfg(unix)]
fn leaklint_unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok()?;
    if text(&root.stdout).trim() != "0" {
        return Some(leaklint(dir, args));
    }
    let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !has_setpriv {
        eprintln!("skipped: running as root without `setpriv` to drop privileges");
        return None;
    }
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_leaklint"))
        .args(args)
        .current_dir(dir);
    Some(run::wait_or_kill(&mut command, Duration::from_secs(120)))
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_an_error_that_names_the_cause() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/app.js", LEAK);
    write(dir.path(), "src/private/secret.js", LEAK);
    let everyone = std::fs::Permissions::from_mode(0o755);
    for sub in ["", "src", "src/private"] {
        std::fs::set_permissions(dir.path().join(sub), everyone.clone()).unwrap();
    }
    for file in ["src/app.js", "src/private/secret.js"] {
        std::fs::set_permissions(
            dir.path().join(file),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    std::fs::set_permissions(
        dir.path().join("src/private"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();

    // Inside a walk: the rest is linted, the directory is named with the cause, exit 2.
    let Some(output) = leaklint_unprivileged(dir.path(), &["-f", "json", "src"]) else {
        return;
    };
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report = json(&output);
    let found: Vec<_> = places(&report).into_iter().map(|p| (p.0, p.3)).collect();
    assert_eq!(
        found,
        [
            ("src/app.js".to_string(), "uncleared-interval".to_string()),
            ("src/private".to_string(), "read-error".to_string())
        ]
    );
    let message = report["diagnostics"][1]["message"].as_str().unwrap();
    assert!(message.contains("Permission denied"), "{message}");

    // The only path given: not "no problems in 0 files".
    let output = leaklint_unprivileged(dir.path(), &["src/private"]).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(all.contains("Permission denied"), "{all}");
    assert!(!all.contains("✔"), "{all}");

    // A file under it: permission denied, not "no such file or directory".
    let output = leaklint_unprivileged(dir.path(), &["src/private/secret.js"]).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(all.contains("Permission denied"), "{all}");
    assert!(!all.contains("no such file"), "{all}");

    std::fs::set_permissions(dir.path().join("src/private"), everyone).unwrap();
}

/// Everything above in one tree: the run ends, reports every finding, and exits 2 because a
/// file could not be read (the README: 2 when something could not be linted).
#[cfg(unix)]
#[test]
fn a_tree_of_every_odd_input_is_linted_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/app.js", LEAK);
    write(dir.path(), "vendor/bundle.js", bundle(200_000));
    write(dir.path(), "vendor/latin1.js", b"/* \xa9 */\n");
    write(
        dir.path(),
        "vendor/binary.js",
        b"\x7fELF\x02\x01\x01\x00\x00",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in format!("{LEAK}\n").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(dir.path(), "vendor/utf16.js", utf16);
    let fifo = dir.path().join("src/pipe.js");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());

    for format in ["pretty", "json", "sarif", "github"] {
        let output = leaklint(
            dir.path(),
            &["-f", format, "--threads", "256", ".", "src/pipe.js"],
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{format}: {}",
            text(&output.stderr)
        );
        let out = text(&output.stdout);
        for name in [
            "src/app.js",
            "vendor/bundle.js",
            "vendor/latin1.js",
            "vendor/binary.js",
            "vendor/utf16.js",
            "src/pipe.js",
        ] {
            assert!(out.contains(name), "{format}: {name} missing");
        }
    }
    let report = json(&leaklint(dir.path(), &["-f", "json", ".", "src/pipe.js"]));
    let rules: Vec<_> = places(&report).into_iter().map(|p| (p.0, p.3)).collect();
    let count = |rule: &str| rules.iter().filter(|r| r.1 == rule).count();
    assert_eq!(count("uncleared-interval"), 5, "{rules:?}");
    assert_eq!(count("read-error"), 2, "{rules:?}");
    assert_eq!(count("encoding"), 1, "{rules:?}");
}
