//! The lifetime model of one file: how often each function runs, and how long each value lives.
//!
//! Every leak leaklint looks for is the same sentence: *something short-lived is reachable from
//! something long-lived, and nothing ever breaks the link.* Rules are small queries over this
//! model; frameworks (Express, Koa, Fastify, Hapi, `http`, socket.io, ws, NestJS, Next.js, AWS
//! Lambda) are recognised here and nowhere else.

pub mod ast_util;
pub mod captures;
mod functions;
pub mod guards;
mod imports;
mod owners;
mod places;
pub mod protocols;
pub mod values;

use oxc_ast::AstKind;
use oxc_semantic::{NodeId, Semantic};
use oxc_span::GetSpan;
use std::cell::{OnceCell, RefCell};

pub use functions::{FunctionFacts, INDEXED_CALLEES};
pub use imports::{import_origin, ImportOrigin};
pub use owners::{
    is_teardown_name, Class, Evidence, Method, Outside, RunsAgain, Stage, END_METHODS,
    GLOBAL_OBJECTS, TEARDOWN_METHODS,
};
pub use places::{Field, Place, PlaceRoot};
pub use values::ValueLifetime;

/// Project-specific names from the configuration's `settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelSettings {
    /// Functions or methods (`registerRoute`, `bot.command`) whose function arguments handle a
    /// request each time they run.
    pub request_handler_registrars: Vec<String>,
    /// Values (`bus`, `app.locals.events`) that live as long as the process.
    pub long_lived: Vec<String>,
    /// Connection pools and shared clients (`db`, `this.pool`); they live as long as the process.
    pub pools: Vec<String>,
    /// Functions or methods (`db.checkout`, `getTenantConnection`) that return a connection the
    /// caller must release.
    pub acquire_functions: Vec<String>,
    /// Methods or functions (`checkin`, `db.giveBack`) that release a connection.
    pub release_functions: Vec<String>,
    /// Method names (`leave`, `quit`) that end an instance, besides the built-in ones
    /// (`close`, `destroy`, `dispose`, `stop`, …).
    pub teardown_methods: Vec<String>,
}

impl ModelSettings {
    /// Whether `text` mentions any configured name (by its last part: `checkout` for
    /// `db.checkout`). A rule's text prefilter looks for the APIs it knows; a file that uses
    /// only the project's own names must still be analysed.
    pub fn mentioned_in(&self, text: &str) -> bool {
        [
            &self.request_handler_registrars,
            &self.long_lived,
            &self.pools,
            &self.acquire_functions,
            &self.release_functions,
        ]
        .into_iter()
        .flatten()
        .filter_map(|name| name.rsplit('.').next())
        .filter(|last| !last.is_empty())
        .any(|last| text.contains(last))
    }
}

/// How often a function runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionRuns {
    /// Module top level and code that runs once at start-up.
    Once,
    /// Once per request, message or connection: route handlers, middleware, connection
    /// callbacks, Lambda handlers, and everything they call or create.
    PerRequest,
    /// Any other function: it may run many times.
    PerCall,
}

impl FunctionRuns {
    pub fn is_once(self) -> bool {
        self == FunctionRuns::Once
    }
}

/// The symbol an identifier refers to; `None` for a global. Needs only the semantic model.
pub fn symbol_of(
    semantic: &Semantic<'_>,
    ident: &oxc_ast::ast::IdentifierReference<'_>,
) -> Option<oxc_semantic::SymbolId> {
    semantic
        .scoping()
        .get_reference(ident.reference_id())
        .symbol_id()
}

/// The nodes inside `node`, in source order. Node ids follow a pre-order walk, so a node's
/// descendants are the nodes after it that start before its end.
pub fn nodes_within<'s, 'a>(
    semantic: &'s Semantic<'a>,
    node: NodeId,
) -> impl Iterator<Item = &'s oxc_semantic::AstNode<'a>> + 's {
    let nodes = semantic.nodes();
    let end = nodes.kind(node).span().end;
    nodes
        .iter()
        .skip(node.index() + 1)
        .take_while(move |inner| inner.kind().span().start < end)
}

