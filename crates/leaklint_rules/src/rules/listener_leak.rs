//! `listener-leak`: `emitter.on()` in code that runs per request (or per call) on an emitter that
//! outlives the call, with nothing that ever removes the listener. Every request adds one more
//! listener, and each keeps its closure — often the request — alive.

use std::sync::LazyLock;

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{as_function_node, as_member, member_name, strip},
    captures::{self, Retained},
    guards,
    protocols::{self, Registration, SignalFate},
    values, Field, FunctionRuns, Outside, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{CallExpression, Expression},
    AstKind, AstType,
};
use oxc_semantic::{AstNode, NodeId, SymbolId};
use oxc_span::GetSpan;

use crate::{
    rules::{byte_span, expect_no_options, first_line, Markers, NO_OPTIONS_SCHEMA},
    Rule, RuleContext, RuleMeta,
};

const ID: &str = "listener-leak";

/// See `rules/listener-leak.md`.
#[derive(Debug, Clone, Default)]
pub struct ListenerLeak;

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "ListenerLeak",
    description: "listener added per request or per call to a long-lived emitter and never removed",
    default_severity: Severity::Warning,
    escalated_severity: Some(Severity::Error),
    docs: include_str!("../../../../rules/listener-leak.md"),
    tags: &["memory-leak", "events", "reliability"],
    // Measured on real code, every finding read: 6 true of 7 on the services corpus, 12 of 12
    // on a corpus it was never tuned on, none on the benchmark corpus (2026-12-07).
    precision: "high",
    options_schema: NO_OPTIONS_SCHEMA,
    factory: |options| {
        expect_no_options(options)?;
        Ok(Box::new(ListenerLeak))
    },
};

impl Rule for ListenerLeak {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn should_run(&self, text: &str) -> bool {
        static MARKERS: LazyLock<Markers> = LazyLock::new(|| {
            Markers::new(&[
                ".on(",
                "Listener(",
                ".on<",
                ".on (",
                ".once(",
                "signal-exit",
                "exit-hook",
                "death",
            ])
        });
        MARKERS.any_in(text)
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        let AstKind::CallExpression(call) = node.kind() else {
            return;
        };
        let Some(registration) = Registration::of(call) else {
            if let Some(diagnostic) = exit_hook_not_removed(call, node.id(), ctx) {
                ctx.report(diagnostic);
            }
            return;
        };
        let model = ctx.model();
        let runs = model.runs_at(node.id());
        if runs.is_once() {
            return;
        }
        if let Some(diagnostic) = removal_misses(&registration, runs, ctx)
            .or_else(|| not_released_by_instance(&registration, node.id(), ctx))
            .or_else(|| on_callers_signal(&registration, runs, ctx))
            .or_else(|| settles_a_promise(&registration, node.id(), runs, ctx))
            .or_else(|| once_for_a_per_call_event(&registration, node.id(), runs, ctx))
            .or_else(|| added_on_its_own_events(&registration, node.id(), ctx))
        {
            ctx.report(diagnostic);
            return;
        }
        if registration.is_once() {
            return;
        }
        let receiver_path = model.place(registration.receiver);
        if !guards::outlives_call(
            registration.receiver,
            receiver_path.as_ref(),
            node.id(),
            ctx.model(),
        ) {
            return;
        }
        let mut never_aborted = None;
        if let Some(signal) = registration.signal() {
            match protocols::signal_fate(signal, ctx.model()) {
                SignalFate::Removes => return,
                SignalFate::NeverAborted => never_aborted = Some(signal.span()),
            }
        }
        if registration.result_is_kept(ctx.model()) {
            return;
        }
        if is_deduplicated(&registration, node.id(), ctx) {
            return;
        }
        if protocols::is_removed(&registration, ctx.model())
            || guards::replaced_earlier_in_function(registration.receiver, node.id(), ctx.model())
            || receiver_path.as_ref().is_some_and(|path| {
                guards::assigned_before_in_function(path, node.id(), ctx.model())
            })
        {
            return;
        }
        if runs == FunctionRuns::PerCall
            && (guards::named_or_assigned_like_start_up(node.id(), ctx.model())
                || is_process_wide(receiver_path.as_ref(), ctx))
        {
            return;
        }
        if guards::is_guarded(node.id(), ctx.model()) {
            return;
        }
        if runs == FunctionRuns::PerCall
            && (is_forwarding_wrapper(&registration, node.id(), ctx)
                || in_constructor_of_class_made_elsewhere(node.id(), ctx))
        {
            return;
        }
        // Outside a request, "can run many times" needs evidence in the file: a listener, a
        // value handed out, a component's effect or hook, a class made repeatedly. Code that
        // runs once without saying so (a setup function exported to the app) is otherwise the
        // common case.
        if runs == FunctionRuns::PerCall && !has_evidence_of_repetition(node.id(), ctx) {
            return;
        }

