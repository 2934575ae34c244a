//! End-to-end runs of the built `leaklint` binary: exit codes, formats, configuration,
//! suppressions and bad input.

#[path = "support/run.rs"]
mod run;

use std::{
    path::{Path, PathBuf},
    process::Output,
};

use serde_json::Value;

const PER_REQUEST_LEAK: &str =
    "app.get('/stream', (req, res) => {\n  setInterval(() => res.write('.'), 1000);\n});\n";
const START_UP_LEAK: &str =
    "setInterval(() => refresh(), 60000);\nprocess.on('SIGTERM', () => server.close());\n";
const CLEAN: &str =
    "const t = setInterval(tick, 1000);\nprocess.on('SIGTERM', () => clearInterval(t));\n";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &[u8])]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            run::write(dir.path(), name, content);
        }
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }

    fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        run::leaklint(self.path(), args, env)
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["-f", "json"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        (code(&output), run::json(&output))
    }
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One field of every diagnostic, in order.
fn field_of(json: &Value, field: &str) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[field].as_str().unwrap().to_string())
        .collect()
}

fn rules_of(json: &Value) -> Vec<String> {
    field_of(json, "rule")
}

/// (file, rule) of every diagnostic, in order.
fn files_and_rules(json: &Value) -> Vec<(String, String)> {
    field_of(json, "file")
        .into_iter()
        .zip(field_of(json, "rule"))
        .collect()
}

#[test]
fn exit_codes() {
    let clean = Project::new(&[("src/a.js", CLEAN.as_bytes())]);
    assert_eq!(code(&clean.run(&["src"])), 0);

    let warnings = Project::new(&[("src/a.js", START_UP_LEAK.as_bytes())]);
    assert_eq!(code(&warnings.run(&["src"])), 0, "warnings alone pass");
    assert_eq!(code(&warnings.run(&["--max-warnings", "0", "src"])), 1);
    assert_eq!(code(&warnings.run(&["--max-warnings", "1", "src"])), 0);

    let errors = Project::new(&[("src/a.js", PER_REQUEST_LEAK.as_bytes())]);
    assert_eq!(code(&errors.run(&["src"])), 1);

    let output = errors.run(&["src", "missing-dir"]);
    assert_eq!(code(&output), 2, "a missing path is an error");
    assert!(
        stderr(&output).contains("missing-dir"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("uncleared-interval"),
        "the other path is still linted"
    );

    let output = clean.run(&["--no-such-flag"]);
    assert_eq!(code(&output), 2, "usage errors exit 2");
}

#[test]
fn no_files_and_non_js_files_pass_silently() {
    let project = Project::new(&[("README.md", b"# hi\n"), ("src/style.css", b"a{}\n")]);
    let output = project.run(&["README.md", "src/style.css"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "");
    let output = project.run(&["src"]);
    assert_eq!(code(&output), 0);
}

#[test]
fn quiet_reports_errors_only() {
    let project = Project::new(&[
        ("a.js", START_UP_LEAK.as_bytes()),
        ("b.js", PER_REQUEST_LEAK.as_bytes()),
    ]);
    let (_, json) = project.json(&["--quiet", "."]);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["severity"], "error");
}

#[test]
fn json_output_fields() {
    let project = Project::new(&[("src/app.js", PER_REQUEST_LEAK.as_bytes())]);
    let (exit, json) = project.json(&["src"]);
    assert_eq!(exit, 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "uncleared-interval");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "src/app.js");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (d["endLine"].as_u64(), d["endColumn"].as_u64()),
        (Some(2), Some(14))
    );
    assert!(
        d["message"].as_str().unwrap().contains("GET /stream"),
        "{d}"
    );
    assert!(d["help"].as_str().unwrap().contains("clearInterval"));
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["files"], 1);
}

/// A class registers on `process` in its constructor, its `destroy()` forgets, and a route
/// makes one per request: the JSON evidence reads holder, repetition, teardown.
const INSTANCE_LEAK: &str = "const express = require('express');
const app = express();
class Session {
  constructor(user) {
    this.user = user;
    this.onExit = () => this.flush();
    process.on('exit', this.onExit);
  }
  flush() {}
  destroy() {
    this.user = null;
  }
}
app.get('/login', (req, res) => {
  const session = new Session(req.user);
  res.json({ ok: true });
  session.destroy();
});
";

