//! Runs one rule on a snippet, the way the linter does.

use leaklint_diagnostics::{Diagnostic, Severity};
use leaklint_model::ModelSettings;
use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::SourceType;

use crate::{RuleContext, RuleMeta};

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
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .with_cfg(rule.needs_cfg(source))
        .build(&parsed.program)
        .semantic;
    let settings = ModelSettings::default();
    let mut ctx = RuleContext::new(&semantic, &settings);
    if rule.should_run(&ctx) {
        for node in semantic.nodes().iter() {
            rule.run_on_node(node, &mut ctx);
        }
    }
    ctx.into_diagnostics()
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
