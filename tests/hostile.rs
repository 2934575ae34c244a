//! Inputs that try to break leaklint, run end to end through the built binary: the run must
//! finish, name each bad file with a clear message, and still lint everything else.

#[path = "support/run.rs"]
mod run;
#[path = "support/service_source.rs"]
mod service_source;

use std::{
    path::Path,
    process::{Command, Output, Stdio},
    time::Duration,
};

use run::{json, write};
use serde_json::Value;

const LEAK: &str =
    "app.get('/stream', (req, res) => {\n  setInterval(() => res.write('.'), 1000);\n});\n";

fn leaklint(dir: &Path, args: &[&str]) -> Output {
    run::leaklint(dir, args, &[])
}

/// (file, kind, rule, message) of every diagnostic.
fn entries(json: &Value) -> Vec<(String, String, String, String)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = |name: &str| d[name].as_str().unwrap_or_default().to_string();
            (
                field("file"),
                field("kind"),
                field("rule"),
                field("message"),
            )
        })
        .collect()
}

#[test]
fn deeply_nested_files_are_skipped_with_a_note_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    write(
        dir.path(),
        "parens.js",
        format!("x = {}1{};\n", "(".repeat(n), ")".repeat(n)),
    );
    write(
        dir.path(),
        "arrays.js",
        format!("x = {}1{};\n", "[".repeat(n), "]".repeat(n)),
    );
    write(
        dir.path(),
        "calls.js",
        format!("x = {}1{};\n", "f(".repeat(n), ")".repeat(n)),
    );
    write(
        dir.path(),
        "arrows.ts",
        format!("const f = {}0;\n", "(a: number) => ".repeat(20_000)),
    );
    write(
        dir.path(),
        "chain.js",
        format!("x = 1{};\n", " + 1".repeat(1_000_000)),
    );
    write(dir.path(), "nots.mjs", format!("x = {}y;\n", "!".repeat(n)));
    // Deep, but within what leaklint analyses: linted, and its leak found.
    write(
        dir.path(),
        "deep-but-fine.js",
        format!("x = {}1{};\n{LEAK}", "(".repeat(2_000), ")".repeat(2_000)),
    );
    // Too small to overflow a stack however it nests (`ALWAYS_SAFE_BYTES`): linted as it is,
    // 24,000 levels deep.
    let small_but_deep = format!("x = {}1{};\n{LEAK}", "(".repeat(24_000), ")".repeat(24_000));
    assert!(small_but_deep.len() <= 48 * 1024);
    write(dir.path(), "small-but-deep.js", small_but_deep);
    write(dir.path(), "ok.js", LEAK);

    let output = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(output.status.code(), Some(1), "findings, nothing broken");
    let found = entries(&json(&output));
    let skipped: Vec<&str> = found
        .iter()
        .filter(|(_, kind, rule, message)| {
            kind == "skipped" && rule == "skipped" && message.contains("levels deep")
        })
        .map(|(file, ..)| file.as_str())
        .collect();
    assert_eq!(
        skipped,
        [
            "arrays.js",
            "arrows.ts",
            "calls.js",
            "chain.js",
            "nots.mjs",
            "parens.js"
        ]
    );
    let leaks: Vec<&str> = found
        .iter()
        .filter(|(_, _, rule, _)| rule == "uncleared-interval")
        .map(|(file, ..)| file.as_str())
        .collect();
    assert_eq!(leaks, ["deep-but-fine.js", "ok.js", "small-but-deep.js"]);
    assert_eq!(found.len(), 9, "{found:?}");
    let summary = &json(&output)["summary"];
    assert_eq!(summary["toolErrors"], 0);
    assert_eq!(summary["files"], 9);

    // People see it too, as a note that names the file.
    let pretty = leaklint(dir.path(), &["parens.js"]);
    let text = String::from_utf8_lossy(&pretty.stdout);
    assert_eq!(pretty.status.code(), Some(0), "{text}");
    assert!(
        text.contains("parens.js: not linted: it nests about 100003 levels deep"),
        "{text}"
    );
    let summary = String::from_utf8_lossy(&pretty.stderr);
    assert!(summary.contains("no problems in 1 file") && summary.contains("1 file skipped"));
}

