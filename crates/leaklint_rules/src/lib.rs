//! The rules: each one a small query over the file's lifetime model (see `leaklint_model`), in a
//! file of its own under `rules/`, with its long documentation in the repository's
//! `rules/<id>.md`, embedded here at build time.

mod context;
mod flow;
mod registry;
pub mod rules;
mod run;
#[cfg(test)]
mod test_util;

pub use context::RuleContext;
pub use registry::{all_rules, docs_url, find_rule, RuleMeta, INFORMATION_URI};
pub use run::{check_program, should_run};

use oxc_ast::AstType;
use oxc_semantic::{AstNode, Semantic};

/// A rule, configured with its options. One instance serves every file of a run, from every
/// thread, so it holds only its options.
pub trait Rule: Send + Sync {
    /// The rule's metadata (id, description, severity, docs).
    fn meta(&self) -> &'static RuleMeta;

    /// Cheap check on the source text before anything is built (does it mention the API at
    /// all?). When no rule wants a file, it is parsed for syntax errors and nothing more.
    fn should_run(&self, _source_text: &str) -> bool {
        true
    }

    /// An exact check once the file's symbols are known, before any node is visited: `false`
    /// skips the file. For rules whose every finding hangs on some binding existing (a request
    /// parameter), so that files without one never build the lifetime model.
    fn applies_to(&self, _semantic: &Semantic<'_>) -> bool {
        true
    }

    /// The node types `run_on_node` looks at: it is called for these and no others.
    fn node_types(&self) -> &'static [AstType];

    /// Called for each node of the types in `node_types`, in source order.
    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>);
}

/// Builds a rule from its options in the configuration (`["warn", { … }]`), or explains why
/// they are wrong.
pub type RuleFactory = fn(Option<&serde_json::Value>) -> Result<Box<dyn Rule>, String>;
