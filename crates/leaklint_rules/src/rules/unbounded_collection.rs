//! `unbounded-collection`: "a Map is not a cache; an LRU is." A collection that lives as long as
//! the process (module-level, a class static, a field of a singleton, or held by a closure made
//! at start-up) gains entries in code that runs again and again, and nothing removes them — or
//! the removal misses a path (an exception, an early return, a rejected promise).

use std::sync::LazyLock;

use leaklint_diagnostics::{Diagnostic, Label, Severity};
use leaklint_model::{
    ast_util::{
        argument, as_member, callee_name, member_name, string_value, strip, value_parent, written,
        Written,
    },
    guards, protocols, values, Field, FunctionRuns, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{
        AssignmentOperator, BinaryOperator, Class, Expression, ObjectPropertyKind, Statement,
        UnaryOperator,
    },
    AstKind, AstType,
};
use oxc_semantic::{AstNode, NodeId, SymbolId};
use oxc_span::{GetSpan, Span};

use crate::{
    flow::{self, Miss, Paths, Start, Tracker},
    rules::{byte_span, expect_no_options, first_line, line_of, Markers, NO_OPTIONS_SCHEMA},
    Rule, RuleContext, RuleMeta,
};

mod broken;
mod memo;
mod registry;

const ID: &str = "unbounded-collection";

/// See `rules/unbounded-collection.md`.
#[derive(Debug, Clone, Default)]
pub struct UnboundedCollection;

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "UnboundedCollection",
    description: "long-lived Map, Set, array or object that grows on every call and never shrinks",
    default_severity: Severity::Warning,
    escalated_severity: Some(Severity::Error),
    docs: include_str!("../../../../rules/unbounded-collection.md"),
    tags: &["memory-leak", "caching", "reliability"],
    // Measured on real code (README, 2026-11-21): 3 true, 26 false, 2 debatable.
    precision: "low",
    options_schema: NO_OPTIONS_SCHEMA,
    factory: |options| {
        expect_no_options(options)?;
        Ok(Box::new(UnboundedCollection))
    },
};

/// NestJS, typedi and Angular decorators whose classes the framework instantiates once.
const SINGLETON_DECORATORS: &[&str] = &[
    "Injectable",
    "Controller",
    "Service",
    "Resolver",
    "WebSocketGateway",
    "Processor",
    "Module",
];

/// Functions that read a collection they are given without keeping or changing it.
const READERS: &[&str] = &[
    "Object.keys",
    "Object.values",
    "Object.entries",
    "Object.fromEntries",
    "Object.freeze",
    "Array.from",
    "Array.isArray",
    "JSON.stringify",
    "Promise.all",
    "Promise.allSettled",
    "Promise.race",
    "Promise.any",
    "structuredClone",
    "String",
    "Number",
    "Boolean",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Set,
    Array,
    Object,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Map => "Map",
            Kind::Set => "Set",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }

    /// "a Map", "an array".
    fn with_article(self) -> String {
        match self {
            Kind::Array | Kind::Object => format!("an {}", self.label()),
            _ => format!("a {}", self.label()),
        }
    }
}

/// Why the collection lives as long as the process.
enum Owner {
    Module,
    /// The class, as [`class_label`] names it.
    Static(String),
    Singleton(String),
    /// A field of an instance that listens to what it is handed (a socket, a connection) from
    /// its constructor: it lives as long as that connection.
    Connection(String),
    /// Created in this start-up function and kept by a closure it makes.
    Factory(String),
    /// A property of a module-level object literal (`const plot = { instances: [] }`), named
    /// `plot`. Its methods grow it for whoever calls them: reported only with the evidence of
    /// [`registry::teardown_forgets`].
    ModuleObject(String),
    /// Declared on the prototype of this constructor: shared by every instance.
    Prototype(String),
    /// Nothing shows how long it lives (a field of a class made elsewhere, a closure's
    /// collection in a function that may run many times): only a removal that cannot work, or
    /// growth nothing could ever remove, is reported. How it is held, for messages.
    Unproven(String),
}

/// A long-lived collection and how to find its uses.
struct Collection<'a> {
    kind: Kind,
    name: String,
    owner: Owner,
    /// Where it is created.
    declared: Span,
    /// The binding holding it, or the class whose field it is.
    place: Site<'a>,
}

enum Site<'a> {
    Binding(SymbolId),
    /// `this.<field>` inside the class, and `Class.<field>` for a static one.
    Field {
        class: NodeId,
        class_symbol: Option<SymbolId>,
        field: Field<'a>,
        is_static: bool,
    },
}

/// What one use of the collection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Read,
    /// Adds an entry; the node is the growing expression, the key (if any) the entry's key.
    Grow,
    Shrink,
    /// Handed to code we cannot see, which may manage it.
    Escape,
    /// Written as a removal but removes nothing.
    Void(Void),
}

/// A removal that removes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Void {
    /// `list.splice(i, 0)`: a delete count of 0.
    SpliceNothing,
    /// `delete map[key]` on a Map or Set: drops an own property, not an entry.
    DeleteOperator,
}

struct Use<'a> {
    effect: Effect,
    /// The growing or shrinking expression (call, assignment, `delete`).
    node: NodeId,
    /// The entry's key, for keyed growth and removal (`set(k, …)`, `delete(k)`, `x[k]`).
    key: Option<&'a Expression<'a>>,
}

impl Rule for UnboundedCollection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn should_run(&self, text: &str) -> bool {
        static MARKERS: LazyLock<Markers> = LazyLock::new(|| {
            Markers::new(&[
                ".set(",
                ".add(",
                ".push(",
                ".unshift(",
                ".splice(",
                "] =",
                "]=",
                "Object.assign",
                "memoize",
            ])
        });
        MARKERS.any_in(text)
    }

    fn node_types(&self) -> &'static [AstType] {
        &[
            AstType::VariableDeclarator,
            AstType::PropertyDefinition,
            AstType::AssignmentExpression,
            AstType::ObjectProperty,
            AstType::ReturnStatement,
        ]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        if let Some(diagnostic) = memo::unbounded_memo(node, ctx) {
            ctx.report(diagnostic);
            return;
        }
        let Some(collection) = collection_at(node, ctx) else {
            return;
        };
        if let Some(diagnostic) = check(&collection, ctx) {
            ctx.report(diagnostic);
        }
    }
}

/// Whether a local binding is referenced inside a function nested in the scope that declares it.
fn used_in_closure(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> bool {
    let scoping = ctx.semantic().scoping();
    let nodes = ctx.nodes();
    let home = scoping.symbol_scope_id(symbol);
    scoping.get_resolved_references(symbol).any(|reference| {
        let mut scope = nodes.get_node(reference.node_id()).scope_id();
        while scope != home {
            if scoping.scope_flags(scope).is_function() {
                return true;
            }
            match scoping.scope_parent_id(scope) {
                Some(parent) => scope = parent,
                None => return false,
            }
        }
        false
    })
}

/// Whether a collection made in `function` can be reported: no use hands it on, and some use
/// adds an entry in code that runs apart from `function` (in a closure, or an instance field's
/// initializer), since [`check`] reports only growth that repeats, and the code of a start-up
/// function runs once. Read from the syntax alone: most local collections are returned, passed
/// on or filled where they are made, and need no lifetime model to tell.
fn grows_in_closure(
    symbol: SymbolId,
    kind: Kind,
    function: NodeId,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let model = ctx.model();
    let mut grows = false;
    for reference in ctx.semantic().scoping().get_resolved_references(symbol) {
        if reference.is_write() {
            continue;
        }
        let found = classify(reference.node_id(), kind, ctx);
        match found.effect {
            Effect::Escape => return false,
            Effect::Grow => {
                grows = grows
                    || model.enclosing_function(found.node) != Some(function)
                    || model.in_instance_field_initializer(found.node);
            }
            Effect::Read | Effect::Shrink | Effect::Void(_) => {}
        }
    }
    grows
}

/// A long-lived collection created at this node.
fn collection_at<'a>(node: &AstNode<'a>, ctx: &RuleContext<'a, '_>) -> Option<Collection<'a>> {
    // Syntax first: the lifetime model is built only for files that create a collection.
    let nodes = ctx.nodes();
    match node.kind() {
        AstKind::VariableDeclarator(declarator) => {
            let kind = collection_kind(declarator.init.as_ref()?, ctx)?;
            let id = declarator.id.get_binding_identifier()?;
            let symbol = id.symbol_id.get()?;
            let scoping = ctx.semantic().scoping();
            let owner = if scoping.symbol_scope_id(symbol) == scoping.root_scope_id() {
                Owner::Module
            } else {
                // `function memoize(fn) { const cache = new Map(); return (x) => … }`, made at
                // start-up: the closure keeps the Map for as long as the process runs. Only a
                // closure can grow a collection its function made after that function returns.
                if !used_in_closure(symbol, ctx) {
                    return None;
                }
                let model = ctx.model();
                let function = model.enclosing_function(node.id())?;
                if model.in_test_block(node.id()) {
                    return None;
                }
                let facts = model.function(function)?;
                let maker = match &facts.name {
                    Some(name) => format!("`{name}`"),
                    None if is_invoked_where_defined(function, ctx) => {
                        "an immediately invoked function".to_string()
                    }
                    None => "a function".to_string(),
                };
                if facts.runs.is_once() && grows_in_closure(symbol, kind, function, ctx) {
                    Owner::Factory(maker)
                } else {
                    Owner::Unproven(format!(
                        "{} made by {maker} and kept by the closures it creates",
                        kind.with_article()
                    ))
                }
            };
            Some(Collection {
                kind,
                name: id.name.to_string(),
                owner,
                declared: declarator.span,
                place: Site::Binding(symbol),
            })
        }
        AstKind::PropertyDefinition(property) => {
            let kind = collection_kind(property.value.as_ref()?, ctx)?;
            let field = match &property.key {
                oxc_ast::ast::PropertyKey::PrivateIdentifier(id) => {
                    Field::Private(id.name.as_str())
                }
                key => Field::Public(leaklint_model::ast_util::property_key_name(key)?),
            };
            let class_id = nodes.parent_id(nodes.parent_id(node.id()));
            let AstKind::Class(class) = nodes.kind(class_id) else {
                return None;
            };
            field_collection(
                kind,
                field,
                property.r#static,
                class_id,
                class,
                property.span,
                ctx,
            )
        }
        AstKind::ObjectProperty(property) => {
            // `const plot = { instances: [], … }` at the top level.
            let kind = collection_kind(&property.value, ctx)?;
            let name = leaklint_model::ast_util::property_key_name(&property.key)?;
            let object = nodes.parent_id(node.id());
            if let AstKind::AssignmentExpression(assign) = nodes.parent_kind(object) {
                // `X.prototype = { hooks: [], … }`
                let member = assign.left.as_member_expression()?;
                return prototype_collection(kind, member, name, property.span, ctx);
            }
            let AstKind::VariableDeclarator(declarator) = nodes.parent_kind(object) else {
                return None;
            };
            let id = declarator.id.get_binding_identifier()?;
            let symbol = id.symbol_id.get()?;
            let scoping = ctx.semantic().scoping();
            if scoping.symbol_scope_id(symbol) != scoping.root_scope_id() {
                return None;
            }
            Some(Collection {
                kind,
                name: format!("{}.{name}", id.name),
                owner: Owner::ModuleObject(id.name.to_string()),
                declared: property.span,
                place: Site::Field {
                    class: object,
                    class_symbol: Some(symbol),
                    field: Field::Public(name),
                    is_static: true,
                },
            })
        }
        AstKind::AssignmentExpression(assign) if assign.operator == AssignmentOperator::Assign => {
            // `this.items = new Map()` in a constructor.
            let kind = collection_kind(&assign.right, ctx)?;
            // `X.prototype.hooks = []`
            if let Some(member) = assign.left.as_member_expression() {
                if let (Some(field), Some(prototype)) =
                    (member_name(member), as_member(member.object()))
                {
                    if member_name(prototype) == Some("prototype") {
                        return prototype_collection(kind, prototype, field, assign.span, ctx);
                    }
                }
            }
            let model = ctx.model();
            let path = model.assignment_place(&assign.left)?;
            let (PlaceRoot::This(Some(class_id)), [field]) = (path.root, path.fields.as_slice())
            else {
                return None;
            };
            if !in_constructor(node.id(), ctx) {
                return None;
            }
            let AstKind::Class(class) = nodes.kind(class_id) else {
                return None;
            };
            // A field initialiser with the same name is the declaration.
            if declares_field(class, *field) {
                return None;
            }
            field_collection(kind, *field, false, class_id, class, assign.span, ctx)
        }
        _ => None,
    }
}

