//! Node's APIs as rules see them: timers and event listeners, recognised by symbol (an
//! imported `setInterval` from `timers`, not any function of that name), and the pairing of
//! each registration with what undoes it.

use leaklint_model::{
    ast_util::{
        argument, as_function_node, as_member, callee_name, member_name, property_key_name,
        string_value, strip, value_parent, written, Written,
    },
    Field, FunctionRuns, Place, PlaceRoot, ValueLifetime,
};
use oxc_ast::{
    ast::{
        AssignmentOperator, AssignmentTarget, BindingIdentifier, BindingPattern, CallExpression,
        Class, Expression, IdentifierReference, MemberExpression, ObjectExpression,
        ObjectPropertyKind, UnaryOperator,
    },
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};
use oxc_span::GetSpan;

use crate::RuleContext;

/// Whether `expr` is Node's timer function `name`: the global, `globalThis.name` (also `global`,
/// `window`, `self`), or imported from `timers` — never the promise API of `timers/promises`.
pub fn is_timer_function(expr: &Expression<'_>, name: &str, ctx: &RuleContext<'_, '_>) -> bool {
    // Symbols and imports only: asking this does not build the lifetime model.
    let semantic = ctx.semantic();
    let symbol_of = |ident| leaklint_model::symbol_of(semantic, ident);
    let origin = |symbol| leaklint_model::import_origin(semantic, symbol);
    match strip(expr) {
        // By symbol: `import { setInterval as every } from 'timers'` makes `every` the one.
        // Another name is the timer only when imported under it from `timers`: most calls of a
        // file are neither, and are told apart without looking up their symbol.
        Expression::Identifier(ident) if ident.name != name && !ctx.mentions_timers_module() => {
            false
        }
        Expression::Identifier(ident) => match symbol_of(ident) {
            None => ident.name == name,
            Some(symbol) => {
                ctx.mentions_timers_module()
                    && origin(symbol).is_some_and(|origin| {
                        origin.is_module("timers") && origin.export == Some(name)
                    })
            }
        },
        other => {
            let Some(member) = as_member(other) else {
                return false;
            };
            if member_name(member) != Some(name) {
                return false;
            }
            match strip(member.object()) {
                Expression::Identifier(object) => match symbol_of(object) {
                    None => matches!(
                        object.name.as_str(),
                        "globalThis" | "global" | "window" | "self"
                    ),
                    Some(symbol) => {
                        ctx.mentions_timers_module()
                            && origin(symbol).is_some_and(|origin| {
                                origin.is_module("timers") && origin.export.is_none()
                            })
                    }
                },
                _ => false,
            }
        }
    }
}

/// `clearInterval` or `clearTimeout` (Node and browsers clear either kind with either).
pub fn is_clear_function(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    is_timer_function(expr, "clearInterval", ctx) || is_timer_function(expr, "clearTimeout", ctx)
}

/// Every `clearTimeout(x)` / `clearInterval(x)` argument in the file, as access paths.
pub fn cleared_timer_places<'a>(ctx: &RuleContext<'a, '_>) -> Vec<Place<'a>> {
    let mut paths = Vec::new();
    for name in ["clearTimeout", "clearInterval"] {
        for &id in ctx.calls_named(name) {
            let AstKind::CallExpression(call) = ctx.nodes().kind(id) else {
                continue;
            };
            if !is_clear_function(&call.callee, ctx) {
                continue;
            }
            if let Some(path) = argument(call, 0).and_then(|a| ctx.model().place(a)) {
                paths.push(path);
            }
        }
    }
    paths
}

/// Methods that add a listener that stays until removed.
const ADD_METHODS: &[&str] = &["on", "addListener", "prependListener", "addEventListener"];
/// Methods that add a listener removed after its first call.
const ADD_ONCE_METHODS: &[&str] = &["once", "prependOnceListener"];
/// Events a long-lived emitter fires only when it ends.
const END_OF_LIFE_EVENTS: &[&str] = &["exit", "beforeExit", "close", "abort", "shutdown"];
/// Methods that remove one listener.
const REMOVE_METHODS: &[&str] = &["off", "removeListener", "removeEventListener"];

/// `receiver.on(event, handler[, options])` and its relatives.
pub struct Registration<'e, 'a> {
    pub call: &'e CallExpression<'a>,
    pub receiver: &'e Expression<'a>,
    pub method: &'a str,
    pub event: Option<&'e Expression<'a>>,
    pub handler: &'e Expression<'a>,
    /// `addEventListener`'s third argument.
    pub options: Option<&'e Expression<'a>>,
}

impl<'e, 'a> Registration<'e, 'a> {
    /// A listener registration by method name; `None` for any other call.
    pub fn of(call: &'e CallExpression<'a>) -> Option<Self> {
        let member = as_member(&call.callee)?;
        let method = member_name(member)?;
        if !ADD_METHODS.contains(&method) && !ADD_ONCE_METHODS.contains(&method) {
            return None;
        }
        // `on(emitter, 'event')` from `events` is an async iterator, not a listener.
        let handler = argument(call, 1)?;
        // Node's `on(event, listener)` takes two arguments; three are another API's
        // (`$(el).on('click', '.row', f)`, `EventHandler.on(element, 'click', f)`).
        if method != "addEventListener" && call.arguments.len() > 2 {
            return None;
        }
        // `addEventListener('test', null, opts)`: feature detection adds nothing.
        if matches!(strip(handler), Expression::NullLiteral(_))
            || matches!(strip(handler), Expression::Identifier(i) if i.name == "undefined")
        {
            return None;
        }
        // A helper shaped `(target, 'event', listener)` (`util.addListener(socket, 'error', f)`)
        // registers on its first argument, whose lifetime is its caller's business.
        if argument(call, 0).is_some_and(|a| string_value(a).is_none())
            && string_value(handler).is_some()
        {
            return None;
        }
        Some(Self {
            call,
            receiver: member.object(),
            method,
            event: argument(call, 0),
            handler,
            options: argument(call, 2),
        })
    }

