//! `request-capture`: a request object kept alive past its request — by a closure that escapes
//! into a long timer, a listener on a long-lived emitter or long-lived state, or by storing it
//! there directly. `setTimeout(() => audit(req.body.userId), 60_000)` keeps the whole request
//! (body, headers, socket buffers) for a minute; copying `userId` first keeps a string.

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{
        argument, as_member, callee_name, dotted_path, member_name, strip, value_parent, written,
        Written,
    },
    captures, guards, protocols, values, FunctionRuns, Place,
};
use oxc_ast::{
    ast::{AssignmentOperator, CallExpression, Expression, ObjectPropertyKind},
    AstKind, AstType,
};
use oxc_semantic::{AstNode, NodeId, Semantic, SymbolId};
use oxc_span::{GetSpan, Span};

use crate::{
    rules::{byte_span, expect_no_options, NO_OPTIONS_SCHEMA},
    Rule, RuleContext, RuleMeta,
};

mod inflight;

const ID: &str = "request-capture";

/// Parameter names that hold the request, its response or its context in a per-request
/// function (Express, Koa, Fastify, Hapi, `http`, NestJS `@Req()`, Lambda `event`).
const REQUEST_PARAMETERS: &[&str] = &[
    "req", "request", "ctx", "context", "event", "res", "response", "reply",
];

/// Fields of a request, response or context that hold the request's payload or transport:
/// `req.body`, `req.headers`, `req.socket`, Koa's `ctx.req`/`ctx.request`, Fastify's
/// `request.raw`, Hapi's `request.payload`. Keeping one keeps megabytes. Every other field
/// (`req.params`, `req.query`, `req.user`, `req.url`, `ctx.state`) and anything two or more
/// fields deep (`req.body.userId`, `req.headers.authorization`) is a value the handler copied
/// out: keeping it does not keep the request.
pub const REQUEST_OBJECT_FIELDS: &[&str] = &[
    "body",
    "rawBody",
    "payload",
    "files",
    "file",
    "headers",
    "rawHeaders",
    "trailers",
    "socket",
    "connection",
    "client",
    "raw",
    "req",
    "res",
    "request",
    "response",
];

/// `setTimeout` delays below this many milliseconds run while the request is still in flight.
pub const SHORT_DELAY_MS: f64 = 1000.0;

/// See `rules/request-capture.md`.
#[derive(Debug, Clone, Default)]
pub struct RequestCapture;

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "RequestCapture",
    description:
        "request object kept alive past its request by an escaping closure or long-lived state",
    default_severity: Severity::Warning,
    escalated_severity: Some(Severity::Error),
    docs: include_str!("../../../../rules/request-capture.md"),
    tags: &["memory-leak", "closures", "reliability"],
    // No finding on the measured corpora since its false positives were fixed: not measured.
    precision: "medium",
    options_schema: NO_OPTIONS_SCHEMA,
    factory: |options| {
        expect_no_options(options)?;
        Ok(Box::new(RequestCapture))
    },
};

/// Where the request escapes to.
enum Sink {
    Timeout {
        delay: Option<f64>,
    },
    /// A long poll's timer, beside a listener on a shared emitter.
    LongPoll {
        delay: Option<f64>,
        listener: Span,
    },
    Stored {
        place: String,
    },
}

impl Sink {
    fn describe(&self) -> String {
        match self {
            Sink::Timeout { delay: Some(ms) } => format!("a {} `setTimeout`", duration(*ms)),
            Sink::Timeout { delay: None } => {
                "a `setTimeout` whose delay is not a constant".to_string()
            }
            Sink::LongPoll { delay, .. } => format!(
                "a long poll's {} `setTimeout` and a listener on a shared emitter, and nothing \
                 ends the wait when the client goes away",
                delay.map_or_else(|| "unbounded".to_string(), duration)
            ),
            Sink::Stored { place } => format!("`{place}`, which outlives the request"),
        }
    }

    fn consequence(&self) -> &'static str {
        match self {
            Sink::Timeout { .. } => "stays in memory until the timer fires",
            Sink::LongPoll { .. } => {
                "stays in memory, with the listener, until the event or the timer fires, however \
                 long ago the client left"
            }
            Sink::Stored { .. } => {
                "of every request stays in memory for as long as it is kept there"
            }
        }
    }

    fn severity(&self) -> Severity {
        match self {
            // Bounded by the delay.
            Sink::Timeout { .. } | Sink::LongPoll { .. } => Severity::Warning,
            Sink::Stored { .. } => Severity::Error,
        }
    }
}