fn declares_field(class: &Class<'_>, field: Field<'_>) -> bool {
    class.body.body.iter().any(|element| match element {
        oxc_ast::ast::ClassElement::PropertyDefinition(p) => {
            p.value.is_some()
                && match (&p.key, field) {
                    (oxc_ast::ast::PropertyKey::PrivateIdentifier(id), Field::Private(name)) => {
                        id.name == name
                    }
                    (key, Field::Public(name)) => {
                        leaklint_model::ast_util::property_key_name(key) == Some(name)
                    }
                    _ => false,
                }
        }
        _ => false,
    })
}

fn field_collection<'a>(
    kind: Kind,
    field: Field<'a>,
    is_static: bool,
    class_id: NodeId,
    class: &Class<'a>,
    declared: Span,
    ctx: &RuleContext<'a, '_>,
) -> Option<Collection<'a>> {
    let binding = values::class_binding(class_id, class, ctx.model());
    let class_name = binding.map(|id| id.name.as_str());
    let class_symbol = binding.and_then(|id| id.symbol_id.get());
    let label = class_label(class_name);
    let owner = if is_static {
        Owner::Static(label)
    } else if lives_with_module(class, class_symbol, ctx) {
        Owner::Singleton(label)
    } else if listens_to_what_it_is_handed(class_id, class_symbol, ctx) {
        Owner::Connection(label)
    } else {
        Owner::Unproven(format!("{} field of {label}", kind.with_article()))
    };
    let field_name = field.to_string();
    Some(Collection {
        kind,
        name: match class_name {
            Some(class_name) if is_static => format!("{class_name}.{field_name}"),
            _ => format!("this.{field_name}"),
        },
        owner,
        declared,
        place: Site::Field {
            class: class_id,
            class_symbol,
            field,
            is_static,
        },
    })
}

/// Whether the class's constructor listens to the messages of an object it is handed
/// (`constructor(socket) { socket.on('message', …) }`): its instances live as long as that
/// connection, and what they collect per call stays with them.
fn listens_to_what_it_is_handed(
    class_id: NodeId,
    binding: Option<SymbolId>,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let model = ctx.model();
    let class = leaklint_model::Class {
        node: class_id,
        binding,
    };
    let Some(constructor) = model.constructor_of(class) else {
        return false;
    };
    ctx.nodes_within(constructor.function).any(|node| {
        let AstKind::CallExpression(call) = node.kind() else {
            return false;
        };
        let Some(registration) = protocols::Registration::of(call) else {
            return false;
        };
        // The messages of a connection (`'message'`, `'data'`), not one event of a peer.
        let consumes = registration
            .event
            .and_then(string_value)
            .is_some_and(|event| matches!(event, "message" | "data"));
        consumes
            && model
                .place(registration.receiver)
                .and_then(|place| model.outside_instance(class, &place))
                .is_some_and(|outside| matches!(outside, leaklint_model::Outside::HandedIn(_)))
    })
}

/// Whether a function is called where it is written: `(function () { … })()`,
/// `((ns) => { … })(ns || (ns = {}))`.
fn is_invoked_where_defined(function: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let (_, parent) = value_parent(ctx.semantic(), function);
    matches!(parent, AstKind::CallExpression(call)
        if strip(&call.callee).span() == ctx.nodes().kind(function).span())
}

/// How messages name a class: `` `Registry` ``, or "an anonymous class".
fn class_label(name: Option<&str>) -> String {
    name.map_or_else(
        || "an anonymous class".to_string(),
        |name| format!("`{name}`"),
    )
}

/// A collection declared on a constructor function's prototype, from `X.prototype` (the
/// target of the assignment that declares it).
fn prototype_collection<'a>(
    kind: Kind,
    prototype: &oxc_ast::ast::MemberExpression<'a>,
    field: &'a str,
    declared: Span,
    ctx: &RuleContext<'a, '_>,
) -> Option<Collection<'a>> {
    if member_name(prototype) != Some("prototype") {
        return None;
    }
    let Expression::Identifier(constructor) = strip(prototype.object()) else {
        return None;
    };
    let model = ctx.model();
    let class = model.class_of_symbol(model.symbol_of(constructor)?)?;
    Some(Collection {
        kind,
        name: format!("this.{field}"),
        owner: Owner::Prototype(constructor.name.to_string()),
        declared,
        place: Site::Field {
            class: class.node,
            class_symbol: class.binding,
            field: Field::Public(field),
            is_static: false,
        },
    })
}

/// Whether a class's instances live as long as the module: a framework singleton
/// (`@Injectable()`), or instantiated only in code that runs once (`export default new
/// Registry()`, `const registry = new Registry()` at the top level).
fn lives_with_module(
    class: &Class<'_>,
    symbol: Option<SymbolId>,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let singleton = class.decorators.iter().any(|decorator| {
        let callee = match strip(&decorator.expression) {
            Expression::CallExpression(call) => &call.callee,
            other => other,
        };
        matches!(strip(callee), Expression::Identifier(id) if SINGLETON_DECORATORS.contains(&id.name.as_str()))
    });
    if singleton {
        return true;
    }
    // `export default new class { … }()`
    let nodes = ctx.nodes();
    let class_node = class.node_id();
    let (_, parent) = value_parent(ctx.semantic(), class_node);
    if let AstKind::NewExpression(new) = parent {
        return ctx.model().runs_at(new.node_id()).is_once();
    }
    let Some(symbol) = symbol else {
        return false;
    };
    let scoping = ctx.semantic().scoping();
    let mut constructed = false;
    for reference in scoping.get_resolved_references(symbol) {
        let id = reference.node_id();
        let (child, parent) = value_parent(ctx.semantic(), id);
        match parent {
            AstKind::NewExpression(new) if new.callee.span() == nodes.kind(child).span() => {
                if !ctx.model().runs_at(new.node_id()).is_once() {
                    return false;
                }
                constructed = true;
            }
            // `Registry.instances`, `Registry.create()`: statics, not instances.
            AstKind::StaticMemberExpression(_) | AstKind::ComputedMemberExpression(_) => {}
            // Handed elsewhere (exported, passed to a container): instantiated we know not how.
            _ => return false,
        }
    }
    constructed
}

/// `new Map()`, `new Set()`, `[]`, `new Array()`, `{}`, `Object.create(null)`.
fn collection_kind(init: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<Kind> {
    let semantic = ctx.semantic();
    let is_global = |ident: &oxc_ast::ast::IdentifierReference<'_>, name: &str| {
        ident.name == name && leaklint_model::symbol_of(semantic, ident).is_none()
    };
    match strip(init) {
        Expression::NewExpression(new) => {
            let Expression::Identifier(callee) = strip(&new.callee) else {
                return None;
            };
            match callee.name.as_str() {
                "Map" if is_global(callee, "Map") => Some(Kind::Map),
                "Set" if is_global(callee, "Set") => Some(Kind::Set),
                "Array" if is_global(callee, "Array") => Some(Kind::Array),
                _ => None,
            }
        }
        Expression::ArrayExpression(array) if array.elements.is_empty() => Some(Kind::Array),
        Expression::ObjectExpression(object) if object.properties.is_empty() => Some(Kind::Object),
        Expression::CallExpression(call) => {
            let member = as_member(&call.callee)?;
            let Expression::Identifier(object) = strip(member.object()) else {
                return None;
            };
            (is_global(object, "Object")
                && member_name(member) == Some("create")
                && matches!(
                    argument(call, 0).map(strip),
                    Some(Expression::NullLiteral(_))
                ))
            .then_some(Kind::Object)
        }
        _ => None,
    }
}

/// A use whose effect on the entries [`uses`] decides once it knows the collection stays put.
enum Pending<'a> {
    Known(Use<'a>),
    /// The binding is assigned (`batch = []`) at this node.
    Write(NodeId),
    /// `this.items = …` at this member expression, in this assignment.
    Reset {
        member: NodeId,
        assign: NodeId,
    },
}