    /// `once`, `prependOnceListener`, or `{ once: true }` for an event that fires during normal
    /// operation: removed when it first fires. A `once` listener for an event that only fires
    /// when the receiver's life ends (`process.once('SIGTERM')`, `server.once('close')`,
    /// `shutdown.signal` `'abort'`) stays until then, like an `on`.
    pub fn is_once(&self) -> bool {
        self.is_once_method() && !self.waits_for_end_of_life()
    }

    /// Whether the event only fires when its emitter ends: signals, `exit`, `close`, `abort`.
    pub fn waits_for_end_of_life(&self) -> bool {
        self.event
            .and_then(string_value)
            .is_some_and(|event| event.starts_with("SIG") || END_OF_LIFE_EVENTS.contains(&event))
    }

    /// `once`, `prependOnceListener`, or `{ once: true }`.
    pub fn is_once_method(&self) -> bool {
        ADD_ONCE_METHODS.contains(&self.method)
            || self
                .options
                .and_then(object_of)
                .and_then(|o| object_property(o, "once"))
                .is_some_and(|v| matches!(strip(v), Expression::BooleanLiteral(b) if b.value))
    }

    /// The `signal` of `addEventListener(…, { signal })`.
    pub fn signal(&self) -> Option<&'e Expression<'a>> {
        object_property(self.options.and_then(object_of)?, "signal")
    }

    /// The event as written, for messages: `'message'`, `EVENTS.done`.
    pub fn event_label(&self, source: &str) -> String {
        match self.event {
            Some(event) => match string_value(event) {
                Some(value) => format!("'{value}'"),
                None => short_text(source, event.span()),
            },
            None => "an event".to_string(),
        }
    }

    /// The receiver as written, for messages: `this.bus`, or its text shortened.
    pub fn receiver_label(&self, source: &str) -> String {
        leaklint_model::ast_util::dotted_path(self.receiver)
            .unwrap_or_else(|| short_text(source, self.receiver.span()))
    }

    /// Whether the handler is created in the call (an inline function, or `f.bind(…)`): no
    /// `off` anywhere can name it.
    pub fn handler_is_anonymous(&self) -> bool {
        is_fresh_function(self.handler)
    }

    /// Whether the value `.on(…)` returns is kept: some emitters return an unsubscribe function
    /// (Node's returns the emitter, for chaining).
    pub fn result_is_kept(&self, ctx: &RuleContext<'a, '_>) -> bool {
        let (_, parent) = value_parent(ctx.semantic(), self.call.node_id());
        matches!(
            parent,
            AstKind::VariableDeclarator(_)
                | AstKind::AssignmentExpression(_)
                | AstKind::ReturnStatement(_)
                | AstKind::ArrowFunctionExpression(_)
                | AstKind::ArrayExpression(_)
                | AstKind::ObjectProperty(_)
        ) || matches!(parent, AstKind::CallExpression(outer) if outer.callee.span() != self.call.span())
    }
}

/// An inline function, or `f.bind(…)` (a new function on every call).
pub fn is_fresh_function(expr: &Expression<'_>) -> bool {
    match strip(expr) {
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_) => true,
        Expression::CallExpression(call) => callee_name(call) == Some("bind"),
        _ => false,
    }
}

fn object_of<'e, 'a>(expr: &'e Expression<'a>) -> Option<&'e ObjectExpression<'a>> {
    match strip(expr) {
        Expression::ObjectExpression(object) => Some(object),
        _ => None,
    }
}

/// The value of `key` in an expression that is an object literal.
pub fn object_property_value<'e, 'a>(
    expr: &'e Expression<'a>,
    key: &str,
) -> Option<&'e Expression<'a>> {
    object_property(object_of(expr)?, key)
}

/// The value of `key` in an object literal; shorthand `{ signal }` included.
fn object_property<'e, 'a>(
    object: &'e ObjectExpression<'a>,
    key: &str,
) -> Option<&'e Expression<'a>> {
    object
        .properties
        .iter()
        .find_map(|property| match property {
            ObjectPropertyKind::ObjectProperty(p) if property_key_name(&p.key) == Some(key) => {
                Some(&p.value)
            }
            _ => None,
        })
}

/// What identifies an event for matching an `off` with its `on`.
#[derive(Debug, PartialEq, Eq)]
enum EventKey<'a> {
    Name(&'a str),
    Path(Place<'a>),
    /// Computed at run time: matches anything.
    Unknown,
}

fn event_key<'a>(event: Option<&Expression<'a>>, ctx: &RuleContext<'a, '_>) -> EventKey<'a> {
    let Some(event) = event else {
        return EventKey::Unknown;
    };
    if let Some(name) = string_value(event) {
        return EventKey::Name(name);
    }
    // `const EVENT = 'tick'`; a parameter or loop variable (`signals.forEach((s) => …)`) may be
    // any event.
    if let Expression::Identifier(ident) = strip(event) {
        let Some(init) = ctx
            .model()
            .symbol_of(ident)
            .and_then(|symbol| const_init(symbol, ctx))
        else {
            return EventKey::Unknown;
        };
        if let Some(name) = string_value(init) {
            return EventKey::Name(name);
        }
    }
    // `EVENTS.done` names one event; `request.requestId` or `msg.type`, read from a value of
    // the call, may be any.
    match ctx.model().place(event) {
        Some(path)
            if match path.root {
                PlaceRoot::Symbol(symbol) => ctx.model().is_module_level(symbol),
                _ => true,
            } =>
        {
            EventKey::Path(path)
        }
        _ => EventKey::Unknown,
    }
}

/// Whether an event name is computed from the call's own values (`request.requestId`,
/// `` `reply:${id}` ``, a local): a new event for each call, not one of a fixed set.
pub fn event_is_per_call<'a>(
    event: &Expression<'a>,
    function: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    if string_value(event).is_some() || !matches!(event_key(Some(event), ctx), EventKey::Unknown) {
        return false;
    }
    let model = ctx.model();
    let span = ctx.nodes().kind(function).span();
    let scoping = ctx.semantic().scoping();
    let reads_call_value = |ident: &oxc_ast::ast::IdentifierReference<'_>| {
        model.symbol_of(ident).is_some_and(|symbol| {
            let declared = scoping.symbol_span(symbol);
            span.start <= declared.start && declared.end <= span.end
        })
    };
    match strip(event) {
        Expression::Identifier(ident) => reads_call_value(ident),
        other => {
            let node = leaklint_model::ast_util::expr_node_id(other);
            ctx.subtree(node).any(|inner| match inner.kind() {
                AstKind::IdentifierReference(ident) => reads_call_value(ident),
                _ => false,
            })
        }
    }
}