        let source = ctx.source_text();
        let event = registration.event_label(source);
        let receiver = registration.receiver_label(source);
        let (severity, context, consequence) = match runs {
            FunctionRuns::PerRequest => (
                Severity::Error,
                format!(
                    "inside {}",
                    model
                        .request_context(node.id())
                        .unwrap_or("a request handler")
                ),
                "every request adds another listener, and each keeps its closure alive",
            ),
            _ => (
                Severity::Warning,
                match model
                    .enclosing_function(node.id())
                    .and_then(|f| model.function(f))
                    .and_then(|facts| facts.name)
                {
                    Some(name) => format!("in `{name}`, which can run many times"),
                    None => "in a function that can run many times".to_string(),
                },
                "every call adds another listener, and each keeps its closure alive",
            ),
        };
        let why_not_removed = if registration.is_once_method() {
            format!("; `once` does not help: {event} only fires when `{receiver}` ends")
        } else if never_aborted.is_some() {
            "; its `signal` comes from a controller that is never aborted".to_string()
        } else if registration.handler_is_anonymous() {
            "; the listener is an inline function, so no `off` can ever remove it".to_string()
        } else {
            String::new()
        };
        let keeps = match captures::retained_by_callback(Some(registration.handler), ctx.model()) {
            Retained::Captures(names) => format!(
                "; this one keeps {} alive",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Retained::Nothing | Retained::Callback(_) => String::new(),
        };
        let message = format!(
            "listener for {event} on `{receiver}` is added {context} and never removed: \
             {consequence}{why_not_removed}{keeps}"
        );
        let off_method = if registration.method == "addEventListener" {
            "removeEventListener"
        } else {
            "off"
        };
        let help = if runs == FunctionRuns::PerRequest {
            format!(
                "keep the listener in a named function and remove it when the request or \
                 connection ends (`res.on('close', () => {receiver}.{off_method}({event}, \
                 listener))`), use `once` if one event is enough, or pass `{{ signal }}` and abort \
                 the controller on close"
            )
        } else {
            format!(
                "keep the listener in a named function and return or store a disposer that calls \
                 `{receiver}.{off_method}({event}, listener)`, or use `once` if one event is enough"
            )
        };
        let primary = match runs {
            FunctionRuns::PerRequest => "added on every request",
            _ => "added on every call",
        };
        let mut diagnostic = Diagnostic::finding(
            ID,
            severity,
            message,
            Label::new(byte_span(call.callee.span()), primary),
        )
        .with_help(help);
        if let Some(signal) = never_aborted {
            diagnostic = diagnostic.with_secondary(
                Label::new(
                    byte_span(signal),
                    "nothing calls `abort()` on this signal's controller",
                )
                .with_role(Role::Release),
            );
        } else if registration.handler_is_anonymous() {
            let head = first_line(source, registration.handler.span());
            diagnostic = diagnostic.with_secondary(
                Label::new(
                    byte_span(head),
                    "inline listener: nothing can pass it to `off`",
                )
                .with_role(Role::Release),
            );
        }
        ctx.report(diagnostic);
    }
}

/// A listener whose removals all name another function object: the code means to remove it, and
/// by identity it cannot. Whatever owns the registration, each run leaves one more listener (a
/// `once` listener until its event fires).
fn removal_misses<'a>(
    registration: &Registration<'_, 'a>,
    runs: FunctionRuns,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    if registration.signal().is_some() || registration.result_is_kept(ctx.model()) {
        return None;
    }
    let misses = protocols::removals_that_miss(registration, ctx.model());
    let first = *misses.first()?;
    let source = ctx.source_text();
    let nodes = ctx.nodes();
    let event = registration.event_label(source);
    let receiver = registration.receiver_label(source);
    let AstKind::CallExpression(removal) = nodes.kind(first) else {
        return None;
    };
    let removed = removal.arguments.get(1).and_then(|a| a.as_expression())?;
    let why = if protocols::is_fresh_function(removed) {
        "passes a new function, which was never added"
    } else if registration.handler_is_anonymous() {
        "names another function: the one added was made in the call and never kept"
    } else {
        "names another function than the one added"
    };
    let until = if registration.is_once_method() {
        format!(", and it stays until {event} fires")
    } else {
        String::new()
    };
    let (severity, each) = match runs {
        FunctionRuns::PerRequest => (Severity::Error, "every request adds another"),
        _ => (Severity::Warning, "every call adds another"),
    };
    let removal_line = super::line_of(ctx, first);
    let message = format!(
        "listener for {event} on `{receiver}` is never removed: the removal at line \
         {removal_line} {why}, so it removes nothing; {each}{until}"
    );
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(
            byte_span(registration.call.callee.span()),
            "listener added here",
        ),
    )
    .with_help(
        "keep the function you add (`this.onDrain = this.flush.bind(this)` once, or a named \
         function) and pass that same function to `off`",
    );
    for &miss in misses.iter().take(3) {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(nodes.kind(miss).span()),
                "removes nothing: not the function that was added",
            )
            .with_role(Role::Release),
        );
    }
    Some(diagnostic)
}

/// Methods that start (or restart) an instance, which run again after its teardown.
/// Not `init`/`setup`/`boot`: they run once, after the instance is made, as start-up code does
/// (see `guards::START_UP_NAMES`).
const START_METHODS: &[&str] = &[
    "start",
    "listen",
    "connect",
    "open",
    "attach",
    "mount",
    "enable",
    "resume",
    "subscribe",
    "bind",
    "activate",
    "run",
];

/// Whether a method is a start of the instance or reached from one.
fn starts_the_instance(
    class: leaklint_model::Class,
    method: &leaklint_model::Method<'_>,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let model = ctx.model();
    let is_start = |m: &leaklint_model::Method<'_>| {
        m.name
            .is_some_and(|name| leaklint_model::guards::is_named_like(name, START_METHODS))
    };
    is_start(method)
        || model.methods(class).iter().any(|m| {
            !m.constructor
                && is_start(m)
                && model
                    .reached_from(class, m.function)
                    .contains(&method.function)
        })
}