/// Every place the collection is read, grown, shrunk or handed on; `None` when it is handed on
/// (to code we cannot see, which may manage it). Whether a write drops the old entries depends
/// on how often it runs, which needs the lifetime model; it is asked only once every read is
/// known to keep the collection in place.
fn uses<'a>(collection: &Collection<'a>, ctx: &RuleContext<'a, '_>) -> (Vec<Use<'a>>, bool) {
    let mut found = Vec::new();
    match &collection.place {
        Site::Binding(symbol) => {
            let scoping = ctx.semantic().scoping();
            for reference in scoping.get_resolved_references(*symbol) {
                let node = reference.node_id();
                found.push(if reference.is_write() {
                    Pending::Write(node)
                } else {
                    Pending::Known(classify(node, collection.kind, ctx))
                });
            }
        }
        Site::Field {
            class,
            class_symbol,
            field,
            is_static,
        } => {
            let model = ctx.model();
            // A named class's static side is its binding (`this.cache` in a static method is
            // `Cache.cache`), read inside the class as well as outside.
            let this_path = Place::field(model.class_side(*class, *is_static), *field);
            let class_span = ctx.nodes().kind(*class).span();
            // A constructor function's methods are written outside it (`X.prototype.m = …`).
            let scope = match ctx.nodes().kind(*class) {
                AstKind::Function(_) => NodeId::ROOT,
                _ => *class,
            };
            for node in ctx.nodes_within(scope) {
                if !model
                    .member_node_place(&node.kind())
                    .is_some_and(|path| path.same_place(&this_path))
                {
                    continue;
                }
                found.push(
                    reset(node.id(), ctx).unwrap_or_else(|| {
                        Pending::Known(classify(node.id(), collection.kind, ctx))
                    }),
                );
            }
            if let (true, Some(class_symbol)) = (*is_static, class_symbol) {
                let path = Place::field(PlaceRoot::Symbol(*class_symbol), *field);
                for reference in ctx
                    .semantic()
                    .scoping()
                    .get_resolved_references(*class_symbol)
                {
                    let parent = ctx.nodes().parent_id(reference.node_id());
                    let seen = this_path.root == PlaceRoot::Symbol(*class_symbol)
                        && class_span.contains_inclusive(ctx.nodes().kind(parent).span());
                    if !seen
                        && model
                            .member_node_place(&ctx.nodes().kind(parent))
                            .is_some_and(|p| p.same_place(&path))
                    {
                        found.push(reset(parent, ctx).unwrap_or_else(|| {
                            Pending::Known(classify(parent, collection.kind, ctx))
                        }));
                    }
                }
            }
        }
    }
    let escapes = found
        .iter()
        .any(|p| matches!(p, Pending::Known(u) if u.effect == Effect::Escape));
    let model = ctx.model();
    let found = found.into_iter().filter_map(|pending| match pending {
        Pending::Known(known) => Some(known),
        // Reassigned (`batch = []`): the old entries go, unless that happens once.
        Pending::Write(node) => (!model.runs_at(node).is_once()).then_some(Use {
            effect: Effect::Shrink,
            node,
            key: None,
        }),
        // `this.items = new Map()` outside the constructor: a reset, which drops the old entries.
        Pending::Reset { member, assign } => Some(Use {
            effect: if in_constructor(member, ctx) || model.runs_at(member).is_once() {
                Effect::Read
            } else {
                Effect::Shrink
            },
            node: assign,
            key: None,
        }),
    });
    (found.collect(), escapes)
}

/// Whether the code at `node` runs in a class constructor (not in a function nested in one).
fn in_constructor(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    ctx.model().enclosing_function(node).is_some_and(|f| {
        matches!(ctx.nodes().parent_kind(f), AstKind::MethodDefinition(m)
            if m.kind == oxc_ast::ast::MethodDefinitionKind::Constructor)
    })
}

/// `this.items = …`: the member expression at `member` is assigned.
fn reset<'a>(member: NodeId, ctx: &RuleContext<'a, '_>) -> Option<Pending<'a>> {
    let (child, parent) = value_parent(ctx.semantic(), member);
    let AstKind::AssignmentExpression(assign) = parent else {
        return None;
    };
    (assign.left.span() == ctx.nodes().kind(child).span()).then(|| Pending::Reset {
        member,
        assign: assign.node_id(),
    })
}

/// What the expression at `node` (the collection itself) does with it.
fn classify<'a>(node: NodeId, kind: Kind, ctx: &RuleContext<'a, '_>) -> Use<'a> {
    let semantic = ctx.semantic();
    let nodes = ctx.nodes();
    let read = Use {
        effect: Effect::Read,
        node,
        key: None,
    };
    let (child, parent) = value_parent(semantic, node);
    let child_span = nodes.kind(child).span();
    match parent {
        AstKind::StaticMemberExpression(_) | AstKind::ComputedMemberExpression(_) => {
            let member_id = nodes.parent_id(child);
            let is_object = match parent {
                AstKind::StaticMemberExpression(m) => m.object.span() == child_span,
                AstKind::ComputedMemberExpression(m) => m.object.span() == child_span,
                _ => false,
            };
            if !is_object {
                // `other[cache]`: used as a key.
                return read;
            }
            member_use(member_id, parent, kind, ctx).unwrap_or(read)
        }
        AstKind::CallExpression(call) => {
            if call.callee.span() == child_span {
                return read;
            }
            let callee = leaklint_model::ast_util::dotted_path(&call.callee);
            if callee.as_deref() == Some("Object.assign")
                && call
                    .arguments
                    .first()
                    .is_some_and(|a| a.span() == child_span)
            {
                let fixed = call.arguments.iter().skip(1).all(|a| {
                    matches!(a.as_expression().map(strip), Some(Expression::ObjectExpression(o))
                        if o.properties.iter().all(|p| matches!(p,
                            ObjectPropertyKind::ObjectProperty(p) if !p.computed)))
                });
                return Use {
                    effect: if fixed { Effect::Read } else { Effect::Grow },
                    node: call.node_id(),
                    key: None,
                };
            }
            let reader = callee.as_deref().is_some_and(|c| {
                READERS.contains(&c) || c.starts_with("console.") || c.starts_with("Math.")
            });
            Use {
                effect: if reader { Effect::Read } else { Effect::Escape },
                node,
                key: None,
            }
        }
        AstKind::NewExpression(new) => {
            let copies = matches!(strip(&new.callee), Expression::Identifier(id)
                if matches!(id.name.as_str(), "Map" | "Set" | "WeakMap" | "WeakSet" | "Array" | "URLSearchParams"));
            Use {
                effect: if copies { Effect::Read } else { Effect::Escape },
                node,
                key: None,
            }
        }
        // Aliased, returned, stored or exported under another name: someone else may manage it.
        AstKind::VariableDeclarator(_)
        | AstKind::ReturnStatement(_)
        | AstKind::ArrowFunctionExpression(_)
        | AstKind::ArrayExpression(_)
        | AstKind::YieldExpression(_) => Use {
            effect: Effect::Escape,
            node,
            key: None,
        },
        AstKind::ObjectProperty(_) | AstKind::AssignmentExpression(_) => {
            // `module.exports = { cache }`, `exports.cache = cache`: exported, still ours.
            let exported = nodes.ancestor_kinds(child).any(|k| match k {
                AstKind::AssignmentExpression(assign) => {
                    leaklint_model::ast_util::dotted_path_of_target(&assign.left).is_some_and(|t| {
                        t == "module.exports"
                            || t.starts_with("exports.")
                            || t.starts_with("module.exports.")
                    })
                }
                _ => false,
            });
            Use {
                effect: if exported {
                    Effect::Read
                } else {
                    Effect::Escape
                },
                node,
                key: None,
            }
        }
        _ => read,
    }
}

/// `cache.set(k, v)`, `cache.delete(k)`, `index[k] = v`, `delete index[k]`, `list.length = 0`.
fn member_use<'a>(
    member_id: NodeId,
    member: AstKind<'a>,
    kind: Kind,
    ctx: &RuleContext<'a, '_>,
) -> Option<Use<'a>> {
    let member_span = member.span();
    let (_, parent) = value_parent(ctx.semantic(), member_id);
    let method = match member {
        AstKind::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    };
    match parent {
        AstKind::CallExpression(call) if call.callee.span() == member_span => {
            let method = match member {
                AstKind::ComputedMemberExpression(m) => m.static_property_info().map(|(_, n)| n),
                _ => method,
            }?;
            let node = call.node_id();
            let grow = |key: Option<&'a Expression<'a>>| {
                // A fixed key (`stats.set('hits', n)`) is one entry, not growth.
                let fixed = key.is_some_and(|k| is_constant_key(k, ctx));
                Some(Use {
                    effect: if fixed { Effect::Read } else { Effect::Grow },
                    node,
                    key,
                })
            };
            let shrink = |key: Option<&'a Expression<'a>>| {
                Some(Use {
                    effect: Effect::Shrink,
                    node,
                    key,
                })
            };
            match (kind, method) {
                // Entries whose values are `WeakRef`s let the values go.
                (Kind::Map, "set")
                    if argument(call, 1).is_some_and(|v| {
                        matches!(strip(v),
                        Expression::NewExpression(new) if matches!(strip(&new.callee),
                            Expression::Identifier(id) if id.name == "WeakRef"))
                    }) =>
                {
                    None
                }
                (Kind::Map, "set") => grow(argument(call, 0)),
                (Kind::Set, "add") => grow(argument(call, 0)),
                (Kind::Map | Kind::Set, "delete") => shrink(argument(call, 0)),
                (Kind::Map | Kind::Set, "clear") => shrink(None),
                (Kind::Array, "push" | "unshift") if !call.arguments.is_empty() => Some(Use {
                    effect: Effect::Grow,
                    node,
                    key: None,
                }),
                (Kind::Array, "shift" | "pop") => shrink(None),
                (Kind::Array, "splice") => {
                    let removes = call.arguments.len() == 1
                        || argument(call, 1)
                            .is_some_and(|n| values::constant_number(n, ctx.model()) != Some(0.0));
                    if removes {
                        shrink(None)
                    } else {
                        Some(Use {
                            effect: if call.arguments.len() > 2 {
                                Effect::Grow
                            } else {
                                Effect::Void(Void::SpliceNothing)
                            },
                            node,
                            key: None,
                        })
                    }
                }
                _ => None,
            }
        }
        AstKind::AssignmentExpression(assign) if matches!(written(&assign.left), Some(Written::Member(m)) if m.span() == member_span) =>
        {
            let node = assign.node_id();
            match member {
                AstKind::ComputedMemberExpression(m) if kind == Kind::Object => {
                    let fixed = is_constant_key(&m.expression, ctx);
                    Some(Use {
                        effect: if fixed { Effect::Read } else { Effect::Grow },
                        node,
                        key: Some(&m.expression),
                    })
                }
                // `list.length = 0`
                AstKind::StaticMemberExpression(m)
                    if kind == Kind::Array && m.property.name == "length" =>
                {
                    Some(Use {
                        effect: Effect::Shrink,
                        node,
                        key: None,
                    })
                }
                _ => None,
            }
        }
        AstKind::UpdateExpression(update) if kind == Kind::Object => match member {
            AstKind::ComputedMemberExpression(m) if !is_constant_key(&m.expression, ctx) => {
                Some(Use {
                    effect: Effect::Grow,
                    node: update.node_id(),
                    key: Some(&m.expression),
                })
            }
            _ => None,
        },
        AstKind::UnaryExpression(unary) if unary.operator == UnaryOperator::Delete => {
            let key = match member {
                AstKind::ComputedMemberExpression(m) => Some(&m.expression),
                _ => None,
            };
            Some(Use {
                effect: if matches!(kind, Kind::Map | Kind::Set) {
                    Effect::Void(Void::DeleteOperator)
                } else {
                    Effect::Shrink
                },
                node: unary.node_id(),
                key,
            })
        }
        _ => None,
    }
}

