//! Runs one rule on a snippet, the way the linter does.

use leaklint_diagnostics::{Diagnostic, Severity};
use leaklint_model::ModelSettings;
use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

use crate::RuleMeta;

pub fn run_rule(
    meta: &RuleMeta,
    source: &str,
    path: &str,
    options: Option<&serde_json::Value>,
) -> Vec<Diagnostic> {
    let rule = (meta.factory)(options).expect("valid options");
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::from_path(path).unwrap()).parse();
    assert!(
        parsed.diagnostics.is_empty(),
        "{source}: {:?}",
        parsed.diagnostics
    );
    if !rule.should_run(source) {
        return Vec::new();
    }
    crate::check_program(&parsed.program, &ModelSettings::default(), &[rule.as_ref()])
}

#[track_caller]
pub fn assert_reports(meta: &RuleMeta, source: &str, path: &str, count: usize) {
    let found = run_rule(meta, source, path, None);
    assert_eq!(
        found.len(),
        count,
        "expected {count} report(s) for:\n{source}\ngot: {found:#?}"
    );
}

#[track_caller]
pub fn assert_clean(meta: &RuleMeta, source: &str, path: &str) {
    assert_reports(meta, source, path, 0);
}

pub fn severities(meta: &RuleMeta, source: &str, path: &str) -> Vec<Severity> {
    run_rule(meta, source, path, None)
        .into_iter()
        .map(|d| d.severity)
        .collect()
}
