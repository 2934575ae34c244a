//! Resources as protocols: how a listener or a timer is acquired, what holds it, and what
//! releases it, and the matching of each acquisition with its releases by identity. Node's APIs
//! are recognised by symbol (an imported `setInterval` from `timers`, not any function of that
//! name).

use oxc_ast::{
    ast::{CallExpression, Expression, MemberExpression, ObjectExpression, ObjectPropertyKind},
    AstKind,
};
use oxc_semantic::NodeId;
use oxc_span::GetSpan;

use crate::{
    ast_util::{
        argument, as_function_node, as_member, callee_name, member_name, property_key_name,
        short_text, string_value, strip, value_parent,
    },
    values::function_bound_to,
    Field, LifetimeModel, Place, PlaceRoot,
};

/// Whether `expr` is Node's timer function `name`: the global, `globalThis.name` (also `global`,
/// `window`, `self`), or imported from `timers` — never the promise API of `timers/promises`.
pub fn is_timer_function(expr: &Expression<'_>, name: &str, model: &LifetimeModel<'_, '_>) -> bool {
    // Symbols and imports only: asking this does not build the lifetime model.
    let semantic = model.semantic();
    let symbol_of = |ident| crate::symbol_of(semantic, ident);
    let origin = |symbol| crate::import_origin(semantic, symbol);
    match strip(expr) {
        // By symbol: `import { setInterval as every } from 'timers'` makes `every` the one.
        // Another name is the timer only when imported under it from `timers`: most calls of a
        // file are neither, and are told apart without looking up their symbol.
        Expression::Identifier(ident) if ident.name != name && !model.mentions_timers_module() => {
            false
        }
        Expression::Identifier(ident) => match symbol_of(ident) {
            None => ident.name == name,
            Some(symbol) => {
                model.mentions_timers_module()
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
                        model.mentions_timers_module()
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

/// A release of [`TIMER_PROTOCOL`]: `clearInterval` or `clearTimeout`.
pub fn is_clear_function(expr: &Expression<'_>, model: &LifetimeModel<'_, '_>) -> bool {
    TIMER_PROTOCOL
        .release
        .iter()
        .any(|name| is_timer_function(expr, name, model))
}

/// Every `clearTimeout(x)` / `clearInterval(x)` argument in the file, as access paths.
pub fn cleared_timer_places<'a>(model: &LifetimeModel<'_, 'a>) -> Vec<Place<'a>> {
    let mut paths = Vec::new();
    for name in TIMER_PROTOCOL.release {
        for &id in model.calls_named(name) {
            let AstKind::CallExpression(call) = model.semantic().nodes().kind(id) else {
                continue;
            };
            if !is_clear_function(&call.callee, model) {
                continue;
            }
            if let Some(path) = argument(call, 0).and_then(|a| model.place(a)) {
                paths.push(path);
            }
        }
    }
    paths
}

/// How one kind of resource is acquired and released: the table every rule reads, instead of
/// method names spread through the rules. Issue-level additions (collections, connections,
/// streams) extend the same table.
#[derive(Debug)]
pub struct Protocol {
    /// What is acquired, for messages: "listener", "interval".
    pub resource: &'static str,
    /// Calls that acquire one that stays until released.
    pub acquire: &'static [&'static str],
    /// Calls that acquire one released by the first event it gets (`once`).
    pub acquire_once: &'static [&'static str],
    /// Calls that release the one they name.
    pub release: &'static [&'static str],
    /// Calls that release every one of the holder's (for an event, or all of them).
    pub release_all: &'static [&'static str],
    /// Acquisitions that take an options object whose `signal`, once aborted, releases what
    /// they acquired. Node's `EventEmitter.prototype.on` takes no options: a `{ signal }`
    /// passed to it releases nothing.
    pub signal_aware: &'static [&'static str],
    /// Events that fire only when the holder's own life ends: a `once` listener for one stays
    /// until then, like an `on`.
    pub end_of_life_events: &'static [&'static str],
    /// What keeps the resource reachable while it is held, for messages.
    pub holder: &'static str,
}