/// A key that names one entry whatever the call: a literal, or a `const` bound to one.
fn is_constant_key(key: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    if string_value(key).is_some() || matches!(strip(key), Expression::NumericLiteral(_)) {
        return true;
    }
    let Expression::Identifier(ident) = strip(key) else {
        return false;
    };
    ctx.model()
        .symbol_of(ident)
        .filter(|&s| ctx.model().is_module_level(s))
        .and_then(|s| ctx.model().const_init(s))
        .is_some_and(|init| {
            string_value(init).is_some() || matches!(strip(init), Expression::NumericLiteral(_))
        })
}

/// Steps `Domain` may take before it gives up (and reports): the call sites it follows can fan
/// out in a large file.
const DOMAIN_BUDGET: u32 = 256;

/// Parameters followed back through calls, at most.
const MAX_DOMAIN_DEPTH: u8 = 4;

/// Array methods that read an array without changing it or keeping it.
const ARRAY_READERS: &[&str] = &[
    "forEach",
    "map",
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
    "includes",
    "indexOf",
    "join",
    "slice",
    "concat",
    "length",
    "reduce",
    "flatMap",
    "at",
    "entries",
    "keys",
    "values",
];

/// Array methods whose callback's first parameter is each element in turn.
const ELEMENT_CALLBACKS: &[&str] = &[
    "forEach", "map", "filter", "some", "every", "find", "flatMap",
];

/// Whether every value an expression can take is written in the code, so that a collection keyed
/// by it holds a fixed number of entries whatever the traffic: a literal, a binding made once at
/// start-up (a `const`, a class, a function, an import, a `const` enum-like object and its
/// members), an element of a constant array, or a parameter of a function of this file that
/// nobody else can call and that every call passes such a value. Anything else — a request's
/// data, a parameter of an exported function, the result of a call — is taken to be unbounded.
struct Domain<'r, 'a, 'c> {
    ctx: &'r RuleContext<'a, 'c>,
    budget: std::cell::Cell<u32>,
}

impl<'a> Domain<'_, 'a, '_> {
    fn is_fixed(ctx: &RuleContext<'a, '_>, expr: &Expression<'a>) -> bool {
        Domain {
            ctx,
            budget: std::cell::Cell::new(DOMAIN_BUDGET),
        }
        .fixed(expr, 0)
    }

    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// A `let` whose start and every later write are fixed, none in a loop: `let key = isHttp ?
    /// 'http' : 'https'; if (forever) key += ':forever'` takes one of four values.
    fn fixed_writes(&self, symbol: SymbolId, depth: u8) -> bool {
        let scoping = self.ctx.semantic().scoping();
        let nodes = self.ctx.nodes();
        let declaration = scoping.symbol_declaration(symbol);
        let AstKind::VariableDeclarator(declarator) = nodes.kind(declaration) else {
            return false;
        };
        if !declarator
            .init
            .as_ref()
            .is_some_and(|init| self.fixed(init, depth))
        {
            return false;
        }
        let home = self.ctx.model().enclosing_function(declaration);
        scoping.get_resolved_references(symbol).all(|reference| {
            if !reference.is_write() {
                return true;
            }
            let id = reference.node_id();
            let (_, parent) = value_parent(self.ctx.semantic(), id);
            let AstKind::AssignmentExpression(assign) = parent else {
                return false;
            };
            let in_loop = nodes
                .ancestor_kinds(id)
                .take_while(|k| !k.is_function_like())
                .any(|k| {
                    matches!(
                        k,
                        AstKind::ForStatement(_)
                            | AstKind::ForInStatement(_)
                            | AstKind::ForOfStatement(_)
                            | AstKind::WhileStatement(_)
                            | AstKind::DoWhileStatement(_)
                    )
                });
            matches!(
                assign.operator,
                AssignmentOperator::Assign | AssignmentOperator::Addition
            ) && !in_loop
                && self.ctx.model().enclosing_function(id) == home
                && self.fixed(&assign.right, depth)
        })
    }