/// The function whose parameter list declares a symbol; `None` when it is not a parameter.
/// Needs only the semantic model, so rules can ask before the lifetime model is built.
pub fn parameter_owner(
    semantic: &Semantic<'_>,
    symbol: oxc_semantic::SymbolId,
) -> Option<oxc_semantic::NodeId> {
    let declaration = semantic.scoping().symbol_declaration(symbol);
    let nodes = semantic.nodes();
    nodes
        .ancestor_ids(declaration)
        .find(|&id| matches!(nodes.kind(id), oxc_ast::AstKind::FormalParameters(_)))
        .map(|params| nodes.parent_id(params))
}

/// The lifetime model of one file, queried by every rule.
///
/// How often each function runs needs a pass over the whole file; it is computed the first time
/// a query needs it (or needs the call index, which the same pass builds), once per file.
/// Queries about bindings and nesting (`symbol_of`, `is_module_level`, `enclosing_function`,
/// `import_origin`) never trigger it, and neither does `runs_at` for code outside every
/// function.
pub struct LifetimeModel<'s, 'a> {
    semantic: &'s Semantic<'a>,
    settings: &'s ModelSettings,
    /// The scan's findings between the scan and their resolution into `functions`.
    scanned: RefCell<Option<functions::Scanned<'a>>>,
    index: OnceCell<functions::FileIndex>,
    functions: OnceCell<functions::Functions<'a>>,
    /// The functions each constructor function puts on its instances, found in one pass.
    prototype_members: OnceCell<rustc_hash::FxHashMap<NodeId, Vec<owners::Method<'a>>>>,
    /// Every function with a name, found in one pass.
    named_functions: OnceCell<Vec<(NodeId, &'a str)>>,
    /// Whether the text mentions `timers` (see [`LifetimeModel::mentions_timers_module`]).
    mentions_timers: OnceCell<bool>,
}

impl<'s, 'a> LifetimeModel<'s, 'a> {
    pub fn build(semantic: &'s Semantic<'a>, settings: &'s ModelSettings) -> Self {
        Self {
            semantic,
            settings,
            scanned: RefCell::new(None),
            index: OnceCell::new(),
            functions: OnceCell::new(),
            prototype_members: OnceCell::new(),
            named_functions: OnceCell::new(),
            mentions_timers: OnceCell::new(),
        }
    }

    /// Whether the code at `node` is inside a test runner's block (`describe`, `it`, `test`,
    /// their hooks): test code runs a fixed number of times, and the process then exits.
    pub fn in_test_block(&self, node: NodeId) -> bool {
        let nodes = self.semantic.nodes();
        nodes.ancestor_ids(node).any(|id| {
            matches!(nodes.kind(id), AstKind::CallExpression(call)
                if functions::is_test_runner(self.semantic, &call.callee))
        })
    }

    /// Whether the text mentions `timers` anywhere. When it does not, no binding of the file
    /// is imported from Node's `timers` module (unless the module's name is written with
    /// escapes), and the timer checks need not look up where each called binding comes from.
    pub fn mentions_timers_module(&self) -> bool {
        *self
            .mentions_timers
            .get_or_init(|| self.semantic.source_text().contains("timers"))
    }

    /// Every function's facts, analysed on first use.
    fn functions(&self) -> &functions::Functions<'a> {
        self.functions.get_or_init(|| {
            self.index();
            let scanned = self.scanned.borrow_mut().take();
            let scanned = scanned.expect("the index is built by the scan");
            functions::resolve(self.semantic, self.settings, scanned)
        })
    }

    /// The file's scan, run on first use by whichever of the function facts and the index is
    /// asked for first.
    fn index(&self) -> &functions::FileIndex {
        self.index.get_or_init(|| {
            let (scanned, index) = functions::scan(self.semantic, self.settings);
            *self.scanned.borrow_mut() = Some(scanned);
            index
        })
    }

    /// Calls whose callee is named `name` (`off` finds `bus.off(…)` and `off(…)`), in source
    /// order, so that rules look up the matching half of a pair (`on`/`off`,
    /// `setTimeout`/`clearTimeout`) without walking the file again. Only the names in
    /// [`INDEXED_CALLEES`] are indexed.
    ///
    /// # Panics
    /// When `name` is not indexed: add it to [`INDEXED_CALLEES`].
    pub fn calls_named(&self, name: &str) -> &[NodeId] {
        let slot = functions::indexed_callee(name)
            .unwrap_or_else(|| panic!("`{name}` is not in INDEXED_CALLEES"));
        &self.index().calls[slot]
    }