/// Event listeners: Node's `EventEmitter` and the DOM's `EventTarget`.
pub const LISTENER_PROTOCOL: Protocol = Protocol {
    resource: "listener",
    acquire: &["on", "addListener", "prependListener", "addEventListener"],
    acquire_once: &["once", "prependOnceListener"],
    release: &["off", "removeListener", "removeEventListener"],
    release_all: &["removeAllListeners"],
    signal_aware: &["addEventListener"],
    end_of_life_events: &["exit", "beforeExit", "close", "abort", "shutdown"],
    holder: "the emitter",
};

/// Timers: `setInterval`, and `setTimeout` when it is long or its delay unknown. `unref()`
/// lets the process exit with the timer pending; it releases nothing.
pub const TIMER_PROTOCOL: Protocol = Protocol {
    resource: "timer",
    acquire: &["setInterval", "setTimeout"],
    acquire_once: &[],
    // Node and browsers clear either kind with either.
    release: &["clearInterval", "clearTimeout"],
    release_all: &[],
    signal_aware: &[],
    end_of_life_events: &[],
    holder: "the timer list",
};

const ADD_METHODS: &[&str] = LISTENER_PROTOCOL.acquire;
const ADD_ONCE_METHODS: &[&str] = LISTENER_PROTOCOL.acquire_once;
const END_OF_LIFE_EVENTS: &[&str] = LISTENER_PROTOCOL.end_of_life_events;
const REMOVE_METHODS: &[&str] = LISTENER_PROTOCOL.release;

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
    /// `None` for an API that takes no signal (see [`Protocol::signal_aware`]).
    pub fn signal(&self) -> Option<&'e Expression<'a>> {
        if !LISTENER_PROTOCOL.signal_aware.contains(&self.method) {
            return None;
        }
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
        crate::ast_util::dotted_path(self.receiver)
            .unwrap_or_else(|| short_text(source, self.receiver.span()))
    }

    /// Whether the handler is created in the call (an inline function, or `f.bind(…)`): no
    /// `off` anywhere can name it.
    pub fn handler_is_anonymous(&self) -> bool {
        is_fresh_function(self.handler)
    }

    /// Whether the value `.on(…)` returns is kept: some emitters return an unsubscribe function
    /// (Node's returns the emitter, for chaining).
    pub fn result_is_kept(&self, model: &LifetimeModel<'_, 'a>) -> bool {
        let (_, parent) = value_parent(model.semantic(), self.call.node_id());
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

fn event_key<'a>(event: Option<&Expression<'a>>, model: &LifetimeModel<'_, 'a>) -> EventKey<'a> {
    let Some(event) = event else {
        return EventKey::Unknown;
    };
    if let Some(name) = string_value(event) {
        return EventKey::Name(name);
    }
    // `const EVENT = 'tick'`; a parameter or loop variable (`signals.forEach((s) => …)`) may be
    // any event.
    if let Expression::Identifier(ident) = strip(event) {
        let Some(init) = model
            .symbol_of(ident)
            .and_then(|symbol| model.const_init(symbol))
        else {
            return EventKey::Unknown;
        };
        if let Some(name) = string_value(init) {
            return EventKey::Name(name);
        }
    }
    // `EVENTS.done` names one event; `request.requestId` or `msg.type`, read from a value of
    // the call, may be any.
    match model.place(event) {
        Some(path)
            if match path.root {
                PlaceRoot::Symbol(symbol) => model.is_module_level(symbol),
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
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    if string_value(event).is_some() || !matches!(event_key(Some(event), model), EventKey::Unknown)
    {
        return false;
    }
    let span = model.semantic().nodes().kind(function).span();
    let scoping = model.semantic().scoping();
    let reads_call_value = |ident: &oxc_ast::ast::IdentifierReference<'_>| {
        model.symbol_of(ident).is_some_and(|symbol| {
            let declared = scoping.symbol_span(symbol);
            span.start <= declared.start && declared.end <= span.end
        })
    };
    match strip(event) {
        Expression::Identifier(ident) => reads_call_value(ident),
        other => {
            let node = crate::ast_util::expr_node_id(other);
            std::iter::once(model.semantic().nodes().get_node(node))
                .chain(model.nodes_within(node))
                .any(|inner| match inner.kind() {
                    AstKind::IdentifierReference(ident) => reads_call_value(ident),
                    _ => false,
                })
        }
    }
}

