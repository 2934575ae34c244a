//! How often each function runs. One pass over the file's nodes finds the places that decide it
//! (route registrations, exports, decorators, immediately-run callbacks, calls between the file's
//! own functions); a small fixpoint then propagates along nesting and the call graph.
//!
//! The same pass indexes the calls the rules look up by name ([`FileIndex`]): each call is
//! read once, whichever is asked for first.

use oxc_ast::{
    ast::UnaryOperator,
    ast::{
        CallExpression, Declaration, ExportDefaultDeclarationKind, Expression, MethodDefinition,
        ObjectExpression, ObjectPropertyKind, VariableDeclaration,
    },
    AstKind,
};
use oxc_semantic::{NodeId, Semantic, SymbolId};
use oxc_syntax::scope::ScopeFlags;
use rustc_hash::FxHashMap;
use std::{rc::Rc, sync::LazyLock};

use crate::{
    ast_util::{
        argument, as_function_node, as_member, callee_name, dotted_path, function_params,
        is_dotted_path, member_name, param_name, param_names, property_key_name, string_value,
        strip, written, Written,
    },
    FunctionRuns, ModelSettings,
};

/// What the model knows about one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionFacts<'a> {
    pub runs: FunctionRuns,
    /// Why it runs per request, for messages ("the Express handler for GET /users"). Shared:
    /// every function nested in a handler has the handler's reason.
    pub why: Option<Rc<str>>,
    /// The name it is declared or assigned under, if any.
    pub name: Option<&'a str>,
    /// Called per request by a framework, or by such a function: its parameters are what the
    /// framework passes (`req`, `ctx`, `event`), not values of a callback nested in it.
    pub entry: bool,
}

/// What a function's position in the code says about how often it runs.
#[derive(Debug, Clone)]
enum Mark {
    /// A framework calls it once per request, message or connection.
    Handler(Rc<str>),
    /// It runs when, and as often as, the code that creates it: an IIFE, an array callback, a
    /// promise executor, a `once` listener, a `setTimeout` callback, a `listen` callback.
    Inherit,
}

const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "options", "head", "search",
];

/// Methods whose callback runs synchronously, during the call.
const SYNC_CALLBACK_METHODS: &[&str] = &[
    "forEach",
    "map",
    "filter",
    "reduce",
    "reduceRight",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flatMap",
    "sort",
    "toSorted",
    "call",
    "apply",
];

/// Calls whose callback runs at most once per call.
const ONE_SHOT_CALLBACKS: &[&str] = &[
    "then",
    "catch",
    "finally",
    "once",
    "prependOnceListener",
    "setTimeout",
    "setImmediate",
    "nextTick",
    "queueMicrotask",
    "listen",
    // `net.connect(port, onConnect)`, `pool.connect((err, client) => …)`: once, when connected.
    "connect",
    "createConnection",
];

/// Events emitted once per request or connection by servers (`http`, `net`, `tls`, `http2`,
/// socket.io, ws).
const PER_REQUEST_EVENTS: &[&str] = &[
    "request",
    "connection",
    "stream",
    "upgrade",
    "secureConnection",
    "checkContinue",
];

/// Test runners' blocks: `describe`, `it`, `test` and their hooks.
pub(crate) const TEST_BLOCKS: &[&str] = &[
    "describe",
    "it",
    "test",
    "beforeAll",
    "afterAll",
    "beforeEach",
    "afterEach",
    "before",
    "after",
];

/// Modules test blocks are imported from.
const TEST_MODULES: &[&str] = &[
    "vitest",
    "@jest/globals",
    "mocha",
    "test",
    "bun:test",
    "ava",
];

/// Events an object emits at most once: their listeners run as often as they are registered.
const ONE_SHOT_EVENTS: &[&str] = &["listening", "ready", "close", "end", "finish"];

/// Fastify hooks that run for every request.
const FASTIFY_REQUEST_HOOKS: &[&str] = &[
    "onRequest",
    "preParsing",
    "preValidation",
    "preHandler",
    "preSerialization",
    "onSend",
    "onResponse",
    "onError",
    "onTimeout",
    "onRequestAbort",
];

/// Route-object properties whose functions run per request (Fastify `route`, Hapi `route`).
const ROUTE_HANDLER_KEYS: &[&str] = &[
    "handler",
    "onRequest",
    "preParsing",
    "preValidation",
    "preHandler",
    "preSerialization",
    "onSend",
    "onResponse",
];

/// NestJS decorators that make a controller or gateway method a request handler.
const NEST_HANDLER_DECORATORS: &[&str] = &[
    "Get",
    "Post",
    "Put",
    "Patch",
    "Delete",
    "All",
    "Options",
    "Head",
    "Search",
    "Sse",
    "MessagePattern",
    "EventPattern",
    "SubscribeMessage",
    "GrpcMethod",
    "Query",
    "Mutation",
    "ResolveField",
];

