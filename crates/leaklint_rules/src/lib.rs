//! The rules: each one a small query over the file's lifetime model (see `leaklint_model`), in a
//! file of its own under `rules/`, with its long documentation in the repository's
//! `rules/<id>.md`, embedded here at build time.

mod context;
mod flow;
mod node_api;
mod registry;
pub mod rules;
#[cfg(test)]
mod test_util;

pub use context::RuleContext;
pub use registry::{all_rules, docs_url, find_rule, RuleMeta, INFORMATION_URI};

use oxc_semantic::AstNode;

/// A rule, configured with its options. One instance serves every file of a run, from every
/// thread, so it holds only its options.
pub trait Rule: Send + Sync {
    /// The rule's metadata (id, description, severity, docs).
    fn meta(&self) -> &'static RuleMeta;

    /// Cheap check on the whole file before any node is visited (for example: does the text
    /// mention the API at all?). Skipping files here is what keeps leaklint near the parse floor.
    fn should_run(&self, _ctx: &RuleContext<'_, '_>) -> bool {
        true
    }

    /// Whether the rule follows paths through functions on this file's control-flow graph, judged
    /// from the source text before the file is analysed. The graph is built only for files some
    /// rule needs it for (`RuleContext::semantic().cfg()` is `None` otherwise).
    fn needs_cfg(&self, _source_text: &str) -> bool {
        false
    }

    /// Called for every node of the file, in source order.
    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>);
}

/// Builds a rule from its options in the configuration (`["warn", { … }]`), or explains why
/// they are wrong.
pub type RuleFactory = fn(Option<&serde_json::Value>) -> Result<Box<dyn Rule>, String>;