fn duration(ms: f64) -> String {
    if ms >= 60_000.0 && ms % 60_000.0 == 0.0 {
        format!("{} min", ms / 60_000.0)
    } else if ms >= 1000.0 && ms % 1000.0 == 0.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// What is captured or stored, and where.
struct Capture {
    /// The reference inside the closure, or the stored expression.
    span: Span,
    /// "`req`", "`body` (`req.body`)".
    what: String,
    /// A closure captured it (rather than the value being stored directly).
    by_closure: bool,
}

impl Rule for RequestCapture {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Every finding captures a parameter with one of the request names; most files have none.
    fn applies_to(&self, semantic: &Semantic<'_>) -> bool {
        // A request kept while in flight: added to a collection, and settled through a promise
        // or an outgoing request's events.
        let source = semantic.source_text();
        let keeps = || {
            [".push(", ".add(", ".set(", "] ="]
                .iter()
                .any(|marker| source.contains(marker))
        };
        if (source.contains(".then(") || source.contains("request(")) && keeps() {
            return true;
        }
        let scoping = semantic.scoping();
        scoping.symbol_ids().any(|symbol| {
            REQUEST_PARAMETERS.contains(&scoping.symbol_name(symbol))
                && leaklint_model::parameter_owner(semantic, symbol).is_some()
        })
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression, AstType::AssignmentExpression]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        if let Some(diagnostic) = inflight::removed_on_some_ends(node.id(), ctx) {
            ctx.report(diagnostic);
            return;
        }
        if let AstKind::CallExpression(call) = node.kind() {
            if let Some(diagnostic) = keep_alive_listener(call, ctx) {
                ctx.report(diagnostic);
                return;
            }
        }
        let (sink, sink_span, values): (Sink, Span, Vec<&Expression<'a>>) = match node.kind() {
            AstKind::CallExpression(call) => match call_sink(call, node.id(), ctx) {
                Some(found) => found,
                None => return,
            },
            AstKind::AssignmentExpression(assign) => {
                if assign.operator != AssignmentOperator::Assign {
                    return;
                }
                // Where the value goes is read from the assignment itself; how often the code
                // runs needs the whole file's function analysis, so it is asked last.
                if !inside_request_function(node.id(), ctx) {
                    return;
                }
                let Some(place) = assignment_sink(&assign.left, node.id(), ctx) else {
                    return;
                };
                if ctx.model().runs_at(node.id()) != FunctionRuns::PerRequest {
                    return;
                }
                (
                    Sink::Stored { place },
                    assign.left.span(),
                    vec![&assign.right],
                )
            }
            _ => return,
        };
        let capture = values
            .into_iter()
            .find_map(|value| find_capture(value, ctx, 0))
            .or_else(|| match sink {
                // The timer settles the promise the handler awaits: it keeps the handler's
                // whole frame, the request with it.
                Sink::LongPoll { .. } => Some(Capture {
                    span: sink_span,
                    what: "the waiting handler's frame (the request and its reply)".to_string(),
                    by_closure: true,
                }),
                _ => None,
            });
        let Some(capture) = capture else {
            return;
        };
        let message = if capture.by_closure {
            format!(
                "closure captures {} and escapes into {}: the request {}",
                capture.what,
                sink.describe(),
                sink.consequence()
            )
        } else {
            format!(
                "{} is stored in {}: this part of the request {}",
                capture.what,
                sink.describe(),
                sink.consequence()
            )
        };
        let help = if capture.by_closure {
            "copy the fields the closure needs into locals first (`const userId = \
             req.body.userId;`) and use only those inside it"
        } else {
            "store only the fields you need (`{ id: req.params.id, agent: \
             req.headers['user-agent'] }`), and delete the entry when the request ends"
        };
        let primary = if capture.by_closure {
            "captured here"
        } else {
            "stored here"
        };
        let diagnostic = Diagnostic::finding(
            ID,
            sink.severity(),
            message,
            Label::new(byte_span(capture.span), primary),
        )
        .with_help(help)
        .with_secondary(Label::new(byte_span(sink_span), "outlives the request"));
        let diagnostic = match sink {
            Sink::LongPoll { listener, .. } => diagnostic.with_secondary(
                Label::new(
                    byte_span(listener),
                    "waits on a shared emitter too; nothing listens for the client leaving",
                )
                .with_role(Role::Holder),
            ),
            _ => diagnostic,
        };
        ctx.report(diagnostic);
    }
}

/// The transport of a request: `req.socket`, `req.connection`, `res.socket`, Koa's
/// `ctx.req.socket`, Fastify's `request.raw.socket`. With keep-alive, one socket carries request
/// after request, and outlives each of them.
const SOCKET_FIELDS: &[&str] = &["socket", "connection"];