/// Next.js App Router exports.
const NEXT_ROUTE_EXPORTS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The callee names [`crate::LifetimeModel::calls_named`] finds: the removing half of each pair
/// the rules match. Indexing only these keeps the index small: one lookup per call in a fixed
/// table ([`CallRoles`]), none in a table of every name of the file.
pub const INDEXED_CALLEES: &[&str] = &[
    "abort",
    "addEventListener",
    "addListener",
    "clear",
    "clearInterval",
    "clearTimeout",
    "delete",
    "off",
    "on",
    "once",
    "pop",
    "prependListener",
    "prependOnceListener",
    "removeAllListeners",
    "removeEventListener",
    "removeListener",
    "shift",
    "splice",
];

pub(crate) fn indexed_callee(name: &str) -> Option<usize> {
    CallRoles::of(name).indexed()
}

/// What the scan does with a call of some name, looked up once per call: every call of the file
/// passes through the scan, and comparing its name with each list in turn cost more than the
/// rest of the scan of it.
#[derive(Debug, Clone, Copy, Default)]
struct CallRoles {
    http_method: bool,
    sync_callback: bool,
    one_shot_callback: bool,
    /// Position in [`INDEXED_CALLEES`], plus one; 0 when not indexed.
    indexed: u8,
}

impl CallRoles {
    fn of(name: &str) -> Self {
        static ROLES: LazyLock<FxHashMap<&'static str, CallRoles>> = LazyLock::new(|| {
            let mut roles: FxHashMap<&'static str, CallRoles> = FxHashMap::default();
            for &name in HTTP_METHODS {
                roles.entry(name).or_default().http_method = true;
            }
            for &name in SYNC_CALLBACK_METHODS {
                roles.entry(name).or_default().sync_callback = true;
            }
            for &name in ONE_SHOT_CALLBACKS {
                roles.entry(name).or_default().one_shot_callback = true;
            }
            for (slot, &name) in INDEXED_CALLEES.iter().enumerate() {
                roles.entry(name).or_default().indexed = u8::try_from(slot + 1).expect("few");
            }
            roles
        });
        ROLES.get(name).copied().unwrap_or_default()
    }

    fn indexed(self) -> Option<usize> {
        usize::from(self.indexed).checked_sub(1)
    }
}

/// Per-file lookups shared by every rule, found by the functions' scan.
pub(crate) struct FileIndex {
    /// Per name of [`INDEXED_CALLEES`], the calls of that name, in source order.
    pub calls: Vec<Vec<NodeId>>,
    /// Every `delete` expression.
    pub deletes: Vec<NodeId>,
}

/// What the scan found, kept until a query needs the function facts. Names are the AST's own
/// strings: nothing is copied per function.
#[derive(Default)]
pub(crate) struct Scanned<'a> {
    /// Function nodes in source order (parents before the functions nested in them).
    functions: Vec<NodeId>,
    /// Each function's position in `functions`.
    ordinal: FxHashMap<NodeId, u32>,
    /// Each function's enclosing function, by position in `functions`.
    enclosing: Vec<Option<NodeId>>,
    /// Each function's own name (`function name() {}`), by position in `functions`.
    declared: Vec<Option<&'a str>>,
    /// The name a function is given where it is defined (`const name = () => {}`,
    /// `{ name() {} }`), which wins over its own.
    names: FxHashMap<NodeId, &'a str>,
    marks: FxHashMap<NodeId, Mark>,
    /// (calling function or top level, called function)
    calls: Vec<(Option<NodeId>, NodeId)>,
    /// `this.name()` calls, resolved once every class method is known: (caller, method name).
    this_calls: Vec<(NodeId, &'a str)>,
    /// Named class methods in source order: (class node, name, the method's function node).
    methods: Vec<(NodeId, &'a str, NodeId)>,
    /// `new C()` of a class of this file: (calling function or top level, class node).
    constructions: Vec<(Option<NodeId>, NodeId)>,
}

struct Analysis<'s, 'a> {
    semantic: &'s Semantic<'a>,
    settings: &'s ModelSettings,
    found: Scanned<'a>,
}

impl<'a> std::ops::Deref for Analysis<'_, 'a> {
    type Target = Scanned<'a>;
    fn deref(&self) -> &Scanned<'a> {
        &self.found
    }
}

impl<'a> std::ops::DerefMut for Analysis<'_, 'a> {
    fn deref_mut(&mut self) -> &mut Scanned<'a> {
        &mut self.found
    }
}