#[test]
fn deeply_nested_statements_on_a_followed_path_are_analysed() {
    // The control-flow graph of a function is built (and its paths followed) only where a
    // connection is acquired: these are the deepest statement nestings a file small enough to be
    // linted without a nesting estimate can hold, each in such a function.
    let dir = tempfile::tempdir().unwrap();
    let pool = "const { Pool } = require('pg');\nconst pool = new Pool();\n";
    let blocks = format!(
        "{pool}exports.h = async (req, res) => {{\n  const c = await pool.connect();\n{}await c.query('x');{}\n}};\n",
        "{".repeat(22_000),
        "}".repeat(22_000)
    );
    let ifs = format!(
        "{pool}exports.h = async (req, res) => {{\n  const c = await pool.connect();\n{}return;\n  c.release();\n}};\n",
        "if (req.a) ".repeat(4_000)
    );
    let tries = format!(
        "{pool}exports.h = async (req, res) => {{\n  const c = await pool.connect();\n{}await c.query('x');{}\n}};\n",
        "try { ".repeat(1_000),
        " } finally { c.release(); }".repeat(1_000)
    );
    for text in [&blocks, &ifs, &tries] {
        assert!(text.len() <= 48 * 1024, "{}", text.len());
    }
    write(dir.path(), "blocks.js", blocks);
    write(dir.path(), "ifs.js", ifs);
    write(dir.path(), "tries.js", tries);

    let output = leaklint(dir.path(), &["-f", "json", "."]);
    let found = entries(&json(&output));
    assert_eq!(output.status.code(), Some(1), "{found:?}");
    let messages: Vec<(&str, &str)> = found
        .iter()
        .map(|(file, _, _, message)| (file.as_str(), message.as_str()))
        .collect();
    assert_eq!(messages.len(), 2, "{found:?}");
    assert_eq!(messages[0].0, "blocks.js");
    assert!(messages[0].1.contains("is never released"), "{found:?}");
    assert_eq!(messages[1].0, "ifs.js");
    assert!(
        messages[1].1.contains("not released on the `return`"),
        "{found:?}"
    );
}