#[test]
fn json_evidence_is_the_findings_chain() {
    let project = Project::new(&[("src/session.js", INSTANCE_LEAK.as_bytes())]);
    let (_, json) = project.json(&["src"]);
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "listener-leak");
    let chain: Vec<(String, u64)> = d["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|link| {
            (
                link["role"].as_str().unwrap().to_string(),
                link["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let link = |role: &str, line: u64| (role.to_string(), line);
    assert_eq!(
        chain,
        [link("holder", 7), link("repeats", 15), link("teardown", 10)],
        "{d}"
    );
}

#[test]
fn utf16_columns_on_a_line_with_emoji() {
    // "🚀" is 4 UTF-8 bytes and 2 UTF-16 units; "é" is 2 bytes and 1 unit.
    let source = "const label = '🚀é'; setInterval(tick, 10);\nprocess.on('SIGTERM', () => server.close());\n";
    let project = Project::new(&[("a.js", source.as_bytes())]);
    let expected_column = 1 + "const label = '🚀é'; ".encode_utf16().count() as u64;
    assert_eq!(expected_column, 22);

    let (_, json) = project.json(&["a.js"]);
    assert_eq!(
        json["diagnostics"][0]["column"].as_u64(),
        Some(expected_column)
    );

    let output = project.run(&["-f", "github", "a.js"]);
    assert!(
        stdout(&output).contains(&format!("line=1,col={expected_column},")),
        "{}",
        stdout(&output)
    );

    let output = project.run(&["-f", "sarif", "a.js"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"].as_u64(), Some(expected_column));
    assert_eq!(
        region["endColumn"].as_u64(),
        Some(expected_column + "setInterval".len() as u64)
    );
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let source = "// 😀 header\r\nconst x = 1;\r\n  setInterval(tick, 10);\r\nprocess.on('SIGTERM', stop);\r\n";
    let project = Project::new(&[("a.js", source.as_bytes())]);
    let (_, json) = project.json(&["a.js"]);
    assert_eq!(
        (
            json["diagnostics"][0]["line"].as_u64(),
            json["diagnostics"][0]["column"].as_u64()
        ),
        (Some(3), Some(3))
    );
}

#[test]
fn github_format_is_workflow_commands() {
    let project = Project::new(&[
        ("src/a.js", PER_REQUEST_LEAK.as_bytes()),
        ("b.js", START_UP_LEAK.as_bytes()),
    ]);
    let output = project.run(&["-f", "github", "."]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "::warning file=b.js,line=1,col=1,endLine=1,endColumn=12,title=uncleared-interval::"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("::error file=src/a.js,line=2,col=3,"),
        "{}",
        lines[1]
    );
}

#[test]
fn pretty_output_names_file_rule_and_help_without_colour_when_piped() {
    let project = Project::new(&[("src/app.ts", PER_REQUEST_LEAK.as_bytes())]);
    let output = project.run(&["src"]);
    let text = stdout(&output);
    for needle in [
        "uncleared-interval",
        "src/app.ts",
        "help:",
        "GET /stream",
        "setInterval",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI escapes when stdout is not a terminal"
    );
    assert!(
        stderr(&output).contains("1 problem (1 error, 0 warnings)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sarif_validates_against_the_schema() {
    let project = Project::new(&[
        ("src/a.js", PER_REQUEST_LEAK.as_bytes()),
        ("src/my dir/ü.ts", START_UP_LEAK.as_bytes()),
        ("src/broken.js", b"const = ;\n"),
    ]);
    let output = project.run(&[
        "-f",
        "sarif",
        "--sarif-category",
        "ci",
        "-o",
        "out.sarif",
        "src",
    ]);
    assert_eq!(code(&output), 1);
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(project.path().join("out.sarif")).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, ["src/a.js", "src/my%20dir/%C3%BC.ts"]);
    for result in results {
        let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uriBaseId"], "%SRCROOT%");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notifications.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("src/broken.js")));
}

#[test]
fn sarif_omits_suppressed_findings() {
    let source = "// leaklint-disable-next-line uncleared-interval -- one poller per process\nsetInterval(poll, 1000);\nsetInterval(poll, 2000);\nprocess.on('SIGTERM', () => server.close());\n";
    let project = Project::new(&[("a.js", source.as_bytes())]);
    let output = project.run(&["-f", "sarif", "a.js"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn each_suppression_form() {
    let project = Project::new(&[
        (
            "next-line.js",
            b"// leaklint-disable-next-line uncleared-interval -- reason\nsetInterval(f, 1);\nprocess.on('SIGTERM', stop);\n",
        ),
        (
            "same-line.js",
            b"setInterval(f, 1); // leaklint-disable-line uncleared-interval\nprocess.on('SIGTERM', stop);\n",
        ),
        (
            "whole-file.js",
            b"/* leaklint-disable uncleared-interval */\nsetInterval(f, 1);\nsetInterval(g, 2);\nprocess.on('SIGTERM', stop);\n",
        ),
        (
            "all-rules.js",
            b"setInterval(f, 1); // leaklint-disable-line\nprocess.on('SIGTERM', stop);\n",
        ),
        (
            "other-rule.js",
            b"setInterval(f, 1); // leaklint-disable-line listener-leak\nprocess.on('SIGTERM', stop);\n",
        ),
    ]);
    let (_, json) = project.json(&["."]);
    let files = field_of(&json, "file");
    assert_eq!(files, ["other-rule.js"]);

    let (exit, json) = project.json(&["--report-unused-disable-directives", "."]);
    assert_eq!(exit, 1, "unused directives are errors");
    let unused: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "unused-disable-directive")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(unused, ["other-rule.js"]);
}

#[test]
fn parse_errors_are_reported_and_the_run_goes_on() {
    let project = Project::new(&[
        ("a.js", b"function (\n"),
        ("b.js", PER_REQUEST_LEAK.as_bytes()),
    ]);
    let (exit, json) = project.json(&["."]);
    assert_eq!(exit, 1);
    let by_file = files_and_rules(&json);
    assert!(by_file.len() >= 2, "{by_file:?}");
    let (last, parse_errors) = by_file.split_last().unwrap();
    assert!(
        parse_errors
            .iter()
            .all(|(file, rule)| (file.as_str(), rule.as_str()) == ("a.js", "parse-error")),
        "{by_file:?}"
    );
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        ("b.js", "uncleared-interval")
    );
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("function name"),
        "{json}"
    );
}

#[test]
fn commonjs_top_level_return_is_linted() {
    let project = Project::new(&[(
        "a.js",
        b"if (require.main !== module) return;\nsetInterval(tick, 1000);\nprocess.on('SIGTERM', () => server.close());\n",
    )]);
    let (_, json) = project.json(&["a.js"]);
    assert_eq!(rules_of(&json), ["uncleared-interval"]);
}

#[test]
fn unreadable_files_name_the_file_and_exit_2() {
    let project = Project::new(&[
        ("latin1.js", b"const s = '\xe9t\xe9';\n"),
        ("bundle.js", b"\x00\x01\x02binary"),
        ("ok.js", PER_REQUEST_LEAK.as_bytes()),
    ]);
    let output = project.run(&["-f", "json", "."]);
    assert_eq!(code(&output), 2);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let by_file = files_and_rules(&json);
    let by_file: Vec<(&str, &str)> = by_file
        .iter()
        .map(|(f, r)| (f.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        by_file,
        [
            ("bundle.js", "read-error"),
            // Not UTF-8, but text: linted, with a note (which alone would not fail the run).
            ("latin1.js", "encoding"),
            ("ok.js", "uncleared-interval")
        ]
    );

    let pretty = project.run(&["."]);
    assert!(
        stdout(&pretty).contains("latin1.js") && stdout(&pretty).contains("not valid UTF-8"),
        "{}",
        stdout(&pretty)
    );
}

#[cfg(debug_assertions)]
#[test]
fn a_crash_in_one_file_is_reported_and_the_run_goes_on() {
    let project = Project::new(&[
        ("boom.js", b"const a = 1;\n"),
        ("ok.js", PER_REQUEST_LEAK.as_bytes()),
    ]);
    let output = project.run_with_env(
        &["-f", "json", "."],
        &[("LEAKLINT_DEBUG_PANIC_ON", "boom.js")],
    );
    assert_eq!(code(&output), 2);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rules_of(&json), ["internal-error", "uncleared-interval"]);
    assert_eq!(json["diagnostics"][0]["file"], "boom.js");
}

#[test]
fn output_is_identical_across_thread_counts() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..40 {
        let body = if i % 3 == 0 {
            PER_REQUEST_LEAK
        } else if i % 3 == 1 {
            START_UP_LEAK
        } else {
            CLEAN
        };
        files.push((format!("pkg{}/file{i}.js", i % 5), body.as_bytes().to_vec()));
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let project = Project::new(&borrowed);
    for format in ["json", "sarif", "github"] {
        let one = project.run(&["-f", format, "--threads", "1", "."]);
        let four = project.run(&["-f", format, "--threads", "4", "."]);
        assert_eq!(
            stdout(&one),
            stdout(&four),
            "{format} differs across thread counts"
        );
        assert!(!stdout(&one).is_empty());
    }
}

#[test]
fn output_file_is_written_whole_and_nothing_is_left_behind() {
    let project = Project::new(&[
        ("src/a.js", PER_REQUEST_LEAK.as_bytes()),
        ("reports/.keep", b""),
    ]);
    std::fs::write(project.path().join("reports/out.json"), "stale").unwrap();
    let output = project.run(&["-f", "json", "-o", "reports/out.json", "src"]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "", "the report goes to the file");
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("reports/out.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written["diagnostics"][0]["rule"], "uncleared-interval");
    let left: Vec<PathBuf> = std::fs::read_dir(project.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left.len(), 2, "only .keep and out.json remain: {left:?}");
}

#[test]
fn config_is_found_up_the_tree_and_applied() {
    let project = Project::new(&[
        (".leaklintrc.json", br#"{ "rules": { "uncleared-interval": "error" }, "ignorePatterns": ["generated/"],
            "overrides": [{ "files": ["scripts/**"], "rules": { "uncleared-interval": "off" } }] }"#),
        ("src/deep/a.js", START_UP_LEAK.as_bytes()),
        ("generated/b.js", START_UP_LEAK.as_bytes()),
        ("scripts/seed.js", START_UP_LEAK.as_bytes()),
    ]);
    let (exit, json) = project.json(&["."]);
    assert_eq!(exit, 1, "the start-up warning is configured as an error");
    let files = field_of(&json, "file");
    assert_eq!(files, ["src/deep/a.js"]);

    // A nearer config wins, and `--config` beats both.
    std::fs::write(
        project.path().join("src/.leaklintrc.json"),
        r#"{ "rules": { "uncleared-interval": "off" } }"#,
    )
    .unwrap();
    let (exit, json) = project.json(&["src"]);
    assert_eq!((exit, rules_of(&json).len()), (0, 0));
    let (exit, _) = project.json(&["--config", ".leaklintrc.json", "src"]);
    assert_eq!(exit, 1);
}

#[test]
fn config_errors_name_file_line_and_key() {
    let cases: [(&str, &str); 4] = [
        (
            "{\n  \"rules\": {},\n  \"ignore\": []\n}\n",
            ".leaklintrc.json:3:",
        ),
        (
            "{\n  \"rules\": {\n    \"no-such-rule\": \"warn\"\n  }\n}\n",
            "unknown rule `no-such-rule`",
        ),
        ("{ \"rules\": ", ".leaklintrc.json:1:"),
        (
            "{ \"rules\": { \"uncleared-interval\": [\"warn\", { \"bogus\": true }] } }",
            "unknown option `bogus`",
        ),
    ];
    for (config, expected) in cases {
        let project = Project::new(&[
            (".leaklintrc.json", config.as_bytes()),
            ("a.js", START_UP_LEAK.as_bytes()),
        ]);
        let output = project.run(&["."]);
        assert_eq!(code(&output), 2, "{config}");
        assert!(
            stderr(&output).contains(expected),
            "expected {expected:?} in {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("1 file under it was not linted"),
            "{}",
            stderr(&output)
        );
        // The summary says what was left out, and never that the run was clean.
        let summary = stderr(&output)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            summary.split(';').next().unwrap(),
            "✖ not everything was linted: 1 configuration error (1 file not linted)",
            "{summary}"
        );
        assert!(!stderr(&output).contains('✔'), "{}", stderr(&output));
    }
    // A missing path beside a linted one: the findings and what was not found.
    let project = Project::new(&[("a.js", START_UP_LEAK.as_bytes())]);
    let output = project.run(&["a.js", "gone.js"]);
    assert_eq!(code(&output), 2);
    let summary = stderr(&output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        summary.starts_with("✖ not everything was linted: 1 path not found; 1 problem"),
        "{summary}"
    );
    let project = Project::new(&[("a.js", CLEAN.as_bytes())]);
    let output = project.run(&["--config", "missing.json", "."]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing.json"));
}

#[test]
fn explicit_files_versus_the_walk() {
    let project = Project::new(&[
        ("dist/bundle.js", START_UP_LEAK.as_bytes()),
        ("src/types.d.ts", b"declare const x: number;\n"),
    ]);
    let (_, json) = project.json(&["."]);
    assert!(rules_of(&json).is_empty(), "the walk skips dist/");
    let (_, json) = project.json(&["dist/bundle.js"]);
    assert_eq!(
        rules_of(&json),
        ["uncleared-interval"],
        "a named file is linted"
    );
    let (_, json) = project.json(&["--force-exclude", "dist/bundle.js"]);
    assert!(rules_of(&json).is_empty(), "unless --force-exclude");
    let (_, json) = project.json(&["--no-default-ignores", "."]);
    assert_eq!(rules_of(&json), ["uncleared-interval"]);
}

#[test]
fn a_file_named_several_ways_is_linted_once() {
    let project = Project::new(&[
        ("src/a.js", START_UP_LEAK.as_bytes()),
        ("lib/b.js", CLEAN.as_bytes()),
    ]);
    let (_, json) = project.json(&["src", "./src", "src/a.js", "lib/../src/a.js", "."]);
    assert_eq!(
        files_and_rules(&json),
        [("src/a.js".to_string(), "uncleared-interval".to_string())]
    );
    assert_eq!(json["summary"]["files"], 2);
}

#[test]
fn rules_explain_and_config_schema() {
    let project = Project::new(&[]);
    let output = project.run(&["rules"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("uncleared-interval"));

    for id in [
        "listener-leak",
        "max-listeners-override",
        "request-capture",
        "uncleared-interval",
    ] {
        assert!(stdout(&project.run(&["rules"])).contains(id), "{id}");
        let output = project.run(&["explain", id]);
        assert_eq!(code(&output), 0);
        assert!(stdout(&output).starts_with(&format!("# {id}\n")), "{id}");
        for section in [
            "## Why",
            "## Bad",
            "## Good",
            "## How to fix",
            "## Options",
            "## Known limits",
        ] {
            assert!(stdout(&output).contains(section), "{id}: {section}");
        }
    }

    let output = project.run(&["explain", "nope"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown rule `nope`"));

    let output = project.run(&["config-schema"]);
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(schema["properties"]["rules"]["properties"]["uncleared-interval"].is_object());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good: Value =
        serde_json::json!({ "rules": { "uncleared-interval": ["warn", { "allowUnref": false }] } });
    let bad: Value = serde_json::json!({ "rules": { "uncleared-interval": "sometimes" } });
    assert!(validator.is_valid(&good));
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_has_one_run_a_category_and_fingerprints_that_survive_line_shifts() {
    let project = Project::new(&[("src/a.js", PER_REQUEST_LEAK.as_bytes())]);
    let sarif_of = |args: &[&str]| -> Value {
        let mut all = vec!["-f", "sarif"];
        all.extend_from_slice(args);
        serde_json::from_slice(&project.run(&all).stdout).unwrap()
    };
    let sarif = sarif_of(&["--sarif-category", "backend", "src"]);
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run per SARIF file");
    assert_eq!(runs[0]["automationDetails"]["id"], "backend/");
    let fingerprint = runs[0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap()
        .to_string();
    let (hash, count) = fingerprint.split_once(':').unwrap();
    assert!(
        u64::from_str_radix(hash, 16).is_ok() && count == "1",
        "{fingerprint}"
    );
    assert!(sarif_of(&["src"])["runs"][0]
        .get("automationDetails")
        .is_none());

    // Lines added above the finding: a new line number, the same fingerprint.
    let shifted = format!("// routes\n\n{PER_REQUEST_LEAK}");
    std::fs::write(project.path().join("src/a.js"), shifted).unwrap();
    let sarif = sarif_of(&["src"]);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert_eq!(
        result["partialFingerprints"]["primaryLocationLineHash"],
        fingerprint.as_str()
    );
}

#[test]
fn a_baseline_hides_what_it_recorded_and_only_that() {
    let handler = |path: &str| {
        format!("app.get('{path}', (req, res) => {{\n  setInterval(() => res.write('.'), 1000);\n}});\n")
    };
    let project = Project::new(&[
        ("src/a.js", handler("/a").as_bytes()),
        ("src/b.js", START_UP_LEAK.as_bytes()),
    ]);
    let written = project.run(&["--write-baseline", "leaklint-baseline.json", "src"]);
    assert_eq!(code(&written), 0, "{}", stderr(&written));
    assert!(stderr(&written).contains("wrote 2 findings to leaklint-baseline.json"));
    let text = std::fs::read_to_string(project.path().join("leaklint-baseline.json")).unwrap();
    assert!(text.contains("\"file\": \"src/a.js\""), "{text}");

    // Unchanged: nothing to report.
    let (status, json) = project.json(&["--baseline", "leaklint-baseline.json", "src"]);
    assert_eq!(status, 0);
    assert!(rules_of(&json).is_empty(), "{json:#}");

    // Lines inserted above a recorded finding: still hidden. A new leak: reported.
    let a = format!(
        "// handlers\nconst app = require('express')();\n\n{}{}",
        handler("/a"),
        handler("/new")
    );
    std::fs::write(project.path().join("src/a.js"), a).unwrap();
    let (status, json) = project.json(&["--baseline", "leaklint-baseline.json", "src"]);
    assert_eq!(status, 1);
    assert_eq!(rules_of(&json), ["uncleared-interval"]);
    assert_eq!(
        json["diagnostics"][0]["line"], 8,
        "the new one, not the shifted one"
    );

    // A fixed leak: counted as gone, so the baseline can shrink.
    std::fs::write(project.path().join("src/b.js"), CLEAN).unwrap();
    let output = project.run(&["--baseline", "leaklint-baseline.json", "src"]);
    let message = stderr(&output);
    assert!(
        message.contains("1 finding hidden by the baseline"),
        "{message}"
    );
    assert!(
        message.contains("1 baseline entry no longer occurs"),
        "{message}"
    );

    // Linting part of the tree does not count the rest as gone.
    let output = project.run(&["--baseline", "leaklint-baseline.json", "src/a.js"]);
    assert!(
        !stderr(&output).contains("no longer"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_malformed_or_missing_baseline_is_an_error_before_linting() {
    let project = Project::new(&[
        ("a.js", START_UP_LEAK.as_bytes()),
        (
            "broken.json",
            b"{\"leaklintBaseline\": 1,\n  \"findings\": [{\"file\": 3}]}",
        ),
    ]);
    let output = project.run(&["--baseline", "broken.json", "a.js"]);
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(
        message.contains("cannot use baseline broken.json"),
        "{message}"
    );
    assert!(message.contains("line 2"), "{message}");
    assert!(
        stdout(&output).is_empty(),
        "nothing linted: {}",
        stdout(&output)
    );

    let output = project.run(&["--baseline", "missing.json", "a.js"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot use baseline missing.json"));

    let output = project.run(&["--baseline", "broken.json", "--write-baseline", "x.json"]);
    assert_eq!(code(&output), 2, "the two flags conflict");
}

/// A lint run starts itself again once, with glibc's transparent huge pages on, and gives the
/// work process the environment the user gave; the findings are the same either way.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn lint_runs_restart_with_huge_pages_and_keep_the_users_environment() {
    let project = Project::new(&[("a.js", PER_REQUEST_LEAK.as_bytes())]);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec![("LEAKLINT_DEBUG_HUGE_PAGES", "1")];
        all.extend_from_slice(env);
        project.run_with_env(args, &all)
    };
    let lint = ["-f", "json", "a.js"];
    let restarts = [
        (vec![("GLIBC_TUNABLES", "")], "GLIBC_TUNABLES unset"),
        (
            vec![("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")],
            "GLIBC_TUNABLES glibc.malloc.arena_max=4",
        ),
    ];
    for (env, left) in &restarts {
        let output = run(&lint, env);
        assert_eq!(code(&output), 1);
        assert_eq!(rules_of(&run::json(&output)), ["uncleared-interval"]);
        let message = stderr(&output);
        assert!(
            message.contains(&format!("restarted with glibc.malloc.hugetlb=1; {left}")),
            "{env:?}: {message}"
        );
    }
    // Turned off, the user's own choice, and commands that lint no tree: no restart.
    let stays = [
        (&lint[..], vec![("LEAKLINT_HUGE_PAGES", "0")]),
        (
            &lint[..],
            vec![("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0")],
        ),
        (&["rules"][..], vec![]),
    ];
    for (args, env) in &stays {
        let output = run(args, env);
        assert!(
            !stderr(&output).contains("restarted"),
            "{args:?} {env:?}: {}",
            stderr(&output)
        );
        if args == &lint {
            assert_eq!(rules_of(&run::json(&output)), ["uncleared-interval"]);
        }
    }
}

/// The README's own settings example: a project's acquire function in a file that names none
/// of the built-in ones is still checked (the rule's text prefilter knows the settings).
#[test]
fn configured_acquire_functions_are_checked_in_files_without_built_in_names() {
    let config = br#"{ "settings": { "acquireFunctions": ["db.checkout"], "releaseFunctions": ["checkin"] } }"#;
    let leaky = b"async function load(db, id) {
  const conn = await db.checkout();
  const rows = await conn.query('SELECT 1 WHERE id = ?', [id]);
  conn.checkin();
  return rows;
}
module.exports = { load };
";
    let fixed = b"async function load(db, id) {
  const conn = await db.checkout();
  try {
    return await conn.query('SELECT 1 WHERE id = ?', [id]);
  } finally {
    conn.checkin();
  }
}
module.exports = { load };
";
    let project = Project::new(&[
        (".leaklintrc.json", config),
        ("leaky.js", leaky),
        ("fixed.js", fixed),
    ]);
    // Nothing in the file says how often `load` runs: the finding is a warning that says what it
    // assumes, and fails the run only under `--max-warnings`.
    let (exit, report) = project.json(&["."]);
    assert_eq!(exit, 0);
    assert_eq!(
        files_and_rules(&report),
        [("leaky.js".to_string(), "unreleased-connection".to_string())]
    );
    assert_eq!(report["diagnostics"][0]["severity"], "warning");
    assert!(report["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("assuming the function runs more than once"));
    let (exit, _) = project.json(&[".", "--max-warnings", "0"]);
    assert_eq!(exit, 1);
    // Without the setting the same file has nothing to say.
    std::fs::write(project.path().join(".leaklintrc.json"), "{}").unwrap();
    let (exit, report) = project.json(&["."]);
    assert_eq!(exit, 0);
    assert!(rules_of(&report).is_empty());
}