/// The innermost function (`Function` or arrow) containing a node, not counting the node itself;
/// `None` at top level. Found through the scope tree, which is shallow (one scope per function,
/// block, class), so no per-node table is needed.
pub fn enclosing_function(semantic: &Semantic<'_>, node: NodeId) -> Option<NodeId> {
    let nodes = semantic.nodes();
    let scoping = semantic.scoping();
    // A node's scope is the one it is in, never the one it creates.
    let mut scope = Some(nodes.get_node(node).scope_id());
    while let Some(id) = scope {
        if scoping
            .scope_flags(id)
            .intersects(ScopeFlags::Function | ScopeFlags::Arrow)
        {
            let owner = scoping.get_node_id(id);
            if owner != node && nodes.kind(owner).is_function_like() {
                return Some(owner);
            }
        }
        scope = scoping.scope_parent_id(id);
    }
    None
}

/// One pass over the file: what decides how often each function runs, and the [`FileIndex`].
pub(crate) fn scan<'a>(
    semantic: &Semantic<'a>,
    settings: &ModelSettings,
) -> (Scanned<'a>, FileIndex) {
    let mut analysis = Analysis {
        semantic,
        settings,
        found: Scanned::default(),
    };
    let mut index = FileIndex {
        calls: vec![Vec::new(); INDEXED_CALLEES.len()],
        deletes: Vec::new(),
    };
    analysis.scan(&mut index);
    (analysis.found, index)
}

/// Every function's facts, by function node.
pub(crate) struct Functions<'a> {
    ordinal: FxHashMap<NodeId, u32>,
    facts: Vec<FunctionFacts<'a>>,
}

impl<'a> Functions<'a> {
    pub(crate) fn get(&self, function: NodeId) -> Option<&FunctionFacts<'a>> {
        self.ordinal
            .get(&function)
            .map(|&ordinal| &self.facts[ordinal as usize])
    }
}

/// Every function's facts, from what [`scan`] found in the same file.
pub(crate) fn resolve<'a>(
    semantic: &Semantic<'a>,
    settings: &ModelSettings,
    found: Scanned<'a>,
) -> Functions<'a> {
    Analysis {
        semantic,
        settings,
        found,
    }
    .resolve()
}