/// A listener an instance adds to an object it does not own (`process`, a module's shared
/// client, an emitter handed to its constructor), which the instance's end does not remove.
///
/// - With a teardown method, the instance has an end, and what it added to a global or shared
///   object outlives it; what it added to an object handed to it outlives the end when it is
///   added again by a method that runs after the teardown (`listen()` after `close()`), not by
///   the constructor: the handed object may well die with the instance.
/// - Without one, the instance has no end: a finding when its constructor adds to an object that
///   outlives it and the file makes instances repeatedly (per request, or in a method of an
///   object that is itself opened and closed).
fn not_released_by_instance<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let (class, method) = model.instance_owner(node)?;
    if registration.is_once_method()
        || registration.signal().is_some()
        || registration.result_is_kept(ctx.model())
        || handler_is_callers(registration, node, ctx)
        || is_deduplicated(registration, node, ctx)
    {
        return None;
    }
    let holder = model.place(registration.receiver)?;
    let outside = model.outside_instance(class, &holder)?;
    let teardowns = model.teardowns(class);
    if teardowns.iter().any(|t| t.function == method.function) {
        return None;
    }
    let places = model.handed_in_places(class, &holder);
    if protocols::is_removed_from(registration, &places, ctx.model())
        || std::iter::once(&holder)
            .chain(&places)
            .any(|place| model.ended_by(class, place).is_some())
    {
        return None;
    }
    let at_creation = method.constructor || model.called_by_constructor(class, &method);
    let (severity, consequence, evidence) = match teardowns.first() {
        Some(teardown) => {
            // Added as the instance is made: one per instance. That outlives the instance's
            // end on a global or shared object, but matters only when the file makes instances
            // repeatedly; on an object handed in, which may die with the instance, never.
            let made_again = if at_creation {
                if matches!(outside, Outside::HandedIn(_)) {
                    return None;
                }
                Some(ctx.model().made_again(class)?)
            } else {
                // Runs again after the teardown only if it belongs to the instance's start
                // (`listen()`, `start()`, `connect()`, or what one of them calls): a method
                // only other code calls (`registerSignals()`, an `onExit(cb)` API) may run once.
                if !starts_the_instance(class, &method, ctx) {
                    return None;
                }
                None
            };
            let mut evidence: Vec<Label> = teardowns
                .iter()
                .map(|t| {
                    Label::new(
                        byte_span(t.span),
                        "the instance ends here without removing it",
                    )
                    .with_role(Role::Teardown)
                })
                .collect();
            if let Some((creation, why)) = made_again {
                evidence.push(
                    Label::new(
                        byte_span(ctx.nodes().kind(creation).span()),
                        format!("a new instance {why}"),
                    )
                    .with_role(Role::Repeats),
                );
            }
            let consequence = format!(
                "its teardown `{}()` (line {}) does not remove it: {}",
                teardown.name.unwrap_or("teardown"),
                super::line_of(ctx, teardown.function),
                if at_creation {
                    "every instance that ends leaves it behind, and it keeps the instance alive"
                } else {
                    "each time it runs again after the teardown it adds one more"
                }
            );
            (Severity::Warning, consequence, evidence)
        }
        None => {
            let outlives = match outside {
                Outside::Global | Outside::Shared => true,
                // What the `new` passes: a module's object, or the creator's own `this` (the
                // creation is in another class's method, see `made_again`).
                // Or the transport of a request handed in (`res.connection`, `req.socket`): with
                // keep-alive it carries request after request and outlives each.
                Outside::HandedIn(_) => {
                    is_transport(&holder)
                        || places.iter().any(|place| match place.root {
                            PlaceRoot::Symbol(symbol) => model.is_module_level(symbol),
                            PlaceRoot::This(owner) => owner != Some(class.node),
                            PlaceRoot::Global(_) | PlaceRoot::AnyObject => false,
                        })
                }
            };
            if !at_creation || !outlives {
                return None;
            }
            let (creation, why) = ctx.model().made_again(class).or_else(|| {
                is_transport(&holder)
                    .then(|| made_per_request(class, ctx))
                    .flatten()
            })?;
            let runs = model.runs_at(creation);
            let consequence = format!(
                "{} has no teardown that could remove it, and the instance made at line {} is made \
                 again {why}",
                ctx.model().class_label(class),
                super::line_of(ctx, creation)
            );
            let evidence = vec![Label::new(
                byte_span(ctx.nodes().kind(creation).span()),
                format!("a new instance {why}"),
            )
            .with_role(Role::Repeats)];
            let severity = if runs == FunctionRuns::PerRequest {
                Severity::Error
            } else {
                Severity::Warning
            };
            (severity, consequence, evidence)
        }
    };
    let source = ctx.source_text();
    let event = registration.event_label(source);
    let receiver = registration.receiver_label(source);
    let whose = match outside {
        Outside::Global => "a global",
        Outside::Shared => "shared by the whole module",
        Outside::HandedIn(_) => "handed to the constructor, not made by the instance",
    };
    let added_in = match (method.constructor, method.name) {
        (true, _) => "its constructor".to_string(),
        (false, Some(name)) => format!("`{name}()`"),
        (false, None) => "a method".to_string(),
    };
    let message = format!(
        "{} adds a listener for {event} to `{receiver}` ({whose}) in {added_in}, and {consequence}",
        ctx.model().class_label(class)
    );
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(
            byte_span(registration.call.callee.span()),
            "added to an object the instance does not own",
        ),
    )
    .with_help(format!(
        "keep the listener (a method bound once, or a named function) and remove it with \
         `{receiver}.off({event}, listener)` in the teardown method"
    ))
    .with_secondary(
        Label::new(
            byte_span(registration.receiver.span()),
            format!("holds the listener: {whose}, it outlives the instance"),
        )
        .with_role(Role::Holder),
    );
    for label in evidence {
        diagnostic = diagnostic.with_secondary(label);
    }
    Some(diagnostic)
}

/// An `abort` listener added to a signal the call was handed (`signal`, `options.signal`,
/// `{ signal }`): the caller's controller may live for the whole process (one shutdown signal
/// for every task), and `{ once: true }` removes the listener only if the signal aborts. Each
/// call that ends otherwise leaves one listener, and its closure, on the caller's signal.
fn on_callers_signal<'a>(
    registration: &Registration<'_, 'a>,
    runs: FunctionRuns,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    if registration.method != "addEventListener"
        || registration
            .event
            .and_then(leaklint_model::ast_util::string_value)
            != Some("abort")
        || registration.result_is_kept(ctx.model())
        || protocols::is_removed(registration, ctx.model())
    {
        return None;
    }
    let holder = model.place(registration.receiver)?;
    let PlaceRoot::Symbol(root) = holder.root else {
        return None;
    };
    // A framework's request (`request.signal` in a route handler) ends with the request.
    let handed_by = model.parameter_owner(root)?;
    if model.is_handler_parameter(root) {
        return None;
    }
    // What the listener keeps must be the call's own: its promise, its timer, its controller.
    // A listener that keeps only long-lived things (`() => this.close()`) costs nothing extra.
    let function = as_function_node(strip(registration.handler)).or_else(|| {
        let Expression::Identifier(ident) = strip(registration.handler) else {
            return None;
        };
        ctx.model()
            .const_init(model.symbol_of(ident)?)
            .and_then(as_function_node)
    })?;
    let call_span = ctx.nodes().kind(handed_by).span();
    let scoping = ctx.semantic().scoping();
    let keeps_the_calls_state = captures::captured_references(function, ctx.model())
        .into_iter()
        .any(|(_, symbol)| {
            symbol != root && {
                let declared = scoping.symbol_span(symbol);
                call_span.start <= declared.start && declared.end <= call_span.end
            }
        });
    if !keeps_the_calls_state {
        return None;
    }
    let function = model
        .function(handed_by)
        .and_then(|facts| facts.name)
        .map_or_else(|| "the function".to_string(), |name| format!("`{name}`"));
    let source = ctx.source_text();
    let receiver = registration.receiver_label(source);
    let once = if registration.is_once_method() {
        "; `{ once: true }` removes it only if the signal aborts"
    } else {
        ""
    };
    let severity = severity_of(runs);
    let message = format!(
        "abort listener added to `{receiver}`, a signal the caller hands to {function}, and never \
         removed{once}: a caller that passes one long-lived signal to many calls collects one \
         listener, and its closure, per call"
    );
    Some(
        added_on_every_call(registration, severity, message)
            .with_secondary(
                Label::new(
                    byte_span(ctx.semantic().scoping().symbol_span(root)),
                    "handed in by the caller",
                )
                .with_role(Role::Holder),
            )
            .with_help(format!(
            "keep the listener in a variable and call `{receiver}.removeEventListener('abort', \
             listener)` when the work settles (in `finally`, or wherever it resolves and rejects)"
        )),
    )
}