#[test]
fn files_over_max_file_size_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    // A 20 MB minified bundle: one line of declarations.
    let mut bundle = String::with_capacity(21 << 20);
    let mut i = 0;
    while bundle.len() < 20 << 20 {
        bundle.push_str(&format!("var a{i}=function(b){{return b+{i}}};"));
        i += 1;
    }
    write(dir.path(), "dist-vendor/bundle.js", &bundle);
    write(dir.path(), "ok.js", LEAK);

    let output = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(output.status.code(), Some(1));
    let found = entries(&json(&output));
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "dist-vendor/bundle.js");
    assert_eq!(found[0].1, "skipped");
    assert!(
        found[0]
            .3
            .contains("20.0 MiB is over --max-file-size (10.0 MiB)"),
        "{}",
        found[0].3
    );
    assert_eq!(found[1].2, "uncleared-interval");

    // The limit is the user's: lower it and small files are skipped too; 0 lifts it.
    let output = leaklint(
        dir.path(),
        &["-f", "json", "--max-file-size", "50", "ok.js"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(entries(&json(&output))[0].1, "skipped");
    let output = leaklint(dir.path(), &["-f", "json", "--max-file-size", "0", "ok.js"]);
    assert_eq!(entries(&json(&output))[0].2, "uncleared-interval");
    let output = leaklint(dir.path(), &["--max-file-size", "ten", "ok.js"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a size"));

    // SARIF carries it as a note, and stays valid for code scanning.
    let output = leaklint(dir.path(), &["-f", "sarif", "."]);
    let sarif = json(&output);
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "note");
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn unreadable_and_odd_files_are_named_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "binary.js", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    write(dir.path(), "latin1.js", b"const s = 'caf\xe9';\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "const s = 'x';\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(dir.path(), "utf16.js", utf16);
    write(dir.path(), "empty.js", b"");
    write(dir.path(), "syntax.js", b"function (\n");
    write(dir.path(), "gone.js", LEAK);
    write(dir.path(), "ok.js", LEAK);

    let output = run::leaklint(
        dir.path(),
        &["-f", "json", "."],
        &[("LEAKLINT_DEBUG_REMOVE_BEFORE_READ", "gone.js")],
    );
    let found = entries(&json(&output));
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|(f, k, r, _)| (f.as_str(), k.as_str(), r.as_str()))
        .collect();
    // Latin-1 text is linted as Node reads it, with a note; UTF-16 with its byte order mark is
    // decoded (and this one is clean).
    let mut expected = vec![
        ("binary.js", "tool-error", "read-error"),
        ("latin1.js", "notice", "encoding"),
        ("ok.js", "finding", "uncleared-interval"),
        ("syntax.js", "parse-error", "parse-error"),
    ];
    if cfg!(debug_assertions) {
        expected.insert(1, ("gone.js", "tool-error", "read-error"));
    }
    // A syntax error may carry more than one message.
    let mut distinct = summary.clone();
    distinct.dedup();
    assert_eq!(distinct, expected, "{found:?}");
    assert_eq!(output.status.code(), Some(2), "unreadable files exit 2");
    let message = |file: &str| {
        found
            .iter()
            .find(|(f, ..)| f == file)
            .map(|(.., m)| m.clone())
            .unwrap()
    };
    assert!(message("binary.js").contains("binary file"));
    assert!(
        message("latin1.js").contains(
            "not valid UTF-8 (1 invalid byte sequence replaced with U+FFFD, the first at byte 14)"
        ),
        "{}",
        message("latin1.js")
    );
    if cfg!(debug_assertions) {
        assert!(
            message("gone.js").starts_with("cannot read file"),
            "{}",
            message("gone.js")
        );
    }
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_ends() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/app.js", LEAK);
    std::os::unix::fs::symlink("..", dir.path().join("src/loop")).unwrap();
    std::os::unix::fs::symlink("loop", dir.path().join("src/loop2")).unwrap();
    // The walk does not follow links: the file is found once.
    let found = entries(&json(&leaklint(dir.path(), &["-f", "json", "."])));
    assert_eq!(found.len(), 1, "linted once: {found:?}");
    assert_eq!(found[0].0, "src/app.js");
    // A path through the loop, named on the command line, is linted as named, and the walk
    // under it still ends.
    let found = entries(&json(&leaklint(
        dir.path(),
        &["-f", "json", "src/loop/src/loop2/src"],
    )));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "src/loop/src/loop2/src/app.js");
}

/// `// 😀` and `𝒳` are astral: two UTF-16 code units, four UTF-8 bytes. Every format must put
/// the finding at line 3, UTF-16 column 5, with CRLF line ends.
#[test]
fn crlf_and_astral_characters_give_the_same_columns_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let source = "// 😀 streams 𝒳\r\napp.get('/s', (req, res) => {\r\n𝒳𝒳; setInterval(() => res.write('😀'), 1000);\r\n});\r\n";
    write(dir.path(), "astral.js", source);
    let expected_column = "𝒳𝒳; ".encode_utf16().count() + 1;

    let found = json(&leaklint(dir.path(), &["-f", "json", "astral.js"]));
    assert_eq!(found["diagnostics"][0]["line"], 3);
    assert_eq!(found["diagnostics"][0]["column"], expected_column);

    let sarif = json(&leaklint(dir.path(), &["-f", "sarif", "astral.js"]));
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], expected_column);

    let github = leaklint(dir.path(), &["-f", "github", "astral.js"]);
    let github = String::from_utf8_lossy(&github.stdout);
    assert!(
        github.contains(&format!("line=3,col={expected_column},")),
        "{github}"
    );

    let pretty = leaklint(dir.path(), &["astral.js"]);
    let pretty = String::from_utf8_lossy(&pretty.stdout);
    assert!(
        pretty.contains(&format!("astral.js:3:{expected_column}")),
        "{pretty}"
    );
}

#[test]
fn json_and_sarif_are_byte_identical_with_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        let body = match i % 4 {
            0 => LEAK.to_string(),
            1 => service_source::service_source(150 + i * 10),
            2 => "const x = ;\n".to_string(),
            _ => format!("x = {}1{};\n", "(".repeat(20_000), ")".repeat(20_000)),
        };
        write(dir.path(), &format!("pkg{}/file{i}.js", i % 7), body);
    }
    write(dir.path(), "pkg0/latin1.js", b"'\xe9'");
    for format in ["json", "sarif"] {
        let runs: Vec<Vec<u8>> = ["1", "2", "8"]
            .iter()
            .map(|threads| leaklint(dir.path(), &["-f", format, "--threads", threads, "."]).stdout)
            .collect();
        assert!(runs[0].len() > 1000);
        assert!(
            runs[0] == runs[1] && runs[1] == runs[2],
            "{format} differs across thread counts"
        );
    }
}