impl<'s, 'a> Analysis<'s, 'a> {
    fn scan(&mut self, index: &mut FileIndex) {
        let nodes = self.semantic.nodes();
        // `iter_enumerated`: `AstNode::id` reads the id from the AST node itself, a load from the
        // arena for every node.
        for (id, node) in nodes.iter_enumerated() {
            match node.kind() {
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
                    let ordinal = u32::try_from(self.functions.len()).expect("fewer nodes");
                    self.ordinal.insert(id, ordinal);
                    self.functions.push(id);
                    let parent = enclosing_function(self.semantic, id);
                    self.enclosing.push(parent);
                    let declared = match node.kind() {
                        AstKind::Function(function) => {
                            function.id.as_ref().map(|id| id.name.as_str())
                        }
                        _ => None,
                    };
                    self.declared.push(declared);
                    self.mark_by_parameter_shape(id, node.kind());
                }
                AstKind::CallExpression(call) => {
                    let name = callee_name(call);
                    let roles = name.map(CallRoles::of).unwrap_or_default();
                    if let Some(slot) = roles.indexed() {
                        index.calls[slot].push(id);
                    }
                    self.scan_call(id, call, name, roles);
                }
                AstKind::UnaryExpression(unary) if unary.operator == UnaryOperator::Delete => {
                    index.deletes.push(id);
                }
                AstKind::NewExpression(new) => {
                    // `new Promise(executor)` runs the executor during construction.
                    if matches!(strip(&new.callee), Expression::Identifier(i) if i.name == "Promise")
                    {
                        if let Some(f) = new.arguments.first().and_then(|a| a.as_expression()) {
                            self.mark_inline(f, Mark::Inherit);
                        }
                    }
                    // `new Notifier()`: a call of the class's constructor.
                    if let Expression::Identifier(ident) = strip(&new.callee) {
                        let class = crate::symbol_of(self.semantic, ident)
                            .map(|symbol| self.semantic.scoping().symbol_declaration(symbol))
                            .filter(|&d| matches!(nodes.kind(d), AstKind::Class(_)));
                        if let Some(class) = class {
                            let caller = enclosing_function(self.semantic, id);
                            self.constructions.push((caller, class));
                        }
                    }
                }
                AstKind::MethodDefinition(method) => self.scan_method(id, method),
                // `{ init: function () {…} }`, `{ init() {…} }`
                AstKind::ObjectProperty(property) => {
                    if let (Some(f), Some(name)) = (
                        as_function_node(&property.value),
                        property_key_name(&property.key),
                    ) {
                        self.names.entry(f).or_insert(name);
                    }
                }
                AstKind::VariableDeclarator(declarator) => {
                    if let (Some(init), Some(name)) =
                        (&declarator.init, declarator.id.get_binding_identifier())
                    {
                        if let Some(f) = as_function_node(init) {
                            self.names.insert(f, name.name.as_str());
                        }
                    }
                }
                AstKind::AssignmentExpression(assign) => {
                    // `exports.handler = …` / `module.exports.handler = …`: a Lambda handler.
                    let Some(Written::Member(member)) = written(&assign.left) else {
                        continue;
                    };
                    let object = member.object();
                    match member_name(member) {
                        Some("handler")
                            if is_dotted_path(object, "exports")
                                || is_dotted_path(object, "module.exports") =>
                        {
                            self.mark_handler(&assign.right, "the Lambda handler".to_string());
                        }
                        // `module.exports = { handler }`
                        Some("exports") if is_dotted_path(object, "module") => {
                            if let Expression::ObjectExpression(object) = strip(&assign.right) {
                                for property in &object.properties {
                                    let ObjectPropertyKind::ObjectProperty(property) = property
                                    else {
                                        continue;
                                    };
                                    if property_key_name(&property.key) == Some("handler") {
                                        self.mark_handler(
                                            &property.value,
                                            "the Lambda handler".to_string(),
                                        );
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                AstKind::ExportDeclaration(export) => match &export.declaration {
                    Declaration::FunctionDeclaration(function) => {
                        if let Some(name) = function.id.as_ref().map(|id| id.name.as_str()) {
                            if let Some(why) = exported_handler(name) {
                                self.marks
                                    .insert(function.node_id(), Mark::Handler(why.into()));
                            }
                        }
                    }
                    Declaration::VariableDeclaration(declaration) => {
                        self.scan_exported_variables(declaration);
                    }
                    _ => {}
                },
                AstKind::ExportDefaultDeclaration(export) => {
                    let (function, params) = match &export.declaration {
                        ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                            (Some(f.node_id()), Some(&f.params))
                        }
                        ExportDefaultDeclarationKind::ArrowFunctionExpression(a) => {
                            (Some(a.node_id()), Some(&a.params))
                        }
                        _ => (None, None),
                    };
                    if let (Some(function), Some(params)) = (function, params) {
                        let first = param_names(params).first().copied().flatten();
                        if matches!(first, Some("req" | "request")) {
                            self.marks
                                .insert(function, Mark::Handler("the Next.js API route".into()));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `(req, res)`, `(req, res, next)` and `(err, req, res, next)` are request handlers wherever
    /// they appear: the shape is the framework's contract.
    fn mark_by_parameter_shape(&mut self, function: NodeId, kind: AstKind<'a>) {
        let Some(params) = function_params(&kind) else {
            return;
        };
        // Read without collecting the names: this runs for every function of the file.
        let params = &params.items;
        if params.len() < 2 {
            return;
        }
        let name = |i: usize| param_name(&params[i]);
        let is_req = |n: Option<&str>| matches!(n, Some("req" | "request"));
        let is_res = |n: Option<&str>| matches!(n, Some("res" | "response" | "reply"));
        let shaped = (is_req(name(0)) && is_res(name(1)))
            || (params.len() == 4
                && matches!(name(0), Some("err" | "error"))
                && is_req(name(1))
                && is_res(name(2)));
        // `function EventSource(request, response, options)` that the file calls with `new` or
        // gives prototype methods is a class that wraps a request, not a handler of requests.
        if shaped && !crate::owners::is_constructor_function(self.semantic, function) {
            self.marks
                .entry(function)
                .or_insert_with(|| Mark::Handler("a (req, res) request handler".into()));
        }
    }

    fn scan_exported_variables(&mut self, declaration: &VariableDeclaration<'a>) {
        for declarator in &declaration.declarations {
            let (Some(init), Some(name)) =
                (&declarator.init, declarator.id.get_binding_identifier())
            else {
                continue;
            };
            if let Some(why) = exported_handler(name.name.as_str()) {
                self.mark_handler(init, why);
            }
        }
    }

    fn scan_method(&mut self, id: NodeId, method: &MethodDefinition<'a>) {
        let function = method.value.node_id();
        if let Some(name) = property_key_name(&method.key) {
            self.names.insert(function, name);
            // MethodDefinition → ClassBody → Class
            let nodes = self.semantic.nodes();
            let class = nodes.parent_id(nodes.parent_id(id));
            self.methods.push((class, name, function));
        }
        for decorator in &method.decorators {
            let Expression::CallExpression(call) = strip(&decorator.expression) else {
                continue;
            };
            let Some(name) = callee_name(call) else {
                continue;
            };
            if NEST_HANDLER_DECORATORS.contains(&name) {
                let route = argument(call, 0).and_then(string_value).unwrap_or("");
                let why = if route.is_empty() {
                    format!("the NestJS @{name}() handler")
                } else {
                    format!("the NestJS @{name}('{route}') handler")
                };
                self.marks.insert(function, Mark::Handler(why.into()));
            }
        }
    }

    /// `name` is the call's [`callee_name`], `roles` what that name is.
    fn scan_call(
        &mut self,
        id: NodeId,
        call: &CallExpression<'a>,
        name: Option<&'a str>,
        roles: CallRoles,
    ) {
        let callee = strip(&call.callee);

        // An immediately invoked function runs with its caller.
        if let Some(f) = as_function_node(callee) {
            self.marks.insert(f, Mark::Inherit);
            return;
        }

        // Calls between the file's own functions, for propagation.
        match callee {
            Expression::Identifier(ident) => {
                if let Some(f) = self.function_of_reference(ident) {
                    let caller = enclosing_function(self.semantic, id);
                    self.calls.push((caller, f));
                }
            }
            other => {
                if let Some(member) = as_member(other) {
                    if matches!(strip(member.object()), Expression::ThisExpression(_)) {
                        let caller = enclosing_function(self.semantic, id);
                        if let (Some(caller), Some(name)) = (caller, member_name(member)) {
                            self.this_calls.push((caller, name));
                        }
                    }
                }
            }
        }

        let Some(name) = name else {
            return;
        };
        // Built only for the calls that need it: most calls in a file are none of these.
        let receiver = || as_member(callee).and_then(|m| dotted_path(m.object()));
        let callee_path = || match receiver() {
            Some(receiver) => format!("{receiver}.{name}"),
            None => name.to_string(),
        };

        let registrars = &self.settings.request_handler_registrars;
        if !registrars.is_empty() {
            let callee_path = callee_path();
            if registrars.iter().any(|r| r == &callee_path || r == name) {
                let why = format!("the handler registered with `{callee_path}`");
                self.mark_function_arguments(call, 0, &why);
                return;
            }
        }

        let is_member = as_member(callee).is_some();
        if is_member && roles.http_method && call.arguments.len() >= 2 {
            let on_route_chain = as_member(callee)
                .is_some_and(|m| matches!(strip(m.object()), Expression::CallExpression(c) if callee_name(c) == Some("route")));
            // Routes start with `/` (or are `*`); `cache.get('key', fallback)` is not a route.
            let path = argument(call, 0)
                .and_then(string_value)
                .filter(|p| p.starts_with('/') || *p == "*");
            let first_is_path = path.is_some()
                || argument(call, 0).is_some_and(|a| {
                    matches!(
                        strip(a),
                        Expression::RegExpLiteral(_) | Expression::ArrayExpression(_)
                    )
                });
            if first_is_path || on_route_chain {
                let verb = name.to_ascii_uppercase();
                let route = path.map_or(String::new(), |p| format!(" {p}"));
                self.mark_route_handlers(call, |framework| {
                    format!("the {framework} handler for {verb}{route}")
                });
                return;
            }
        }

        match name {
            "use" if is_member => {
                let receiver = receiver().unwrap_or_else(|| "app".to_string());
                self.mark_route_handlers(call, |framework| {
                    format!("the {framework} middleware registered with `{receiver}.use`")
                });
            }
            "route" if is_member => {
                for arg in call.arguments.iter().filter_map(|a| a.as_expression()) {
                    self.scan_route_object(arg, None, 0);
                }
            }
            "addHook" if is_member => {
                if let Some(hook) = argument(call, 0).and_then(string_value) {
                    if FASTIFY_REQUEST_HOOKS.contains(&hook) {
                        self.mark_function_arguments(call, 1, &format!("the Fastify {hook} hook"));
                    }
                }
            }
            "on" | "addListener" | "prependListener" if is_member => {
                let event = argument(call, 0).and_then(string_value).unwrap_or("");
                let receiver = receiver();
                if receiver.as_deref() == Some("process") {
                    // Signal and exit handlers run once, when the process ends.
                    if event.starts_with("SIG") || matches!(event, "exit" | "beforeExit") {
                        self.mark_inline_arguments(call);
                    }
                } else if ONE_SHOT_EVENTS.contains(&event) {
                    self.mark_inline_arguments(call);
                } else if PER_REQUEST_EVENTS.contains(&event) {
                    let receiver = receiver.as_deref().unwrap_or("server");
                    let why = format!("the '{event}' handler on `{receiver}`");
                    self.mark_function_arguments(call, 1, &why);
                }
            }
            "createServer" | "createSecureServer" => {
                let why = format!("the request handler passed to `{}`", callee_path());
                self.mark_function_arguments(call, 0, &why);
            }
            _ if roles.sync_callback && is_member => {
                self.mark_inline_arguments(call);
            }
            "from" if as_member(callee).is_some_and(|m| is_dotted_path(m.object(), "Array")) => {
                self.mark_inline_arguments(call);
            }
            _ if roles.one_shot_callback => self.mark_inline_arguments(call),
            // A test suite's blocks run a fixed number of times, as the file is loaded.
            _ if !is_member && TEST_BLOCKS.contains(&name) && self.is_test_framework(callee) => {
                self.mark_inline_arguments(call);
            }
            _ => {}
        }
    }

    /// Whether a test-block callee is the test runner's: an undeclared global (Jest, Mocha,
    /// Vitest globals) or imported from a test runner's module.
    fn is_test_framework(&self, callee: &Expression<'a>) -> bool {
        is_test_runner(self.semantic, callee)
    }

    /// Marks the function arguments of a route registration, naming the framework from the
    /// handler's parameters: `(request, reply)` is Fastify, `(ctx, …)` Koa, otherwise Express.
    fn mark_route_handlers(&mut self, call: &CallExpression<'a>, why: impl Fn(&str) -> String) {
        for arg in call.arguments.iter().filter_map(|a| a.as_expression()) {
            let Some(function) = self.function_of_expression(arg) else {
                continue;
            };
            let kind = self.semantic.nodes().kind(function);
            let names = function_params(&kind).map(param_names).unwrap_or_default();
            let framework = match (
                names.first().copied().flatten(),
                names.get(1).copied().flatten(),
            ) {
                (Some("ctx" | "context"), _) => "Koa",
                (_, Some("reply")) => "Fastify",
                (Some("socket"), _) => "socket.io",
                _ => "Express",
            };
            self.marks
                .insert(function, Mark::Handler(why(framework).into()));
        }
    }

    /// `server.route({ method, path|url, handler })`, Hapi's `options: { handler }`, and arrays
    /// of route objects.
    fn scan_route_object(
        &mut self,
        expr: &Expression<'a>,
        route: Option<(String, &'a str)>,
        depth: u8,
    ) {
        if depth > 2 {
            return;
        }
        match strip(expr) {
            Expression::ArrayExpression(array) => {
                for element in array.elements.iter().filter_map(|e| e.as_expression()) {
                    self.scan_route_object(element, route.clone(), depth + 1);
                }
            }
            Expression::ObjectExpression(object) => {
                // Hapi keeps `method` and `path` outside the nested `options: { handler }`.
                let (method, path) = route.unwrap_or_else(|| {
                    let method = object_string(object, "method")
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let path = object_string(object, "url")
                        .or_else(|| object_string(object, "path"))
                        .unwrap_or("");
                    (method, path)
                });
                for property in &object.properties {
                    let ObjectPropertyKind::ObjectProperty(property) = property else {
                        continue;
                    };
                    match property_key_name(&property.key) {
                        Some(key) if ROUTE_HANDLER_KEYS.contains(&key) => {
                            let route = [method.as_str(), path]
                                .into_iter()
                                .filter(|s| !s.is_empty())
                                .collect::<Vec<_>>()
                                .join(" ");
                            let why = if route.is_empty() {
                                "a route handler".to_string()
                            } else {
                                format!("the route handler for {route}")
                            };
                            self.mark_handler(&property.value, why);
                        }
                        Some("options" | "config") => {
                            let route = Some((method.clone(), path));
                            self.scan_route_object(&property.value, route, depth + 1);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn mark_function_arguments(&mut self, call: &CallExpression<'a>, from: usize, why: &str) {
        for arg in call
            .arguments
            .iter()
            .skip(from)
            .filter_map(|a| a.as_expression())
        {
            self.mark_handler(arg, why.to_string());
        }
    }

    fn mark_inline_arguments(&mut self, call: &CallExpression<'a>) {
        for arg in call.arguments.iter().filter_map(|a| a.as_expression()) {
            self.mark_inline(arg, Mark::Inherit);
        }
    }

    fn mark_inline(&mut self, expr: &Expression<'a>, mark: Mark) {
        if let Some(f) = as_function_node(expr) {
            self.marks.entry(f).or_insert(mark);
        }
    }

    /// A handler may be written inline or be a function of this file passed by name.
    fn mark_handler(&mut self, expr: &Expression<'a>, why: String) {
        if let Some(f) = self.function_of_expression(expr) {
            self.marks.insert(f, Mark::Handler(why.into()));
        }
    }

    fn function_of_expression(&self, expr: &Expression<'a>) -> Option<NodeId> {
        match strip(expr) {
            Expression::Identifier(ident) => self.function_of_reference(ident),
            other => as_function_node(other),
        }
    }

    fn function_of_reference(
        &self,
        ident: &oxc_ast::ast::IdentifierReference<'a>,
    ) -> Option<NodeId> {
        let reference = self.semantic.scoping().get_reference(ident.reference_id());
        self.function_of_symbol(reference.symbol_id()?)
    }

    /// `function f() {}` or `const f = () => {}` / `function () {}`.
    fn function_of_symbol(&self, symbol: SymbolId) -> Option<NodeId> {
        let nodes = self.semantic.nodes();
        let declaration = self.semantic.scoping().symbol_declaration(symbol);
        match nodes.kind(declaration) {
            AstKind::Function(_) => Some(declaration),
            AstKind::VariableDeclarator(declarator)
                if !self.semantic.scoping().symbol_is_mutated(symbol) =>
            {
                declarator.init.as_ref().and_then(as_function_node)
            }
            _ => None,
        }
    }

    /// The class whose instance `this` is inside a function: arrows see their parent's `this`.
    fn this_class(&self, mut function: NodeId) -> Option<NodeId> {
        let nodes = self.semantic.nodes();
        loop {
            match nodes.kind(function) {
                AstKind::ArrowFunctionExpression(_) => {
                    function = self.enclosing[self.ordinal[&function] as usize]?;
                }
                AstKind::Function(_) => {
                    let parent = nodes.parent_id(function);
                    if !matches!(nodes.kind(parent), AstKind::MethodDefinition(_)) {
                        return None;
                    }
                    return Some(nodes.parent_id(nodes.parent_id(parent)));
                }
                _ => return None,
            }
        }
    }

    fn resolve(mut self) -> Functions<'a> {
        // (class node, method name) → method's function node; a later method of the same name
        // replaces an earlier one.
        let class_methods: FxHashMap<(NodeId, &str), NodeId> = self
            .methods
            .iter()
            .map(|&(class, name, function)| ((class, name), function))
            .collect();
        for (caller, name) in std::mem::take(&mut self.this_calls) {
            if let Some(class) = self.this_class(caller) {
                if let Some(&method) = class_methods.get(&(class, name)) {
                    self.calls.push((Some(caller), method));
                }
            }
        }
        for (caller, class) in std::mem::take(&mut self.constructions) {
            if let Some(&constructor) = class_methods.get(&(class, "constructor")) {
                self.calls.push((caller, constructor));
            }
        }
        // From here on functions are numbered by their position in `functions`: the fixpoint
        // below reads each function's parent, mark and callers once per sweep.
        let ordinal_of = |node: Option<NodeId>| node.and_then(|n| self.ordinal.get(&n).copied());
        let mut callers: Vec<Vec<Option<u32>>> = vec![Vec::new(); self.functions.len()];
        for &(caller, callee) in &self.calls {
            if let Some(callee) = ordinal_of(Some(callee)) {
                // A caller that is not a function of the file runs once, as top-level code does.
                callers[callee as usize].push(ordinal_of(caller));
            }
        }
        let parents: Vec<Option<u32>> = self.enclosing.iter().map(|&p| ordinal_of(p)).collect();
        let marks: Vec<Option<&Mark>> = self.functions.iter().map(|f| self.marks.get(f)).collect();

        let mut facts: Vec<FunctionFacts<'a>> = self
            .functions
            .iter()
            .zip(&self.declared)
            .map(|(f, &declared)| FunctionFacts {
                runs: FunctionRuns::PerCall,
                why: None,
                name: self.names.get(f).copied().or(declared),
                entry: false,
            })
            .collect();

        // Functions are visited parents-first, so one sweep settles nesting; further sweeps carry
        // the call graph. Each sweep only ever promotes towards PerRequest, so this terminates.
        for _ in 0..16 {
            let mut changed = false;
            for (i, &f) in self.functions.iter().enumerate() {
                let (runs, why, is_entry) =
                    self.decide(f, i, &facts, &callers[i], parents[i], marks[i]);
                let entry = &mut facts[i];
                if entry.runs != runs || entry.why != why || entry.entry != is_entry {
                    entry.runs = runs;
                    entry.why = why;
                    entry.entry = is_entry;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Functions {
            ordinal: std::mem::take(&mut self.found.ordinal),
            facts,
        }
    }

    /// How often function `f` (number `i`) runs, why, and whether it is an entry point, from what
    /// is known so far of its parent and its callers.
    fn decide(
        &self,
        f: NodeId,
        i: usize,
        facts: &[FunctionFacts<'a>],
        callers: &[Option<u32>],
        parent: Option<u32>,
        mark: Option<&Mark>,
    ) -> (FunctionRuns, Option<Rc<str>>, bool) {
        let context = |function: Option<u32>| -> (FunctionRuns, Option<Rc<str>>) {
            match function {
                None => (FunctionRuns::Once, None),
                Some(n) => (facts[n as usize].runs, facts[n as usize].why.clone()),
            }
        };
        match mark {
            Some(Mark::Handler(why)) => return (FunctionRuns::PerRequest, Some(why.clone()), true),
            Some(Mark::Inherit) => {
                let (runs, why) = context(parent);
                return (runs, why, false);
            }
            None => {}
        }
        for &caller in callers {
            if let (FunctionRuns::PerRequest, Some(why)) = context(caller) {
                let why = match facts[i].name {
                    Some(name) if !is_quoted_at_start(&why, name) => {
                        format!("`{name}`, called from {why}").into()
                    }
                    _ => why,
                };
                return (FunctionRuns::PerRequest, Some(why), true);
            }
        }
        let parent_context = context(parent);
        if parent_context.0 == FunctionRuns::PerRequest {
            return (parent_context.0, parent_context.1, false);
        }
        if parent_context.0 == FunctionRuns::PerCall {
            return (FunctionRuns::PerCall, None, false);
        }
        // A function only ever called from start-up code, and not passed anywhere else, runs
        // as often as start-up does: once.
        let all_once = callers.iter().all(|&c| context(c).0 == FunctionRuns::Once);
        if all_once && !callers.is_empty() && !self.escapes(f, callers.len()) {
            return (FunctionRuns::Once, None, false);
        }
        (FunctionRuns::PerCall, None, false)
    }

    /// Whether a named function is referenced other than by the calls counted: passed as a
    /// callback, stored, exported. Then anyone may call it, any number of times.
    fn escapes(&self, f: NodeId, counted_calls: usize) -> bool {
        let Some(symbol) = self.symbol_of_function(f) else {
            return true;
        };
        let references = self
            .semantic
            .scoping()
            .get_resolved_reference_ids(symbol)
            .len();
        references > counted_calls || self.is_exported(symbol)
    }

    fn is_exported(&self, symbol: SymbolId) -> bool {
        let nodes = self.semantic.nodes();
        let declaration = self.semantic.scoping().symbol_declaration(symbol);
        nodes.ancestor_kinds(declaration).any(|kind| {
            matches!(
                kind,
                AstKind::ExportDeclaration(_) | AstKind::ExportDefaultDeclaration(_)
            )
        })
    }

    fn symbol_of_function(&self, f: NodeId) -> Option<SymbolId> {
        let nodes = self.semantic.nodes();
        // A constructor is called through its class's name.
        if let AstKind::MethodDefinition(method) = nodes.parent_kind(f) {
            if method.kind == oxc_ast::ast::MethodDefinitionKind::Constructor {
                let class = nodes.parent_id(nodes.parent_id(nodes.parent_id(f)));
                if let AstKind::Class(class) = nodes.kind(class) {
                    return class.id.as_ref().and_then(|id| id.symbol_id.get());
                }
            }
            return None;
        }
        match nodes.kind(f) {
            AstKind::Function(function) => {
                if let Some(id) = &function.id {
                    return id.symbol_id.get();
                }
            }
            AstKind::ArrowFunctionExpression(_) => {}
            _ => return None,
        }
        match nodes.parent_kind(f) {
            AstKind::VariableDeclarator(declarator) => declarator
                .id
                .get_binding_identifier()
                .and_then(|id| id.symbol_id.get()),
            _ => None,
        }
    }
}

/// Whether `text` starts with `` `name` ``.
fn is_quoted_at_start(text: &str, name: &str) -> bool {
    text.strip_prefix('`')
        .and_then(|rest| rest.strip_prefix(name))
        .is_some_and(|rest| rest.starts_with('`'))
}

fn exported_handler(name: &str) -> Option<String> {
    if name == "handler" {
        Some("the Lambda handler".to_string())
    } else if NEXT_ROUTE_EXPORTS.contains(&name) {
        Some(format!("the Next.js route handler for {name}"))
    } else {
        None
    }
}

fn object_string<'a>(object: &ObjectExpression<'a>, key: &str) -> Option<&'a str> {
    object
        .properties
        .iter()
        .find_map(|property| match property {
            ObjectPropertyKind::ObjectProperty(p) if property_key_name(&p.key) == Some(key) => {
                string_value(&p.value)
            }
            _ => None,
        })
}

/// Whether a callee is a test runner's block (`describe`, `it`, `test`, their hooks): an
/// undeclared global (Jest, Mocha, Vitest globals) or imported from a test runner's module.
pub(crate) fn is_test_runner(semantic: &Semantic<'_>, callee: &Expression<'_>) -> bool {
    let Expression::Identifier(ident) = strip(callee) else {
        return false;
    };
    if !TEST_BLOCKS.contains(&ident.name.as_str()) {
        return false;
    }
    match crate::symbol_of(semantic, ident) {
        None => true,
        Some(symbol) => crate::import_origin(semantic, symbol)
            .is_some_and(|origin| TEST_MODULES.iter().any(|m| origin.is_module(m))),
    }
}