fn events_match(a: &EventKey<'_>, b: &EventKey<'_>) -> bool {
    match (a, b) {
        (EventKey::Unknown, _) | (_, EventKey::Unknown) => true,
        (EventKey::Name(a), EventKey::Name(b)) => a == b,
        (EventKey::Path(a), EventKey::Path(b)) => a.same_place(b),
        _ => false,
    }
}

/// The initializer of a `const x = …` (or a `let`/`var` never reassigned).
pub fn const_init<'a>(symbol: SymbolId, ctx: &RuleContext<'a, '_>) -> Option<&'a Expression<'a>> {
    let scoping = ctx.semantic().scoping();
    if scoping.symbol_is_mutated(symbol) {
        return None;
    }
    match ctx.nodes().kind(scoping.symbol_declaration(symbol)) {
        AstKind::VariableDeclarator(declarator)
            if matches!(declarator.id, BindingPattern::BindingIdentifier(_)) =>
        {
            declarator.init.as_ref()
        }
        _ => None,
    }
}

/// The function a binding holds: a `function` declaration's node, or that of the function a
/// `const` (or a never-reassigned `let`/`var`) is initialised with.
pub fn function_bound_to(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> Option<NodeId> {
    let declaration = ctx.semantic().scoping().symbol_declaration(symbol);
    match ctx.nodes().kind(declaration) {
        AstKind::Function(_) => Some(declaration),
        _ => const_init(symbol, ctx).and_then(as_function_node),
    }
}

/// The function an expression is or names: an inline function, or a binding that holds one.
pub fn function_held_by(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<NodeId> {
    match strip(expr) {
        Expression::Identifier(ident) => function_bound_to(ctx.model().symbol_of(ident)?, ctx),
        other => as_function_node(other),
    }
}

/// The binding that names a class: its own (`class Service {…}`), or the one a class expression
/// initialises (`const Service = class {…}`).
pub fn class_binding<'e, 'a>(
    class_id: NodeId,
    class: &'e Class<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<&'e BindingIdentifier<'a>> {
    if let Some(id) = &class.id {
        return Some(id);
    }
    match ctx.nodes().parent_kind(class_id) {
        AstKind::VariableDeclarator(declarator) => declarator.id.get_binding_identifier(),
        _ => None,
    }
}

/// Whether some `off`/`removeListener`/`removeEventListener` on the same receiver, for the same
/// event, with the same handler — or a `removeAllListeners()` on the receiver — exists in the
/// file. Only handlers that can be named again (a binding, a member path) can be removed.
///
/// The receiver is matched by where its value comes from as well as by how it is written:
/// `require('m')` and `const m = require('m')` name one module, and `const body =
/// document.body` in two functions names one object. A removal that iterates stored listeners
/// (`for (const [event, listener] of subscriptions) bus.off(event, listener)`) also counts
/// when the registration's listener is stored in a collection.
pub fn is_removed<'a>(registration: &Registration<'_, 'a>, ctx: &RuleContext<'a, '_>) -> bool {
    is_removed_from(registration, &[], ctx)
}

/// [`is_removed`], where the receiver is also known by the places in `also` (a constructor's
/// parameter is the field it is stored in, and what every `new` of the class passes:
/// `removeAllListeners()` on that object removes the listener the constructor added).
pub fn is_removed_from<'a>(
    registration: &Registration<'_, 'a>,
    also: &[Place<'a>],
    ctx: &RuleContext<'a, '_>,
) -> bool {
    removals(registration, also, ctx)
        .into_iter()
        .any(|(id, removal)| removal == RemovalOf::Removes && !ctx.model().runs_at(id).is_once())
}

/// The removals of this registration's event from its receiver that name another function
/// object, so that they remove nothing it added: `off('drain', this.flush.bind(this))` makes a
/// new function, and so does an inline arrow; `removeListener('ready', onFailure)` after
/// `once('ready', onReady)` names the wrong one. Empty when any removal, wherever it runs, may
/// remove the listener (or there is none): only a removal that was meant and cannot work is
/// evidence.
pub fn removals_that_miss<'a>(
    registration: &Registration<'_, 'a>,
    ctx: &RuleContext<'a, '_>,
) -> Vec<NodeId> {
    let found = removals(registration, &[], ctx);
    if found
        .iter()
        .any(|(_, removal)| *removal == RemovalOf::Removes || *removal == RemovalOf::MayRemove)
    {
        return Vec::new();
    }
    found
        .into_iter()
        .filter(|(_, removal)| *removal == RemovalOf::Misses)
        .map(|(id, _)| id)
        .collect()
}

/// What a removal on the same receiver does to a registration's listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RemovalOf {
    /// It names the same function (by symbol or place), or removes every listener of the event.
    Removes,
    /// It names a function that cannot be the registered one: by identity, it removes nothing.
    Misses,
    /// It may remove it (a caller's function, an event computed at run time).
    MayRemove,
}