/// A listener added per request to the request's own socket and never removed: the socket
/// serves request after request on a keep-alive connection and keeps every listener, each
/// holding its request's closure (`req`, `res`, `next`), until the connection closes.
fn keep_alive_listener<'a>(
    call: &CallExpression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let registration = protocols::Registration::of(call)?;
    let socket = as_member(registration.receiver)?;
    if !member_name(socket).is_some_and(|field| SOCKET_FIELDS.contains(&field)) {
        return None;
    }
    let request = request_root(socket.object(), ctx)?;
    let model = ctx.model();
    // Once per socket (`if (!tracked.has(req.socket)) { tracked.add(req.socket); … }`), or an
    // event stream, whose request holds its socket for as long as the socket lives.
    if registration.is_once()
        || protocols::is_removed(&registration, model)
        || (guards::is_guarded(call.node_id(), model)
            && tested_around(call.node_id(), registration.receiver, ctx))
        || model
            .enclosing_function(call.node_id())
            .is_some_and(|function| streams_events(function, ctx))
    {
        return None;
    }
    let source = ctx.source_text();
    let receiver = registration.receiver_label(source);
    let event = registration.event_label(source);
    let handler = registration.handler;
    let keeps = match find_capture(handler, ctx, 0) {
        Some(capture) => capture.what,
        None => format!(
            "`{}`",
            captures::captured_references(leaklint_model::ast_util::expr_node_id(handler), model)
                .next()
                .map_or_else(
                    || leaklint_model::ast_util::short_text(source, handler.span()),
                    |(ident, _)| ident.name.to_string()
                )
        ),
    };
    Some(
        Diagnostic::finding(
            ID,
            Severity::Error,
            format!(
                "a listener for {event} is added to `{receiver}` on every request and never \
                 removed: with keep-alive the socket serves request after request, so it keeps \
                 one listener per request, and each keeps {keeps}, until the connection closes"
            ),
            Label::new(byte_span(call.callee.span()), "added on every request"),
        )
        .with_secondary(
            Label::new(
                byte_span(socket.span()),
                format!("`{request}`'s socket outlives the request"),
            )
            .with_role(Role::Holder),
        )
        .with_help(format!(
            "listen on the request or response (`req.on('close', …)`, `res.on('finish', …)`), or \
             remove the listener when the request ends (`{receiver}.off({event}, listener)`)"
        )),
    )
}

/// The request whose socket `expr` reads: a request parameter (`req`, `res`, `request`,
/// `ctx`), or its `req`/`res`/`raw` field.
fn request_root<'a>(expr: &Expression<'a>, ctx: &RuleContext<'a, '_>) -> Option<String> {
    let model = ctx.model();
    let root = match strip(expr) {
        Expression::Identifier(ident) => ident,
        other => {
            let member = as_member(other)?;
            if !matches!(member_name(member), Some("req" | "res" | "raw")) {
                return None;
            }
            let Expression::Identifier(ident) = strip(member.object()) else {
                return None;
            };
            ident
        }
    };
    let symbol = model.symbol_of(root)?;
    let name = ctx.semantic().scoping().symbol_name(symbol);
    (REQUEST_PARAMETERS.contains(&name) && model.is_handler_parameter(symbol))
        .then(|| name.to_string())
}

/// Whether a handler answers with an event stream (`content-type: text/event-stream`): the
/// response stays open for as long as its socket, one per socket.
fn streams_events(function: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    ctx.nodes_within(function).any(|node| {
        matches!(node.kind(), AstKind::StringLiteral(s) if s.value.eq_ignore_ascii_case("text/event-stream"))
    })
}

/// Whether a test of an `if` (or `?:`, `&&`) around the code at `node`, in its function, reads
/// `value` or a field of it (`if (!tracked.has(req.socket))`, `if (req.socket.counted == null)`):
/// a guard on the socket, not on the request.
fn tested_around<'a>(node: NodeId, value: &Expression<'a>, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    let Some(place) = model.place(value) else {
        return false;
    };
    let nodes = ctx.nodes();
    let function = model.enclosing_function(node);
    nodes
        .ancestor_ids(node)
        .take_while(|&id| Some(id) != function)
        .filter_map(|id| match nodes.kind(id) {
            AstKind::IfStatement(statement) => {
                Some(leaklint_model::ast_util::expr_node_id(&statement.test))
            }
            AstKind::ConditionalExpression(conditional) => {
                Some(leaklint_model::ast_util::expr_node_id(&conditional.test))
            }
            AstKind::LogicalExpression(logical) => {
                Some(leaklint_model::ast_util::expr_node_id(&logical.left))
            }
            _ => None,
        })
        .any(|test| {
            ctx.subtree(test).any(|inner| {
                model
                    .member_node_place(&inner.kind())
                    .or_else(|| match inner.kind() {
                        AstKind::IdentifierReference(ident) => Some(model.identifier_place(ident)),
                        _ => None,
                    })
                    .is_some_and(|read| place.is_prefix_of(&read))
            })
        })
}

