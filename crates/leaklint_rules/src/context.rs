use std::cell::OnceCell;

use leaklint_diagnostics::Diagnostic;
use leaklint_model::{LifetimeModel, ModelSettings};
use oxc_semantic::{AstNodes, Semantic};

/// What a rule sees of one file: the semantic model, the lifetime model (built on first use,
/// once per file, shared by every rule), and where to put its findings.
pub struct RuleContext<'a, 'c> {
    semantic: &'c Semantic<'a>,
    settings: &'c ModelSettings,
    model: OnceCell<LifetimeModel<'c, 'a>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a, 'c> RuleContext<'a, 'c> {
    pub fn new(semantic: &'c Semantic<'a>, settings: &'c ModelSettings) -> Self {
        Self {
            semantic,
            settings,
            model: OnceCell::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn semantic(&self) -> &'c Semantic<'a> {
        self.semantic
    }

    pub fn nodes(&self) -> &'c AstNodes<'a> {
        self.semantic.nodes()
    }

    pub fn source_text(&self) -> &'a str {
        self.semantic.source_text()
    }

    /// The file's lifetime model.
    pub fn model(&self) -> &LifetimeModel<'c, 'a> {
        self.model
            .get_or_init(|| LifetimeModel::build(self.semantic, self.settings))
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}