    fn fixed(&self, expr: &Expression<'a>, depth: u8) -> bool {
        if !self.spend() {
            return false;
        }
        match strip(expr) {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_)
            | Expression::BigIntLiteral(_) => true,
            Expression::TemplateLiteral(template) => {
                template.expressions.iter().all(|e| self.fixed(e, depth))
            }
            // `${prefix}-${encoding}` written as `+`: pairs from two fixed sets.
            Expression::BinaryExpression(binary) if binary.operator == BinaryOperator::Addition => {
                self.fixed(&binary.left, depth) && self.fixed(&binary.right, depth)
            }
            Expression::ConditionalExpression(c) => {
                self.fixed(&c.consequent, depth) && self.fixed(&c.alternate, depth)
            }
            Expression::Identifier(ident) => match self.ctx.model().symbol_of(ident) {
                Some(symbol) => self.fixed_binding(symbol, depth),
                None => ident.name == "undefined",
            },
            // `SyntaxKind.PlusToken`: a member of an enum-like object nobody writes to.
            Expression::StaticMemberExpression(member) => match strip(&member.object) {
                Expression::Identifier(object) => self
                    .ctx
                    .model()
                    .symbol_of(object)
                    .is_some_and(|symbol| self.is_enum_like(symbol)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether a binding holds values from a fixed set.
    fn fixed_binding(&self, symbol: SymbolId, depth: u8) -> bool {
        let scoping = self.ctx.semantic().scoping();
        if scoping.symbol_is_mutated(symbol) {
            return self.fixed_writes(symbol, depth);
        }
        let nodes = self.ctx.nodes();
        let declaration = scoping.symbol_declaration(symbol);
        match nodes.kind(declaration) {
            AstKind::FormalParameter(_) => self.fixed_parameter(declaration, depth),
            // `for (const key of SECTIONS)`
            AstKind::VariableDeclarator(declarator) if declarator.init.is_none() => {
                let list = nodes.parent_id(declaration);
                match nodes.parent_kind(list) {
                    AstKind::ForOfStatement(for_of)
                        if for_of.left.span() == nodes.kind(list).span() =>
                    {
                        self.is_constant_array(&for_of.right, depth)
                    }
                    _ => false,
                }
            }
            // Made once, so one value: a `const` at start-up, a class, a function, an import.
            AstKind::VariableDeclarator(_)
            | AstKind::Function(_)
            | AstKind::Class(_)
            | AstKind::TSEnumDeclaration(_)
            | AstKind::ImportSpecifier(_)
            | AstKind::ImportDefaultSpecifier(_)
            | AstKind::ImportNamespaceSpecifier(_) => self.made_once(declaration),
            _ => false,
        }
    }

    /// Whether the code declaring a binding runs once: at start-up, outside any loop.
    fn made_once(&self, declaration: NodeId) -> bool {
        let nodes = self.ctx.nodes();
        let model = self.ctx.model();
        if !model.runs_at(declaration).is_once() {
            return false;
        }
        let function = model.enclosing_function(declaration);
        !nodes
            .ancestor_ids(declaration)
            .take_while(|&id| Some(id) != function)
            .any(|id| {
                matches!(
                    nodes.kind(id),
                    AstKind::ForStatement(_)
                        | AstKind::ForInStatement(_)
                        | AstKind::ForOfStatement(_)
                        | AstKind::WhileStatement(_)
                        | AstKind::DoWhileStatement(_)
                )
            })
    }

    /// A parameter: of an element callback of a constant array (`SECTIONS.forEach((key) => …)`),
    /// or of a function only this file can call, that every call passes a fixed value.
    fn fixed_parameter(&self, parameter: NodeId, depth: u8) -> bool {
        let nodes = self.ctx.nodes();
        let AstKind::FormalParameter(formal) = nodes.kind(parameter) else {
            return false;
        };
        let params_id = nodes.parent_id(parameter);
        let AstKind::FormalParameters(params) = nodes.kind(params_id) else {
            return false;
        };
        let Some(index) = params.items.iter().position(|p| p.span == formal.span) else {
            return false;
        };
        let function = nodes.parent_id(params_id);
        let (_, parent) = value_parent(self.ctx.semantic(), function);
        if let AstKind::CallExpression(call) = parent {
            let callback = call
                .arguments
                .first()
                .is_some_and(|a| a.span() == nodes.kind(function).span());
            if let (true, 0, Some(member)) = (callback, index, as_member(&call.callee)) {
                if member_name(member).is_some_and(|m| ELEMENT_CALLBACKS.contains(&m)) {
                    return self.is_constant_array(member.object(), depth);
                }
            }
        }
        if depth >= MAX_DOMAIN_DEPTH {
            return false;
        }
        let Some(calls) = private_calls(function, self.ctx) else {
            return false;
        };
        !calls.is_empty()
            && calls.iter().all(|call| {
                let before = &call.arguments[..index.min(call.arguments.len())];
                if before.iter().any(|a| a.is_spread()) {
                    return false;
                }
                match call.arguments.get(index) {
                    Some(argument) => argument
                        .as_expression()
                        .is_some_and(|a| self.fixed(a, depth + 1)),
                    // Left out: `undefined`, or the default.
                    None => formal
                        .initializer
                        .as_ref()
                        .is_none_or(|default| self.fixed(default, depth + 1)),
                }
            })
    }

    /// An array literal of fixed values, or a binding made once to one and only ever read.
    fn is_constant_array(&self, expr: &Expression<'a>, depth: u8) -> bool {
        let literal = |expr: &Expression<'a>| match strip(expr) {
            Expression::ArrayExpression(array) => array.elements.iter().all(|element| {
                element
                    .as_expression()
                    .is_some_and(|e| self.fixed(e, depth))
            }),
            _ => false,
        };
        match strip(expr) {
            Expression::Identifier(ident) => {
                let Some(symbol) = self.ctx.model().symbol_of(ident) else {
                    return false;
                };
                let declaration = self.ctx.semantic().scoping().symbol_declaration(symbol);
                self.ctx.model().const_init(symbol).is_some_and(|init| {
                    literal(frozen(init))
                        && self.made_once(declaration)
                        && self.only_read(symbol, |name| ARRAY_READERS.contains(&name))
                })
            }
            other => literal(other),
        }
    }

    /// `const SyntaxKind = { Identifier: 80, … }` made once, whose members nobody writes; or a
    /// TypeScript enum.
    fn is_enum_like(&self, symbol: SymbolId) -> bool {
        let scoping = self.ctx.semantic().scoping();
        let declaration = scoping.symbol_declaration(symbol);
        if matches!(
            self.ctx.nodes().kind(declaration),
            AstKind::TSEnumDeclaration(_)
        ) {
            return true;
        }
        self.ctx.model().const_init(symbol).is_some_and(|init| {
            matches!(strip(frozen(init)), Expression::ObjectExpression(_))
                && self.made_once(declaration)
                && self.only_read(symbol, |_| true)
        })
    }

    /// Whether every reference to a binding reads a member of it (one `allowed` by name), never
    /// writing one, passing the binding on, or aliasing it.
    fn only_read(&self, symbol: SymbolId, allowed: impl Fn(&str) -> bool) -> bool {
        let semantic = self.ctx.semantic();
        let nodes = self.ctx.nodes();
        semantic
            .scoping()
            .get_resolved_references(symbol)
            .all(|reference| {
                let (child, parent) = value_parent(semantic, reference.node_id());
                let child_span = nodes.kind(child).span();
                let read = match parent {
                    AstKind::StaticMemberExpression(m) => {
                        m.object.span() == child_span && allowed(m.property.name.as_str())
                    }
                    AstKind::ComputedMemberExpression(m) => m.object.span() == child_span,
                    AstKind::ForOfStatement(for_of) => for_of.right.span() == child_span,
                    _ => false,
                };
                if !read || matches!(parent, AstKind::ForOfStatement(_)) {
                    return read;
                }
                let member = nodes.parent_id(child);
                let (member_child, use_) = value_parent(semantic, member);
                let member_span = nodes.kind(member_child).span();
                match use_ {
                    AstKind::AssignmentExpression(assign) => assign.left.span() != member_span,
                    AstKind::UpdateExpression(_) => false,
                    AstKind::UnaryExpression(unary) => unary.operator != UnaryOperator::Delete,
                    _ => true,
                }
            })
    }
}

/// `Object.freeze(x)` → `x`.
fn frozen<'e, 'a>(init: &'e Expression<'a>) -> &'e Expression<'a> {
    match strip(init) {
        Expression::CallExpression(call)
            if leaklint_model::ast_util::dotted_path(&call.callee).as_deref()
                == Some("Object.freeze") =>
        {
            argument(call, 0).unwrap_or(init)
        }
        _ => init,
    }
}

/// Every call of a function that only this file can call: declared (`function f`, `const f =
/// () => …`), not exported, and named nowhere but as the callee of a call. `None` when anyone
/// else may call it.
fn private_calls<'c, 'a>(
    function: NodeId,
    ctx: &RuleContext<'a, 'c>,
) -> Option<Vec<&'c oxc_ast::ast::CallExpression<'a>>> {
    let semantic = ctx.semantic();
    let nodes = ctx.nodes();
    let symbol = match nodes.kind(function) {
        AstKind::Function(f) if f.id.is_some() => f.id.as_ref()?.symbol_id.get()?,
        AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => {
            let AstKind::VariableDeclarator(declarator) = nodes.parent_kind(function) else {
                return None;
            };
            declarator.id.get_binding_identifier()?.symbol_id.get()?
        }
        _ => return None,
    };
    let scoping = semantic.scoping();
    if scoping.symbol_is_mutated(symbol) {
        return None;
    }
    let exported = nodes.ancestor_kinds(function).any(|kind| {
        matches!(
            kind,
            AstKind::ExportDeclaration(_) | AstKind::ExportDefaultDeclaration(_)
        )
    });
    if exported {
        return None;
    }
    let mut calls = Vec::new();
    for reference in scoping.get_resolved_references(symbol) {
        let (child, parent) = value_parent(semantic, reference.node_id());
        match parent {
            AstKind::CallExpression(call) if call.callee.span() == nodes.kind(child).span() => {
                calls.push(call);
            }
            // Passed on, stored, exported: anyone may call it with anything.
            _ => return None,
        }
    }
    Some(calls)
}

/// The finding for a collection, if it leaks.
fn check<'a>(collection: &Collection<'a>, ctx: &RuleContext<'a, '_>) -> Option<Diagnostic> {
    let model = ctx.model();
    let (all, escapes) = uses(collection, ctx);
    // Removals that cannot work are bugs whoever owns the collection.
    if let Some(diagnostic) = broken::void_removal(collection, &all, ctx) {
        return Some(diagnostic);
    }
    if let Some(diagnostic) = registry::teardown_forgets(collection, &all, ctx) {
        return Some(diagnostic);
    }
    if escapes {
        return None;
    }
    if let Some(diagnostic) = broken::reset_forgets(collection, &all, ctx) {
        return Some(diagnostic);
    }
    match collection.owner {
        Owner::Unproven(_) => return broken::counter_keyed(collection, &all, ctx),
        Owner::Prototype(_) => return broken::shared_by_instances(collection, &all, ctx),
        Owner::ModuleObject(_) => return None,
        _ => {}
    }
    // Growth in code that runs again and again, not bounded by a size check.
    if is_warn_once(&collection.name) || logs_once(&all, ctx) {
        return None;
    }
    let growth: Vec<&Use<'a>> = all
        .iter()
        .filter(|u| u.effect == Effect::Grow && runs_repeatedly(u.node, collection, ctx))
        .filter(|u| !registers_callback(u.node, ctx))
        .filter(|u| {
            !guards::size_checked(
                u.node,
                &|place| broken::is_collection_place(collection, place),
                ctx.model(),
            )
        })
        .filter(|u| !u.key.is_some_and(|key| Domain::is_fixed(ctx, key)))
        .filter(|u| !u.key.is_some_and(|key| loads_module(key, u.node, ctx)))
        .collect();
    let first = *growth.first()?;
    let shrinks: Vec<&Use<'a>> = all
        .iter()
        .filter(|u| u.effect == Effect::Shrink && !model.runs_at(u.node).is_once())
        .collect();
    let severity = if growth
        .iter()
        .any(|u| model.runs_at(u.node) == FunctionRuns::PerRequest)
    {
        Severity::Error
    } else {
        Severity::Warning
    };
    if let Some(diagnostic) = broken::cap_that_keeps(collection, first, &shrinks, ctx) {
        return Some(diagnostic);
    }
    if shrinks.is_empty() {
        // Never removed: reported where the entries keep coming: growth on every request, an
        // append, or a key no call repeats (a sequence number, the clock, a random id). A key
        // from a parameter of code that runs per call may come from a small set (selectors,
        // template names, algorithm names): the file does not say, so it is not reported.
        let (site, open) = growth
            .iter()
            .find_map(|u| broken::open_keys(collection, u, ctx).map(|open| (*u, open)))?;
        let severity = if matches!(open, broken::Open::ThroughCall(_)) {
            Severity::Error
        } else {
            severity
        };
        return Some(never_shrunk(
            collection, site, open, &growth, &all, severity, ctx,
        ));
    }
    // Every removal is of the same entry as one growth, in its function: check its paths.
    if shrinks.iter().any(|s| s.key.is_none()) {
        return None;
    }
    for site in &growth {
        let Some(key) = site.key else { continue };
        let function = model.enclosing_function(site.node)?;
        let function_span = ctx.nodes().kind(function).span();
        let same_key: Vec<&&Use<'a>> = shrinks
            .iter()
            .filter(|s| s.key.is_some_and(|k| same_key(k, key, ctx)))
            .collect();
        let site_start = ctx.nodes().kind(site.node).span().start;
        if same_key.len() != shrinks.len()
            || same_key
                .iter()
                .any(|s| !flow::contains(function_span, ctx.nodes().kind(s.node).span()))
            // A removal before the addition (`delete` then `set`, a count going down to zero)
            // is of an entry added elsewhere.
            || same_key
                .iter()
                .all(|s| ctx.nodes().kind(s.node).span().start < site_start)
            // Removed only when something fails (in a `catch`, a `.catch(…)`): a registry that
            // drops what failed to start, not a transient entry.
            || same_key.iter().all(|s| on_error_path(s.node, function, ctx))
            // Removed in the executor of a promise the function makes: when it runs is not on
            // this function's paths (`.then` and `.catch` handlers are followed path by path).
            || same_key.iter().any(|s| {
                model
                    .enclosing_function(s.node)
                    .is_some_and(|f| f != function && model.is_promise_executor(f))
            })
            // Removed by a disposer handed back to the caller (`return toDisposable(() =>
            // map.delete(id))`): the caller's to run when it is done, not this call's paths.
            || same_key.iter().any(|s| {
                model
                    .enclosing_function(s.node)
                    .is_some_and(|f| f != function && model.handed_back(f))
            })
        {
            continue;
        }
        if let Some(diagnostic) = partial(collection, site, &same_key, severity, ctx) {
            return Some(diagnostic);
        }
    }
    None
}

/// Whether the growth's key is a binding the same function also loads a module with
/// (`require(name)`, `require(path.join(dir, file))`, `import(specifier)`): a set of loaded
/// module names or a table of loaded modules gains at most one entry per module, and Node's own
/// module cache keeps every module loaded for as long as the process runs anyway.
fn loads_module(key: &Expression<'_>, growth: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let Expression::Identifier(ident) = strip(key) else {
        return false;
    };
    let model = ctx.model();
    let Some(symbol) = model.symbol_of(ident) else {
        return false;
    };
    let function = model.enclosing_function(growth);
    let nodes = ctx.nodes();
    ctx.semantic()
        .scoping()
        .get_resolved_references(symbol)
        .any(|reference| {
            // The innermost call or `import()` loading a module around the reference, if it is
            // in the function that grows the collection.
            for ancestor in nodes.ancestor_ids(reference.node_id()) {
                let loads = match nodes.kind(ancestor) {
                    AstKind::CallExpression(call) => is_node_require(&call.callee, ctx),
                    AstKind::ImportExpression(_) => true,
                    AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => return false,
                    _ => false,
                };
                if loads {
                    return model.enclosing_function(ancestor) == function;
                }
            }
            false
        })
}

