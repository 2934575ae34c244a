//! Every fixture line ending in `// expect: <rule>[, <rule>]` must be reported for those rules,
//! and nothing else may be reported. Fixtures live in `fixtures/<rule-id>/`, linted the way the
//! CLI lints a directory (nearest `.leaklintrc.json`, default severities).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use leaklint_diagnostics::display_path;
use leaklint_linter::{DiscoveryOptions, LintOptions, RunOptions};
use leaklint_rules::all_rules;

type Expectations = BTreeMap<(String, usize), Vec<String>>;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn expected_in(dir: &Path) -> Expectations {
    let mut expected = Expectations::new();
    let files = leaklint_linter::discovery::discover(
        &[dir.to_path_buf()],
        DiscoveryOptions {
            force_exclude: false,
            default_ignores: true,
            threads: 1,
        },
    )
    .files;
    for file in files {
        let text = std::fs::read_to_string(&file.path).unwrap();
        for (index, line) in text.lines().enumerate() {
            let Some((_, rules)) = line.rsplit_once("// expect:") else {
                continue;
            };
            let mut rules: Vec<String> = rules
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            rules.sort();
            expected.insert((display_path(&file.path), index + 1), rules);
        }
    }
    expected
}

fn reported_in(dir: &Path) -> (Expectations, usize) {
    let options = RunOptions {
        paths: vec![dir.to_path_buf()],
        config: None,
        discovery: DiscoveryOptions {
            force_exclude: false,
            default_ignores: true,
            threads: 2,
        },
        lint: LintOptions::default(),
    };
    let result = leaklint_linter::run(&options).unwrap();
    assert!(
        result.config_errors.is_empty(),
        "{:?}",
        result.config_errors
    );
    let mut reported = Expectations::new();
    for report in &result.reports {
        for diagnostic in &report.diagnostics {
            let line = report.position(diagnostic.primary.span.start).line as usize;
            reported
                .entry((report.display_path(), line))
                .or_default()
                .push(diagnostic.rule.to_string());
        }
    }
    for rules in reported.values_mut() {
        rules.sort();
    }
    (reported, result.files)
}

#[test]
fn fixtures_report_exactly_what_they_expect() {
    let root = fixtures_root();
    let mut failures = Vec::new();
    let mut checked = 0;
    for meta in all_rules() {
        let dir = root.join(meta.id);
        assert!(
            dir.is_dir(),
            "rule `{}` has no fixtures directory {}",
            meta.id,
            dir.display()
        );
        let expected = expected_in(&dir);
        let (reported, files) = reported_in(&dir);
        assert!(files > 0, "no fixture files in {}", dir.display());
        assert!(
            expected.values().flatten().any(|r| r == meta.id),
            "fixtures of `{}` never expect it to report",
            meta.id
        );
        checked += files;
        for (place, rules) in &expected {
            let got = reported.get(place).cloned().unwrap_or_default();
            if &got != rules {
                failures.push(format!(
                    "{}:{}: expected {rules:?}, reported {got:?}",
                    place.0, place.1
                ));
            }
        }
        for (place, rules) in &reported {
            if !expected.contains_key(place) {
                failures.push(format!("{}:{}: unexpected {rules:?}", place.0, place.1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 0);
}