/// `emitter.on(event, …)` in a promise's executor, whose listener settles the promise: the
/// promise settles once, the listener stays on an emitter that outlives the call, and every
/// call adds one more (what `once` is for).
fn settles_a_promise<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    runs: FunctionRuns,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    if registration.is_once_method()
        || registration.signal().is_some()
        || registration.result_is_kept(ctx.model())
        || protocols::is_removed(registration, ctx.model())
    {
        return None;
    }
    let executor = model.enclosing_function(node)?;
    let settlers = model.promise_settlers(executor)?;
    // The emitter must outlive the call: the instance's own or a field of it, or a module's,
    // and not one the call has just made (`this.server = listen(); this.server.on(…)`). An
    // event that fires once in the emitter's life (`close`, `end`, `finish`) needs no `once`.
    if registration.waits_for_end_of_life()
        || registration
            .event
            .and_then(leaklint_model::ast_util::string_value)
            .is_some_and(|event| matches!(event, "end" | "finish" | "close" | "exit"))
        || !outlives_the_call(registration, node, ctx)
    {
        return None;
    }
    let handler = values::function_held_by(registration.handler, ctx.model())?;
    let settle = ctx.nodes_within(handler).find(|inner| {
        matches!(inner.kind(), AstKind::CallExpression(call)
            if matches!(strip(&call.callee), Expression::Identifier(ident)
                if model.symbol_of(ident).is_some_and(|s| settlers.contains(&Some(s)))))
    })?;
    let source = ctx.source_text();
    let event = registration.event_label(source);
    let receiver = registration.receiver_label(source);
    let severity = severity_of(runs);
    let message = format!(
        "listener for {event} on `{receiver}` settles a promise but is added with `on`: it stays \
         after the promise settles, and every call adds one more"
    );
    Some(
        added_on_every_call(registration, severity, message)
            .with_secondary(
                Label::new(
                    byte_span(settle.kind().span()),
                    "settles the promise once; the listener stays",
                )
                .with_role(Role::Release),
            )
            .with_help(format!(
            "use `{receiver}.once({event}, …)`, or remove the listener where it settles the promise"
        )),
    )
}

/// `this.once(request.requestId, …)`: a `once` listener for an event named by the call, on an
/// emitter that outlives it. It goes when that event fires; a call whose event never comes (a
/// reply lost with the connection, a timeout) leaves it there for good, one per such call.
fn once_for_a_per_call_event<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    runs: FunctionRuns,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let event = registration.event?;
    if !registration.is_once_method()
        || registration.result_is_kept(ctx.model())
        || protocols::is_removed(registration, ctx.model())
        || !outlives_the_call(registration, node, ctx)
    {
        return None;
    }
    // The function that was called: the nearest one that is not an arrow or a callback of it.
    let nodes = ctx.nodes();
    let mut called = model.enclosing_function(node)?;
    while matches!(nodes.kind(called), AstKind::ArrowFunctionExpression(_))
        || model.promise_settlers(called).is_some()
    {
        called = model.enclosing_function(nodes.parent_id(called))?;
    }
    if is_own_parameter(Some(event), called, ctx)
        || !protocols::event_is_per_call(event, called, ctx.model())
    {
        return None;
    }
    let source = ctx.source_text();
    let receiver = registration.receiver_label(source);
    let event_text = leaklint_model::ast_util::short_text(source, event.span());
    let message = format!(
        "`once` listener on `{receiver}` for an event named by each call (`{event_text}`) is \
         removed only when that event fires: a call whose event never comes (a lost reply, a \
         dropped connection, a timeout) leaves its listener, and its closure, for good"
    );
    Some(
        added_on_every_call(registration, severity_of(runs), message)
            .with_secondary(
                Label::new(byte_span(event.span()), "a new event name per call")
                    .with_role(Role::Repeats),
            )
            .with_help(format!(
                "remove it where the call gives up (`{receiver}.removeAllListeners({event_text})` \
                 on timeout, close or error), or keep pending calls in a map that those paths \
                 clear"
            )),
    )
}

/// Whether the emitter outlives the call that adds to it: the instance's own or a field of it,
/// a module's, a global, and not one the call has just made.
fn outlives_the_call<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    if guards::replaced_earlier_in_function(registration.receiver, node, ctx.model()) {
        return false;
    }
    let Some(holder) = model.place(registration.receiver) else {
        return false;
    };
    if guards::assigned_before_in_function(&holder, node, ctx.model()) {
        return false;
    }
    match holder.root {
        PlaceRoot::This(_) => true,
        PlaceRoot::Symbol(symbol) => model.is_module_level(symbol),
        PlaceRoot::Global(name) => leaklint_model::GLOBAL_OBJECTS.contains(&name),
        PlaceRoot::AnyObject => false,
    }
}

/// Libraries that add a listener to `process` for its exit and return the function that
/// removes it: (module, export; `None` for the default export or the module itself).
const EXIT_HOOKS: &[(&str, Option<&str>)] = &[
    ("signal-exit", None),
    ("signal-exit", Some("onExit")),
    ("exit-hook", None),
    ("death", None),
];

