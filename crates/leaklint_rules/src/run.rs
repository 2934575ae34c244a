//! Running rules over one parsed file: the semantic model is built once, each node is handed only
//! to the rules that look at its type, and a control-flow graph is built only for the functions
//! where a rule actually follows paths (see `flow::FunctionGraph`).

use leaklint_diagnostics::Diagnostic;
use leaklint_model::ModelSettings;
use oxc_ast::{ast::Program, ast_kind::AST_TYPE_MAX};
use oxc_semantic::{SemanticBuilder, Stats};

use crate::{Rule, RuleContext};

/// Whether `rule` may find anything in `text`: its own prefilter, or a name the configuration
/// adds (an `acquireFunctions` entry in a file that says none of the built-in names).
pub fn should_run(rule: &dyn Rule, text: &str, settings: &ModelSettings) -> bool {
    rule.should_run(text) || settings.mentioned_in(text)
}

/// Runs `rules` on a parsed program and returns their findings.
pub fn check_program(
    program: &Program<'_>,
    settings: &ModelSettings,
    rules: &[&dyn Rule],
) -> Vec<Diagnostic> {
    if rules.is_empty() {
        return Vec::new();
    }
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .with_stats(estimated_stats(program.source_text.len()))
        .build(program)
        .semantic;
    // Which rules look at each node type, as a bit set over `rules`.
    let mut interested = [0u64; AST_TYPE_MAX as usize + 1];
    assert!(rules.len() <= 64, "at most 64 rules run together");
    let mut any = false;
    for (bit, rule) in rules.iter().enumerate() {
        if !rule.applies_to(&semantic) {
            continue;
        }
        any = true;
        for &ty in rule.node_types() {
            interested[ty as usize] |= 1 << bit;
        }
    }
    if !any {
        return Vec::new();
    }
    let mut ctx = RuleContext::new(&semantic, settings);
    for node in semantic.nodes().iter() {
        let mut wanted = interested[node.kind().ty() as usize];
        while wanted != 0 {
            let bit = wanted.trailing_zeros() as usize;
            wanted &= wanted - 1;
            rules[bit].run_on_node(node, &mut ctx);
        }
    }
    ctx.into_diagnostics()
}

/// Sizes to reserve for the semantic model of `source_len` bytes of source.
///
/// Without them the builder counts the nodes, scopes, symbols and references with a full walk
/// of the tree before its own walk. Reserving is cheap (untouched memory is never paged in), and
/// an estimate that falls short only makes a table grow. The ratios are above those of nearly
/// every file of the benchmark corpus (nodes: 0.10 per byte typically, 0.42 at most, in
/// minified code). Each estimate is capped, so that a huge file (`--max-file-size 0`) does not
/// reserve gigabytes up front; beyond the cap the tables grow as they fill.
fn estimated_stats(source_len: usize) -> Stats {
    const CAP: usize = 1 << 23;
    let per = |bytes_per_item: usize| (source_len / bytes_per_item + 16).min(CAP) as u32;
    Stats::new(per(2), per(50), per(20), per(8))
}

#[cfg(test)]
mod tests {
    use super::estimated_stats;
    use crate::test_util::assert_reports;

    #[test]
    fn estimates_grow_with_the_source_and_stay_capped() {
        let small = estimated_stats(1_000);
        assert!(small.nodes >= 420 && small.references >= 100, "{small:?}");
        let huge = estimated_stats(usize::MAX);
        assert_eq!(huge.nodes, 1 << 23);
        assert!(huge.scopes <= 1 << 23 && huge.symbols <= 1 << 23 && huge.references <= 1 << 23);
    }

    #[test]
    fn code_denser_than_the_estimate_is_analysed_whole() {
        // About one node per byte, twice the estimate: the tables grow as they fill.
        let source = format!(
            "{}setInterval(tick, 1000);\nprocess.on('SIGTERM', stop);\n{}",
            "a;".repeat(50_000),
            "b;".repeat(50_000)
        );
        assert_reports(
            &crate::rules::uncleared_interval::META,
            &source,
            "dense.js",
            1,
        );
    }
}