/// The text of an event argument (`'click.lg.zoom'`, `` `${EVENTS.open}.zoom` ``,
/// `EVENTS.open + '.zoom'`), each part computed at run time as `\0`.
fn event_text(event: Option<&Expression<'_>>, model: &LifetimeModel<'_, '_>) -> Option<String> {
    fn text(expr: &Expression<'_>, model: &LifetimeModel<'_, '_>, out: &mut String, depth: u8) {
        if let Some(literal) = string_value(expr) {
            out.push_str(literal);
            return;
        }
        match strip(expr) {
            Expression::BinaryExpression(binary)
                if binary.operator == oxc_ast::ast::BinaryOperator::Addition && depth < 8 =>
            {
                text(&binary.left, model, out, depth + 1);
                text(&binary.right, model, out, depth + 1);
            }
            Expression::TemplateLiteral(template) => {
                for (i, quasi) in template.quasis.iter().enumerate() {
                    out.push_str(quasi.value.cooked.as_ref().map_or("", |c| c.as_str()));
                    if i < template.expressions.len() {
                        out.push('\0');
                    }
                }
            }
            Expression::Identifier(ident) => match model
                .symbol_of(ident)
                .and_then(|symbol| model.const_init(symbol))
                .and_then(string_value)
            {
                Some(literal) => out.push_str(literal),
                None => out.push('\0'),
            },
            _ => out.push('\0'),
        }
    }
    let mut out = String::new();
    text(event?, model, &mut out, 0);
    Some(out)
}

/// Whether `off(removed)` takes off every event of `added` (both as [`event_text`]): each
/// event added (`name.ns1.ns2`, space-separated) matches an event removed, by name (or the
/// removal names none: `.ns`) and with all of the removal's namespaces.
fn namespace_removes(added: &str, removed: &str) -> bool {
    let split = |event: &str| -> (String, Vec<String>) {
        let mut parts = event.split('.');
        let name = parts.next().unwrap_or_default().to_string();
        (name, parts.map(str::to_string).collect())
    };
    let removals: Vec<_> = removed.split_whitespace().map(split).collect();
    added.split_whitespace().all(|event| {
        let (name, namespaces) = split(event);
        removals.iter().any(|(removed_name, removed_namespaces)| {
            (removed_name.is_empty() || (*removed_name == name && !name.contains('\0')))
                && removed_namespaces.iter().all(|ns| namespaces.contains(ns))
        })
    })
}

fn events_match(a: &EventKey<'_>, b: &EventKey<'_>) -> bool {
    match (a, b) {
        (EventKey::Unknown, _) | (_, EventKey::Unknown) => true,
        (EventKey::Name(a), EventKey::Name(b)) => a == b,
        (EventKey::Path(a), EventKey::Path(b)) => a.same_place(b),
        _ => false,
    }
}

/// Whether some `off`/`removeListener`/`removeEventListener` on the same receiver, for the same
/// event, with the same handler — or a `removeAllListeners()` on the receiver — exists in the
/// file. Only handlers that can be named again (a binding, a member path) can be removed.
///
/// The receiver is matched by where its value comes from as well as by how it is written:
/// `require('m')` and `const m = require('m')` name one module, and `const body =
/// document.body` in two functions names one object. A removal that iterates stored listeners
/// (`for (const [event, listener] of subscriptions) bus.off(event, listener)`, or in a `forEach`/
/// `filter` callback over the records) also counts
/// when the registration's listener is stored in a collection.
pub fn is_removed<'a>(registration: &Registration<'_, 'a>, model: &LifetimeModel<'_, 'a>) -> bool {
    is_removed_from(registration, &[], model)
}

/// [`is_removed`], where the receiver is also known by the places in `also` (a constructor's
/// parameter is the field it is stored in, and what every `new` of the class passes:
/// `removeAllListeners()` on that object removes the listener the constructor added).
pub fn is_removed_from<'a>(
    registration: &Registration<'_, 'a>,
    also: &[Place<'a>],
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    removals(registration, also, model)
        .into_iter()
        .any(|(id, removal)| removal == RemovalOf::Removes && !model.runs_at(id).is_once())
}