/// Every removal (`off`, `removeListener`, `removeEventListener`, `removeAllListeners`) in the
/// file on the registration's receiver for its event, and what it does to the listener.
fn removals<'a>(
    registration: &Registration<'_, 'a>,
    also: &[Place<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Vec<(NodeId, RemovalOf)> {
    let model = ctx.model();
    let receiver_path = model.place(registration.receiver);
    let origin = receiver_origin(registration.receiver, ctx, 0);
    let same_receiver = |object: &Expression<'a>| {
        receiver_path.iter().chain(also).any(|path| {
            model
                .place(object)
                .is_some_and(|other| other.same_place(path))
        }) || origin
            .as_ref()
            .zip(receiver_origin(object, ctx, 0))
            .is_some_and(|(a, b)| a.same_origin(&b))
    };
    let event = event_key(registration.event, ctx);
    let fresh = is_fresh_function(registration.handler);
    let handler = match strip(registration.handler) {
        // `function onReady() { el.removeEventListener('load', onReady) }`: a named function
        // expression can remove itself.
        Expression::FunctionExpression(function) => function
            .id
            .as_ref()
            .and_then(|id| id.symbol_id.get())
            .map(Place::binding),
        _ if fresh => None,
        h => model.place(h),
    };
    let nodes = ctx.nodes();
    let all = REMOVE_METHODS
        .iter()
        .flat_map(|name| ctx.calls_named(name).iter().map(move |&id| (*name, id)))
        .chain(
            ctx.calls_named("removeAllListeners")
                .iter()
                .map(|&id| ("removeAllListeners", id)),
        );
    let mut found = Vec::new();
    for (method, id) in all {
        let AstKind::CallExpression(call) = nodes.kind(id) else {
            continue;
        };
        let Some(member) = as_member(&call.callee) else {
            continue;
        };
        if !same_receiver(member.object()) {
            continue;
        }
        let removed_event = event_key(argument(call, 0), ctx);
        if method == "removeAllListeners" {
            if call.arguments.is_empty() || events_match(&event, &removed_event) {
                found.push((id, RemovalOf::Removes));
            }
            continue;
        }
        if !events_match(&event, &removed_event) {
            continue;
        }
        let Some(removed) = argument(call, 1) else {
            continue;
        };
        let removed_path = model.place(removed);
        let same_function = handler
            .as_ref()
            .zip(removed_path.as_ref())
            .is_some_and(|(handler, removed)| removed.same_place(handler));
        let from_stored_records = handler.as_ref().is_some_and(|handler| {
            removed_path
                .as_ref()
                .is_some_and(|removed| is_iteration_binding(removed.root, ctx))
                && is_stored(handler, registration, ctx)
        });
        let of = if same_function || from_stored_records {
            RemovalOf::Removes
        } else if matches!(event, EventKey::Unknown) || matches!(removed_event, EventKey::Unknown) {
            RemovalOf::MayRemove
        } else if is_fresh_function(removed) {
            // Matches nothing ever; it was meant for a listener made the same way.
            if !same_making(registration.handler, removed, ctx) {
                continue;
            }
            RemovalOf::Misses
        } else if (fresh && handler.is_none())
            || distinct_functions(registration.handler, removed, ctx)
        {
            // Meant for this listener only if the function it names was never added for the
            // event: otherwise it removes that one.
            if removed_path
                .as_ref()
                .is_some_and(|removed| added_for(removed, &event, &same_receiver, ctx))
            {
                continue;
            }
            RemovalOf::Misses
        } else {
            RemovalOf::MayRemove
        };
        found.push((id, of));
    }
    found
}

/// Whether a removal that makes a new function (`off(e, this.flush.bind(this))`, an inline
/// arrow) was written for this listener: one made the same way (`bind` of the same function, or
/// that function itself; an inline function for an inline one).
fn same_making<'a>(
    added: &Expression<'a>,
    removed: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    fn bound<'e, 'a>(expr: &'e Expression<'a>) -> Option<&'e Expression<'a>> {
        match strip(expr) {
            Expression::CallExpression(call) if callee_name(call) == Some("bind") => {
                as_member(&call.callee).map(|member| member.object())
            }
            _ => None,
        }
    }
    let same = |a: &Expression<'a>, b: &Expression<'a>| {
        model
            .place(a)
            .zip(model.place(b))
            .is_some_and(|(a, b)| a.same_place(&b))
    };
    match (bound(added), bound(removed)) {
        (Some(a), Some(b)) => same(a, b),
        (None, Some(b)) => same(added, b),
        (_, None) => {
            as_function_node(strip(added)).is_some() && as_function_node(strip(removed)).is_some()
        }
    }
}

/// Whether a registration on the same receiver adds the function at `path` for `event`.
fn added_for<'a>(
    path: &Place<'a>,
    event: &EventKey<'a>,
    same_receiver: &dyn Fn(&Expression<'a>) -> bool,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    ADD_METHODS
        .iter()
        .chain(ADD_ONCE_METHODS)
        .flat_map(|name| ctx.calls_named(name).iter())
        .any(|&id| {
            let AstKind::CallExpression(call) = nodes.kind(id) else {
                return false;
            };
            let Some(other) = Registration::of(call) else {
                return false;
            };
            same_receiver(other.receiver)
                && events_match(event, &event_key(other.event, ctx))
                && model
                    .place(other.handler)
                    .is_some_and(|handler| handler.same_place(path))
        })
}

/// Whether two expressions name two different function objects for certain: each a binding
/// that only ever holds one function written in the file (a `function` declaration, a named
/// function expression's own name, a never-reassigned `const` initialised with a function), and
/// the two functions are not the same one (`const f = function g() {}` makes `f` and `g` one).
fn distinct_functions<'a>(
    a: &Expression<'a>,
    b: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let function_of = |expr: &Expression<'a>| -> Option<NodeId> {
        let Expression::Identifier(ident) = strip(expr) else {
            return None;
        };
        let symbol = ctx.model().symbol_of(ident)?;
        if ctx.semantic().scoping().symbol_is_mutated(symbol) {
            return None;
        }
        function_bound_to(symbol, ctx)
    };
    matches!((function_of(a), function_of(b)), (Some(a), Some(b)) if a != b)
}

/// Where a receiver's value comes from: an access path after following `const` aliases, or a
/// required module and the fields read from it.
#[derive(Debug)]
enum ReceiverOrigin<'a> {
    Path(Place<'a>),
    Module(&'a str, Vec<Field<'a>>),
}

impl ReceiverOrigin<'_> {
    fn same_origin(&self, other: &ReceiverOrigin<'_>) -> bool {
        match (self, other) {
            (ReceiverOrigin::Path(a), ReceiverOrigin::Path(b)) => a.same_place(b),
            (ReceiverOrigin::Module(a, fa), ReceiverOrigin::Module(b, fb)) => {
                a.strip_prefix("node:").unwrap_or(a) == b.strip_prefix("node:").unwrap_or(b)
                    && fa == fb
            }
            _ => false,
        }
    }
}