/// Whether `node` is written inside a function with a parameter named like a request. Every
/// finding's sink is: the value it keeps is a handler's request parameter, an alias declared in
/// the handler, or a closure or local function that names one of them, and the sink names that
/// value, so it is written where the value is in scope. Asked before anything that needs the
/// lifetime model, so that a file whose calls and assignments are all elsewhere never builds it.
fn inside_request_function(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    ctx.nodes().ancestor_kinds(node).any(|kind| {
        let params = match kind {
            AstKind::Function(function) => &function.params,
            AstKind::ArrowFunctionExpression(arrow) => &arrow.params,
            _ => return false,
        };
        params
            .items
            .iter()
            .map(|param| &param.pattern)
            .chain(params.rest.as_ref().map(|rest| &rest.rest.argument))
            .any(|pattern| match pattern.get_binding_identifier() {
                Some(id) => REQUEST_PARAMETERS.contains(&id.name.as_str()),
                None => pattern
                    .get_binding_identifiers()
                    .iter()
                    .any(|id| REQUEST_PARAMETERS.contains(&id.name.as_str())),
            })
    })
}

/// A call made per request that keeps its function or value arguments past the request: a
/// `setTimeout` with a long delay, or `push`/`unshift`/`add`/`set` on a module-level
/// collection. The call's shape is checked before how often it runs, so the lifetime model is
/// built only for files with a candidate.
///
/// `setInterval` callbacks and listeners on long-lived emitters are `uncleared-interval`'s and
/// `listener-leak`'s findings, whose messages name what the callback keeps; reporting them here
/// too would say the same thing twice.
fn call_sink<'e, 'a>(
    call: &'e CallExpression<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<(Sink, Span, Vec<&'e Expression<'a>>)> {
    let callee = &call.callee;
    let per_request = || ctx.model().runs_at(node) == FunctionRuns::PerRequest;
    if protocols::is_timer_function(callee, "setTimeout", ctx.model()) {
        if !inside_request_function(node, ctx) {
            return None;
        }
        let delay = values::constant_number(argument(call, 1)?, ctx.model());
        if delay.is_some_and(|ms| ms < SHORT_DELAY_MS) {
            return None;
        }
        // A long poll: the handler waits on this timer or a shared emitter's event, and nothing
        // ends the wait when the client goes away.
        if let Some(listener) = long_poll(node, ctx) {
            return Some((
                Sink::LongPoll { delay, listener },
                callee.span(),
                vec![argument(call, 0)?],
            ));
        }
        if !per_request()
            || timer_is_cleared(node, ctx)
            || in_awaited_executor(node, ctx)
            || argument(call, 0).is_some_and(|callback| is_delayed_response(callback, node, ctx))
        {
            return None;
        }
        return Some((
            Sink::Timeout { delay },
            callee.span(),
            vec![argument(call, 0)?],
        ));
    }
    // The shapes of `Array`, `Set` and `Map` methods: a queue's `add(name, data)` or a cache
    // client's `set(key, value, ttl)` is some other API.
    let values: Vec<_> = match (callee_name(call)?, call.arguments.len()) {
        ("push" | "unshift", _) => call
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .collect(),
        ("add", 1) => vec![argument(call, 0)?],
        ("set", 2) => vec![argument(call, 1)?],
        _ => return None,
    };
    if !inside_request_function(node, ctx) {
        return None;
    }
    let receiver = as_member(callee)?.object();
    let place = module_collection(receiver, ctx)?;
    if !per_request() {
        return None;
    }
    Some((Sink::Stored { place }, callee.span(), values))
}

