//! The GitHub Action (`action.yml`): its interface, that its scripts take inputs only from the
//! environment, and its two shell steps run for real against the built binary.

use std::{
    path::Path,
    process::{Command, Output},
};

use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn action() -> Yaml {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

#[test]
fn the_action_is_composite_with_the_documented_inputs() {
    let action = action();
    let inputs = action["inputs"].as_hash().unwrap();
    let names: Vec<&str> = inputs.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "paths",
            "config",
            "category",
            "fail-on-findings",
            "upload",
            "sarif-file"
        ]
    );
    for (name, input) in inputs {
        assert!(
            input["description"].as_str().is_some(),
            "{name:?} has no description"
        );
        assert!(
            input["default"].as_str().is_some(),
            "{name:?} has no default"
        );
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));

    let steps = action["runs"]["steps"].as_vec().unwrap();
    let mut uses = Vec::new();
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert_eq!(step["shell"].as_str(), Some("bash"), "{script}");
            // Inputs reach scripts through `env`, never spliced into the script text.
            assert!(!script.contains("${{"), "expression in a script: {script}");
        }
        if let Some(action) = step["uses"].as_str() {
            uses.push(action);
        }
    }
    assert!(
        uses.contains(&"github/codeql-action/upload-sarif@v4"),
        "{uses:?}"
    );
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str() == Some("github/codeql-action/upload-sarif@v4"))
        .unwrap();
    assert_eq!(
        upload["with"]["category"].as_str(),
        Some("${{ inputs.category }}")
    );
    let build = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|s| s.contains("cargo install"))
        .unwrap();
    assert!(build.contains("--locked"), "{build}");
}

fn run_script(dir: &Path, mode: &str, env: &[(&str, &str)]) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_leaklint")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut command = Command::new("bash");
    command
        .arg(Path::new(ROOT).join("action/run.sh"))
        .arg(mode)
        .current_dir(dir)
        .env("PATH", path);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

#[test]
fn the_lint_step_writes_sarif_and_the_verdict_step_decides() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "api/server.js",
            "app.get('/s', (req, res) => { setInterval(() => res.write('.'), 10); });\n",
        ),
        (
            "jobs/tick.js",
            "setInterval(() => refresh(), 60000);\nprocess.on('SIGTERM', () => server.close());\n",
        ),
        (
            "web/skip.js",
            "setInterval(() => refresh(), 60000);\nprocess.on('SIGTERM', () => server.close());\n",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let outputs = dir.path().join("github-output");
    let inputs = [
        ("INPUT_PATHS", "api\n  jobs/tick.js "),
        ("INPUT_CONFIG", ""),
        ("INPUT_CATEGORY", "backend"),
        ("SARIF_FILE", "out/leaklint.sarif"),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
    ];
    let output = run_script(dir.path(), "lint", &inputs);
    // The directory of the report does not exist: leaklint cannot write it, and says so.
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("::error title=leaklint::"));

    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(&outputs, "").unwrap();
    let output = run_script(dir.path(), "lint", &inputs);
    assert_eq!(
        output.status.code(),
        Some(0),
        "findings do not fail this step: {output:?}"
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert_eq!(written, "exit-code=1\nsarif-file=out/leaklint.sarif\n");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/leaklint.sarif")).unwrap())
            .unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "backend/");
    let files: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        files,
        ["api/server.js", "jobs/tick.js"],
        "only the named paths"
    );

    let verdict = |code: &str, fail: &str| {
        run_script(
            dir.path(),
            "verdict",
            &[("EXIT_CODE", code), ("FAIL_ON_FINDINGS", fail)],
        )
    };
    assert_eq!(verdict("0", "true").status.code(), Some(0));
    let failed = verdict("1", "true");
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stdout).contains("error-level findings"));
    assert_eq!(verdict("1", "false").status.code(), Some(0));
    assert_eq!(verdict("2", "false").status.code(), Some(2));
}