fn receiver_origin<'a>(
    expr: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
    depth: u8,
) -> Option<ReceiverOrigin<'a>> {
    if depth > 8 {
        return None;
    }
    let model = ctx.model();
    match strip(expr) {
        Expression::CallExpression(call) => {
            required_module(call).map(|module| ReceiverOrigin::Module(module, Vec::new()))
        }
        Expression::Identifier(ident) => {
            let Some(symbol) = model.symbol_of(ident) else {
                return model.place(expr).map(ReceiverOrigin::Path);
            };
            if let Some(origin) = model.import_origin(symbol) {
                let fields = origin.export.map(Field::Public).into_iter().collect();
                return Some(ReceiverOrigin::Module(origin.module, fields));
            }
            // `const body = document.body`: an alias names what it was bound to.
            match const_init(symbol, ctx) {
                Some(init) if is_place(init) => receiver_origin(init, ctx, depth + 1),
                _ => Some(ReceiverOrigin::Path(Place::binding(symbol))),
            }
        }
        other => match as_member(other) {
            Some(member) => {
                let field = match member {
                    MemberExpression::PrivateFieldExpression(private) => {
                        Field::Private(private.field.name.as_str())
                    }
                    _ => Field::Public(member_name(member)?),
                };
                let mut origin = receiver_origin(member.object(), ctx, depth + 1)?;
                match &mut origin {
                    ReceiverOrigin::Path(path) => path.fields.push(field),
                    ReceiverOrigin::Module(_, fields) => fields.push(field),
                }
                Some(origin)
            }
            None => model.place(other).map(ReceiverOrigin::Path),
        },
    }
}

/// An expression that reads a place rather than computing a value: a binding, `this`, a static
/// member of one, or `require('m')`.
fn is_place(expr: &Expression<'_>) -> bool {
    match strip(expr) {
        Expression::Identifier(_) | Expression::ThisExpression(_) => true,
        Expression::CallExpression(call) => required_module(call).is_some(),
        other => as_member(other).is_some_and(|m| is_place(m.object())),
    }
}

/// `require('m')` → `m`.
fn required_module<'a>(call: &CallExpression<'a>) -> Option<&'a str> {
    if !call.is_require_call() {
        return None;
    }
    argument(call, 0).and_then(string_value)
}

/// Whether a path starts at a binding declared by iterating a collection: the variable (or a
/// destructured part of it) of a `for…of`/`for…in`, or a parameter of a `forEach` (or lodash
/// `_.each`) callback.
fn is_iteration_binding(root: PlaceRoot<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let PlaceRoot::Symbol(symbol) = root else {
        return false;
    };
    let nodes = ctx.nodes();
    let declaration = ctx.semantic().scoping().symbol_declaration(symbol);
    let declared_at = nodes.kind(declaration).span();
    for ancestor in nodes.ancestor_ids(declaration) {
        match nodes.kind(ancestor) {
            AstKind::ForOfStatement(statement) => {
                return statement.left.span().contains_inclusive(declared_at)
            }
            AstKind::ForInStatement(statement) => {
                return statement.left.span().contains_inclusive(declared_at)
            }
            AstKind::FormalParameters(_) => {
                let function = nodes.parent_id(ancestor);
                let (_, parent) = value_parent(ctx.semantic(), function);
                return matches!(parent, AstKind::CallExpression(call)
                    if matches!(callee_name(call), Some("forEach" | "each"))
                        && call.callee.span() != nodes.kind(function).span());
            }
            kind if kind.is_function_like() || matches!(kind, AstKind::Program(_)) => return false,
            _ => {}
        }
    }
    false
}

/// Whether a registration's listener, a binding, is also kept in a collection (`list.push([event,
/// listener])`, `return { event, listener }`, an array or object literal): the record a removal
/// that iterates the collection finds it by.
fn is_stored<'a>(
    handler: &Place<'a>,
    registration: &Registration<'_, 'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let PlaceRoot::Symbol(symbol) = handler.root else {
        return false;
    };
    if !handler.fields.is_empty() {
        return false;
    }
    let scoping = ctx.semantic().scoping();
    let registration_span = registration.call.span();
    scoping
        .get_resolved_reference_ids(symbol)
        .iter()
        .any(|&reference| {
            let node = scoping.get_reference(reference).node_id();
            if registration_span.contains_inclusive(ctx.nodes().kind(node).span()) {
                return false;
            }
            match value_parent(ctx.semantic(), node).1 {
                AstKind::ArrayExpression(_) | AstKind::ObjectProperty(_) => true,
                AstKind::CallExpression(call) => {
                    matches!(callee_name(call), Some("push" | "unshift" | "add" | "set"))
                        && as_member(&call.callee).is_some()
                }
                _ => false,
            }
        })
}

/// What a `{ signal }` option does for a registration.
pub enum SignalFate {
    /// Aborted somewhere, or a signal we cannot see the controller of (`req.signal`,
    /// `AbortSignal.timeout(…)`): trust it.
    Removes,
    /// The signal of a controller created here that nothing ever aborts.
    NeverAborted,
}

pub fn signal_fate(signal: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> SignalFate {
    let model = ctx.model();
    let mut signal = strip(signal);
    // `const signal = controller.signal`
    if let Expression::Identifier(ident) = signal {
        if let Some(init) = model.symbol_of(ident).and_then(|s| const_init(s, ctx)) {
            signal = strip(init);
        }
    }
    let Some(member) = as_member(signal) else {
        return SignalFate::Removes;
    };
    if member_name(member) != Some("signal") {
        return SignalFate::Removes;
    }
    let Expression::Identifier(controller) = strip(member.object()) else {
        return SignalFate::Removes;
    };
    let Some(symbol) = model.symbol_of(controller) else {
        return SignalFate::Removes;
    };
    let created_here = const_init(symbol, ctx).is_some_and(|init| {
        matches!(strip(init), Expression::NewExpression(new)
            if matches!(strip(&new.callee), Expression::Identifier(c) if c.name == "AbortController"))
    });
    if !created_here {
        return SignalFate::Removes;
    }
    let aborted = ctx.calls_named("abort").iter().any(|&id| {
        let AstKind::CallExpression(call) = ctx.nodes().kind(id) else {
            return false;
        };
        as_member(&call.callee)
            .and_then(|m| model.place(m.object()))
            .is_some_and(|p| p == Place::binding(symbol))
    });
    if aborted {
        SignalFate::Removes
    } else {
        SignalFate::NeverAborted
    }
}

/// Whether a receiver outlives the call of the function at `node`: long-lived by the lifetime
/// model, or a field of `this` inside a per-request method (controllers, gateways and services
/// are singletons; their handlers run per request).
pub fn outlives_call<'a>(
    receiver: &Expression<'a>,
    path: Option<&Place<'a>>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    match path {
        Some(path) if path.is_this() => {
            !path.fields.is_empty()
                && model.runs_at(node) == FunctionRuns::PerRequest
                && matches!(path.root, PlaceRoot::This(Some(owner))
                    if matches!(ctx.nodes().kind(owner), AstKind::Class(_)))
        }
        _ => model.expression_lifetime(receiver) == leaklint_model::ValueLifetime::LongLived,
    }
}