/// A module-level collection (`new Map()`, `new Set()`, `[]`, `{}`, `Object.create(null)`),
/// never reassigned and never shrunk: its name. A collection something removes entries from
/// (`delete`, `clear`, `splice`, `shift`, `pop`, `delete x[k]`) is a managed registry, and
/// whether every path removes is `unbounded-collection`'s question.
fn module_collection(receiver: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<String> {
    let Expression::Identifier(ident) = strip(receiver) else {
        return None;
    };
    let semantic = ctx.semantic();
    let symbol = leaklint_model::symbol_of(semantic, ident)?;
    let scoping = semantic.scoping();
    if scoping.symbol_scope_id(symbol) != scoping.root_scope_id()
        || !is_collection(ctx.model().const_init(symbol)?, ctx)
    {
        return None;
    }
    (!is_shrunk(&Place::binding(symbol), ctx)).then(|| ident.name.to_string())
}

fn is_collection(init: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    match strip(init) {
        Expression::ArrayExpression(_) | Expression::ObjectExpression(_) => true,
        Expression::NewExpression(new) => matches!(strip(&new.callee),
            Expression::Identifier(class) if matches!(class.name.as_str(), "Map" | "Set" | "Array")
                && leaklint_model::symbol_of(ctx.semantic(), class).is_none()),
        Expression::CallExpression(call) => {
            callee_name(call) == Some("create")
                && as_member(&call.callee).is_some_and(|m| {
                    matches!(strip(m.object()), Expression::Identifier(o)
                        if o.name == "Object" && leaklint_model::symbol_of(ctx.semantic(), o).is_none())
                })
        }
        _ => false,
    }
}

/// Methods that complete a response (Express, Fastify, `http`).
const RESPONSE_METHODS: &[&str] = &[
    "send",
    "json",
    "jsonp",
    "end",
    "sendStatus",
    "sendFile",
    "redirect",
    "render",
    "download",
];

/// Whether a timer callback sends the response and nothing else on the timer's path does: a
/// delayed response (`setTimeout(() => res.json(result), 2000)`). The request is still in
/// flight until the timer fires, so keeping it is not a leak. Responses on paths that never arm
/// the timer (an early `return res.sendStatus(400)`, the other branch of an `if`) do not count;
/// when the handler may also respond where the timer is armed, the timer outlives the response
/// and is reported.
fn is_delayed_response(
    callback: &Expression<'_>,
    timer: NodeId,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let Some(function) = leaklint_model::ast_util::as_function_node(callback) else {
        return false;
    };
    let nodes = ctx.nodes();
    let span = nodes.kind(function).span();
    let scoping = ctx.semantic().scoping();
    let mut responders = Vec::new();
    for (ident, symbol) in captures::captured_references(function, ctx.model()) {
        if matches!(scoping.symbol_name(symbol), "res" | "response" | "reply")
            && is_request_parameter(symbol, ctx)
            && sends_response(ident.node_id(), ctx)
            && !responders.contains(&symbol)
        {
            responders.push(symbol);
        }
    }
    !responders.is_empty()
        && responders.iter().all(|&symbol| {
            scoping.get_resolved_references(symbol).all(|reference| {
                let at = nodes.kind(reference.node_id()).span().start;
                (at >= span.start && at < span.end)
                    || !sends_response(reference.node_id(), ctx)
                    || crate::flow::never_both_run(reference.node_id(), timer, ctx)
            })
        })
}

/// Whether the reference at `node` is the start of a call chain that completes a response:
/// `res.json(…)`, `res.status(404).send(…)`, `reply.code(201).send(…)`.
fn sends_response(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let nodes = ctx.nodes();
    let mut current = node;
    for _ in 0..6 {
        let parent = nodes.parent_id(current);
        match nodes.kind(parent) {
            AstKind::StaticMemberExpression(member) => {
                if RESPONSE_METHODS.contains(&member.property.name.as_str())
                    && matches!(nodes.parent_kind(parent), AstKind::CallExpression(_))
                {
                    return true;
                }
            }
            AstKind::CallExpression(call)
                if call.callee.span().end <= nodes.kind(current).span().end => {}
            _ => return false,
        }
        current = parent;
    }
    false
}

/// `x = …` for a module-level `x`, `registry[k] = …` for a module-level collection, or
/// `o.f = …` where `o` outlives the request (`app.locals`, `globalThis`, a module-level
/// object): the place, for messages.
fn assignment_sink<'a>(
    target: &oxc_ast::ast::AssignmentTarget<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<String> {
    let model = ctx.model();
    let written = written(target)?;
    if let Written::Member(member) = written {
        let object = member.object();
        let Some(field) = member_name(member) else {
            // `registry[id] = …`
            return module_collection(object, ctx);
        };
        let path = model.place(object);
        if !guards::outlives_call(object, path.as_ref(), node, ctx.model())
            || path.as_ref().is_some_and(|p| is_shrunk(p, ctx))
        {
            return None;
        }
        return Some(format!("{}.{field}", dotted_path(object)?));
    }
    let Written::Binding(ident) = written else {
        return None;
    };
    // A module-level binding (or an undeclared global).
    match model.symbol_of(ident) {
        Some(symbol) if !model.is_module_level(symbol) => None,
        _ => Some(ident.name.to_string()),
    }
}

/// Whether anything removes entries from the collection at `path` (`delete`, `clear`, `splice`,
/// `shift`, `pop`, `delete x[k]`): then it is a managed registry, and whether it is bounded is
/// `unbounded-collection`'s question.
fn is_shrunk(path: &Place<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let by_call = ["delete", "clear", "splice", "shift", "pop"]
        .iter()
        .flat_map(|name| ctx.calls_named(name))
        .any(|&id| {
            let AstKind::CallExpression(call) = nodes.kind(id) else {
                return false;
            };
            as_member(&call.callee)
                .and_then(|m| model.place(m.object()))
                .is_some_and(|p| p.same_place(path))
        });
    by_call
        || ctx.deletes().iter().any(|&id| {
            let AstKind::UnaryExpression(unary) = nodes.kind(id) else {
                return false;
            };
            as_member(&unary.argument)
                .and_then(|m| model.place(m.object()))
                .is_some_and(|p| p.same_place(path))
        })
}

/// Whether the timer created at `call` is kept and passed to `clearTimeout`/`clearInterval`.
fn timer_is_cleared(call: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let (child, parent) = value_parent(ctx.semantic(), call);
    let handle = match parent {
        AstKind::VariableDeclarator(declarator)
            if declarator
                .init
                .as_ref()
                .is_some_and(|i| i.span().start <= ctx.nodes().kind(child).span().start) =>
        {
            declarator
                .id
                .get_binding_identifier()
                .and_then(|id| id.symbol_id.get())
                .map(Place::binding)
        }
        AstKind::AssignmentExpression(assign) => model.assignment_place(&assign.left),
        _ => None,
    };
    let Some(handle) = handle else {
        return false;
    };
    protocols::cleared_timer_places(ctx.model())
        .iter()
        .any(|cleared| cleared.same_place(&handle))
}

/// Whether the code at `node` runs in a `new Promise(executor)`: the request waits for it.
/// A timer in the executor of a promise the request handler waits on, beside a listener the
/// executor adds to a module-level or global emitter (`events.once('change', onChange)`), in a
/// handler that listens for none of the request's end events (`close`, `aborted`) and passes no
/// `signal`: the long poll holds the request, the timer and the listener until one of them
/// fires, however long ago the client left. The listener's registration, if so.
fn long_poll(timer: NodeId, ctx: &RuleContext<'_, '_>) -> Option<Span> {
    if !in_awaited_executor(timer, ctx) {
        return None;
    }
    let model = ctx.model();
    let executor = model.enclosing_function(timer)?;
    // The executor runs as the handler around it does: on every request.
    let handler = model.enclosing_function(executor)?;
    if model.function(handler).map(|facts| facts.runs) != Some(FunctionRuns::PerRequest) {
        return None;
    }
    let listener = ctx.nodes_within(executor).find_map(|node| {
        let AstKind::CallExpression(call) = node.kind() else {
            return None;
        };
        let registration = protocols::Registration::of(call)?;
        let shared = match model.place(registration.receiver)?.root {
            leaklint_model::PlaceRoot::Symbol(symbol) => model.is_module_level(symbol),
            leaklint_model::PlaceRoot::Global(_) => true,
            _ => false,
        };
        shared.then_some(call.span)
    })?;
    let watches_end = ctx.nodes_within(handler).any(|node| match node.kind() {
        AstKind::CallExpression(call) => {
            protocols::Registration::of(call).is_some_and(|registration| {
                registration
                    .event
                    .and_then(leaklint_model::ast_util::string_value)
                    .is_some_and(|event| matches!(event, "close" | "aborted" | "abort" | "end"))
            })
        }
        AstKind::IdentifierReference(ident) => ident.name == "signal",
        AstKind::StaticMemberExpression(member) => member.property.name == "signal",
        _ => false,
    });
    (!watches_end).then_some(listener)
}

fn in_awaited_executor(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    model
        .enclosing_function(node)
        .is_some_and(|function| model.is_promise_executor(function))
}

/// What of the request an escaping value holds: a closure that captures it, the request (or one
/// of its object fields) itself, inside object and array literals and promise chains.
fn find_capture<'a>(
    expr: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
    depth: u8,
) -> Option<Capture> {
    if depth > 4 {
        return None;
    }
    let model = ctx.model();
    match strip(expr) {
        Expression::ArrowFunctionExpression(arrow) => closure_capture(arrow.node_id(), ctx),
        Expression::FunctionExpression(function) => closure_capture(function.node_id(), ctx),
        Expression::Identifier(ident) => {
            let symbol = model.symbol_of(ident)?;
            if let Some(what) = request_value(symbol, ctx) {
                return Some(Capture {
                    span: ident.span,
                    what,
                    by_closure: false,
                });
            }
            // A function of the handler passed by name.
            let function = local_function(symbol, ctx)?;
            closure_capture(function, ctx)
        }
        Expression::ObjectExpression(object) => object.properties.iter().find_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) => find_capture(&p.value, ctx, depth + 1),
            ObjectPropertyKind::SpreadProperty(_) => None,
        }),
        Expression::ArrayExpression(array) => array
            .elements
            .iter()
            .filter_map(|e| e.as_expression())
            .find_map(|e| find_capture(e, ctx, depth + 1)),
        Expression::ConditionalExpression(conditional) => {
            find_capture(&conditional.consequent, ctx, depth + 1)
                .or_else(|| find_capture(&conditional.alternate, ctx, depth + 1))
        }
        Expression::LogicalExpression(logical) => find_capture(&logical.left, ctx, depth + 1)
            .or_else(|| find_capture(&logical.right, ctx, depth + 1)),
        Expression::CallExpression(call)
            if matches!(callee_name(call), Some("then" | "catch" | "finally")) =>
        {
            let callbacks = call
                .arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .find_map(|a| find_capture(a, ctx, depth + 1));
            callbacks.or_else(|| {
                as_member(&call.callee).and_then(|m| find_capture(m.object(), ctx, depth + 1))
            })
        }
        other => Some(Capture {
            span: other.span(),
            what: format!("`{}`", request_field(other, ctx)?),
            by_closure: false,
        }),
    }
}