/// Node's `require`: the global one, or a `const` made by `createRequire(…)` in an ES module.
fn is_node_require(callee: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let Expression::Identifier(ident) = callee else {
        return false;
    };
    if ident.name != "require" {
        return false;
    }
    match ctx.model().symbol_of(ident) {
        None => true,
        Some(symbol) => ctx.model().const_init(symbol).is_some_and(|init| {
            matches!(strip(init), Expression::CallExpression(call)
                if callee_name(call) == Some("createRequire"))
        }),
    }
}

/// Functions that fill registries and lookup tables (besides start-up code): called at start-up,
/// whatever the file shows.
const REGISTRATION_NAMES: &[&str] = &["register", "define", "load"];

/// Whether growth at `node` repeats: not in code that runs once, and not in a function named
/// like start-up or registration code (`registerLoader`, `defineRule`, `loadPlugins`) that no
/// per-request caller in the file reaches.
fn runs_repeatedly(node: NodeId, collection: &Collection<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    match ctx.model().runs_at(node) {
        FunctionRuns::Once => false,
        FunctionRuns::PerRequest => true,
        // A singleton service's `register…` methods run per request.
        FunctionRuns::PerCall => {
            !guards::named_like_start_up(node, ctx.model())
                && (matches!(collection.owner, Owner::Singleton(_) | Owner::Connection(_))
                    || !guards::named_like(node, ctx.model(), REGISTRATION_NAMES))
        }
    }
}

/// Parameter names of callbacks a registration function stores.
const CALLBACK_PARAMETERS: &[&str] = &[
    "fn",
    "func",
    "callback",
    "cb",
    "handler",
    "listener",
    "hook",
    "task",
    "job",
    "middleware",
    "plugin",
];

/// Whether growth outside a request handler stores a callback (`hooks.push({ name, fn })`,
/// `handlers.set(name, (msg) => …)`): a registry of callbacks grows with the code that
/// registers them, which runs at start-up, whatever the file shows.
fn registers_callback(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    if model.runs_at(node) == FunctionRuns::PerRequest {
        return false;
    }
    let is_callback = |expr: &Expression<'_>| match strip(expr) {
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_) => true,
        Expression::Identifier(ident) => {
            CALLBACK_PARAMETERS.contains(&ident.name.as_str())
                && model
                    .symbol_of(ident)
                    .is_some_and(|s| !model.is_module_level(s))
        }
        _ => false,
    };
    let stored: Vec<&Expression<'_>> = match ctx.nodes().kind(node) {
        AstKind::CallExpression(call) => call
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect(),
        AstKind::AssignmentExpression(assign) => vec![&assign.right],
        _ => return false,
    };
    stored.into_iter().any(|value| match strip(value) {
        Expression::ObjectExpression(object) => object
            .properties
            .iter()
            .any(|p| matches!(p, ObjectPropertyKind::ObjectProperty(p) if is_callback(&p.value))),
        other => is_callback(other),
    })
}

/// `warnedOnce`, `emittedDeprecations`, `displayedErrors`: a set of messages shown once grows by
/// one entry per distinct message in the code, which bounds it.
fn is_warn_once(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "warn",
        "deprecat",
        "displayed",
        "emitted",
        "logged",
        "reported",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Methods of `console` and of loggers that print a message.
const LOG_METHODS: &[&str] = &[
    "warn",
    "warning",
    "error",
    "info",
    "log",
    "debug",
    "trace",
    "notice",
    "emitWarning",
];

/// A set of warnings shown once, whatever its name: every entry is added next to a logging call,
/// under a test of the collection (`if (!unknown[name]) { log.warn(…); unknown[name] = 1; }`, or
/// after `if (seen.has(k)) return`), and the collection is read nowhere else. It holds one entry
/// per distinct warning the process prints. In a request handler that may be one per request,
/// so there it still counts as growth.
fn logs_once(all: &[Use<'_>], ctx: &RuleContext<'_, '_>) -> bool {
    let nodes = ctx.nodes();
    let model = ctx.model();
    let span = |node: NodeId| nodes.kind(node).span();
    // Where each read counts as a test: where it is, and where a local it initialises is read
    // (`let count = unknown[name] || 0; if (count === 0) …`).
    let reads: Vec<Vec<Span>> = all
        .iter()
        .filter(|u| u.effect == Effect::Read)
        .map(|read| {
            let mut places = vec![span(read.node)];
            let declarator = nodes
                .ancestor_kinds(read.node)
                .take_while(|k| {
                    !matches!(
                        k,
                        AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
                    )
                })
                .find_map(|k| match k {
                    AstKind::VariableDeclarator(d) => Some(d),
                    _ => None,
                });
            if let Some(symbol) = declarator
                .and_then(|d| d.id.get_binding_identifier())
                .and_then(|id| id.symbol_id.get())
            {
                places.extend(
                    ctx.semantic()
                        .scoping()
                        .get_resolved_references(symbol)
                        .map(|r| span(r.node_id())),
                );
            }
            places
        })
        .collect();
    let tests_collection = |test: Span| {
        reads
            .iter()
            .any(|places| places.iter().any(|&p| flow::contains(test, p)))
    };
    let mut guards: Vec<Span> = Vec::new();
    let growth: Vec<&Use<'_>> = all.iter().filter(|u| u.effect == Effect::Grow).collect();
    if growth.is_empty() {
        return false;
    }
    for site in growth {
        if model.runs_at(site.node) == FunctionRuns::PerRequest {
            return false;
        }
        let Some(statement) = flow::statement_of(ctx, site.node) else {
            return false;
        };
        let statements = match nodes.parent_kind(statement) {
            AstKind::BlockStatement(block) => &block.body,
            AstKind::FunctionBody(body) => &body.statements,
            _ => return false,
        };
        if !statements.iter().any(|s| is_log_statement(s, ctx)) {
            return false;
        }
        let function = model.enclosing_function(site.node);
        let enclosing = nodes
            .ancestor_kinds(statement)
            .take_while(|k| Some(k.node_id()) != function)
            .find_map(|k| match k {
                AstKind::IfStatement(s)
                    if flow::contains(s.consequent.span(), span(statement))
                        && tests_collection(s.test.span()) =>
                {
                    Some(s.test.span())
                }
                _ => None,
            });
        let start = span(statement).start;
        let earlier = statements
            .iter()
            .take_while(|s| s.span().start < start)
            .find_map(|s| match s {
                Statement::IfStatement(s)
                    if flow::exits(&s.consequent) && tests_collection(s.test.span()) =>
                {
                    Some(s.test.span())
                }
                _ => None,
            });
        match enclosing.or(earlier) {
            Some(test) => guards.push(test),
            None => return false,
        }
    }
    reads.iter().all(|places| {
        places
            .iter()
            .any(|&p| guards.iter().any(|&test| flow::contains(test, p)))
    })
}

/// `console.warn(…)`, `logger.warn(…)`, `this.log.error(…)`, `process.emitWarning(…)`.
fn is_log_statement(statement: &Statement<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let Statement::ExpressionStatement(statement) = statement else {
        return false;
    };
    let Expression::CallExpression(call) = strip(&statement.expression) else {
        return false;
    };
    let Some(member) = as_member(&call.callee) else {
        return false;
    };
    if !member_name(member).is_some_and(|m| LOG_METHODS.contains(&m)) {
        return false;
    }
    let receiver = match strip(member.object()) {
        Expression::Identifier(id) => {
            if matches!(id.name.as_str(), "console" | "process") {
                return ctx.model().is_global(id, id.name.as_str());
            }
            Some(id.name.as_str())
        }
        other => as_member(other).and_then(member_name),
    };
    receiver.is_some_and(|name| name.to_ascii_lowercase().contains("log"))
}

/// Whether a node runs only on an error path of `function`: in a `catch` clause, or in a
/// `.catch(…)` callback or a `.then(…, onRejected)` handler.
fn on_error_path(node: NodeId, function: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let nodes = ctx.nodes();
    let mut child = node;
    for ancestor in nodes.ancestor_ids(node) {
        if ancestor == function {
            return false;
        }
        match nodes.kind(ancestor) {
            AstKind::CatchClause(_) => return true,
            AstKind::CallExpression(call) => {
                let index = call
                    .arguments
                    .iter()
                    .position(|a| a.span() == nodes.kind(child).span());
                match (leaklint_model::ast_util::callee_name(call), index) {
                    (Some("catch"), Some(0)) | (Some("then"), Some(1)) => return true,
                    _ => {}
                }
            }
            _ => {}
        }
        child = ancestor;
    }
    false
}

fn same_key<'a>(a: &Expression<'a>, b: &Expression<'a>, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    match (model.place(a), model.place(b)) {
        (Some(a), Some(b)) => a.same_place(&b),
        _ => {
            let source = ctx.source_text();
            let text = |e: &Expression<'_>| {
                let span = strip(e).span();
                source[span.start as usize..span.end as usize].to_string()
            };
            text(a) == text(b)
        }
    }
}