/// Whether the value at `path` is replaced earlier in the same function (`conn =
/// mysql.createConnection(…); conn.on('error', …)`): the listener is on the new value, which
/// this call just created.
pub fn assigned_before_in_function<'a>(
    path: &Place<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    earlier_assignments(node, ctx).is_some_and(|(_, mut assignments)| {
        assignments.any(|(_, assign)| {
            model
                .assignment_place(&assign.left)
                .is_some_and(|target| target.same_place(path))
        })
    })
}

/// Whether the receiver at `node`, or an object it is read from, was replaced earlier in the
/// same function, on every path to `node`, by a value that is not long-lived: `child =
/// spawn(…); child.stdout.on(…)`, `downloads[name].req = https.get(…);
/// downloads[name].req.on(…)`, `io = ioFromCaller; io.sockets.on(…)`. The listener belongs to
/// the value this call created or was handed, not to one that outlives it. (A replacement
/// behind an `if` — `if (!child) child = spawn(…)` — leaves the old value on the other path.)
pub fn replaced_earlier_in_function<'a>(
    receiver: &Expression<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    let Some((function, mut assignments)) = earlier_assignments(node, ctx) else {
        return false;
    };
    let node_span = ctx.nodes().kind(node).span();
    // The receiver and each object it is read from: `a.b.c`, `a.b`, `a`.
    let mut places = vec![strip(receiver)];
    while let Some(member) = as_member(places[places.len() - 1]) {
        places.push(strip(member.object()));
    }
    assignments.any(|(id, assign)| {
        assign.operator == AssignmentOperator::Assign
            && places
                .iter()
                .any(|place| assigns_place(&assign.left, place, ctx))
            && model.expression_lifetime(&assign.right) != ValueLifetime::LongLived
            && runs_before_every_time(id, node_span, function, ctx)
    })
}

/// The assignments in `node`'s enclosing function that end before `node` starts, in source
/// order, with that function; `None` at top level.
fn earlier_assignments<'c, 'a, 'm>(
    node: NodeId,
    ctx: &'c RuleContext<'a, 'm>,
) -> Option<(
    NodeId,
    impl Iterator<Item = (NodeId, &'c oxc_ast::ast::AssignmentExpression<'a>)> + use<'c, 'a, 'm>,
)> {
    let function = ctx.model().enclosing_function(node)?;
    let node_start = ctx.nodes().kind(node).span().start;
    let assignments = ctx
        .nodes_within(function)
        .take_while(move |other| other.kind().span().start < node_start)
        .filter_map(move |other| match other.kind() {
            AstKind::AssignmentExpression(assign) if assign.span.end <= node_start => {
                Some((other.id(), assign))
            }
            _ => None,
        });
    Some((function, assignments))
}

/// Whether an assignment target writes the place an expression reads: the same binding by
/// symbol (an undeclared global by name), the same member of the same object, with computed
/// keys compared the same way (`map[opts.name].req`).
fn assigns_place<'a>(
    target: &AssignmentTarget<'a>,
    place: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    match written(target) {
        Some(Written::Binding(ident)) => {
            matches!(strip(place), Expression::Identifier(other) if same_binding(ident, other, ctx))
        }
        Some(Written::Member(member)) => {
            as_member(place).is_some_and(|other| same_member(member, other, ctx))
        }
        None => false,
    }
}

fn same_binding(
    a: &IdentifierReference<'_>,
    b: &IdentifierReference<'_>,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let model = ctx.model();
    match (model.symbol_of(a), model.symbol_of(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => a.name == b.name,
        _ => false,
    }
}

fn same_member<'a>(
    a: &MemberExpression<'a>,
    b: &MemberExpression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let keys = match (a, b) {
        (
            MemberExpression::ComputedMemberExpression(a),
            MemberExpression::ComputedMemberExpression(b),
        ) if a.static_property_name().is_none() => same_value(&a.expression, &b.expression, ctx),
        (
            MemberExpression::PrivateFieldExpression(a),
            MemberExpression::PrivateFieldExpression(b),
        ) => a.field.name == b.field.name,
        _ => member_name(a).is_some() && member_name(a) == member_name(b),
    };
    keys && same_value(a.object(), b.object(), ctx)
}

/// Two expressions that read the same thing: bindings, `this`, literals and members of those.
fn same_value<'a>(a: &Expression<'a>, b: &Expression<'a>, ctx: &RuleContext<'a, '_>) -> bool {
    match (strip(a), strip(b)) {
        (Expression::Identifier(a), Expression::Identifier(b)) => same_binding(a, b, ctx),
        (Expression::ThisExpression(_), Expression::ThisExpression(_)) => true,
        (Expression::NumericLiteral(a), Expression::NumericLiteral(b)) => a.value == b.value,
        (a, b) => match (string_value(a), string_value(b)) {
            (Some(a), Some(b)) => a == b,
            _ => as_member(a)
                .zip(as_member(b))
                .is_some_and(|(a, b)| same_member(a, b, ctx)),
        },
    }
}

