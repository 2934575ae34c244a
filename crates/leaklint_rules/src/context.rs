use std::{
    cell::{OnceCell, RefCell},
    rc::Rc,
};

use leaklint_diagnostics::Diagnostic;
use leaklint_model::{LifetimeModel, ModelSettings};
use oxc_semantic::{AstNode, AstNodes, NodeId, Semantic};
use rustc_hash::FxHashMap;

use crate::flow::FunctionGraph;

/// What a rule sees of one file: the semantic model, the lifetime model (built on first use,
/// once per file, shared by every rule), and where to put its findings.
pub struct RuleContext<'a, 'c> {
    semantic: &'c Semantic<'a>,
    settings: &'c ModelSettings,
    model: OnceCell<LifetimeModel<'c, 'a>>,
    diagnostics: Vec<Diagnostic>,
    /// The control-flow graphs built so far, by function (`None`: not a function).
    graphs: RefCell<FxHashMap<NodeId, Option<Rc<FunctionGraph>>>>,
}

impl<'a, 'c> RuleContext<'a, 'c> {
    pub fn new(semantic: &'c Semantic<'a>, settings: &'c ModelSettings) -> Self {
        Self {
            semantic,
            settings,
            model: OnceCell::new(),
            diagnostics: Vec::new(),
            graphs: RefCell::default(),
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
        leaklint_model::nodes_within(self.semantic, node)
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

    /// The control-flow graph of a function (a function, arrow function, class static block or
    /// the program), built on first use.
    pub fn function_graph(&self, function: NodeId) -> Option<Rc<FunctionGraph>> {
        self.graphs
            .borrow_mut()
            .entry(function)
            .or_insert_with(|| FunctionGraph::build(function, self.nodes()).map(Rc::new))
            .clone()
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}