/// The first reference inside a closure to a request value declared outside it.
fn closure_capture(function: NodeId, ctx: &RuleContext<'_, '_>) -> Option<Capture> {
    captures::captured_references(function, ctx.model()).find_map(|(ident, symbol)| {
        Some(Capture {
            span: ident.span,
            what: request_value(symbol, ctx)?,
            by_closure: true,
        })
    })
}

/// Whether a binding holds a request object: a request parameter, or a `const` alias of one or
/// of one of its object fields. Returns how to name it in a message.
fn request_value(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> Option<String> {
    let scoping = ctx.semantic().scoping();
    let name = scoping.symbol_name(symbol);
    if is_request_parameter(symbol, ctx) {
        return Some(format!("`{name}`"));
    }
    let init = ctx.model().const_init(symbol)?;
    let model = ctx.model();
    match strip(init) {
        Expression::Identifier(ident) => {
            let source = model.symbol_of(ident)?;
            is_request_parameter(source, ctx).then(|| format!("`{name}` (`{}`)", ident.name))
        }
        other => Some(format!("`{name}` (`{}`)", request_field(other, ctx)?)),
    }
}

/// `req.body`, `req.headers`, …: a payload or transport field of a request parameter, as
/// written.
fn request_field(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<String> {
    let member = as_member(expr)?;
    let Expression::Identifier(root) = strip(member.object()) else {
        return None;
    };
    let field = member_name(member)?;
    let symbol = ctx.model().symbol_of(root)?;
    (REQUEST_OBJECT_FIELDS.contains(&field) && is_request_parameter(symbol, ctx))
        .then(|| format!("{}.{field}", root.name))
}

/// A parameter named like a request (`req`, `ctx`, `event`, `res`, …) of a function a
/// framework calls per request — not of a callback nested in one (`.then((response) => …)`).
fn is_request_parameter(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> bool {
    let name = ctx.semantic().scoping().symbol_name(symbol);
    REQUEST_PARAMETERS.contains(&name) && ctx.model().is_handler_parameter(symbol)
}

/// The function node of a function declared inside another function (`function later() {}` or
/// `const later = () => {}`); module-level functions capture nothing of a request.
fn local_function(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> Option<NodeId> {
    if ctx.model().is_module_level(symbol) {
        return None;
    }
    values::function_bound_to(symbol, ctx.model())
}

#[cfg(test)]
mod tests {
    use super::META;
    use crate::test_util::{assert_clean, assert_reports, run_rule, severities};
    use leaklint_diagnostics::Severity;

    #[test]
    fn flagged() {
        for source in [
            "app.post('/a', (req, res) => { setTimeout(() => audit(req.body.userId), 60_000); res.end(); });",
            "app.post('/a', (req, res) => { setTimeout(() => audit(req), delayMs); });",
            "app.post('/a', (req, res) => { const body = req.body; setTimeout(() => audit(body), 5000); });",
            "app.post('/a', (req, res) => { function later() { audit(req); } setTimeout(later, 5 * 60 * 1000); });",
            "const retry = []; app.post('/a', (req, res) => { retry.push(() => forward(req)); });",
            "const recent = []; app.post('/a', (req, res) => { recent.push(req); });",
            "const cache = {}; app.post('/a', (req, res) => { cache[req.params.id] = { headers: req.headers }; });",
            "const pending = new Map(); app.get('/a', (req, res) => { pending.set(req.query.id, res); });",
            "let lastRequest; app.get('/a', (req, res) => { lastRequest = req; });",
            "const inflight = new Map(); app.get('/a', (req, res) => { inflight.set(1, load().then(() => req.body)); });",
            "router.get('/a', async (ctx) => { setTimeout(() => log(ctx), 10000); });",
            "exports.handler = async (event) => { setTimeout(() => log(event), 10000); };",
            // responded already: the timer outlives the response
            "app.get('/a', (req, res) => { res.json(load()); setTimeout(() => res.status(504).end(), 30000); });",
            // reads the response, does not send it
            "app.get('/a', (req, res, next) => { setTimeout(() => { if (!res.headersSent) warn(req.url); }, 5000); next(); });",
        ] {
            assert_reports(&META, source, "a.ts", 1);
        }
    }

    #[test]
    fn clean() {
        for source in [
            // the fix: copy first
            "app.post('/a', (req, res) => { const userId = req.body.userId; setTimeout(() => audit(userId), 60_000); });",
            "app.post('/a', (req, res) => { const url = req.url; setTimeout(() => log(url), 60_000); });",
            "app.post('/a', (req, res) => { const { userId } = req.body; setTimeout(() => audit(userId), 60_000); });",
            // delayed responses: the request waits for the timer
            "app.get('/a', (req, res) => { setTimeout(() => res.json({ id: req.params.id }), 2000); });",
            "fastify.get('/a', async (request, reply) => { setTimeout(() => reply.code(202).send(request.body), 5000); return reply; });",
            // short timers, cleared timers, executors
            "app.post('/a', (req, res) => { setTimeout(() => res.end(), 100); });",
            "app.post('/a', (req, res) => { const t = setTimeout(() => res.status(504).end(), 30000); res.on('finish', () => clearTimeout(t)); });",
            "app.post('/a', async (req, res) => { await new Promise((r) => setTimeout(() => r(req.body), 5000)); });",
            "app.post('/a', (req, res) => { setImmediate(() => res.end()); });",
            // runs during the request
            "app.post('/a', (req, res) => { req.items.map((i) => i + req.user.id); res.on('finish', () => log(req.url)); });",
            // managed registry
            "const waiting = new Map(); app.get('/a', (req, res) => { waiting.set(req.query.id, res); req.on('close', () => waiting.delete(req.query.id)); });",
            // primitives and deep values
            "const cache = {}; app.post('/a', (req, res) => { cache[req.params.id] = { ua: req.headers['user-agent'], m: req.method }; });",
            // not per request
            "const x = {}; setTimeout(() => use(x), 60000);",
            "export function later(req) { setTimeout(() => use(req), 60000); }",
            // removed listener
            "import bus from './bus'; app.get('/a', (req, res) => { const f = () => res.write('.'); bus.on('x', f); req.on('close', () => bus.off('x', f)); });",
            // reported by uncleared-interval and listener-leak instead
            "app.post('/a', (req, res) => { setInterval(() => res.write('.'), 100); });",
            "import bus from './bus'; app.get('/a', (req, res) => { bus.on('x', () => res.write('.')); });",
            // other APIs with collection-like names, and values that are not the request
            "import { queue } from './queue'; app.post('/a', (req, res) => { queue.add('email', req.body); });",
            "const cache = new Map(); app.get('/a', (req, res) => { fetch(u).then((response) => cache.set(u, response)); });",
            "app.get('/a', (req, res) => { const user = req.user; setTimeout(() => use(user), 60000); });",
            "const seen = new Set(); app.get('/a', (req, res) => { seen.add(req.user); });",
            "let log = []; app.get('/a', (req, res) => { log.push(req); }); setInterval(() => { log = []; }, 1000).unref();",
            // local state
            "app.get('/a', (req, res) => { const list = []; list.push(req); });",
        ] {
            assert_clean(&META, source, "a.ts");
        }
    }

    #[test]
    fn message_and_severity() {
        let found = run_rule(
            &META,
            "app.post('/a', (req, res) => { setTimeout(() => audit(req.body.userId), 60_000); });",
            "a.js",
            None,
        );
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0]
                .message
                .contains("closure captures `req` and escapes into a 1 min `setTimeout`"),
            "{}",
            found[0].message
        );
        assert_eq!(
            severities(
                &META,
                "const recent = []; app.post('/a', (req, res) => { recent.push(req.headers); });",
                "a.js"
            ),
            [Severity::Error]
        );
    }
}