/// Whether the code at `assignment` runs, in the same call of `function`, whenever the code at
/// `later` does: no function boundary between them, and no branch, loop or `catch` that holds
/// the assignment without also holding `later`.
fn runs_before_every_time(
    assignment: NodeId,
    later: oxc_span::Span,
    function: NodeId,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let nodes = ctx.nodes();
    let mut child = assignment;
    for parent in nodes.ancestor_ids(assignment) {
        if parent == function {
            return true;
        }
        let child_span = nodes.kind(child).span();
        let always_runs = match nodes.kind(parent) {
            kind if kind.is_function_like() => return false,
            AstKind::IfStatement(statement) => statement.test.span() == child_span,
            AstKind::ConditionalExpression(conditional) => conditional.test.span() == child_span,
            AstKind::LogicalExpression(logical) => logical.left.span() == child_span,
            AstKind::SwitchStatement(statement) => statement.discriminant.span() == child_span,
            AstKind::ForStatement(_)
            | AstKind::ForInStatement(_)
            | AstKind::ForOfStatement(_)
            | AstKind::WhileStatement(_)
            | AstKind::DoWhileStatement(_)
            | AstKind::CatchClause(_) => false,
            _ => true,
        };
        if !always_runs && !child_span.contains_inclusive(later) {
            return false;
        }
        child = parent;
    }
    false
}

/// Whether the registration at `node` sits behind an idempotence guard in its function:
/// `if (!installed) { installed = true; … }`, `if (installed) return; installed = true;`,
/// `if (!seen.has(x)) { seen.add(x); … }`, or a check of `listenerCount(…)`/`listeners(…)`.
pub fn is_guarded<'a>(node: NodeId, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    let nodes = ctx.nodes();
    let node_start = nodes.kind(node).span().start;
    // Tests of the `if`s that decide whether the registration runs: those around it, and the
    // early-return ones before it.
    let mut tests = Vec::new();
    for ancestor in nodes.ancestor_ids(node) {
        if ancestor == function {
            break;
        }
        match nodes.kind(ancestor) {
            AstKind::IfStatement(statement) => tests.push(&statement.test),
            AstKind::ConditionalExpression(conditional) => tests.push(&conditional.test),
            AstKind::LogicalExpression(logical) => tests.push(&logical.left),
            _ => {}
        }
    }
    for other in ctx
        .nodes_within(function)
        .take_while(|other| other.kind().span().start < node_start)
    {
        if let AstKind::IfStatement(statement) = other.kind() {
            if crate::flow::exits(&statement.consequent) {
                tests.push(&statement.test);
            }
        }
    }
    if tests.is_empty() {
        return false;
    }
    let mut guards: Vec<Place<'a>> = Vec::new();
    for test in tests {
        if collect_guard_paths(test, ctx, &mut guards) {
            return true;
        }
    }
    if guards.is_empty() {
        return false;
    }
    // The guard must be set in the same function.
    for other in ctx.nodes_within(function) {
        let set = match other.kind() {
            AstKind::AssignmentExpression(assign) => model.assignment_place(&assign.left),
            AstKind::CallExpression(call)
                if matches!(callee_name(call), Some("add" | "set" | "push")) =>
            {
                as_member(&call.callee).and_then(|m| model.place(m.object()))
            }
            _ => None,
        };
        // Setting `pending` guards a test of `pending` or `pending.length`.
        if set.is_some_and(|set| guards.iter().any(|g| set.is_prefix_of(g))) {
            return true;
        }
    }
    false
}

/// Adds the places a guard test reads; `true` when the test itself asks the emitter
/// (`listenerCount`, `listeners`).
fn collect_guard_paths<'a>(
    test: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
    out: &mut Vec<Place<'a>>,
) -> bool {
    match strip(test) {
        Expression::UnaryExpression(unary) => collect_guard_paths(&unary.argument, ctx, out),
        Expression::LogicalExpression(logical) => {
            collect_guard_paths(&logical.left, ctx, out)
                | collect_guard_paths(&logical.right, ctx, out)
        }
        Expression::BinaryExpression(binary) => {
            collect_guard_paths(&binary.left, ctx, out)
                | collect_guard_paths(&binary.right, ctx, out)
        }
        Expression::CallExpression(call) => match callee_name(call) {
            Some("listenerCount" | "listeners" | "rawListeners") => true,
            Some("has" | "includes" | "get") => {
                let Some(receiver) = as_member(&call.callee).map(|m| m.object()) else {
                    return false;
                };
                if let Some(path) = ctx.model().place(receiver) {
                    out.push(path);
                }
                // `process.listeners('warning').includes(f)`
                collect_guard_paths(receiver, ctx, out)
            }
            _ => false,
        },
        other => {
            if let Some(path) = ctx.model().place(other) {
                out.push(path);
            }
            false
        }
    }
}

/// The value of a numeric constant: literals, `Infinity`, `Number.POSITIVE_INFINITY`,
/// `Number.MAX_SAFE_INTEGER`, `Number.MAX_VALUE`, arithmetic on those, and `const`s bound to
/// them.
pub fn constant_number(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<f64> {
    constant_number_at(expr, ctx, 0)
}

fn constant_number_at(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>, depth: u8) -> Option<f64> {
    if depth > 8 {
        return None;
    }
    let model = ctx.model();
    match strip(expr) {
        Expression::NumericLiteral(lit) => Some(lit.value),
        Expression::Identifier(ident) => match model.symbol_of(ident) {
            None => (ident.name == "Infinity").then_some(f64::INFINITY),
            Some(symbol) => constant_number_at(const_init(symbol, ctx)?, ctx, depth + 1),
        },
        Expression::UnaryExpression(unary) => {
            let value = constant_number_at(&unary.argument, ctx, depth + 1)?;
            match unary.operator {
                UnaryOperator::UnaryNegation => Some(-value),
                UnaryOperator::UnaryPlus => Some(value),
                _ => None,
            }
        }
        Expression::BinaryExpression(binary) => {
            let left = constant_number_at(&binary.left, ctx, depth + 1)?;
            let right = constant_number_at(&binary.right, ctx, depth + 1)?;
            use oxc_ast::ast::BinaryOperator::*;
            match binary.operator {
                Addition => Some(left + right),
                Subtraction => Some(left - right),
                Multiplication => Some(left * right),
                Division => Some(left / right),
                Exponential => Some(left.powf(right)),
                _ => None,
            }
        }
        other => {
            let member = as_member(other)?;
            let Expression::Identifier(object) = strip(member.object()) else {
                return None;
            };
            if !model.is_global(object, "Number") {
                return None;
            }
            match member_name(member)? {
                "POSITIVE_INFINITY" => Some(f64::INFINITY),
                "MAX_SAFE_INTEGER" => Some(9_007_199_254_740_991.0),
                "MAX_VALUE" => Some(f64::MAX),
                _ => None,
            }
        }
    }
}

/// What a long-lived callback keeps reachable, for messages.
pub enum Retained {
    Nothing,
    Callback(String),
    Captures(Vec<String>),
}

/// References inside a function to bindings declared outside it (parameters and locals of
/// enclosing functions, module-level bindings, imports): what the function keeps alive while it
/// is reachable. In source order; a binding appears once per reference.
pub fn captured_references<'r, 'a: 'r, 'c: 'r>(
    function: NodeId,
    ctx: &'r RuleContext<'a, 'c>,
) -> impl Iterator<Item = (&'c IdentifierReference<'a>, SymbolId)> + 'r {
    let span = ctx.nodes().kind(function).span();
    let scoping = ctx.semantic().scoping();
    ctx.nodes_within(function).filter_map(move |node| {
        let AstKind::IdentifierReference(ident) = node.kind() else {
            return None;
        };
        let symbol = ctx.model().symbol_of(ident)?;
        let declared = scoping.symbol_span(symbol);
        let inside = declared.start >= span.start && declared.end <= span.end;
        (!inside).then_some((ident, symbol))
    })
}