/// `onExit(() => cleanup(req))` per request or call, with the remover it returns discarded:
/// `process` keeps every one of them, and each keeps its closure, until the process exits.
fn exit_hook_not_removed<'a>(
    call: &CallExpression<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let Expression::Identifier(callee) = strip(&call.callee) else {
        return None;
    };
    let origin = model.import_origin(model.symbol_of(callee)?)?;
    let (module, _) = EXIT_HOOKS
        .iter()
        .find(|(module, export)| origin.is_module(module) && origin.export == *export)?;
    let runs = model.runs_at(node);
    let (_, parent) = leaklint_model::ast_util::value_parent(ctx.semantic(), node);
    if runs.is_once() || !matches!(parent, AstKind::ExpressionStatement(_)) {
        return None;
    }
    let context = match model.request_context(node) {
        Some(why) => format!("inside {why}"),
        None => "in a function that can run many times".to_string(),
    };
    let keeps = match captures::retained_by_callback(
        call.arguments.first()?.as_expression(),
        ctx.model(),
    ) {
        captures::Retained::Captures(names) => format!(
            ", and each keeps {} alive",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    let message = format!(
        "`{}(…)` from `{module}` adds a listener to `process` {context} and discards the function \
         that removes it: `process` keeps one more for every run until it exits{keeps}",
        callee.name
    );
    Some(
        Diagnostic::finding(
            ID,
            severity_of(runs),
            message,
            Label::new(byte_span(call.callee.span()), "remover discarded"),
        )
        .with_help(format!(
            "keep what `{}(…)` returns and call it when the work is done (`const remove = {}(…); \
             res.on('finish', remove)`)",
            callee.name, callee.name
        )),
    )
}

/// An error per request, a warning otherwise (per call, with no evidence of more).
fn severity_of(runs: FunctionRuns) -> Severity {
    if runs == FunctionRuns::PerRequest {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// The finding at the registration of a listener the call adds each time it runs.
fn added_on_every_call(
    registration: &Registration<'_, '_>,
    severity: Severity,
    message: String,
) -> Diagnostic {
    Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(
            byte_span(registration.call.callee.span()),
            "added on every call",
        ),
    )
}

/// Whether the file shows that the code at `node` runs again: its function (or a caller) is a
/// listener, handed out, a component's effect or hook (see the model's `runs_again`), or it is
/// the constructor of a class the file makes per request or in code that runs again.
fn has_evidence_of_repetition(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    if model.runs_again(function).is_some() {
        return true;
    }
    model.instance_owner(node).is_some_and(|(class, method)| {
        method.constructor
            && model.creations(class).into_iter().any(|creation| {
                model.request_context(creation).is_some()
                    || model
                        .enclosing_function(creation)
                        .and_then(|f| model.runs_again(f))
                        .is_some()
            })
    })
}

/// A listener added to an emitter by code that runs on the emitter's own events: `subscribe(client,
/// topic)` adds `client.once('close', …)` and is called from `client.on('message', …)`. Every
/// message adds one more, and each stays until the emitter ends.
fn added_on_its_own_events<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    if registration.is_once() || protocols::is_removed(registration, model) {
        return None;
    }
    let Expression::Identifier(receiver) = strip(registration.receiver) else {
        return None;
    };
    let parameter = model.symbol_of(receiver)?;
    let function = model.enclosing_function(node)?;
    if model.parameter_owner(parameter) != Some(function) {
        return None;
    }
    let index = model.parameter_index(parameter)?;
    // A function that ends the emitter (`stream.destroy(err); stream.once('close', …)`) adds
    // a listener for its end, which comes now.
    let receiver_place = model.place(registration.receiver)?;
    let ends_it = ctx.nodes_within(function).any(|inner| {
        let AstKind::CallExpression(call) = inner.kind() else {
            return false;
        };
        as_member(&call.callee).is_some_and(|member| {
            member_name(member)
                .is_some_and(|name| leaklint_model::END_METHODS.contains(&name) || name == "abort")
                && model
                    .place(member.object())
                    .is_some_and(|ended| ended.same_place(&receiver_place))
        })
    });
    if ends_it {
        return None;
    }
    let nodes = ctx.nodes();
    let (call, outer) = model.calls_of(function).into_iter().find_map(|call_id| {
        let AstKind::CallExpression(call) = nodes.kind(call_id) else {
            return None;
        };
        let passed = model.place(call.arguments.get(index)?.as_expression()?)?;
        // The function the call is in, registered as a listener on what it passes.
        let caller = model.enclosing_function(call_id)?;
        let (_, AstKind::CallExpression(outer)) =
            leaklint_model::ast_util::value_parent(ctx.semantic(), caller)
        else {
            return None;
        };
        let outer_registration = Registration::of(outer)?;
        (outer_registration.handler.span() == nodes.kind(caller).span()
            && !outer_registration.is_once()
            && model
                .place(outer_registration.receiver)
                .is_some_and(|emitter| emitter.same_place(&passed)))
        .then_some((call_id, outer))
    })?;
    let source = ctx.source_text();
    let event = registration.event_label(source);
    let outer_registration = Registration::of(outer)?;
    let outer_event = outer_registration.event_label(source);
    let emitter = outer_registration.receiver_label(source);
    let name = model
        .function(function)
        .and_then(|facts| facts.name)
        .map_or_else(|| "this function".to_string(), |n| format!("`{n}`"));
    Some(
        Diagnostic::finding(
            ID,
            Severity::Warning,
            format!(
                "listener for {event} is added to `{emitter}` by {name}, which runs on every \
                 {outer_event} of `{emitter}` itself, and is never removed: each {outer_event} \
                 adds one more, and each stays until `{emitter}` ends"
            ),
            Label::new(
                byte_span(registration.call.callee.span()),
                "added again on every event",
            ),
        )
        .with_secondary(
            Label::new(
                byte_span(outer.callee.span()),
                format!("{name} runs for every {outer_event} of `{emitter}`"),
            )
            .with_role(Role::Repeats),
        )
        .with_secondary(
            Label::new(byte_span(nodes.kind(call).span()), "called here").with_role(Role::Context),
        )
        .with_help(format!(
            "add the {event} listener once per `{emitter}` (where {outer_event} is subscribed), or \
             remove it when the work it is for is done"
        )),
    )
}

/// A request's or response's socket, read through the object handed in (`this.res.connection`,
/// `req.socket`).
fn is_transport(place: &Place<'_>) -> bool {
    matches!(
        place.fields.as_slice(),
        [
            ..,
            Field::Public("req" | "res" | "request" | "response"),
            Field::Public("socket" | "connection")
        ]
    )
}

/// A `new` of the class in a function that takes a request's `req` or `res` and passes it on:
/// each instance belongs to one request, and the file makes one per request it is given.
fn made_per_request(
    class: leaklint_model::Class,
    ctx: &RuleContext<'_, '_>,
) -> Option<(NodeId, String)> {
    let model = ctx.model();
    model.creations(class).into_iter().find_map(|creation| {
        let AstKind::NewExpression(new) = ctx.nodes().kind(creation) else {
            return None;
        };
        let function = model.enclosing_function(creation)?;
        let passes_request = new.arguments.iter().any(|argument| {
            matches!(argument.as_expression().map(strip), Some(Expression::Identifier(ident))
                if matches!(ident.name.as_str(), "req" | "res" | "request" | "response")
                    && model.symbol_of(ident).and_then(|s| model.parameter_owner(s)) == Some(function))
        });
        let name = model.function(function).and_then(|facts| facts.name)?;
        passes_request.then(|| {
            (
                creation,
                format!("for each request `{name}` is given (it passes the request's own objects)"),
            )
        })
    })
}

/// The listener is the enclosing function's own parameter: its caller chose it and owns its
/// removal (`on(event, listener) { bus.on(event, listener) }`).
fn handler_is_callers<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    ctx.model()
        .enclosing_function(node)
        .is_some_and(|function| is_own_parameter(Some(registration.handler), function, ctx))
}

