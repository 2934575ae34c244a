use std::cell::{Cell, OnceCell};

use leaklint_diagnostics::Diagnostic;
use leaklint_model::{LifetimeModel, ModelSettings};
use oxc_semantic::{AstNode, AstNodes, NodeId, Semantic};
use oxc_span::GetSpan;

/// What a rule sees of one file: the semantic model, the lifetime model (built on first use,
/// once per file, shared by every rule), and where to put its findings.
pub struct RuleContext<'a, 'c> {
    semantic: &'c Semantic<'a>,
    settings: &'c ModelSettings,
    model: OnceCell<LifetimeModel<'c, 'a>>,
    diagnostics: Vec<Diagnostic>,
    /// A rule needed the control-flow graph, which this semantic model was built without.
    wants_cfg: Cell<bool>,
    mentions_timers: OnceCell<bool>,
}

impl<'a, 'c> RuleContext<'a, 'c> {
    pub fn new(semantic: &'c Semantic<'a>, settings: &'c ModelSettings) -> Self {
        Self {
            semantic,
            settings,
            model: OnceCell::new(),
            diagnostics: Vec::new(),
            wants_cfg: Cell::new(false),
            mentions_timers: OnceCell::new(),
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

    /// Whether the text mentions `timers` anywhere. When it does not, no binding of the file
    /// is imported from Node's `timers` module (unless the module's name is written with
    /// escapes), and the timer checks need not look up where each called binding comes from.
    pub fn mentions_timers_module(&self) -> bool {
        *self
            .mentions_timers
            .get_or_init(|| self.source_text().contains("timers"))
    }

    /// The project's names from the configuration (without building the model).
    pub fn settings(&self) -> &'c ModelSettings {
        self.settings
    }

    /// The file's lifetime model.
    pub fn model(&self) -> &LifetimeModel<'c, 'a> {
        self.model
            .get_or_init(|| LifetimeModel::build(self.semantic, self.settings))
    }

    /// The nodes inside `node`, in source order. Node ids follow a pre-order walk, so a node's
    /// descendants are the nodes after it that start before its end.
    pub fn nodes_within(&self, node: NodeId) -> impl Iterator<Item = &'c AstNode<'a>> + 'c {
        let nodes = self.semantic.nodes();
        let end = nodes.kind(node).span().end;
        nodes
            .iter()
            .skip(node.index() + 1)
            .take_while(move |inner| inner.kind().span().start < end)
    }

    /// `node` itself, then the nodes inside it.
    pub fn subtree(&self, node: NodeId) -> impl Iterator<Item = &'c AstNode<'a>> + 'c {
        std::iter::once(self.semantic.nodes().get_node(node)).chain(self.nodes_within(node))
    }

    /// Calls whose callee is named `name`: see [`LifetimeModel::calls_named`].
    pub fn calls_named(&self, name: &str) -> &[NodeId] {
        self.model().calls_named(name)
    }

    /// Every `delete x[k]` / `delete x.k` expression.
    pub fn deletes(&self) -> &[NodeId] {
        self.model().deletes()
    }

    /// The file's control-flow graph. When the model was built without one, notes that a rule
    /// needs it (the file is then analysed again with the graph) and returns `None`.
    pub fn cfg(&self) -> Option<&'c oxc_cfg::ControlFlowGraph> {
        let cfg = self.semantic.cfg();
        if cfg.is_none() {
            self.wants_cfg.set(true);
        }
        cfg
    }

    pub(crate) fn wants_cfg(&self) -> bool {
        self.wants_cfg.get()
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}
