//! The code in each rule's page (`rules/<id>.md`) is checked against the rule: every block under
//! "## Bad" must be reported by it, no block under "## Good" may be.

use std::{path::Path, sync::Arc};

use leaklint_linter::{lint_source, FileConfig, LintOptions};
use leaklint_rules::all_rules;

/// (section heading, fence language, code) for each fenced block.
fn code_blocks(markdown: &str) -> Vec<(String, String, String)> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        if let Some((language, code)) = &mut current {
            if line.trim_start().starts_with("```") {
                blocks.push((section.clone(), language.clone(), std::mem::take(code)));
                current = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
        } else if let Some(fence) = line.trim_start().strip_prefix("```") {
            current = Some((fence.trim().to_string(), String::new()));
        } else if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_string();
        }
    }
    blocks
}

#[test]
fn bad_examples_are_reported_and_good_ones_are_not() {
    for meta in all_rules() {
        let blocks = code_blocks(meta.docs);
        let mut bad = 0;
        let mut good = 0;
        for (section, language, code) in blocks {
            let extension = match language.as_str() {
                "js" | "javascript" => "mjs",
                "ts" | "typescript" => "ts",
                "tsx" => "tsx",
                "jsx" => "jsx",
                _ => continue,
            };
            let path = format!("example.{extension}");
            let report = lint_source(
                Path::new(&path),
                Arc::from(code.as_str()),
                &FileConfig::defaults(),
                LintOptions::default(),
            );
            assert!(
                report.diagnostics.iter().all(|d| d.rule != "parse-error"),
                "{}: example does not parse:\n{code}\n{:?}",
                meta.id,
                report.diagnostics
            );
            let count = report
                .diagnostics
                .iter()
                .filter(|d| d.rule == meta.id)
                .count();
            match section.as_str() {
                "Bad" => {
                    bad += 1;
                    assert!(
                        count > 0,
                        "{}: a Bad example is not reported:\n{code}",
                        meta.id
                    );
                }
                "Good" => {
                    good += 1;
                    assert_eq!(count, 0, "{}: a Good example is reported:\n{code}", meta.id);
                }
                _ => {}
            }
        }
        assert!(
            bad > 0 && good > 0,
            "{}: the page needs Bad and Good examples",
            meta.id
        );
    }
}