/// What a callback (an interval's, a listener) keeps alive: the locals and parameters of
/// enclosing functions it refers to (module-level values live forever anyway), and `this`.
pub fn retained_by_callback(
    callback: Option<&Expression<'_>>,
    ctx: &RuleContext<'_, '_>,
) -> Retained {
    let Some(callback) = callback else {
        return Retained::Nothing;
    };
    let callback = strip(callback);
    if let Expression::Identifier(ident) = callback {
        return Retained::Callback(ident.name.to_string());
    }
    let Some(function) = as_function_node(callback) else {
        return Retained::Nothing;
    };
    let model = ctx.model();
    let mut names: Vec<String> = Vec::new();
    for (ident, symbol) in captured_references(function, ctx) {
        if !model.is_module_level(symbol) && !names.iter().any(|n| n == ident.name.as_str()) {
            names.push(ident.name.to_string());
        }
    }
    // An arrow function sees its creator's `this`.
    let uses_this = matches!(callback, Expression::ArrowFunctionExpression(_))
        && ctx
            .nodes_within(function)
            .any(|node| matches!(node.kind(), AstKind::ThisExpression(_)));
    if uses_this {
        names.push("this".to_string());
    }
    // Request values first: they are the expensive ones.
    names.sort_by_key(|n| !matches!(n.as_str(), "req" | "request" | "res" | "ctx" | "socket"));
    names.truncate(3);
    if names.is_empty() {
        Retained::Nothing
    } else {
        Retained::Captures(names)
    }
}

/// Source text for a message, shortened when long.
pub fn short_text(source: &str, span: oxc_span::Span) -> String {
    let text = &source[span.start as usize..span.end as usize];
    if text.len() > 40 || text.contains('\n') {
        let cut: String = text.chars().take_while(|c| *c != '\n').take(37).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// Names of functions that set things up once: `main`, `init…`, `setup…`, `install…`,
/// `bootstrap…`, `listen…`, `start…`, and NestJS's `onModuleInit`/`onApplicationBootstrap`.
pub const START_UP_NAMES: &[&str] = &[
    "main",
    "init",
    "initialize",
    "setup",
    "install",
    "bootstrap",
    "listen",
    "start",
];

/// Whether the function at `node` (or the named function it is nested in) is named like start-up
/// code. With no per-request caller in sight, a registration there is taken to run once:
/// reporting every `listen()` and `init()` of a library would bury the real leaks.
pub fn named_like_start_up(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    named_like(node, ctx, START_UP_NAMES)
}

/// Whether the function at `node`, or the nearest named function it is nested in, is named
/// `main`, `init…`, … (one of `prefixes`, then nothing or a capital or `_`), or NestJS's
/// `onModuleInit`/`onApplicationBootstrap`.
pub fn named_like(node: NodeId, ctx: &RuleContext<'_, '_>, prefixes: &[&str]) -> bool {
    let model = ctx.model();
    let mut function = model.enclosing_function(node);
    while let Some(f) = function {
        if let Some(name) = model.function(f).and_then(|facts| facts.name) {
            return is_named_like(name, prefixes);
        }
        function = model.enclosing_function(f);
    }
    false
}

/// [`named_like_start_up`], where a function without a name of its own also goes by the
/// property or binding it is assigned to: `module.exports.init = function () {…}`,
/// `exports.setup = () => {…}`, `server.start = function () {…}`.
pub fn named_or_assigned_like_start_up(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let mut function = model.enclosing_function(node);
    while let Some(f) = function {
        let name = model
            .function(f)
            .and_then(|facts| facts.name)
            .or_else(|| assigned_name(f, ctx));
        if let Some(name) = name {
            return is_named_like(name, START_UP_NAMES);
        }
        function = model.enclosing_function(f);
    }
    false
}

/// The name a function expression is assigned to with `=`: the property of a member target, or
/// the binding.
fn assigned_name<'a>(function: NodeId, ctx: &RuleContext<'a, '_>) -> Option<&'a str> {
    let (child, AstKind::AssignmentExpression(assign)) = value_parent(ctx.semantic(), function)
    else {
        return None;
    };
    if assign.operator != AssignmentOperator::Assign
        || assign.right.span() != ctx.nodes().kind(child).span()
    {
        return None;
    }
    match written(&assign.left)? {
        Written::Binding(ident) => Some(ident.name.as_str()),
        Written::Member(member) => member_name(member),
    }
}

fn is_named_like(name: &str, prefixes: &[&str]) -> bool {
    if matches!(name, "onModuleInit" | "onApplicationBootstrap") {
        return true;
    }
    prefixes.iter().any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        })
    })
}