/// Whether `function`'s caller hands in an expression's value: a parameter of `function`
/// itself, or an element or field of one (`const event = args[0]`).
fn is_own_parameter<'a>(
    expr: Option<&Expression<'a>>,
    function: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    expr.is_some_and(|expr| ctx.model().handed_in_by(expr) == Some(function))
}

/// `on(event, listener) { this.bus.on(event, listener); }`: an `on`-like method that passes its
/// caller's event and listener through, the emitter's own API under another name. Whether
/// listeners pile up is decided where it is called.
fn is_forwarding_wrapper<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    let named_like_registration = model
        .function(function)
        .and_then(|facts| facts.name)
        .is_some_and(|name| {
            matches!(
                name,
                "on" | "addListener" | "prependListener" | "addEventListener" | "subscribe"
            )
        });
    named_like_registration
        && is_own_parameter(Some(registration.handler), function, ctx)
        && is_own_parameter(registration.event, function, ctx)
}

/// A registration in the constructor of a class this file never instantiates: whether that
/// class is made once (a service subscribing to a bus, by far the common case) or per request is
/// decided in another file, and a finding here would be a guess.
fn in_constructor_of_class_made_elsewhere(node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    let AstKind::MethodDefinition(method) = nodes.parent_kind(function) else {
        return false;
    };
    if method.kind != oxc_ast::ast::MethodDefinitionKind::Constructor {
        return false;
    }
    // MethodDefinition → ClassBody → Class
    let class_id = nodes.parent_id(nodes.parent_id(nodes.parent_id(function)));
    let AstKind::Class(class) = nodes.kind(class_id) else {
        return false;
    };
    let Some(symbol) =
        values::class_binding(class_id, class, ctx.model()).and_then(|id| id.symbol_id.get())
    else {
        return true;
    };
    let scoping = ctx.semantic().scoping();
    !scoping.get_resolved_references(symbol).any(|reference| {
        let id = reference.node_id();
        matches!(nodes.parent_kind(id), AstKind::NewExpression(new)
            if new.callee.span() == nodes.kind(id).span())
    })
}

/// `EventTarget.addEventListener` ignores a listener it already holds for the same event and
/// capture flag, so one function object added again and again is added once: a function declared
/// in code that runs once (a module-level `function onResize` or `const onResize = () => …`, a
/// method of a module-level object literal), or a method reference `this.handleX` that the
/// function does not itself reassign. An inline function or `f.bind(…)` is a new object each
/// time, and Node's `EventEmitter` (`on`, `addListener`) keeps duplicates.
fn is_deduplicated<'a>(
    registration: &Registration<'_, 'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    registration.method == "addEventListener" && is_stable_function(registration.handler, node, ctx)
}

fn is_stable_function<'a>(
    handler: &Expression<'a>,
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    match strip(handler) {
        Expression::Identifier(ident) => model
            .symbol_of(ident)
            .is_some_and(|symbol| is_function_declared_once(symbol, ctx)),
        other => {
            let Some(member) = as_member(other) else {
                return false;
            };
            let Some(name) = member_name(member) else {
                return false;
            };
            match strip(member.object()) {
                // `this.onScroll`, unless this function stores a new one there first.
                Expression::ThisExpression(_) => {
                    let Some(path) = model.place(other) else {
                        return false;
                    };
                    !reassigned_in_function(&path, node, ctx)
                }
                // `UI.updateFullscreenButton` of `const UI = { updateFullscreenButton() {…} }`.
                Expression::Identifier(object) => model.symbol_of(object).is_some_and(|symbol| {
                    model
                        .runs_at(ctx.semantic().scoping().symbol_declaration(symbol))
                        .is_once()
                        && ctx
                            .model()
                            .const_init(symbol)
                            .and_then(|init| protocols::object_property_value(init, name))
                            .is_some_and(|value| as_function_node(value).is_some())
                }),
                _ => false,
            }
        }
    }
}

/// A `function` declaration, or a `const` bound to a function expression, in code that runs
/// once: one function object for the life of the program.
fn is_function_declared_once(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> bool {
    let scoping = ctx.semantic().scoping();
    let declaration = scoping.symbol_declaration(symbol);
    if scoping.symbol_is_mutated(symbol) || !ctx.model().runs_at(declaration).is_once() {
        return false;
    }
    match ctx.nodes().kind(declaration) {
        AstKind::Function(_) => true,
        AstKind::VariableDeclarator(_) => ctx
            .model()
            .const_init(symbol)
            .is_some_and(|init| as_function_node(init).is_some()),
        _ => false,
    }
}

/// Whether the function around `node` assigns `path` anywhere.
fn reassigned_in_function(path: &Place<'_>, node: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    ctx.nodes_within(function).any(|other| match other.kind() {
        AstKind::AssignmentExpression(assign) => model
            .assignment_place(&assign.left)
            .is_some_and(|target| target.same_place(path)),
        _ => false,
    })
}