/// Where the code at a node runs, for messages: "on every request to the Express handler for
/// POST /login", "each time `remember` runs".
fn where_it_runs(node: NodeId, ctx: &RuleContext<'_, '_>) -> String {
    let model = ctx.model();
    if let Some(why) = model.request_context(node) {
        return format!("on every request to {why}");
    }
    match model
        .enclosing_function(node)
        .and_then(|f| model.function(f))
        .and_then(|facts| facts.name)
    {
        Some(name) => format!("each time `{name}` runs"),
        None => "each time this function runs".to_string(),
    }
}

fn describe(collection: &Collection<'_>) -> String {
    let kind = collection.kind.label();
    let with_article = collection.kind.with_article();
    match &collection.owner {
        Owner::Module => format!("`{}` (a module-level {kind})", collection.name),
        Owner::Static(class) => format!("`{}` (a static {kind} of {class})", collection.name),
        Owner::Singleton(class) => format!(
            "`{}` ({with_article} field of {class}, whose one instance lives as long as the \
             process)",
            collection.name
        ),
        Owner::Factory(factory) => format!(
            "`{}` ({with_article} made by {factory} at start-up and kept by a closure it \
             creates)",
            collection.name
        ),
        Owner::Connection(class) => format!(
            "`{}` ({with_article} field of {class}, which listens to the connection it is \
             handed and lives as long as it)",
            collection.name
        ),
        Owner::Unproven(held) => format!("`{}` ({held})", collection.name),
        Owner::Prototype(class) => format!(
            "`{}` ({with_article} on `{class}.prototype`, shared by every instance)",
            collection.name
        ),
        Owner::ModuleObject(object) => format!(
            "`{}` ({with_article} in the module-level object `{object}`)",
            collection.name
        ),
    }
}

const HELP: &str = "bound it (an LRU such as `lru-cache` with `max` and `ttl`), use a WeakMap \
                    for object keys, or delete each entry when it is done";

fn never_shrunk<'a>(
    collection: &Collection<'a>,
    site: &Use<'a>,
    open: broken::Open,
    growth: &[&Use<'a>],
    all: &[Use<'a>],
    severity: Severity,
    ctx: &RuleContext<'a, '_>,
) -> Diagnostic {
    let source = ctx.source_text();
    let site_span = ctx.nodes().kind(site.node).span();
    let ttl = ttl_check(collection, all, ctx);
    let when = match open {
        broken::Open::ThroughCall(call) => format!(
            "{}, through the call at line {}",
            where_it_runs(call, ctx),
            line_of(ctx, call)
        ),
        _ => where_it_runs(site.node, ctx),
    };
    let keyed = open.describe();
    let message = match ttl {
        Some(_) => format!(
            "{} can gain an entry {when}{keyed}, and expired entries are never deleted: the \
             expiry check only ignores them, so they stay in memory forever",
            describe(collection),
        ),
        None => format!(
            "{} can gain an entry {when}{keyed}, and nothing ever removes one: it grows for as \
             long as the process runs",
            describe(collection),
        ),
    };
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(byte_span(first_line(source, site_span)), "grows here"),
    )
    .with_help(match ttl {
        Some(_) => {
            "delete the entry when it is found expired (and sweep the rest now and then), \
                    or use an LRU such as `lru-cache` with `max` and `ttl`"
        }
        None => HELP,
    })
    .with_secondary(Label::new(
        byte_span(first_line(source, collection.declared)),
        "declared here, lives as long as the process",
    ));
    if let Some(check) = ttl {
        diagnostic = diagnostic.with_secondary(Label::new(
            byte_span(first_line(source, check)),
            "expiry is checked here, but the expired entry is never deleted",
        ));
    }
    for other in growth.iter().filter(|u| u.node != site.node).take(2) {
        let span = ctx.nodes().kind(other.node).span();
        diagnostic = diagnostic.with_secondary(Label::new(
            byte_span(first_line(source, span)),
            "also grows here",
        ));
    }
    diagnostic
}