/// The removals of this registration's event from its receiver that name another function
/// object, so that they remove nothing it added: `off('drain', this.flush.bind(this))` makes a
/// new function, and so does an inline arrow; `removeListener('ready', onFailure)` after
/// `once('ready', onReady)` names the wrong one. Empty when any removal, wherever it runs, may
/// remove the listener (or there is none): only a removal that was meant and cannot work is
/// evidence.
pub fn removals_that_miss<'a>(
    registration: &Registration<'_, 'a>,
    model: &LifetimeModel<'_, 'a>,
) -> Vec<NodeId> {
    let found = removals(registration, &[], model);
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
    model: &LifetimeModel<'_, 'a>,
) -> Vec<(NodeId, RemovalOf)> {
    let receiver_path = model.place(registration.receiver);
    let origin = receiver_origin(registration.receiver, model, 0);
    let same_receiver = |object: &Expression<'a>| {
        receiver_path.iter().chain(also).any(|path| {
            model
                .place(object)
                .is_some_and(|other| other.same_place(path))
        }) || origin
            .as_ref()
            .zip(receiver_origin(object, model, 0))
            .is_some_and(|(a, b)| a.same_origin(&b))
    };
    let event = event_key(registration.event, model);
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
    let nodes = model.semantic().nodes();
    let all = REMOVE_METHODS
        .iter()
        .flat_map(|name| model.calls_named(name).iter().map(move |&id| (*name, id)))
        .chain(
            LISTENER_PROTOCOL
                .release_all
                .iter()
                .flat_map(|name| model.calls_named(name).iter().map(move |&id| (*name, id))),
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
        let removed_event = event_key(argument(call, 0), model);
        if LISTENER_PROTOCOL.release_all.contains(&method) {
            if call.arguments.is_empty() || events_match(&event, &removed_event) {
                found.push((id, RemovalOf::Removes));
            }
            continue;
        }
        // jQuery-style emitters (jQuery, cash, Zepto, component-emitter, socket.io-client):
        // `off()` with no listener removes every listener of the event, and `off('.ns')` every
        // listener added under the namespace (`on('click.ns', …)`).
        if method == "off" && argument(call, 1).is_none() {
            let added = event_text(registration.event, model).filter(|t| t.contains('.'));
            let removes = match (added, event_text(argument(call, 0), model)) {
                _ if call.arguments.is_empty() => true,
                (Some(added), Some(removed)) => namespace_removes(&added, &removed),
                _ => events_match(&event, &removed_event),
            };
            if removes {
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
        // Walking the records (`for (const [e, fn] of subs) bus.off(e, fn)`), reading one back
        // (`el.removeEventListener('click', handlers.get(el))`), or the field of the record it
        // was kept under (`entry = { dispatch }` … `off('abort', entry.dispatch)`).
        let from_stored_records = handler.as_ref().is_some_and(|handler| {
            (removed_path
                .as_ref()
                .is_some_and(|removed| is_iteration_binding(removed.root, model))
                || model.place_or_entry(removed).is_some_and(|read| read.entry))
                && is_stored(handler, registration, model)
                || as_member(removed)
                    .and_then(member_name)
                    .is_some_and(|field| stored_under(handler, field, model))
        });
        let of = if same_function || from_stored_records {
            RemovalOf::Removes
        } else if matches!(event, EventKey::Unknown) || matches!(removed_event, EventKey::Unknown) {
            RemovalOf::MayRemove
        } else if is_fresh_function(removed) {
            // Matches nothing ever; it was meant for a listener made the same way.
            if !same_making(registration.handler, removed, model) {
                continue;
            }
            RemovalOf::Misses
        } else if (fresh && handler.is_none())
            || distinct_functions(registration.handler, removed, model)
        {
            // Meant for this listener only if the function it names was never added for the
            // event, on any emitter: otherwise it removes that one. A name whose function the
            // file does not show (destructured from a record, handed in) may hold one added
            // elsewhere too.
            if removed_path
                .as_ref()
                .is_some_and(|removed| added_for(removed, &event, registration, model))
                || !names_a_known_function(removed, model)
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
    model: &LifetimeModel<'_, 'a>,
) -> bool {
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
    besides: &Registration<'_, 'a>,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let nodes = model.semantic().nodes();
    ADD_METHODS
        .iter()
        .chain(ADD_ONCE_METHODS)
        .flat_map(|name| model.calls_named(name).iter())
        .any(|&id| {
            let AstKind::CallExpression(call) = nodes.kind(id) else {
                return false;
            };
            let Some(other) = Registration::of(call) else {
                return false;
            };
            // `res.on('data', (this.ondata = function … ))` adds `this.ondata`, and
            // `on('render', this.onRender.bind(this))` a copy of `this.onRender`, which a
            // removal naming it was written for (and misses).
            let handler = match strip(other.handler) {
                Expression::AssignmentExpression(assign) => model.assignment_place(&assign.left),
                Expression::CallExpression(call) if callee_name(call) == Some("bind") => {
                    as_member(&call.callee).and_then(|m| model.place(m.object()))
                }
                handler => model.place(handler),
            };
            other.call.span() != besides.call.span()
                && events_match(event, &event_key(other.event, model))
                && handler.is_some_and(|handler| handler.same_place(path))
        })
}

/// Whether a removal's function is one the file shows: a function declaration or a `const`
/// holding one, or a field (`this.onData`), which the file assigns. A binding destructured from a
/// record or handed in by a caller may hold any function.
fn names_a_known_function<'a>(removed: &Expression<'a>, model: &LifetimeModel<'_, 'a>) -> bool {
    match strip(removed) {
        Expression::Identifier(ident) => model.symbol_of(ident).is_some_and(|symbol| {
            !model.semantic().scoping().symbol_is_mutated(symbol)
                && crate::values::function_bound_to(symbol, model).is_some()
        }),
        other => as_member(other).is_some(),
    }
}

/// Whether two expressions name two different function objects for certain: each a binding
/// that only ever holds one function written in the file (a `function` declaration, a named
/// function expression's own name, a never-reassigned `const` initialised with a function), and
/// the two functions are not the same one (`const f = function g() {}` makes `f` and `g` one).
fn distinct_functions<'a>(
    a: &Expression<'a>,
    b: &Expression<'a>,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let function_of = |expr: &Expression<'a>| -> Option<NodeId> {
        let Expression::Identifier(ident) = strip(expr) else {
            return None;
        };
        let symbol = model.symbol_of(ident)?;
        if model.semantic().scoping().symbol_is_mutated(symbol) {
            return None;
        }
        function_bound_to(symbol, model)
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
    model: &LifetimeModel<'_, 'a>,
    depth: u8,
) -> Option<ReceiverOrigin<'a>> {
    if depth > 8 {
        return None;
    }
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
            match model.const_init(symbol) {
                Some(init) if is_place(init) => receiver_origin(init, model, depth + 1),
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
                let mut origin = receiver_origin(member.object(), model, depth + 1)?;
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
fn is_iteration_binding(root: PlaceRoot<'_>, model: &LifetimeModel<'_, '_>) -> bool {
    let PlaceRoot::Symbol(symbol) = root else {
        return false;
    };
    let nodes = model.semantic().nodes();
    let declaration = model.semantic().scoping().symbol_declaration(symbol);
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
                let (_, parent) = value_parent(model.semantic(), function);
                return matches!(parent, AstKind::CallExpression(call)
                    if matches!(
                        callee_name(call),
                        Some("forEach" | "each" | "filter" | "map" | "some" | "every")
                    )
                        && call.callee.span() != nodes.kind(function).span());
            }
            kind if kind.is_function_like() || matches!(kind, AstKind::Program(_)) => return false,
            _ => {}
        }
    }
    false
}