/// `process`, `process.stdin`, the `cluster` module: process-wide hooks (signals, `exit`,
/// `uncaughtException`, IPC messages) are installed by start-up code, which a library exports as
/// a function the file never calls. Installed per request they are reported; in a function of
/// unknown call count they are not.
fn is_process_wide(path: Option<&Place<'_>>, ctx: &RuleContext<'_, '_>) -> bool {
    match path.map(|p| p.root) {
        Some(PlaceRoot::Global("process" | "cluster")) => true,
        Some(PlaceRoot::Symbol(symbol)) => ctx
            .model()
            .import_origin(symbol)
            .is_some_and(|origin| origin.is_module("cluster") || origin.is_module("process")),
        _ => false,
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
            "import bus from './bus'; app.get('/x', (req, res) => { bus.on('tick', () => res.write('.')); });",
            "wss.on('connection', (ws) => { process.on('SIGTERM', () => ws.close()); });",
            // evidence that the function runs again: a listener, or a caller that is one
            "const bus = new EventEmitter(); function subscribe(cb) { bus.on('x', cb); } button.addEventListener('click', () => subscribe(log));",
            "const bus = new EventEmitter(); export function restart() { bus.on('exit', cleanup); } process.on('SIGHUP', restart);",
            "export function track() { window.addEventListener('resize', onResize); } document.addEventListener('visibilitychange', track);",
            // `addEventListener` keeps one copy of a function object, not of a new one per call
            "function track(cb) { const onScroll = () => cb(); window.addEventListener('scroll', onScroll); } export const api = { track };",
            "export class T { constructor(el) { el.addEventListener('mouseenter', () => this.show()); } show() { this.onScroll = () => this.hide(); window.addEventListener('scroll', this.onScroll); } hide() {} }",
            "function onTick() {} const bus = new EventEmitter(); function watch() { bus.on('tick', onTick); } bus.on('reload', watch);",
            // removed from another module
            "function f() {} function sub() { require('a').on('x', f); } export function unsub() { require('b').off('x', f); } emitter.on('ready', sub);",
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { const f = () => 1; bus.on('a', f); bus.off('b', f); });",
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { bus.on('a', () => 1); bus.off('a', () => 1); });",
            "app.get('/x', (req, res) => { window.addEventListener('resize', onResize); });",
            "const c = new AbortController(); app.get('/x', (req, res) => { const ctl = new AbortController(); document.addEventListener('x', f, { signal: ctl.signal }); });",
            "class C { @Get() list() { this.events.on('x', () => 1); } }",
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { bus.on('a', f.bind(null)); bus.off('a', f); });",
            // `once` for an event that only fires at the end of the process
            "wss.on('connection', (ws) => { process.once('SIGTERM', () => ws.close()); });",
            // a removal at shutdown does not stop per-request growth
            "const bus = new EventEmitter(); process.on('SIGTERM', () => bus.removeAllListeners()); app.get('/x', (req, res) => { bus.on('t', () => res.write('.')); });",
            // the application hung on the request outlives it
            "app.get('/x', (req, res) => { req.app.locals.bus.on('t', () => res.end()); });",
            // a start-up-like name does not hide a per-request caller
            "const bus = new EventEmitter(); function startStream(res) { bus.on('t', (t) => res.write(t)); } app.get('/s', (req, res) => startStream(res));",
            // a class instantiated per request
            "const bus = new EventEmitter(); class Session { constructor() { bus.on('t', () => 1); } } app.get('/x', (req, res) => { new Session(); });",
            // a replacement behind an `if` leaves the old value on the other path
            "const cp = require('child_process'); let w; app.post('/x', (req, res) => { if (!w) w = cp.fork('w.js'); w.stdout.on('data', (d) => res.write(d)); });",
            // replaced by a value that outlives the call
            "const config = require('./config'); let s; app.post('/x', (req, res) => { s = config; s.watcher.on('change', () => res.end()); });",
        ] {
            assert_reports(&META, source, "a.ts", 1);
        }
    }

    /// A function that could run many times, in a file that shows no sign that it does: an
    /// exported setup function is as common as an exported subscribe, so nothing is said.
    #[test]
    fn no_evidence_of_repetition_is_not_reported() {
        for source in [
            "const bus = new EventEmitter(); export function subscribe(cb) { bus.on('x', cb); }",
            "const bus = new EventEmitter(); export function restart() { bus.on('exit', cleanup); }",
            "export function track() { window.addEventListener('resize', onResize); }",
            "export function track(cb) { const onScroll = () => cb(); window.addEventListener('scroll', onScroll); }",
            "export class T { show() { this.onScroll = () => this.hide(); window.addEventListener('scroll', this.onScroll); } }",
            "function onTick() {} const bus = new EventEmitter(); export function watch() { bus.on('tick', onTick); }",
            "function f() {} export function sub() { require('a').on('x', f); } export function unsub() { require('b').off('x', f); }",
            // called, but only from code that runs once, however many times it is written
            "const bus = new EventEmitter(); function wire() { bus.on('x', () => 1); } if (a) wire(); else wire();",
        ] {
            assert_clean(&META, source, "a.ts");
        }
    }

    #[test]
    fn clean() {
        for source in [
            // start-up code
            "const bus = new EventEmitter(); bus.on('x', f);",
            "process.on('SIGTERM', shutdown);",
            // once
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { bus.once('x', () => res.end()); });",
            "app.get('/x', (req, res) => { window.addEventListener('x', f, { once: true }); });",
            // request-scoped receivers
            "app.get('/x', (req, res) => { req.on('close', f); res.on('finish', g); });",
            "io.on('connection', (socket) => { socket.on('chat', (m) => io.emit('chat', m)); });",
            "app.get('/x', (req, res) => { const e = new EventEmitter(); e.on('x', f); });",
            "app.get('/x', (req, res) => { const s = fs.createReadStream(p); s.on('data', f); });",
            // removed
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { const f = () => res.write('.'); bus.on('t', f); req.on('close', () => bus.off('t', f)); });",
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { const f = () => 1; bus.on('t', f); res.on('close', () => bus.removeListener('t', f)); });",
            "const bus = new EventEmitter(); export function sub(cb) { bus.on('o', cb); return () => bus.off('o', cb); }",
            "const bus = new EventEmitter(); const EV = 'o'; export function sub(cb) { bus.on(EV, cb); return () => bus.off('o', cb); }",
            "const bus = new EventEmitter(); app.get('/x', (req, res) => { bus.on('t', () => 1); req.on('close', () => bus.removeAllListeners('t')); });",
            // signals
            "app.get('/x', (req, res) => { const c = new AbortController(); window.addEventListener('x', f, { signal: c.signal }); res.on('close', () => c.abort()); });",
            "app.get('/x', (req, res) => { window.addEventListener('x', f, { signal: req.signal }); });",
            // guards
            "let installed = false; export function install() { if (!installed) { installed = true; process.on('exit', cleanup); } }",
            "let installed = false; export function install() { if (installed) return; installed = true; process.on('exit', cleanup); }",
            "export function install() { if (process.listenerCount('exit') === 0) process.on('exit', cleanup); }",
            // a singleton's constructor runs once
            "const bus = new EventEmitter(); class Notifier { constructor() { bus.on('t', () => 1); } } module.exports = new Notifier();",
            // this.x outside per-request methods
            "class S { constructor() { this.bus.on('x', f); } }",
            // start-up by name, helpers shaped (target, event, listener), re-created receivers
            "export class Server { listen() { process.on('message', (m) => this.onMessage(m)); } }",
            "export function installSignalHandlers() { process.on('SIGTERM', stop); }",
            "export const destroyOnSignal = (app) => { ['SIGTERM', 'SIGINT'].forEach((s) => process.on(s, () => app.stop())); };",
            "import cluster from 'node:cluster'; export function fork() { cluster.on('exit', () => cluster.fork()); }",
            "module.exports = { init: function (runtime) { runtime.events.on('x', f); } };",
            "const bus = require('./bus'); export function wire(el) { bus.on('click', '.row', onRow); }",
            "const net = require('net'); const socket = net.connect(9000, () => { socket.on('data', print); });",
            "const util = require('./util'); export function connect(socket) { util.addListener(socket, 'error', onError); }",
            "const mysql = require('mysql2'); let con; export async function query(sql) { if (!con) { con = mysql.createConnection(opts); con.on('error', reset); } }",
            "const signals = ['SIGTERM', 'SIGINT']; export function hook(cleanup) { signals.forEach((signal) => process.on(signal, cleanup)); return () => signals.forEach((s) => process.removeListener(s, cleanup)); }",
            // guarded by a queue's length, self-removing, feature detection
            "const queue = []; export function onReady(f) { if (!queue.length) { document.addEventListener('DOMContentLoaded', run); } queue.push(f); }",
            "export function ready(f) { document.addEventListener('DOMContentLoaded', function once() { document.removeEventListener('DOMContentLoaded', once); f(); }); }",
            "export function passive() { window.addEventListener('test', null, { get passive() { return true; } }); }",
            // kept result: an unsubscribe function
            "const store = createStore(); export function watch(cb) { const off = store.on('change', cb); return off; }",
            // not a registration
            "import { on } from 'events'; export async function f() { for await (const e of on(bus, 'x')) {} }",
            // listeners on members of a value this call created or was handed
            "const cp = require('child_process'); let child; export function run(a) { child = cp.execFile('x', a); child.stdout.on('data', print); }",
            "const https = require('https'); const dl = {}; export function get(o) { dl[o.name] = o; dl[o.name].req = https.get(o.url); dl[o.name].req.on('error', () => 1); }",
            "let io; export function setSocketIO(server) { io = server; io.sockets.on('connection', (c) => 1); }",
            // `addEventListener` ignores the same function object added again
            "function onResize() {} export function track() { window.addEventListener('resize', onResize); }",
            "const onKey = (e) => 1; export function track() { document.addEventListener('keydown', onKey, true); }",
            "export class D { open() { document.addEventListener('click', this.onClick); } onClick() {} }",
            "const UI = { add() { window.addEventListener('resize', UI.update); }, update() {} }; export default UI;",
            // the same module, required twice or bound once
            "const pm = require('pm'); function f() {} export function sub() { require('pm').on('x', f); } export function unsub() { pm.off('x', f); }",
            // the same element through two aliases
            "function f() {} export function lock() { const body = document.body; body.on('x', f); } export function unlock() { const b = document.body; b.off('x', f); }",
            // removed by walking stored records
            "const bus = require('./bus'); app.get('/x', (req, res) => { const subs = ['a', 'b'].map((n) => { const l = () => res.write(n); bus.on(n, l); return [n, l]; }); req.on('close', () => { for (const [n, l] of subs) bus.off(n, l); }); });",
            // start-up code assigned to an export
            "const bus = require('./bus'); module.exports.init = function () { bus.on('x', () => 1); };",
            "const bus = require('./bus'); exports.setupHooks = () => { bus.on('x', () => 1); };",
        ] {
            assert_clean(&META, source, "a.ts");
        }
    }

    #[test]
    fn severity_and_message() {
        assert_eq!(
            severities(
                &META,
                "app.post('/join', (req, res) => { process.on('message', (m) => res.write(m)); });",
                "a.js"
            ),
            [Severity::Error]
        );
        let found = run_rule(
            &META,
            "const bus = new EventEmitter(); function subscribe() { bus.on('x', () => 1); } button.addEventListener('click', subscribe);",
            "a.js",
            None,
        );
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0]
                .message
                .contains("in `subscribe`, which can run many times")
                && found[0].message.contains("inline function"),
            "{}",
            found[0].message
        );
        let found = run_rule(
            &META,
            "const bus = new EventEmitter(); app.post('/join-room', (req, res) => { bus.on('msg', onMsg); });",
            "a.js",
            None,
        );
        assert!(
            found[0]
                .message
                .contains("listener for 'msg' on `bus` is added inside the Express handler for POST /join-room"),
            "{}",
            found[0].message
        );
        let found = run_rule(
            &META,
            "const bus = new EventEmitter(); app.get('/s', (req, res) => { bus.on('t', (t) => res.write(t)); });",
            "a.js",
            None,
        );
        assert!(
            found[0].message.ends_with("this one keeps `res` alive"),
            "{}",
            found[0].message
        );
    }
}