/// Killed at any moment, leaklint leaves the previous report or a whole new one at `-o`, never
/// a truncated file.
#[cfg(unix)]
#[test]
fn an_output_file_is_never_left_truncated_when_the_run_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        write(
            dir.path(),
            &format!("src/service{i}.js"),
            service_source::service_source(1_000),
        );
    }
    let out = dir.path().join("report.json");
    let previous = "{\"previous\": true}";
    // How long a whole run takes here, to spread the kills across it.
    let started = std::time::Instant::now();
    let whole = leaklint(dir.path(), &["-f", "json", "-o", "report.json", "src"]);
    assert_eq!(whole.status.code(), Some(1));
    let full_run = started.elapsed();
    let complete = std::fs::read(&out).unwrap();
    serde_json::from_slice::<Value>(&complete).unwrap();

    let mut saw_previous = 0;
    let mut saw_new = 0;
    for step in 0..12u32 {
        std::fs::write(&out, previous).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .args(["-f", "json", "-o", "report.json", "src"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From early in the run to well past its end: the last kills land after the run ends
        // even when this run is slower than the measured one (other tests run alongside).
        let fraction = if step < 10 {
            f64::from(step) / 10.0
        } else {
            f64::from(1 << (step - 9))
        };
        std::thread::sleep(full_run.mul_f64(fraction) + Duration::from_millis(1));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let left = std::fs::read(&out).unwrap();
        if left == previous.as_bytes() {
            saw_previous += 1;
        } else {
            assert_eq!(left, complete, "a killed run left a partial report");
            saw_new += 1;
        }
    }
    assert!(saw_previous > 0, "no kill landed before the write");
    assert!(saw_new > 0, "no run finished");
}

/// `-o` follows a symlink, keeps an existing file's permissions, and writes into what is not a
/// regular file (a FIFO here; `/dev/null` in scripts) instead of replacing it with one.
#[cfg(unix)]
#[test]
fn output_to_symlinks_fifos_and_existing_files_keeps_what_is_there() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.js", LEAK);
    write(dir.path(), "reports/real.json", "old");
    std::fs::set_permissions(
        dir.path().join("reports/real.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("reports/real.json", dir.path().join("link.json")).unwrap();
    let output = leaklint(dir.path(), &["-f", "json", "-o", "link.json", "src"]);
    assert_eq!(output.status.code(), Some(1));
    let link = std::fs::symlink_metadata(dir.path().join("link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    let real = dir.path().join("reports/real.json");
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("uncleared-interval"));
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "permissions kept");

    let fifo = dir.path().join("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let output = leaklint(dir.path(), &["-f", "json", "-o", "fifo", "src"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(reader.join().unwrap().contains("uncleared-interval"));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "still a FIFO");
}

/// Every input the fuzzer found a bug with (`tests/data/fuzz-regressions`) is linted without an
/// internal error: through the source API the fuzzer and the LSP use (a `.bin` is the fuzzer's
/// raw input: the first byte picks the file type), and `.js` files through the binary too.
#[test]
fn fuzz_regressions_lint_without_internal_errors() {
    use leaklint_linter::{lint_source, FileConfig, LintOptions};
    const NAMES: [&str; 8] = [
        "fuzz.js", "fuzz.mjs", "fuzz.cjs", "fuzz.jsx", "fuzz.ts", "fuzz.mts", "fuzz.cts",
        "fuzz.tsx",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let (name, text) = match path.extension().and_then(|e| e.to_str()) {
            Some("bin") => {
                let (&kind, rest) = bytes.split_first().unwrap();
                (
                    NAMES[usize::from(kind) % NAMES.len()].to_string(),
                    rest.to_vec(),
                )
            }
            Some("md") => continue,
            _ => (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            ),
        };
        let text = String::from_utf8(text).unwrap();
        let report = std::thread::Builder::new()
            .stack_size(leaklint_linter::ANALYSIS_STACK_SIZE)
            .spawn(move || {
                lint_source(
                    Path::new(&name),
                    text,
                    &FileConfig::defaults(),
                    LintOptions::default(),
                )
            })
            .unwrap()
            .join()
            .unwrap();
        let internal: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == leaklint_diagnostics::engine_ids::INTERNAL_ERROR)
            .map(|d| d.message.clone())
            .collect();
        assert!(internal.is_empty(), "{}: {internal:?}", path.display());
        inputs += 1;
    }
    assert!(
        inputs >= 2,
        "the regression inputs are missing from {}",
        dir.display()
    );

    let output = leaklint(&dir, &["-f", "json", "pure-comment-before-label.js"]);
    let found = entries(&json(&output));
    assert!(
        found.iter().all(|(_, _, rule, _)| rule != "internal-error"),
        "{found:?}"
    );
    assert_eq!(output.status.code(), Some(0), "{found:?}");
}