/// Whether a listener, a binding, is kept in an object literal under `field` (`{ dispatch }`,
/// `{ onAbort: dispatch }`): a removal of `record.dispatch` names it.
fn stored_under(handler: &Place<'_>, field: &str, model: &LifetimeModel<'_, '_>) -> bool {
    let PlaceRoot::Symbol(symbol) = handler.root else {
        return false;
    };
    if !handler.fields.is_empty() {
        return false;
    }
    let scoping = model.semantic().scoping();
    scoping.get_resolved_references(symbol).any(|reference| {
        matches!(value_parent(model.semantic(), reference.node_id()).1,
            AstKind::ObjectProperty(property)
                if property_key_name(&property.key) == Some(field))
    })
}

/// Whether a registration's listener, a binding, is also kept in a collection (`list.push([event,
/// listener])`, `return { event, listener }`, an array or object literal): the record a removal
/// that iterates the collection finds it by.
fn is_stored<'a>(
    handler: &Place<'a>,
    registration: &Registration<'_, 'a>,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let PlaceRoot::Symbol(symbol) = handler.root else {
        return false;
    };
    if !handler.fields.is_empty() {
        return false;
    }
    let scoping = model.semantic().scoping();
    let registration_span = registration.call.span();
    scoping
        .get_resolved_reference_ids(symbol)
        .iter()
        .any(|&reference| {
            let node = scoping.get_reference(reference).node_id();
            if registration_span.contains_inclusive(model.semantic().nodes().kind(node).span()) {
                return false;
            }
            match value_parent(model.semantic(), node).1 {
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

pub fn signal_fate(signal: &Expression<'_>, model: &LifetimeModel<'_, '_>) -> SignalFate {
    let mut signal = strip(signal);
    // `const signal = controller.signal`
    if let Expression::Identifier(ident) = signal {
        if let Some(init) = model.symbol_of(ident).and_then(|s| model.const_init(s)) {
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
    let created_here = model.const_init(symbol).is_some_and(|init| {
        matches!(strip(init), Expression::NewExpression(new)
            if matches!(strip(&new.callee), Expression::Identifier(c) if c.name == "AbortController"))
    });
    if !created_here {
        return SignalFate::Removes;
    }
    let aborted = model.calls_named("abort").iter().any(|&id| {
        let AstKind::CallExpression(call) = model.semantic().nodes().kind(id) else {
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

/// Clients that open connections of their own, by module and constructor or function: who
/// opens one closes it (`close`, `quit`, `end`, `disconnect`). `default` is the module's
/// default export or the whole module (`const Redis = require('ioredis')`).
pub const CLIENT_OPENERS: &[(&str, &str)] = &[
    ("pg", "Client"),
    ("pg", "Pool"),
    ("mongodb", "MongoClient"),
    ("mongodb", "MongoClient.connect"),
    ("ioredis", "default"),
    ("ioredis", "Redis"),
    ("ioredis", "Cluster"),
    ("redis", "createClient"),
    ("@redis/client", "createClient"),
    ("bullmq", "Queue"),
    ("bullmq", "Worker"),
    ("bullmq", "QueueEvents"),
    ("bullmq", "FlowProducer"),
    ("bull", "default"),
    ("mysql", "createConnection"),
    ("mysql", "createPool"),
    ("mysql2", "createConnection"),
    ("mysql2", "createPool"),
    ("mysql2/promise", "createConnection"),
    ("mysql2/promise", "createPool"),
    ("neo4j-driver", "driver"),
];

/// Whether the `new` or call at `node` opens a client of [`CLIENT_OPENERS`], by where its
/// callee is imported from: `new Redis()`, `redis.createClient()`, `new MongoClient(uri)`,
/// `MongoClient.connect(uri)`, `new Queue(name)` from `bullmq`. The module and name, for
/// messages.
pub fn opened_client<'a>(
    node: NodeId,
    model: &LifetimeModel<'_, 'a>,
) -> Option<(&'static str, &'static str)> {
    let callee = match model.semantic().nodes().kind(node) {
        AstKind::NewExpression(new) => &new.callee,
        AstKind::CallExpression(call) => &call.callee,
        _ => return None,
    };
    let origin_of = |expr: &Expression<'a>| {
        let Expression::Identifier(ident) = strip(expr) else {
            return None;
        };
        model.import_origin(model.symbol_of(ident)?)
    };
    let (module, name): (&'a str, String) = match strip(callee) {
        Expression::Identifier(_) => {
            let origin = origin_of(callee)?;
            (
                origin.module,
                origin.export.unwrap_or("default").to_string(),
            )
        }
        other => {
            let member = as_member(other)?;
            let field = member_name(member)?;
            // `mongodb.MongoClient.connect(…)`, `new pg.Client()` through a namespace.
            if let Some(inner) = as_member(strip(member.object())) {
                let origin = origin_of(inner.object())?;
                if origin.export.is_some() {
                    return None;
                }
                let name = format!("{}.{field}", member_name(inner)?);
                let module = origin.module.strip_prefix("node:").unwrap_or(origin.module);
                return CLIENT_OPENERS
                    .iter()
                    .find(|(m, n)| *m == module && *n == name)
                    .copied();
            }
            let origin = origin_of(member.object())?;
            match origin.export {
                // `MongoClient.connect(…)`
                Some(export) => (origin.module, format!("{export}.{field}")),
                // `redis.createClient()`, `new pg.Client()`
                None => (origin.module, field.to_string()),
            }
        }
    };
    let module = module.strip_prefix("node:").unwrap_or(module);
    CLIENT_OPENERS
        .iter()
        .find(|(m, n)| *m == module && *n == name)
        .copied()
}