/// The "read-only TTL trap": an entry's timestamp is compared with the clock where it is read,
/// but nothing deletes it. The comparison, if so.
fn ttl_check(
    collection: &Collection<'_>,
    all: &[Use<'_>],
    ctx: &RuleContext<'_, '_>,
) -> Option<Span> {
    let model = ctx.model();
    for read in all.iter().filter(|u| u.effect == Effect::Read) {
        let (_, parent) = value_parent(ctx.semantic(), read.node);
        let is_lookup = match parent {
            AstKind::StaticMemberExpression(m) => m.property.name == "get",
            AstKind::ComputedMemberExpression(_) => collection.kind == Kind::Object,
            _ => false,
        };
        if !is_lookup {
            continue;
        }
        let Some(function) = model.enclosing_function(read.node) else {
            continue;
        };
        for node in ctx.nodes_within(function) {
            let AstKind::BinaryExpression(binary) = node.kind() else {
                continue;
            };
            if !matches!(
                binary.operator,
                BinaryOperator::LessThan
                    | BinaryOperator::LessEqualThan
                    | BinaryOperator::GreaterThan
                    | BinaryOperator::GreaterEqualThan
            ) {
                continue;
            }
            let reads_clock = ctx.subtree(node.id()).any(|n| match n.kind() {
                AstKind::CallExpression(call) => matches!(
                    leaklint_model::ast_util::dotted_path(&call.callee).as_deref(),
                    Some("Date.now" | "performance.now")
                ),
                _ => false,
            });
            if reads_clock {
                return Some(binary.span);
            }
        }
    }
    None
}

/// A growth whose same-key removal, in the same function, misses a path.
fn partial<'a>(
    collection: &Collection<'a>,
    site: &Use<'a>,
    removals: &[&&Use<'a>],
    severity: Severity,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let statement = flow::statement_of(ctx, site.node)?;
    let tracker = Removal {
        nodes: removals.iter().map(|r| r.node).collect(),
    };
    let misses = Paths::new(ctx, &tracker).misses(Start::After(statement))?;
    let miss = *misses.first()?;
    let source = ctx.source_text();
    let nodes = ctx.nodes();
    let removal = nodes.kind(removals[0].node).span();
    let short =
        |node: NodeId| leaklint_model::ast_util::short_text(source, nodes.kind(node).span());
    let (path, label) = match miss {
        Miss::Exception(node) => (
            format!("when `{}` throws", flow::awaited_call(node, ctx)),
            format!("not reached if `{}` throws", flow::awaited_call(node, ctx)),
        ),
        Miss::Return(node) => (
            format!("on the `return` at line {}", line_of(ctx, node)),
            format!("skipped by the `return` at line {}", line_of(ctx, node)),
        ),
        Miss::Throw(node) => (
            format!("when the `throw` at line {} runs", line_of(ctx, node)),
            format!("skipped by the `throw` at line {}", line_of(ctx, node)),
        ),
        Miss::Rejected(node) => (
            "when the promise rejects".to_string(),
            format!("runs only when `{}` resolves", short(node)),
        ),
        Miss::End => (
            "on the paths that never reach the removal".to_string(),
            "not reached on every path after the entry is added".to_string(),
        ),
    };
    let site_span = nodes.kind(site.node).span();
    Some(
        Diagnostic::finding(
            ID,
            severity,
            format!(
                "{} gains an entry {} that is removed on some paths only: it stays forever {path}",
                describe(collection),
                where_it_runs(site.node, ctx)
            ),
            Label::new(byte_span(first_line(source, site_span)), "added here"),
        )
        .with_help(
            "remove the entry in `finally` (or `.finally(…)` on the promise) so that every path \
             removes it",
        )
        .with_secondary(Label::new(byte_span(first_line(source, removal)), label)),
    )
}

/// Removal of one entry, at known nodes.
struct Removal {
    nodes: Vec<NodeId>,
}

impl<'a> Tracker<'a> for Removal {
    fn covers_node(&self, node: &AstNode<'a>, _ctx: &RuleContext<'a, '_>) -> bool {
        self.nodes.contains(&node.id())
    }
}

#[cfg(test)]
mod tests {
    use super::META;
    use crate::test_util::{assert_clean, assert_reports, run_rule, severities};
    use leaklint_diagnostics::Severity;

    #[test]
    fn flagged() {
        for source in [
            "const sessions = new Map(); app.post('/login', (req, res) => { sessions.set(req.body.token, req.user.id); res.end(); });",
            "const seen = new Set(); export function track(id) { seen.add(id); }",
            "const log = []; export function record(e) { log.push(e); }",
            "const index = {}; app.get('/a', (req, res) => { index[req.query.q] = Date.now(); });",
            "const index = Object.create(null); export function put(userId, v) { index[userId] = v; }",
            // through a TypeScript wrapper (`seen.push(…)` at start-up passes the text prefilter)
            "const index = {}; const seen = []; seen.push(1); export function put(userId, v) { (index[userId] as any) = v; }",
            "const index = {}; const seen = []; seen.push(1); export function put(userId, v) { index[userId]! = v; }",
            "const index = {}; export function put(key, value) { Object.assign(index, { [key]: value }); }",
            "class Conn { static all = new Set(); constructor() { Conn.all.add(this); } } export function open() { return new Conn(); }",
            "class Registry { items = new Map(); add(sessionId, v) { this.items.set(sessionId, v); } } export default new Registry();",
            "class Store { constructor() { this.byId = new Map(); } put(orderId, v) { this.byId.set(orderId, v); } } export const store = new Store();",
            "@Injectable() class UsersService { private cache = new Map<string, User>(); find(id: string) { this.cache.set(id, load(id)); } }",
            "function memoize(fn) { const cache = new Map(); return (x) => { if (!cache.has(x)) cache.set(x, fn(x)); return cache.get(x); }; } const cachedLookup = memoize(lookup); app.get('/g', (req, res) => res.json(cachedLookup(req.ip)));",
            // partial: success path only
            "const inflight = new Map(); app.get('/q', async (req, res) => { inflight.set(req.query.id, 1); const quote = await fetchQuote(req.query.id); inflight.delete(req.query.id); res.json(quote); });",
            // partial: then without catch
            "const pending = new Map(); export function send(id, p) { pending.set(id, p); p.then(() => pending.delete(id)); }",
            // partial: early return
            "const locks = new Set(); export function lock(id, ok) { locks.add(id); if (!ok) return false; locks.delete(id); return true; }",
            // TTL trap
            "const cache = new Map(); export function get(url) { const hit = cache.get(url); if (hit && Date.now() - hit.at < 60000) return hit.v; const v = compute(url); cache.set(url, { v, at: Date.now() }); return v; }",
            // a key domain that is not fixed: one call passes request data
            "const re = {}; function match(p, r) { if (!re[r]) re[r] = compile(r); return re[r].test(p); } app.get('/x', (req, res) => { match(req.path, '/login'); match(req.path, req.query.r); });",
            // a warning shown once per request's value
            "const noCatalog = {}; app.get('/m', (req, res) => { if (!noCatalog[req.query.l]) { console.warn('no catalog'); noCatalog[req.query.l] = 1; } res.end(); });",
        ] {
            assert_reports(&META, source, "a.ts", 1);
        }
    }

    #[test]
    fn clean() {
        for source in [
            // No evidence that the entries keep coming: a key from a parameter of exported code
            // (selectors, template names and algorithm names arrive this way), a registration
            // function, a memo nothing in the file calls with input.
            "const index = {}; export function put(k, v) { index[k] = v; }",
            // per request, but every call in the file passes a literal key
            "const re = {}; export function match(p, r) { if (!re[r]) re[r] = compile(r); return re[r].test(p); } app.get('/x', (req, res) => { match(req.path, '/login'); match(req.path, '/me'); res.end(); });",
            // keys from a list that grows per call: the growth is the list's, not this cache's
            "const LOCALES = ['en']; const cache = {}; function warm() { for (const l of LOCALES) cache[l] = load(l); } export function run(x) { LOCALES[LOCALES.length] = x; warm(); }",
            "const re = {}; export function match(p, r) { if (!re[r]) re[r] = compile(r); return re[r].test(p); } match('/a', '/login');",
            "const parsers = {}; export function use(type, parser) { parsers[type] = parser; }",
            "function memoize(fn) { const cache = new Map(); return (x) => { if (!cache.has(x)) cache.set(x, fn(x)); return cache.get(x); }; } export const cachedLookup = memoize(lookup);",
            "const instances = []; export function get(type) { let hit = instances.find((i) => i.type === type); if (!hit) { hit = { type, object: new type() }; instances.push(hit); } return hit.object; }",
            // removals
            "const sessions = new Map(); app.post('/login', (req, res) => { sessions.set(req.body.token, 1); }); app.post('/logout', (req, res) => { sessions.delete(req.body.token); });",
            "const buffer = []; export function add(x) { buffer.push(x); } setInterval(() => { flush(buffer.splice(0)); }, 1000).unref();",
            "let batch = []; export function add(x) { batch.push(x); if (batch.length > 100) { send(batch); batch = []; } }",
            "const q = []; export function add(x) { q.push(x); } export function next() { return q.shift(); }",
            "const cache = new Map(); export function put(k, v) { if (cache.size >= 500) cache.delete(cache.keys().next().value); cache.set(k, v); }",
            "const queue = []; export function add(x) { if (queue.length < 1000) queue.push(x); }",
            "const queue = []; export function add(x) { if (queue.length >= 1000) return; queue.push(x); }",
            "const idx = {}; export function put(k, v) { idx[k] = v; } export function drop(k) { delete idx[k]; }",
            "const list = []; export function add(x) { list.push(x); } export function reset() { list.length = 0; }",
            // same-key removal on every path
            "const inflight = new Map(); app.get('/q', async (req, res) => { inflight.set(req.query.id, 1); try { res.json(await fetchQuote(req.query.id)); } finally { inflight.delete(req.query.id); } });",
            "const pending = new Map(); export function send(id, p) { pending.set(id, p); p.finally(() => pending.delete(id)); }",
            "const pending = new Map(); export function send(id, p) { pending.set(id, p); p.then(() => pending.delete(id), () => pending.delete(id)); }",
            "const clients = new Map(); app.get('/sse', (req, res) => { clients.set(req.query.id, 1); req.on('close', () => clients.delete(req.query.id)); });",
            "const ttl = new Map(); export function put(k, v) { ttl.set(k, v); setTimeout(() => ttl.delete(k), 60000).unref(); }",
            // removed only when starting it fails: a registry
            "const libs = {}; export function add(id, Lib) { libs[id] = new Lib(); libs[id].init().catch(() => { delete libs[id]; }); }",
            // a count going down: the removal is of an entry added elsewhere
            "const refs = new Map(); export function release(k) { const n = refs.get(k); if (n === 1) refs.delete(k); else refs.set(k, n - 1); } export function retain(k) { refs.set(k, (refs.get(k) || 0) + 1); }",
            // warn-once sets and registries filled by registration functions
            "const warned = new Set(); export function warnOnce(code, msg) { if (warned.has(code)) return; warned.add(code); console.warn(msg); }",
            "const loaders = new Map(); export function registerLoader(name, fn) { loaders.set(name, fn); }",
            "const hooks = []; export function onShutdown(name, fn) { hooks.push({ name, fn }); }",
            "const tasks = []; export function every(task, ms) { tasks.push({ task, ms }); }",
            "const weak = new Map(); export function track(k, v) { weak.set(k, new WeakRef(v)); }",
            // keys from a fixed domain written in the file
            "const re = {}; function match(p, r) { if (!re[r]) re[r] = compile(r); return re[r].test(p); } const LOGIN = '/login'; app.get('/x', (req, res) => { match(req.path, LOGIN); match(req.path, '/me'); });",
            "const SECTIONS = ['a', 'b']; const cache = {}; export function save(d) { for (const s of SECTIONS) cache[s] = JSON.stringify(d[s]); SECTIONS.forEach((s) => cache[s] += ''); }",
            "const Kind = { A: 1 }; const Flag = { B: 2 }; const byEnum = new Map(); function members(e) { if (!byEnum.has(e)) byEnum.set(e, Object.entries(e)); return byEnum.get(e); } export const a = () => members(Kind); export const b = () => members(Flag);",
            "class A {} class B {} const byClass = new Map(); function of(C) { byClass.set(C, new C()); } export function both() { of(A); of(B); }",
            // a warning shown once per distinct message, outside request handlers
            "const unknownStores = {}; function unknown(name) { if (name && !unknownStores[name]) { log.warn(`no store ${name}`); unknownStores[name] = 1; } } export function get(s) { unknown(s); }",
            // not Map / not long-lived / start-up only
            "const cache = new LRUCache({ max: 500 }); export function put(k, v) { cache.set(k, v); }",
            "const cache = new WeakMap(); export function put(k, v) { cache.set(k, v); }",
            "const table = new Map(); for (const r of rows) table.set(r.id, r);",
            "const table = new Map(); function init() { for (const r of rows) table.set(r.id, r); } init();",
            "export function handle(items) { const seen = new Set(); for (const i of items) seen.add(i.id); return seen.size; }",
            "const stats = new Map(); export function hit() { stats.set('hits', (stats.get('hits') || 0) + 1); }",
            "const KEY = 'hits'; const stats = {}; export function hit() { stats[KEY] = (stats[KEY] || 0) + 1; }",
            // handed on or aliased
            "const cache = new Map(); startSweeper(cache); export function put(k, v) { cache.set(k, v); }",
            "const cache = new Map(); export function getCache() { return cache; } export function put(k, v) { cache.set(k, v); }",
            // per-request instances
            "class Ctx { items = []; add(x) { this.items.push(x); } } app.get('/', (req, res) => { const c = new Ctx(); c.add(1); });",
            "export class Bag { items = new Set(); add(x) { this.items.add(x); } }",
        ] {
            assert_clean(&META, source, "a.ts");
        }
    }

    #[test]
    fn severity_message_and_labels() {
        assert_eq!(
            severities(
                &META,
                "const sessions = new Map(); app.post('/login', (req, res) => { sessions.set(req.body.token, req.user.id); });",
                "a.js"
            ),
            [Severity::Error]
        );
        let found = run_rule(
            &META,
            "const seen = new Set(); export function track(id) { seen.add(id); }",
            "a.js",
            None,
        );
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("`seen` (a module-level Set) can gain an entry each time `track` runs, keyed by input (an id, a user, a URL or a token), and nothing ever removes one"),
            "{}",
            found[0].message
        );
        let found = run_rule(
            &META,
            "const inflight = new Map();\nexport async function get(id) {\n  inflight.set(id, 1);\n  const quote = await fetchQuote(id);\n  inflight.delete(id);\n  return quote;\n}",
            "a.js",
            None,
        );
        assert!(
            found[0].message.contains("when `fetchQuote(…)` throws"),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .secondary
                .iter()
                .any(|l| l.message == "not reached if `fetchQuote(…)` throws"),
            "{:?}",
            found[0].secondary
        );
        // What made a closure's collection: a named function, or one invoked where it is written.
        let found = run_rule(
            &META,
            "function memo(fn) { const hits = new Map(); return (url) => { hits.set(url, fn(url)); }; }\nexport const lookup = memo(String);\nvar ns;\n(function (ns) {\n  const seen = new Set();\n  ns.mark = (id) => seen.add(id);\n})(ns || (ns = {}));\nexport { ns };",
            "a.js",
            None,
        );
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with(
                "`hits` (a Map made by `memo` at start-up and kept by a closure it creates)"
            ),
            "{}",
            messages[0]
        );
        assert!(
            messages[1]
                .starts_with("`seen` (a Set made by an immediately invoked function at start-up"),
            "{}",
            messages[1]
        );
        // A class expression is named by the binding it initialises, or called anonymous.
        let found = run_rule(
            &META,
            "const container = new (class {
  constructor() { this.instances = []; }
  add(x) { this.instances.push(x); }
})();
export const add = (x) => container.add(x);
const Registry = class { static entries = new Map(); };
export function put(id, v) { Registry.entries.set(id, v); }",
            "a.js",
            None,
        );
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("`this.instances` (an array field of an anonymous class, whose one instance lives as long as the process)"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].starts_with("`Registry.entries` (a static Map of `Registry`)"),
            "{}",
            messages[1]
        );
    }
}