    /// Every `delete x[k]` / `delete x.k` expression.
    pub fn deletes(&self) -> &[NodeId] {
        &self.index().deletes
    }

    pub fn semantic(&self) -> &'s Semantic<'a> {
        self.semantic
    }

    /// The project's names from the configuration.
    pub fn settings(&self) -> &'s ModelSettings {
        self.settings
    }

    /// The innermost function (`Function` or arrow) containing a node; `None` at top level.
    pub fn enclosing_function(&self, node: NodeId) -> Option<NodeId> {
        functions::enclosing_function(self.semantic, node)
    }

    /// The nodes inside `node`, in source order, without `node` itself.
    pub fn nodes_within(
        &self,
        node: NodeId,
    ) -> impl Iterator<Item = &'s oxc_semantic::AstNode<'a>> + 's {
        let nodes = self.semantic.nodes();
        let end = nodes.kind(node).span().end;
        nodes
            .iter()
            .skip(node.index() + 1)
            .take_while(move |inner| inner.kind().span().start < end)
    }

    /// What is known about a function node.
    pub fn function(&self, function: NodeId) -> Option<&FunctionFacts<'a>> {
        self.functions().get(function)
    }

    /// How often the code at a node runs: that of its innermost function, `Once` at top level.
    /// An instance field's initializer runs on every `new`, so it is at least `PerCall`.
    pub fn runs_at(&self, node: NodeId) -> FunctionRuns {
        let runs = self
            .enclosing_function(node)
            .and_then(|f| self.functions().get(f))
            .map_or(FunctionRuns::Once, |facts| facts.runs);
        if runs == FunctionRuns::Once && self.in_instance_field_initializer(node) {
            return FunctionRuns::PerCall;
        }
        runs
    }

    /// Whether a node is in the initializer of a non-static class field (`timer = …`), outside
    /// any function nested in it: code that runs once per instance.
    pub fn in_instance_field_initializer(&self, node: NodeId) -> bool {
        let nodes = self.semantic.nodes();
        let mut current = node;
        loop {
            let parent = nodes.parent_id(current);
            if parent == current {
                return false;
            }
            match nodes.kind(parent) {
                AstKind::PropertyDefinition(property) => return !property.r#static,
                AstKind::AccessorProperty(property) => return !property.r#static,
                AstKind::Function(_)
                | AstKind::ArrowFunctionExpression(_)
                | AstKind::StaticBlock(_)
                | AstKind::Program(_) => return false,
                _ => current = parent,
            }
        }
    }

    /// Where a binding was imported or required from.
    pub fn import_origin(&self, symbol: oxc_semantic::SymbolId) -> Option<ImportOrigin<'a>> {
        import_origin(self.semantic, symbol)
    }

    /// The symbol an identifier refers to; `None` for a global.
    pub fn symbol_of(
        &self,
        ident: &oxc_ast::ast::IdentifierReference<'_>,
    ) -> Option<oxc_semantic::SymbolId> {
        symbol_of(self.semantic, ident)
    }

    /// Whether a binding is declared at the module's top level: it lives as long as the module.
    pub fn is_module_level(&self, symbol: oxc_semantic::SymbolId) -> bool {
        let scoping = self.semantic.scoping();
        scoping.symbol_scope_id(symbol) == scoping.root_scope_id()
    }

    /// Whether an identifier is the global of that name (not shadowed, not imported).
    pub fn is_global(&self, ident: &oxc_ast::ast::IdentifierReference<'_>, name: &str) -> bool {
        ident.name == name && self.symbol_of(ident).is_none()
    }

    /// Why the code at a node runs per request, for messages: "the Express handler for
    /// POST /join-room". `None` unless it runs per request.
    pub fn request_context(&self, node: NodeId) -> Option<&str> {
        let facts = self.functions().get(self.enclosing_function(node)?)?;
        (facts.runs == FunctionRuns::PerRequest).then_some(facts.why.as_deref()?)
    }
}

#[cfg(test)]
mod protocol_tests;
#[cfg(test)]
mod tests;
