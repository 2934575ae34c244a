//! `uncleared-interval`: a `setInterval` whose handle is discarded, or stored but never passed
//! to `clearInterval`. Created per request, every request adds a timer that runs forever and
//! keeps its callback's closure (often the request) alive.

use std::sync::LazyLock;

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{
        argument, as_function_node, as_member, callee_name, expr_node_id, member_name,
        property_key_name, strip, value_parent, written, Written,
    },
    captures::{self, Retained},
    guards, protocols, values, Field, FunctionRuns, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{
        AssignmentOperator, BinaryOperator, BindingPattern, CallExpression, Expression,
        LogicalOperator, MethodDefinitionKind, PropertyKey, Statement, UnaryOperator,
        VariableDeclarationKind,
    },
    AstKind, AstType,
};
use oxc_semantic::{AstNode, NodeId};
use oxc_span::{GetSpan, Span};

use crate::{
    rules::{byte_span, first_line, Markers},
    Rule, RuleContext, RuleMeta,
};

const ID: &str = "uncleared-interval";

fn uncleared_interval_diagnostic(finding: &Finding<'_>) -> Diagnostic {
    let what = match &finding.handle {
        None => "`setInterval` handle is discarded".to_string(),
        Some((name, _)) => format!("interval stored in `{name}` is never cleared"),
    };
    const ONCE_HELP: &str = "clear it in a shutdown handler (`process.on('SIGTERM', …)`), or call \
                             `.unref()` if it must not keep the process alive";
    const PER_CALL_HELP: &str =
        "keep the handle and clear it in the matching stop, close or dispose method";
    const PER_REQUEST_HELP: &str = "keep the handle and call `clearInterval(handle)` when the \
                                    request or connection ends (for example in \
                                    `res.on('close', …)` or `socket.on('disconnect', …)`), or \
                                    use `setTimeout` for one-off work";
    let checked = &finding.guard;
    let (consequence, help) = match (&finding.guarded, finding.runs) {
        (Some(Guarded::Process), _) => (
            format!(
                ": it is started only {checked}, so at most once, and runs for the life of the \
                 process, keeping it from exiting"
            ),
            ONCE_HELP,
        ),
        (Some(Guarded::Each(owner)), runs) => {
            let (inside, help) = match runs {
                FunctionRuns::PerRequest => (
                    format!(
                        " inside {}",
                        finding.context.as_deref().unwrap_or("a request handler")
                    ),
                    PER_REQUEST_HELP,
                ),
                _ => (String::new(), PER_CALL_HELP),
            };
            (
                format!(
                    "{inside}: it is started only {checked}, so {owner} gets one, which runs \
                     forever"
                ),
                help,
            )
        }
        (None, FunctionRuns::PerRequest) => (
            format!(
                " inside {}: every request starts another timer that runs forever",
                finding.context.as_deref().unwrap_or("a request handler")
            ),
            PER_REQUEST_HELP,
        ),
        (None, FunctionRuns::PerCall) => (
            match (&finding.context, finding.per_instance) {
                (_, Some(place)) => format!(
                    " in {place}: every new instance starts another timer that runs forever"
                ),
                // `init()`, `setup()`: set-up code runs once per thing it sets up.
                (Some(name), None)
                    if guards::is_named_like(
                        name,
                        &["init", "initialize", "setup", "install", "bootstrap"],
                    ) =>
                {
                    format!(
                        " in `{name}`, and nothing in this file clears it: each time what it \
                         sets up is set up again, or dropped, one more timer runs forever"
                    )
                }
                (Some(name), None) => {
                    format!(" in `{name}`: every call starts another timer that runs forever")
                }
                (None, None) => " in a function that can run many times: every call starts \
                                  another timer that runs forever"
                    .to_string(),
            },
            PER_CALL_HELP,
        ),
        (None, FunctionRuns::Once) => (
            " at start-up: it runs for the life of the process and keeps it from exiting"
                .to_string(),
            ONCE_HELP,
        ),
    };
    let keeps = match &finding.retained {
        Retained::Nothing => String::new(),
        Retained::Callback(name) => {
            format!("; its callback `{name}` stays reachable with all it references")
        }
        Retained::Captures(names) => format!(
            "; its callback keeps {} alive",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let primary = match finding.handle {
        None => "handle discarded",
        Some(_) => "never cleared",
    };
    let mut diagnostic = Diagnostic::finding(
        ID,
        finding.severity,
        format!("{what}{consequence}{keeps}"),
        Label::new(byte_span(finding.span), primary),
    )
    .with_help(help);
    if let Some((_, span)) = finding.handle {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(span),
                "stored here; no `clearInterval` reaches it",
            )
            .with_role(Role::Holder),
        );
    }
    diagnostic
}

/// See `rules/uncleared-interval.md`.
#[derive(Debug, Clone)]
pub struct UnclearedInterval {
    /// Leave alone a start-up interval that is `.unref()`ed: it cannot keep the process alive
    /// and runs at most once per process.
    allow_unref: bool,
}

impl Default for UnclearedInterval {
    fn default() -> Self {
        Self { allow_unref: true }
    }
}

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "UnclearedInterval",
    description: "setInterval whose handle is discarded or never passed to clearInterval",
    default_severity: Severity::Warning,
    escalated_severity: Some(Severity::Error),
    docs: include_str!("../../../../rules/uncleared-interval.md"),
    tags: &["memory-leak", "timers", "reliability"],
    // Measured on real code, every finding read: 6 true of 7 on the services corpus, none on the
    // benchmark corpus or a corpus it was never tuned on (2026-12-07).
    precision: "high",
    options_schema: r#"{
  "type": "object",
  "properties": {
    "allowUnref": {
      "type": "boolean",
      "default": true,
      "description": "Do not report an interval created once at start-up whose handle is .unref()ed."
    }
  },
  "additionalProperties": false
}"#,
    factory: |options| {
        let mut rule = UnclearedInterval::default();
        if let Some(options) = options {
            let object = options.as_object().ok_or("options must be an object")?;
            for (key, value) in object {
                match key.as_str() {
                    "allowUnref" => {
                        rule.allow_unref =
                            value.as_bool().ok_or("`allowUnref` must be a boolean")?;
                    }
                    other => {
                        return Err(format!("unknown option `{other}` (expected `allowUnref`)"))
                    }
                }
            }
        }
        Ok(Box::new(rule))
    },
};

impl Rule for UnclearedInterval {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn should_run(&self, text: &str) -> bool {
        static MARKERS: LazyLock<Markers> = LazyLock::new(|| Markers::new(&["setInterval"]));
        MARKERS.any_in(text)
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        let AstKind::CallExpression(call) = node.kind() else {
            return;
        };
        if !is_set_interval(call, ctx) {
            return;
        }
        let (place, handle_span, chained_unref, assignment) = match fate(node.id(), ctx) {
            Fate::Escaped => return,
            Fate::Discarded { unrefed } => (None, None, unrefed, None),
            Fate::Stored {
                place,
                span,
                unrefed,
                assignment,
            } => (Some(place), Some(span), unrefed, assignment),
        };
        let mut unrefed = chained_unref;
        if let Some(place) = &place {
            let cleared = match symbol_handle_use(place, ctx) {
                HandleUse::Escaped => return,
                HandleUse::Cleared => true,
                HandleUse::Unrefed => {
                    unrefed = true;
                    false
                }
                HandleUse::Kept => false,
            } || cleared_places(ctx)
                .iter()
                .any(|cleared| cleared.same_place(place));
            if cleared {
                // Cleared only in a hook that runs before the one that starts it.
                if let Some(diagnostic) =
                    cleared_only_before_start(node.id(), place, handle_span, ctx)
                {
                    ctx.report(diagnostic);
                    return;
                }
                // Cleared somewhere; but a second start while the timer runs loses it.
                if let (Some(store), Some(span)) = (assignment, handle_span) {
                    if let Some(diagnostic) =
                        overwritten_while_running(node.id(), store, place, span, ctx)
                    {
                        ctx.report(diagnostic);
                        return;
                    }
                }
                // Cleared somewhere, but not by the instance's end.
                if let Some(diagnostic) =
                    handle_span.and_then(|span| teardown_forgets(node.id(), place, span, ctx))
                {
                    ctx.report(diagnostic);
                }
                return;
            }
        }
        let model = ctx.model();
        let runs = model.runs_at(node.id());
        let handle = handle_span.map(|span| (display(ctx.source_text(), span), span));
        // Code that runs many times but starts its timer only while the handle's place is
        // empty, or only until a latch is set.
        let (guarded, guard) = match (&place, assignment, handle) {
            _ if runs.is_once() => None,
            (Some(place), Some(store), Some((text, _))) => {
                guarded(node.id(), store, place, text, ctx)
                    .map(|owner| (owner, format!("while {} is empty", quoted(text))))
                    .or_else(|| latched(node.id(), ctx))
            }
            _ => latched(node.id(), ctx),
        }
        .unzip();
        let guard = guard.unwrap_or_default();
        let once = runs.is_once() || guarded == Some(Guarded::Process);
        // An owner with an end, or evidence of repetition. A timer started once for the life
        // of the process has no owner it could outlive; outside a request or an instance, "a
        // function that can run many times" needs the file to show that it does. Either way an
        // end beside the code that forgets the timer (`hub.destroy`, `stopPolling`) is one.
        let teardown = scope_teardown(node.id(), ctx);
        // An instance's timer counts as repeated when a method starts it (each call may start
        // another), when instances come and go (the file makes the class again, or the class
        // has an end its instances reach), or when nothing outside the instance could stop it:
        // the handle is thrown away, or kept where only the instance reaches it. A handle a
        // constructor keeps in a public field may be cleared by the code that owns the
        // instance, in another file.
        let instances_repeat = || {
            // Started by a method (`start()`, `init()`): each call may start another.
            let (class, in_method) = match model.instance_owner(node.id()) {
                Some((class, method)) => (Some(class), !method.constructor),
                None => (model.field_initializer_owner(node.id()), false),
            };
            in_method
                || class.is_some_and(|class| {
                    model.made_again(class).is_some()
                        || model.made_with_ended_owner(class).is_some()
                        || ends_for_good(class, ctx)
                        || place.as_ref().is_none_or(|place| {
                            !place.is_this()
                                || place
                                    .fields
                                    .first()
                                    .is_some_and(|field| model.is_private_field(class, *field))
                        })
                })
        };
        let unevidenced = if once {
            true
        } else {
            runs == FunctionRuns::PerCall
                && !instances_repeat()
                && model
                    .enclosing_function(node.id())
                    .and_then(|f| model.runs_again(f))
                    .is_none()
        };
        if unevidenced && teardown.is_none() {
            return;
        }
        if once && unrefed && self.allow_unref {
            return;
        }
        let context = match runs {
            FunctionRuns::PerRequest => model.request_context(node.id()).map(str::to_string),
            FunctionRuns::PerCall => model
                .enclosing_function(node.id())
                .and_then(|f| model.function(f))
                .and_then(|facts| facts.name.map(str::to_string)),
            FunctionRuns::Once => None,
        };
        let finding = Finding {
            span: call.callee.span(),
            severity: if runs == FunctionRuns::PerRequest && guarded != Some(Guarded::Process) {
                Severity::Error
            } else {
                Severity::Warning
            },
            runs,
            per_instance: if runs != FunctionRuns::PerCall {
                None
            } else if model.in_instance_field_initializer(node.id()) {
                Some("a class field initializer")
            } else if context.as_deref() == Some("constructor") {
                Some("a constructor")
            } else {
                None
            },
            context,
            handle,
            guarded,
            guard,
            retained: captures::retained_by_callback(argument(call, 0), ctx.model()),
        };
        let mut diagnostic = uncleared_interval_diagnostic(&finding);
        if let Some(teardown) = teardown.filter(|_| unevidenced) {
            diagnostic = diagnostic.with_secondary(
                Label::new(
                    byte_span(first_line(
                        ctx.source_text(),
                        ctx.nodes().kind(teardown).span(),
                    )),
                    "the end beside it does not clear it",
                )
                .with_role(Role::Teardown),
            );
        }
        ctx.report(diagnostic);
    }
}

struct Finding<'a> {
    span: Span,
    severity: Severity,
    runs: FunctionRuns,
    /// Created once per instance: "a class field initializer" or "a constructor".
    per_instance: Option<&'static str>,
    /// Why it runs per request, or the name of the function it is in.
    context: Option<String>,
    handle: Option<(&'a str, Span)>,
    /// Started only while the handle's place is empty, or only until a latch is set: one timer
    /// per owner of the place.
    guarded: Option<Guarded>,
    /// How the guard reads in the message: "while `this.timer` is empty", "until `started` is
    /// set".
    guard: String,
    retained: Retained,
}

/// Node's `setInterval` (see `protocols::is_timer_function`).
fn is_set_interval(call: &CallExpression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    protocols::is_timer_function(&call.callee, "setInterval", ctx.model())
}

enum Fate<'a> {
    /// Nobody can ever clear it.
    Discarded { unrefed: bool },
    Stored {
        place: Place<'a>,
        span: Span,
        unrefed: bool,
        /// The assignment that stores it, when it is one.
        assignment: Option<NodeId>,
    },
    /// Returned, passed to a function, yielded, exported: its owner is elsewhere.
    Escaped,
}

/// Follows the value of a `setInterval(…)` call upwards to where it ends up.
fn fate<'a>(call: NodeId, ctx: &RuleContext<'a, '_>) -> Fate<'a> {
    let semantic = ctx.semantic();
    let nodes = ctx.nodes();
    let mut current = call;
    let mut unrefed = false;
    loop {
        let (child, parent) = value_parent(semantic, current);
        let parent_id = nodes.parent_id(child);
        match parent {
            AstKind::ExpressionStatement(_) => return Fate::Discarded { unrefed },
            AstKind::UnaryExpression(unary) if unary.operator == UnaryOperator::Void => {
                return Fate::Discarded { unrefed };
            }
            AstKind::SequenceExpression(sequence) => {
                if sequence.expressions.last().map(expr_node_id) != Some(child) {
                    return Fate::Discarded { unrefed };
                }
            }
            AstKind::ConditionalExpression(_)
            | AstKind::LogicalExpression(_)
            | AstKind::AwaitExpression(_) => {}
            AstKind::StaticMemberExpression(member) => {
                // `.unref()` and `.ref()` return the timer itself.
                let AstKind::CallExpression(_) = nodes.parent_kind(parent_id) else {
                    return Fate::Escaped;
                };
                match member.property.name.as_str() {
                    "unref" => unrefed = true,
                    "ref" => unrefed = false,
                    "refresh" => {}
                    _ => return Fate::Escaped,
                }
                current = nodes.parent_id(parent_id);
                continue;
            }
            AstKind::VariableDeclarator(declarator) => {
                let Some(binding) = declarator.id.get_binding_identifier() else {
                    return Fate::Escaped;
                };
                let (Some(symbol), BindingPattern::BindingIdentifier(_)) =
                    (binding.symbol_id.get(), &declarator.id)
                else {
                    return Fate::Escaped;
                };
                let place = Place::binding(symbol);
                return Fate::Stored {
                    place,
                    span: binding.span,
                    unrefed,
                    assignment: None,
                };
            }
            AstKind::AssignmentExpression(assign) => {
                if expr_node_id(&assign.right) != child {
                    return Fate::Escaped;
                }
                return match ctx.model().assignment_place_or_entry(&assign.left) {
                    // An implicit global or a field of `window`: any script may clear it.
                    Some(place) if matches!(place.root, PlaceRoot::Global(_)) => Fate::Escaped,
                    Some(place) => Fate::Stored {
                        place,
                        // `this.timer` of `this.timer! = …`
                        span: written(&assign.left).map_or(assign.left.span(), |w| w.span()),
                        unrefed,
                        assignment: Some(parent_id),
                    },
                    None => Fate::Escaped,
                };
            }
            AstKind::CallExpression(outer) => {
                // `timers.push(setInterval(…))`, `timers.add(…)`, `timers.set(key, …)`
                let value_index = match callee_name(outer) {
                    Some("push" | "add" | "unshift") => 0,
                    Some("set") => 1,
                    _ => return Fate::Escaped,
                };
                let is_value = argument(outer, value_index).map(expr_node_id) == Some(child);
                let receiver = as_member(&outer.callee).map(|m| m.object());
                return match (
                    is_value,
                    receiver.and_then(|r| ctx.model().place_or_entry(r)),
                ) {
                    (true, Some(mut place))
                        if !place.entry && !matches!(place.root, PlaceRoot::Global(_)) =>
                    {
                        place.entry = true;
                        Fate::Stored {
                            place,
                            span: outer.callee.span(),
                            unrefed,
                            assignment: None,
                        }
                    }
                    _ => Fate::Escaped,
                };
            }
            AstKind::PropertyDefinition(property) => {
                // `timer = setInterval(…)` or `#timer = …` as a class field
                let field = match &property.key {
                    PropertyKey::PrivateIdentifier(private) => {
                        Field::Private(private.name.as_str())
                    }
                    key => match property_key_name(key) {
                        Some(name) => Field::Public(name),
                        None => return Fate::Escaped,
                    },
                };
                // PropertyDefinition → ClassBody → Class
                let class = nodes.parent_id(nodes.parent_id(parent_id));
                let place = Place::field(ctx.model().class_side(class, property.r#static), field);
                return Fate::Stored {
                    place,
                    span: property.key.span(),
                    unrefed,
                    assignment: None,
                };
            }
            _ => return Fate::Escaped,
        }
        current = parent_id;
    }
}

/// An interval an instance keeps in a field, cleared somewhere (when an answer comes, in a
/// listener) but not by the instance's teardown, nor by a method the teardown calls: once the
/// instance ends while it runs, nothing stops it, and a start after the end adds another.
fn teardown_forgets<'a>(
    call: NodeId,
    place: &Place<'a>,
    handle: Span,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let (class, _) = model.instance_owner(call)?;
    if place.entry
        || place.fields.is_empty()
        || !matches!(place.root, PlaceRoot::This(Some(owner)) if owner == class.node)
    {
        return None;
    }
    let teardowns = model.teardowns(class);
    let teardown = teardowns.first()?;
    // The functions that clear it.
    let clears: Vec<NodeId> = protocols::TIMER_PROTOCOL
        .release
        .iter()
        .flat_map(|name| model.calls_named(name).iter().copied())
        .filter(|&id| {
            let AstKind::CallExpression(clear) = ctx.nodes().kind(id) else {
                return false;
            };
            protocols::is_clear_function(&clear.callee, model)
                && argument(clear, 0)
                    .and_then(|a| model.place_or_entry(a))
                    .is_some_and(|cleared| cleared.same_place(place))
        })
        .collect();
    let clearing: Vec<NodeId> = clears
        .iter()
        .filter_map(|&id| model.enclosing_function(id))
        .collect();
    let methods = model.methods(class);
    let clears_in = |function: NodeId| {
        clearing.contains(&function)
            || ctx.nodes_within(function).any(|inner| {
                let AstKind::CallExpression(inner_call) = inner.kind() else {
                    return false;
                };
                let Some(callee) = model.place(&inner_call.callee) else {
                    return false;
                };
                matches!(callee.root, PlaceRoot::This(_))
                    && methods.iter().any(|m| {
                        m.name
                            .is_some_and(|name| callee.fields.as_slice() == [Field::Public(name)])
                            && clearing.contains(&m.function)
                    })
            })
    };
    // Cleared by the instance's end, or by the end of a connection it holds (a `close`
    // listener, `socket.onclose = …`), which its teardown brings about.
    // Another end of the instance counts too: `closeGallery()`, `stopAll()`, named as an end
    // of something, which its owner calls before the teardown.
    let mut ends = teardowns.iter().map(|t| t.function).chain(
        methods
            .iter()
            .filter(|m| {
                m.name
                    .is_some_and(|name| guards::is_named_like(name, ENDING_WORDS))
            })
            .map(|m| m.function),
    );
    // A clear in a callback the function makes (`queueMicrotask(() => clearInterval(…))` in
    // `_destroy()`) is that function's.
    let clears_inside = |function: NodeId| {
        let span = ctx.nodes().kind(function).span();
        clears
            .iter()
            .any(|&clear| span.contains_inclusive(ctx.nodes().kind(clear).span()))
    };
    if ends.any(|end| {
        clears_in(end)
            || clears_inside(end)
            || model
                .reached_from(class, end)
                .iter()
                .any(|&f| clears_inside(f))
    }) || clearing.iter().any(|&f| runs_at_an_end(f, ctx))
    {
        return None;
    }
    let source = ctx.source_text();
    let text = display(source, handle);
    let clear = *clears.first()?;
    Some(
        Diagnostic::finding(
            ID,
            Severity::Warning,
            format!(
                "interval stored in {} is cleared only at line {}, and the teardown `{}()` (line \
                 {}) does not clear it: an instance that ends while it runs leaves it running, \
                 with its callback and the instance, and a start after the end adds another",
                quoted(text),
                super::line_of(ctx, clear),
                teardown.name.unwrap_or("teardown"),
                super::line_of(ctx, teardown.function),
            ),
            Label::new(byte_span(ctx.nodes().kind(call).span()), "started here"),
        )
        .with_secondary(
            Label::new(
                byte_span(teardown.span),
                "the instance ends here without clearing it",
            )
            .with_role(Role::Teardown),
        )
        .with_secondary(
            Label::new(
                byte_span(first_line(source, ctx.nodes().kind(clear).span())),
                "cleared only here",
            )
            .with_role(Role::Release),
        )
        .with_help(format!(
            "clear it in `{}()` as well (`clearInterval({text}); {text} = null;`)",
            teardown.name.unwrap_or("teardown")
        )),
    )
}

/// Whether a function is assigned to a prototype (`Model.prototype.destroy = function`), of a
/// class the file may not define.
fn on_a_prototype(function: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let AstKind::AssignmentExpression(assign) = value_parent(ctx.semantic(), function).1 else {
        return false;
    };
    matches!(written(&assign.left), Some(Written::Member(member))
        if as_member(member.object()).is_some_and(|object| member_name(object) == Some("prototype")))
}

/// The first word of a method that ends something of the instance (`closeGallery`, `stopAll`).
const ENDING_WORDS: &[&str] = &[
    "close",
    "stop",
    "destroy",
    "dispose",
    "teardown",
    "shutdown",
    "disconnect",
];

/// Whether a function runs when something ends: a listener for an end-of-life event (`close`,
/// `exit`, …) registered inline or by name (`ws.once('close', this.onClose)`), or an
/// `onclose`/`onend` handler property.
fn runs_at_an_end<'a>(function: NodeId, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let (_, parent) = value_parent(ctx.semantic(), function);
    let handler_place = match parent {
        AstKind::CallExpression(call) => {
            return protocols::Registration::of(call).is_some_and(|r| {
                r.waits_for_end_of_life() && r.handler.span() == nodes.kind(function).span()
            });
        }
        AstKind::AssignmentExpression(assign) => {
            let Some(Written::Member(member)) = written(&assign.left) else {
                return false;
            };
            if member_name(member).is_some_and(|name| END_HANDLER_PROPERTIES.contains(&name)) {
                return true;
            }
            model.member_place(member)
        }
        // A class property (`onClose = () => …`) or method (`onClose() {…}`) of the class.
        AstKind::PropertyDefinition(_) | AstKind::MethodDefinition(_) => {
            let element = nodes.parent_id(function);
            let key = match nodes.kind(element) {
                AstKind::PropertyDefinition(property) => &property.key,
                AstKind::MethodDefinition(method) => &method.key,
                _ => return false,
            };
            let Some(name) = leaklint_model::ast_util::property_key_name(key) else {
                return false;
            };
            let class = nodes.parent_id(nodes.parent_id(element));
            Some(Place::field(
                PlaceRoot::This(Some(class)),
                Field::Public(name),
            ))
        }
        _ => None,
    };
    // A method, however it is written (`X.prototype.onClose = function`), is called through
    // `this.onClose` on its instances.
    let Some(handler_place) = model.method_place(function).or(handler_place) else {
        return false;
    };
    // `this.onClose.bind(this)` hands over the method as much as `this.onClose` does.
    let names_handler = |expr: &Expression<'a>| {
        let expr = match strip(expr) {
            Expression::CallExpression(call) if callee_name(call) == Some("bind") => {
                match as_member(&call.callee) {
                    Some(member) => member.object(),
                    None => return false,
                }
            }
            other => other,
        };
        model
            .place(expr)
            .is_some_and(|h| h.same_place(&handler_place))
    };
    // Registered by name somewhere for an end event, or set as an end handler property
    // (`ws.onclose = this.onClose.bind(this)`).
    ["on", "once", "addListener", "addEventListener"]
        .iter()
        .flat_map(|name| model.calls_named(name).iter())
        .any(|&id| {
            let AstKind::CallExpression(call) = nodes.kind(id) else {
                return false;
            };
            protocols::Registration::of(call)
                .is_some_and(|r| r.waits_for_end_of_life() && names_handler(r.handler))
        })
        || nodes.iter().any(|node| {
            let AstKind::AssignmentExpression(assign) = node.kind() else {
                return false;
            };
            matches!(written(&assign.left), Some(Written::Member(member))
                if member_name(member).is_some_and(|name| END_HANDLER_PROPERTIES.contains(&name)))
                && names_handler(&assign.right)
        })
}

/// Handler properties for the end of a socket, a stream or a process.
const END_HANDLER_PROPERTIES: &[&str] = &["onclose", "onend", "onexit", "ondisconnect", "onerror"];

/// An end beside the code that starts the timer: a graceful shutdown handler of the process
/// (`process.on('SIGTERM', …)` that does not just call `process.exit()`), a teardown in the same
/// function or factory (`hub.destroy = function () {…}`, `close() {…}` in the object it returns),
/// or, next to a module's `startPolling`, its `stopPolling`. Its node, for the evidence.
fn scope_teardown(call: NodeId, ctx: &RuleContext<'_, '_>) -> Option<NodeId> {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let inner = model.enclosing_function(call);
    let outer = inner.map(|f| model.enclosing_function(nodes.parent_id(f)));
    let extra = &model.settings().teardown_methods;
    let exits = |function: NodeId| {
        ctx.nodes_within(function).any(|inner| {
            matches!(inner.kind(), AstKind::CallExpression(exit)
                if leaklint_model::ast_util::is_dotted_path(&exit.callee, "process.exit"))
        })
    };
    let shutdown = ["on", "once", "addListener"]
        .iter()
        .flat_map(|name| ctx.calls_named(name).iter().copied())
        .find(|&id| {
            let AstKind::CallExpression(listen) = nodes.kind(id) else {
                return false;
            };
            let Some(member) = as_member(&listen.callee) else {
                return false;
            };
            let on_process = matches!(strip(member.object()), Expression::Identifier(process)
                if process.name == "process" && model.symbol_of(process).is_none());
            let ends = argument(listen, 0)
                .and_then(leaklint_model::ast_util::string_value)
                .is_some_and(|event| event.starts_with("SIG") || event == "beforeExit");
            // A handler the file does not define (`stop`, imported) is taken as graceful.
            let graceful = match argument(listen, 1).map(strip) {
                Some(Expression::Identifier(ident)) => model
                    .symbol_of(ident)
                    .and_then(|symbol| values::function_bound_to(symbol, ctx.model()))
                    .is_none_or(|handler| !exits(handler)),
                Some(other) => as_function_node(other).is_some_and(|handler| !exits(handler)),
                None => false,
            };
            on_process && ends && graceful
        });
    if shutdown.is_some() {
        return shutdown;
    }
    let starter = inner
        .and_then(|f| model.function(f))
        .and_then(|facts| facts.name);
    model
        .named_functions()
        .iter()
        .find_map(|&(function, name)| {
            // An instance's teardown (`X.prototype.destroy`) ends an instance, not the code
            // beside it that runs for the class or the module.
            if Some(function) == inner
                || model.method_place(function).is_some()
                || on_a_prototype(function, ctx)
            {
                return None;
            }
            let scope = model.enclosing_function(nodes.parent_id(function));
            let beside_creation = scope == inner;
            let beside_starter = Some(scope) == outer;
            if !beside_creation && !beside_starter {
                return None;
            }
            let teardown = leaklint_model::is_teardown_name(name, extra);
            // Next to a module's functions, only the starter's own pair: `stopPolling` for
            // `startPolling`. In a function or factory, any teardown there.
            let at_module = if beside_creation {
                inner.is_none()
            } else {
                scope.is_none()
            };
            let paired = starter.is_some_and(|starter| pairs(starter, name));
            (paired || (teardown && !at_module)).then_some(function)
        })
}

/// Whether `end` is the teardown of `start` by name: `startPolling`/`stopPolling`,
/// `open`/`close`, `beginSync`/`endSync`.
fn pairs(start: &str, end: &str) -> bool {
    const STARTS: &[&str] = &["start", "begin", "open", "init", "enable", "run", "connect"];
    const ENDS: &[&str] = &[
        "stop",
        "end",
        "close",
        "destroy",
        "dispose",
        "disable",
        "shutdown",
        "disconnect",
    ];
    fn split<'n>(name: &'n str, words: &[&str]) -> Option<&'n str> {
        words.iter().find_map(|word| {
            let head = name.get(..word.len())?;
            let rest = &name[word.len()..];
            (head.eq_ignore_ascii_case(word)
                && (rest.is_empty()
                    || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')))
            .then_some(rest)
        })
    }
    matches!((split(start, STARTS), split(end, ENDS)), (Some(a), Some(b)) if a == b)
}

/// `cycleTimer = setInterval(…)` in a function that can run again while the timer runs, with
/// nothing that clears the handle or checks it first: the second run overwrites the only handle
/// of the first timer, and the `clearInterval` elsewhere then stops the last timer only. The
/// evidence that it runs again is where it is called or registered from (the model's
/// `runs_again`); without it, nothing is said.
fn overwritten_while_running<'a>(
    call: NodeId,
    store: NodeId,
    place: &Place<'a>,
    handle: Span,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let runs = model.runs_at(call);
    let persistent = match place.root {
        PlaceRoot::Symbol(symbol) => {
            !place.entry
                && model.enclosing_function(ctx.semantic().scoping().symbol_declaration(symbol))
                    != model.enclosing_function(call)
                && ctx.model().parameter_owner(symbol).is_none()
        }
        PlaceRoot::This(_) => !place.entry && !place.fields.is_empty(),
        PlaceRoot::AnyObject | PlaceRoot::Global(_) => false,
    };
    if !persistent || runs.is_once() || model.in_instance_field_initializer(call) {
        return None;
    }
    let function = model.enclosing_function(call)?;
    if model
        .instance_owner(call)
        .is_some_and(|(_, method)| method.constructor && method.function == function)
    {
        return None;
    }
    let source = ctx.source_text();
    let text = display(source, handle);
    let checked = match ctx.nodes().kind(store) {
        AstKind::AssignmentExpression(assign) => matches!(
            assign.operator,
            AssignmentOperator::LogicalOr | AssignmentOperator::LogicalNullish
        ),
        _ => false,
    } || checked_before(call, place, ctx).is_some();
    if checked
        || latched(call, ctx).is_some()
        || returns_early_on_state(store, function, ctx)
        || cleared_before(store, function, place, ctx)
    {
        return None;
    }
    // A new component's effect has a new handle; only a rerun on the same state overwrites.
    // A listener that calls it somewhere is weak evidence: the call may sit in a branch that
    // runs once.
    let again = model.runs_again(function).filter(|again| {
        again.evidence.same_state()
            && (again.direct || again.evidence != leaklint_model::Evidence::Listener)
    })?;
    let places: Vec<String> = again
        .references
        .iter()
        .take(3)
        .map(|&reference| super::line_of(ctx, reference).to_string())
        .collect();
    let at = match places.len() {
        0 => String::new(),
        1 => format!(" at line {}", places[0]),
        _ => format!(" at lines {}", places.join(", ")),
    };
    let message = format!(
        "interval stored in {} is overwritten while it may still run: `{}` is {}{at}, so it can \
         start again without clearing or checking {} first, and `clearInterval` then stops only \
         the last of the timers",
        quoted(text),
        again.name,
        again.evidence.why(),
        quoted(text),
    );
    let severity = if runs == FunctionRuns::PerRequest {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(
            byte_span(handle),
            "overwritten here while the old timer may run",
        ),
    )
    .with_help(format!(
        "clear the old timer before starting a new one (`clearInterval({text})`), or return early \
         while {} is set",
        quoted(text)
    ));
    for &reference in again.references.iter().take(3) {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(ctx.nodes().kind(reference).span()),
                again.evidence.why(),
            )
            .with_role(Role::Repeats),
        );
    }
    Some(diagnostic)
}

/// `onMounted(() => { poller = setInterval(…) })` with the only `clearInterval(poller)` in
/// `onBeforeMount`: a component hook that runs before the one that starts the timer clears
/// nothing, and nothing clears it when the component unmounts.
fn cleared_only_before_start<'a>(
    call: NodeId,
    place: &Place<'a>,
    handle: Option<Span>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let (started_in, start) = model.lifecycle_hook(call)?;
    let clears: Vec<NodeId> = ["clearInterval", "clearTimeout"]
        .iter()
        .flat_map(|name| ctx.calls_named(name).iter().copied())
        .filter(|&id| {
            matches!(nodes.kind(id), AstKind::CallExpression(clear)
                if protocols::is_clear_function(&clear.callee, ctx.model())
                    && argument(clear, 0)
                        .and_then(|arg| ctx.model().place_or_entry(arg))
                        .is_some_and(|cleared| cleared.same_place(place)))
        })
        .collect();
    let mut earlier = Vec::new();
    for &clear in &clears {
        match model.lifecycle_hook(clear) {
            Some((name, stage)) if stage < start => earlier.push((clear, name)),
            _ => return None,
        }
    }
    let &(first, cleared_in) = earlier.first()?;
    let text = handle.map_or("the handle", |span| display(ctx.source_text(), span));
    let message = format!(
        "interval stored in {} is cleared only in `{cleared_in}` (line {}), which runs before \
         `{started_in}` starts it: nothing clears it when the component unmounts, and each \
         mount starts another",
        quoted(text),
        super::line_of(ctx, first),
    );
    let mut diagnostic = Diagnostic::finding(
        ID,
        Severity::Warning,
        message,
        Label::new(
            byte_span(nodes.kind(call).span()),
            format!("started in `{started_in}`"),
        ),
    )
    .with_help("clear it in the hook that runs when the component goes away (`onBeforeUnmount`, `onUnmounted`, `componentWillUnmount`, `ngOnDestroy`)");
    for (clear, name) in earlier {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(nodes.kind(clear).span()),
                format!("runs in `{name}`, before the timer exists"),
            )
            .with_role(Role::Release),
        );
    }
    Some(diagnostic)
}

/// Whether `function` may return before `store` on a check of state that outlives the call
/// (`if (running) return;`, `if (this.closed) return;`): a start guard, whatever it checks.
fn returns_early_on_state(store: NodeId, function: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let store_start = ctx.nodes().kind(store).span().start;
    ctx.nodes_within(function)
        .filter(|inner| inner.kind().span().end <= store_start)
        .filter(|inner| model.enclosing_function(inner.id()) == Some(function))
        .any(|inner| {
            let AstKind::IfStatement(statement) = inner.kind() else {
                return false;
            };
            let returns = match &statement.consequent {
                Statement::ReturnStatement(_) => true,
                Statement::BlockStatement(block) => block
                    .body
                    .iter()
                    .any(|s| matches!(s, Statement::ReturnStatement(_))),
                _ => false,
            };
            returns
                && ctx.nodes_within(inner.id()).any(|part| match part.kind() {
                    AstKind::IdentifierReference(ident) => {
                        model.symbol_of(ident).is_some_and(|symbol| {
                            model.enclosing_function(
                                ctx.semantic().scoping().symbol_declaration(symbol),
                            ) != Some(function)
                        })
                    }
                    AstKind::ThisExpression(_) => true,
                    _ => false,
                })
        })
}

/// Whether, before `store` in `function`, the handle's place is cleared: directly, or by a call
/// of a function or method whose body clears it (`this.stop()`, `clearIfRunning()`).
fn cleared_before<'a>(
    store: NodeId,
    function: NodeId,
    place: &Place<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let clears = |call: &CallExpression<'a>| {
        protocols::is_clear_function(&call.callee, ctx.model())
            && argument(call, 0)
                .and_then(|arg| ctx.model().place_or_entry(arg))
                .is_some_and(|cleared| cleared.same_place(place))
    };
    // Every function whose body clears the place, directly.
    let clearing: Vec<NodeId> = ["clearInterval", "clearTimeout"]
        .iter()
        .flat_map(|name| ctx.calls_named(name).iter().copied())
        .filter(|&id| matches!(nodes.kind(id), AstKind::CallExpression(call) if clears(call)))
        .filter_map(|id| model.enclosing_function(id))
        .collect();
    let store_start = nodes.kind(store).span().start;
    ctx.nodes_within(function)
        .filter(|inner| inner.kind().span().end <= store_start)
        .any(|inner| {
            let AstKind::CallExpression(call) = inner.kind() else {
                return false;
            };
            if clears(call) {
                return true;
            }
            // `this.clearIfRunning()`, `stopCycle()`
            let callee = match strip(&call.callee) {
                Expression::Identifier(ident) => model
                    .symbol_of(ident)
                    .and_then(|symbol| values::function_bound_to(symbol, ctx.model())),
                other => as_member(other).and_then(|member| {
                    let name = member_name(member)?;
                    if !matches!(strip(member.object()), Expression::ThisExpression(_)) {
                        return None;
                    }
                    let (class, _) = model.instance_owner(inner.id())?;
                    model
                        .methods(class)
                        .into_iter()
                        .find(|m| m.name == Some(name))
                        .map(|m| m.function)
                }),
            };
            callee.is_some_and(|callee| clearing.contains(&callee))
        })
}

/// Every place some `clearInterval`/`clearTimeout` call clears, directly or by looping over a
/// collection of handles.
fn cleared_places<'a>(ctx: &RuleContext<'a, '_>) -> Vec<Place<'a>> {
    let mut places = Vec::new();
    for node in ctx.nodes().iter() {
        let AstKind::CallExpression(call) = node.kind() else {
            continue;
        };
        if protocols::is_clear_function(&call.callee, ctx.model()) {
            if let Some(arg) = argument(call, 0) {
                // `clearTimeout(conn.timer)` is most often a timeout's: only a `clearInterval`
                // of another object's field is taken for this handle's.
                let interval = callee_name(call) == Some("clearInterval");
                places.extend(ctx.model().place_or_entry(arg).map(|place| {
                    if interval {
                        ctx.model().of_any_object(place)
                    } else {
                        place
                    }
                }));
                if let Expression::Identifier(ident) = strip(arg) {
                    if let Some(symbol) = ctx.model().symbol_of(ident) {
                        places.extend(ctx.model().loop_source(symbol));
                        places.extend(ctx.model().alias_source(symbol));
                    }
                }
            }
        } else if matches!(callee_name(call), Some("forEach" | "map")) {
            // `timers.forEach(clearInterval)`
            let passes_clear = call
                .arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .any(|a| protocols::is_clear_function(a, ctx.model()));
            if passes_clear {
                if let Some(receiver) = as_member(&call.callee).map(|m| m.object()) {
                    places.extend(ctx.model().iterated_place(receiver));
                }
            }
        }
    }
    places
}

enum HandleUse {
    Kept,
    Unrefed,
    /// `handle.close()` or a `using` declaration.
    Cleared,
    /// Passed on, returned, stored elsewhere or exported: someone else owns it.
    Escaped,
}

/// What the code does with a handle held in a plain binding, apart from `clearInterval`.
fn symbol_handle_use(place: &Place<'_>, ctx: &RuleContext<'_, '_>) -> HandleUse {
    let Place {
        root: PlaceRoot::Symbol(symbol),
        fields: path,
        entry: false,
    } = place
    else {
        return HandleUse::Kept;
    };
    if !path.is_empty() {
        return HandleUse::Kept;
    }
    let semantic = ctx.semantic();
    let nodes = ctx.nodes();
    let declaration = semantic.scoping().symbol_declaration(*symbol);
    if let AstKind::VariableDeclaration(declaration) = nodes.parent_kind(declaration) {
        if matches!(
            declaration.kind,
            VariableDeclarationKind::Using | VariableDeclarationKind::AwaitUsing
        ) {
            return HandleUse::Cleared;
        }
    }
    // `export let timer = …`; a binding inside an exported function is that function's own.
    if nodes
        .ancestor_kinds(declaration)
        .take_while(|k| !k.is_function_like())
        .any(|k| matches!(k, AstKind::ExportDeclaration(_)))
    {
        return HandleUse::Escaped;
    }
    let mut result = HandleUse::Kept;
    for reference in semantic.scoping().get_resolved_references(*symbol) {
        if !reference.is_read() {
            continue;
        }
        let (child, parent) = value_parent(semantic, reference.node_id());
        match parent {
            AstKind::StaticMemberExpression(member) => match member.property.name.as_str() {
                "close" => return HandleUse::Cleared,
                "unref" => result = HandleUse::Unrefed,
                _ => {}
            },
            // `handle[Symbol.dispose]()`
            AstKind::ComputedMemberExpression(member)
                if expr_node_id(&member.expression) != child
                    && is_symbol_dispose(&member.expression, ctx) =>
            {
                return HandleUse::Cleared;
            }
            AstKind::CallExpression(call)
                if !protocols::is_clear_function(&call.callee, ctx.model())
                    && expr_node_id(&call.callee) != child =>
            {
                return HandleUse::Escaped;
            }
            // `other = handle`; not `handle ??= setInterval(…)`, which only reads it to check
            AstKind::AssignmentExpression(assign) if expr_node_id(&assign.right) == child => {
                return HandleUse::Escaped;
            }
            AstKind::ReturnStatement(_)
            | AstKind::VariableDeclarator(_)
            | AstKind::ArrayExpression(_)
            | AstKind::ObjectProperty(_)
            | AstKind::SpreadElement(_)
            | AstKind::NewExpression(_)
            | AstKind::YieldExpression(_)
            | AstKind::ExportSpecifier(_)
            | AstKind::PropertyDefinition(_) => return HandleUse::Escaped,
            // `() => handle`
            AstKind::ArrowFunctionExpression(_) => return HandleUse::Escaped,
            _ => {}
        }
    }
    result
}

/// `Symbol.dispose` / `Symbol.asyncDispose`, with `Symbol` the global.
fn is_symbol_dispose(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let Some(member) = as_member(expr) else {
        return false;
    };
    matches!(member_name(member), Some("dispose" | "asyncDispose"))
        && matches!(strip(member.object()), Expression::Identifier(symbol) if ctx.model().is_global(symbol, "Symbol"))
}

/// Who gets the one timer a creation guarded by its own handle can start (see [`guarded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Guarded {
    /// The handle is kept under a module-level binding: one timer per process.
    Process,
    /// One timer per owner of the place: "each instance", "each `socket`".
    Each(String),
}

/// Who gets the one timer of a class's static place: a class declared at the top level is made
/// once, one a function makes, each time it runs.
fn per_class(class: NodeId, ctx: &RuleContext<'_, '_>) -> Guarded {
    if ctx.model().enclosing_function(class).is_none() {
        Guarded::Process
    } else {
        Guarded::Each("each class made".to_string())
    }
}

/// Whether the creation runs only while the place that keeps its handle is empty, and nothing
/// else empties that place: `if (!this.timer) this.timer = setInterval(…)`, `if (this.timer)
/// return;` before it, `this.timer ??= setInterval(…)`, `obj.t || (obj.t = setInterval(…))`.
/// Every later call then finds the first timer there and starts none, so the calls do not pile
/// up timers: each owner of the place has one. A place emptied elsewhere (`this.timer = null`
/// without a `clearInterval`, `delete obj.t`) lets the next call start another while the first
/// runs on, so it is no guard; setting it to `null` in a constructor, before any timer
/// exists, is.
fn guarded<'a>(
    call: NodeId,
    store: NodeId,
    place: &Place<'a>,
    handle_text: &str,
    ctx: &RuleContext<'a, '_>,
) -> Option<Guarded> {
    let owner = owner_of(call, store, place, handle_text, ctx)?;
    let check = match ctx.nodes().kind(store) {
        AstKind::AssignmentExpression(assign)
            if matches!(
                assign.operator,
                AssignmentOperator::LogicalOr | AssignmentOperator::LogicalNullish
            ) =>
        {
            Some(assign.span.start)
        }
        _ => checked_before(call, place, ctx),
    };
    let check = check?;
    if pauses_between(check, call, ctx) || emptied_elsewhere(store, place, false, ctx) {
        return None;
    }
    Some(owner)
}

/// Who gets the one timer a guard on `place` lets `call` start (see [`guarded`] and
/// [`latched`]); `None` when the place is new on every call, so that checking it guards nothing.
/// `store` is where the place is written on the guarded path, `text` how it is written.
fn owner_of<'a>(
    call: NodeId,
    store: NodeId,
    place: &Place<'a>,
    text: &str,
    ctx: &RuleContext<'a, '_>,
) -> Option<Guarded> {
    if place.entry {
        return None;
    }
    let nodes = ctx.nodes();
    let semantic = ctx.semantic();
    let model = ctx.model();
    Some(match place.root {
        // Only a cleared place is any object's; a global's is every script's.
        PlaceRoot::AnyObject | PlaceRoot::Global(_) => return None,
        // An object literal's methods run on whatever object they are called on: a prototype,
        // a mixin, a component's options are copied into many, so only a class is sure.
        // A static field of an unnamed class (`export default class { … }`).
        PlaceRoot::This(Some(class)) if model.this_is_class(store) => per_class(class, ctx),
        PlaceRoot::This(Some(owner))
            if matches!(nodes.kind(owner), AstKind::ObjectExpression(_)) =>
        {
            Guarded::Each("each object it runs on".to_string())
        }
        PlaceRoot::This(_) => Guarded::Each("each instance".to_string()),
        PlaceRoot::Symbol(symbol) => {
            let scoping = semantic.scoping();
            // A binding of the function that starts the timer (other than a parameter, whose
            // object the caller passes) is new on every call, and so is an object made there: a
            // check of it guards nothing. One of an enclosing function lives as long as its
            // closures.
            let declared_in = model.enclosing_function(scoping.symbol_declaration(symbol));
            let fresh = declared_in == model.enclosing_function(call)
                && ctx.model().parameter_owner(symbol).is_none();
            if scoping.symbol_scope_id(symbol) == scoping.root_scope_id() {
                Guarded::Process
            } else if fresh {
                return None;
            } else if let AstKind::Class(_) = nodes.kind(scoping.symbol_declaration(symbol)) {
                // `this.timer` in a static method of `const P = class Q { … }`, whose `Q` is not
                // module-level, or of a class a function makes.
                per_class(scoping.symbol_declaration(symbol), ctx)
            } else if let Some((object, _)) = text.rsplit_once('.') {
                Guarded::Each(format!("each `{object}`"))
            } else if place.fields.is_empty() {
                Guarded::Each(format!(
                    "each run of the function that declares {}",
                    quoted(text)
                ))
            } else {
                Guarded::Each("each object that holds it".to_string())
            }
        }
    })
}

/// Whether the creation runs only until a latch is set, and nothing resets the latch: `if
/// (started) return; started = true; setInterval(…)`, `if (!this.polling) { this.polling =
/// true; setInterval(…) }`. The latch is set by a plain statement next to the creation (or next
/// to a statement that holds it), behind the same check, to a value that cannot be empty:
/// `true`, a non-zero number, a non-empty string, an object, array, function or `new` object.
/// Every later call then finds it set and starts nothing. Returns who gets the one timer, and
/// how the latch reads in the message.
fn latched(call: NodeId, ctx: &RuleContext<'_, '_>) -> Option<(Guarded, String)> {
    let nodes = ctx.nodes();
    let at = nodes.kind(call).span();
    // The statement lists between the creation and its function's body, innermost first.
    for ancestor in nodes.ancestor_ids(call) {
        let statements: &[Statement<'_>] = match nodes.kind(ancestor) {
            AstKind::BlockStatement(block) => &block.body,
            AstKind::SwitchCase(case) => &case.consequent,
            AstKind::FunctionBody(body) => &body.statements,
            AstKind::Function(_)
            | AstKind::ArrowFunctionExpression(_)
            | AstKind::StaticBlock(_)
            | AstKind::Program(_) => return None,
            kind if kind.is_iteration_statement() => return None,
            _ => continue,
        };
        let Some(holder) = statements
            .iter()
            .position(|s| s.span().start <= at.start && at.end <= s.span().end)
        else {
            continue;
        };
        // Before the creation, or right after the creation's own statement: anything between
        // (a call that throws into a `catch`, a `return` in a block that holds the creation)
        // could leave with the timer started and the flag not set.
        let before = statements[..holder].iter().rev();
        let after = statements
            .get(holder + 1)
            .filter(|_| match &statements[holder] {
                Statement::ExpressionStatement(e) => !can_leave_expression(&e.expression, at),
                _ => false,
            });
        for statement in before.chain(after) {
            let Statement::ExpressionStatement(expression) = statement else {
                continue;
            };
            let Expression::AssignmentExpression(assign) = &expression.expression else {
                continue;
            };
            if assign.operator != AssignmentOperator::Assign || !is_never_empty(&assign.right) {
                continue;
            }
            let Some(latch) = ctx.model().assignment_place_or_entry(&assign.left) else {
                continue;
            };
            // A parameter the function sets is its own copy.
            if matches!(latch.root, PlaceRoot::Symbol(symbol) if latch.fields.is_empty() && ctx.model().parameter_owner(symbol).is_some())
            {
                continue;
            }
            let store = assign.node_id();
            // The same check guards the latch and the creation.
            let Some(check) = checked_before(store, &latch, ctx) else {
                continue;
            };
            if checked_before(call, &latch, ctx) != Some(check)
                || pauses_between(check, store, ctx)
                || emptied_elsewhere(store, &latch, true, ctx)
            {
                continue;
            }
            let text = display_or(ctx.source_text(), assign.left.span(), "the flag");
            let owner = owner_of(call, store, &latch, text, ctx)?;
            return Some((owner, format!("until {} is set", quoted(text))));
        }
    }
    None
}

/// Whether the statement holding the creation at `at` can do more than start it: only
/// `setInterval(…)` itself, `.unref()`/`.ref()` on it, or storing it, cannot throw.
fn can_leave_expression(expression: &Expression<'_>, at: Span) -> bool {
    match strip(expression) {
        Expression::CallExpression(call) if call.span == at => false,
        Expression::CallExpression(call) => {
            !(matches!(callee_name(call), Some("unref" | "ref"))
                && call.arguments.is_empty()
                && as_member(&call.callee).is_some_and(|m| !can_leave_expression(m.object(), at)))
        }
        Expression::AssignmentExpression(assign) => {
            assign.operator != AssignmentOperator::Assign
                || !matches!(written(&assign.left), Some(Written::Binding(_)))
                || can_leave_expression(&assign.right, at)
        }
        _ => true,
    }
}

/// A value that is neither empty (`null`, `undefined`) nor falsy, whatever it is assigned to.
fn is_never_empty(expr: &Expression<'_>) -> bool {
    match strip(expr) {
        Expression::BooleanLiteral(literal) => literal.value,
        Expression::NumericLiteral(number) => number.value != 0.0 && !number.value.is_nan(),
        Expression::StringLiteral(string) => !string.value.is_empty(),
        Expression::ObjectExpression(_)
        | Expression::ArrayExpression(_)
        | Expression::FunctionExpression(_)
        | Expression::ArrowFunctionExpression(_)
        | Expression::ClassExpression(_)
        | Expression::NewExpression(_) => true,
        _ => false,
    }
}

/// Whether the code at `call` runs only while `place` is empty, judged from the conditions and
/// early exits between it and the start of its function.
fn checked_before<'a>(call: NodeId, place: &Place<'a>, ctx: &RuleContext<'a, '_>) -> Option<u32> {
    let nodes = ctx.nodes();
    let at = nodes.kind(call).span();
    let inside = |span: Span| span.start <= at.start && at.end <= span.end;
    // An `if (test) return;` before `at`, in a list of statements that holds it: where it starts.
    let exits_before = |statements: &[Statement<'a>]| {
        statements
            .iter()
            .take_while(|statement| statement.span().end <= at.start)
            .find(|statement| match statement {
                Statement::IfStatement(check) => {
                    check.alternate.is_none()
                        && always_exits(&check.consequent)
                        && means_empty(&check.test, false, place, ctx)
                }
                _ => false,
            })
            .map(|statement| statement.span().start)
    };
    for ancestor in nodes.ancestor_ids(call) {
        let kind = nodes.kind(ancestor);
        // A loop between the check and the creation starts a timer per iteration.
        if kind.is_iteration_statement() {
            return None;
        }
        let condition = |guards: bool| guards.then_some(kind.span().start);
        let found = match kind {
            AstKind::IfStatement(check) => condition(
                (inside(check.consequent.span()) && means_empty(&check.test, true, place, ctx))
                    || check.alternate.as_ref().is_some_and(|alternate| {
                        inside(alternate.span()) && means_empty(&check.test, false, place, ctx)
                    }),
            ),
            AstKind::ConditionalExpression(check) => condition(
                (inside(check.consequent.span()) && means_empty(&check.test, true, place, ctx))
                    || (inside(check.alternate.span())
                        && means_empty(&check.test, false, place, ctx)),
            ),
            AstKind::LogicalExpression(logical) if inside(logical.right.span()) => {
                condition(match logical.operator {
                    LogicalOperator::And => means_empty(&logical.left, true, place, ctx),
                    LogicalOperator::Or | LogicalOperator::Coalesce => {
                        means_empty(&logical.left, false, place, ctx)
                    }
                })
            }
            AstKind::BlockStatement(block) => exits_before(&block.body),
            AstKind::SwitchCase(case) => exits_before(&case.consequent),
            // The function's own statements are the last to look at.
            AstKind::FunctionBody(body) => return exits_before(&body.statements),
            AstKind::Function(_)
            | AstKind::ArrowFunctionExpression(_)
            | AstKind::StaticBlock(_)
            | AstKind::Program(_) => return None,
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether the function running the code at `call` can pause (`await`, `yield`) between
/// `from` and the call: another call can then pass the same check before the first stores its
/// handle.
fn pauses_between(from: u32, call: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let nodes = ctx.nodes();
    let model = ctx.model();
    let at = nodes.kind(call).span().start;
    let function = model.enclosing_function(call);
    nodes.iter().any(|node| {
        matches!(
            node.kind(),
            AstKind::AwaitExpression(_) | AstKind::YieldExpression(_)
        ) && {
            let span = node.kind().span();
            from <= span.start && span.end <= at
        } && model.enclosing_function(node.id()) == function
    })
}

/// `return` or `throw`, alone or ending a block.
fn always_exits(statement: &Statement<'_>) -> bool {
    match statement {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(block) => block.body.last().is_some_and(always_exits),
        _ => false,
    }
}

/// Whether `test` can only come out as `outcome` while `place` is empty: true for `!this.timer`,
/// `obj.t == null` and `typeof t === 'undefined'`, false for `this.timer` and `obj.t != null`.
fn means_empty<'a>(
    test: &Expression<'a>,
    outcome: bool,
    place: &Place<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    match strip(test) {
        Expression::UnaryExpression(unary) if unary.operator == UnaryOperator::LogicalNot => {
            means_empty(&unary.argument, !outcome, place, ctx)
        }
        Expression::LogicalExpression(logical) => {
            let left = means_empty(&logical.left, outcome, place, ctx);
            let right = means_empty(&logical.right, outcome, place, ctx);
            // `a && b` is true only when both are, false when either is; `||` the other way.
            match (logical.operator, outcome) {
                (LogicalOperator::And, true) | (LogicalOperator::Or, false) => left || right,
                (LogicalOperator::And, false) | (LogicalOperator::Or, true) => left && right,
                (LogicalOperator::Coalesce, _) => false,
            }
        }
        Expression::BinaryExpression(binary) => {
            empty_comparison(binary, place, ctx) == Some(outcome)
        }
        // A timer (or, in a browser, its id, which starts at 1) is truthy.
        other => !outcome && reads(other, place, ctx),
    }
}

/// For `place == null`, `place === undefined`, `place === void 0` and `typeof place ===
/// 'undefined'` (either way round, and their negations): `Some(true)` when the operator is an
/// equality, `Some(false)` when it is an inequality.
fn empty_comparison<'a>(
    binary: &oxc_ast::ast::BinaryExpression<'a>,
    place: &Place<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<bool> {
    let equality = match binary.operator {
        BinaryOperator::Equality | BinaryOperator::StrictEquality => true,
        BinaryOperator::Inequality | BinaryOperator::StrictInequality => false,
        _ => return None,
    };
    let is_undefined_type = |expr: &Expression<'a>| matches!(strip(expr), Expression::StringLiteral(s) if s.value == "undefined");
    let typeof_place = |expr: &Expression<'a>| match strip(expr) {
        Expression::UnaryExpression(unary) if unary.operator == UnaryOperator::Typeof => {
            reads(&unary.argument, place, ctx)
        }
        _ => false,
    };
    let (left, right) = (&binary.left, &binary.right);
    let compares = (reads(left, place, ctx) && is_empty_value(right, ctx))
        || (reads(right, place, ctx) && is_empty_value(left, ctx))
        || (typeof_place(left) && is_undefined_type(right))
        || (typeof_place(right) && is_undefined_type(left));
    compares.then_some(equality)
}

/// `null`, `undefined` or `void …`.
fn is_empty_value(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    match strip(expr) {
        Expression::NullLiteral(_) => true,
        Expression::Identifier(ident) => ctx.model().is_global(ident, "undefined"),
        Expression::UnaryExpression(unary) => unary.operator == UnaryOperator::Void,
        _ => false,
    }
}

/// Whether `expr` reads the handle's place itself.
fn reads<'a>(expr: &Expression<'a>, place: &Place<'a>, ctx: &RuleContext<'a, '_>) -> bool {
    ctx.model()
        .place_or_entry(expr)
        .is_some_and(|read| read.same_place(place))
}

/// Whether code other than `store` empties or replaces what is at `place`: assigns it or the
/// object that holds it (`this.state = {}` for `this.state.timer`), directly or through an
/// object the file cannot tell apart from its owner (`stop(c) { c.timer = null; }`), or deletes
/// it. What a constructor sets, before any timer exists, does not count.
///
/// For a latch (`setting_is_fine`), setting it again to what cannot be empty (`started = true`
/// elsewhere) keeps it set; `started--` counts as emptying it.
fn emptied_elsewhere<'a>(
    store: NodeId,
    place: &Place<'a>,
    setting_is_fine: bool,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let nodes = ctx.nodes();
    let model = ctx.model();
    nodes.iter().any(|node| match node.kind() {
        // The latch itself set again (not a new object where it was kept).
        AstKind::AssignmentExpression(assign)
            if setting_is_fine
                && assign.operator == AssignmentOperator::Assign
                && is_never_empty(&assign.right)
                && model
                    .assignment_place_or_entry(&assign.left)
                    .is_some_and(|target| target.same_place(place)) =>
        {
            false
        }
        AstKind::UpdateExpression(update) => {
            let target = match &update.argument {
                oxc_ast::ast::SimpleAssignmentTarget::AssignmentTargetIdentifier(ident) => {
                    Some(ctx.model().identifier_place(ident))
                }
                other => other
                    .as_member_expression()
                    .and_then(|m| ctx.model().member_place_or_entry(m)),
            };
            target.is_some_and(|target| ctx.model().of_any_object(target).holds(place))
        }
        AstKind::AssignmentExpression(assign) if node.id() != store => {
            let Some(target) = ctx.model().assignment_place_or_entry(&assign.left) else {
                return false;
            };
            // `this.timer = null`, `stop(c) { c.timer = null }`, or a new object where the
            // handle was kept (`this.state = {}` for `this.state.timer`).
            let target = ctx.model().of_any_object(target);
            if !target.holds(place) {
                return false;
            }
            // A constructor sets up an instance's place before any timer exists; a static place
            // it writes is emptied by every `new`.
            let in_constructor = model.enclosing_function(node.id()).is_some_and(|function| {
                matches!(nodes.parent_kind(function), AstKind::MethodDefinition(method)
                    if method.kind == MethodDefinitionKind::Constructor)
            });
            // A `static { … }` block sets up the class's own before any static method runs.
            let in_static_block = || {
                nodes
                    .ancestors(node.id())
                    .take_while(|a| !a.kind().is_function_like())
                    .any(|a| matches!(a.kind(), AstKind::StaticBlock(_)))
            };
            !((in_constructor && matches!(place.root, PlaceRoot::This(_))) || in_static_block())
        }
        AstKind::UnaryExpression(unary) if unary.operator == UnaryOperator::Delete => ctx
            .model()
            .place_or_entry(&unary.argument)
            .is_some_and(|deleted| ctx.model().of_any_object(deleted).holds(place)),
        _ => false,
    })
}

/// `` `name` ``, or "the handle" as it is when the text was too long to show.
fn quoted(name: &str) -> String {
    if name == "the handle" || name == "the flag" {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

fn display(source: &str, span: Span) -> &str {
    display_or(source, span, "the handle")
}

/// The source text at `span`, or `long` when it is too long to show in a message.
fn display_or<'s>(source: &'s str, span: Span, long: &'s str) -> &'s str {
    let text = &source[span.start as usize..span.end as usize];
    if text.len() > 40 || text.contains('\n') {
        long
    } else {
        text
    }
}

/// Whether a class has an end that ends the instance for good: a teardown, in a class with no
/// method that starts it again. `disconnect()` beside `connect()`, `stop()` beside `start()`
/// end a connection or a run; the instance, and what its constructor started, lives on.
fn ends_for_good(class: leaklint_model::Class, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    if model.teardowns(class).is_empty() {
        return false;
    }
    !model.methods(class).iter().any(|method| {
        !method.constructor
            && method.name.is_some_and(|name| {
                matches!(
                    name,
                    "connect" | "open" | "start" | "listen" | "reconnect" | "resume" | "restart"
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::META;
    use crate::test_util::{assert_clean, assert_reports, run_rule, severities};
    use leaklint_diagnostics::Severity;

    #[test]
    fn flagged() {
        for source in [
            "setInterval(() => poll(), 1000);",
            "const t = setInterval(tick, 1000);",
            "app.get('/x', (req, res) => { setInterval(() => res.write('.'), 1000); });",
            "function start() { this.timer = setInterval(tick, 10); }",
            "import { setInterval as every } from 'timers'; every(tick, 10);",
            "globalThis.setInterval(tick, 10);",
            "const t = setInterval(tick, 10); t[Symbol.iterator]();",
            "class A { #a; #b; start() { this.#a = setInterval(f, 1); this.#b = setInterval(g, 1); } stop() { clearInterval(this.#a); } }",
            "class C { #sweeper = setInterval(sweep, 1000); }",
            "class L { reset = setInterval(zero, 60000).unref(); }",
            "app.get('/x', (req, res) => { setInterval(tick, 1000).unref(); });",
            "const timers = []; function start() { timers.push(setInterval(tick, 1)); }",
            // a binding the file knows is another object, or a handle parameter of a helper
            "const a = {}, b = {}; a.t = setInterval(f, 1); clearInterval(b.t);",
            "let t; function start() { t = setInterval(f, 1); } function stop(handle) { clearInterval(handle); }",
            "class A { start() { this.t = setInterval(f, 1); } stop(other) { clearInterval(other.u); } }",
            "class A { #timer; static stop(a) { clearInterval(a.#timer); } }\nclass B { #timer; start() { this.#timer = setInterval(f, 1); } }",
            "class A { start() { this.timer = setInterval(f, 1); } }\nfunction done(req) { clearTimeout(req.timer); }",
        ] {
            assert_reports(&META, &format!("{source}{END}"), "a.js", 1);
        }
    }

    /// What runs once at start-up lives as long as the process, which has no end in these
    /// files; what a plain function starts needs evidence that the function runs again.
    #[test]
    fn without_an_end_or_evidence_of_repetition_nothing_is_said() {
        for source in [
            "setInterval(() => poll(), 1000);",
            "const t = setInterval(tick, 1000);",
            "function start() { this.timer = setInterval(tick, 10); }",
            "let t; function start() { if (t) return; t = setInterval(f, 1); }",
            "export function startReporting() { setInterval(report, 60000); }",
        ] {
            assert_clean(&META, source, "a.js");
        }
        // A listener that starts it, or a stop function beside it, is enough.
        assert_reports(
            &META,
            "function start() { setInterval(tick, 10); } button.addEventListener('click', start);",
            "a.js",
            1,
        );
        assert_reports(
            &META,
            "let t; export function startPolling() { t = setInterval(poll, 10); } export function stopPolling() { t = null; }",
            "a.js",
            1,
        );
    }

    #[test]
    fn clean() {
        for source in [
            "const t = setInterval(tick, 1000); process.on('SIGTERM', () => clearInterval(t));",
            "setInterval(tick, 1000).unref();",
            "const t = setInterval(tick, 1000); t.unref();",
            "function every(ms) { return setInterval(tick, ms); }",
            "const make = () => setInterval(tick, 10);",
            "import { setInterval } from 'timers/promises'; for await (const _ of setInterval(10)) { break; }",
            "function setInterval() {} setInterval();",
            "class P { start() { this.t = setInterval(tick, 5); } stop() { clearInterval(this.t); } }",
            "const timers = new Set(); function add() { timers.add(setInterval(tick, 1)); } function stopAll() { for (const t of timers) clearInterval(t); }",
            "const timers = []; function add() { timers.push(setInterval(tick, 1)); } function stopAll() { timers.forEach(clearInterval); }",
            "const t = setInterval(() => { if (done()) clearInterval(t); }, 100);",
            "const t = setInterval(tick, 10); register(t);",
            "const t = setInterval(tick, 10); t.close();",
            "const t = setInterval(tick, 10); process.on('exit', () => t[Symbol.dispose]());",
            "let t; function start() { t = setInterval(tick, 1); } function stop() { clearTimeout(t); }",
            "class S { flushTimer = setInterval(() => this.flush(), 30000); onApplicationShutdown() { clearInterval(this.flushTimer); } }",
            "class S { #t = setInterval(f, 1); close() { clearInterval(this.#t); } }",
            "const timers = new Map(); function watch(id) { timers.set(id, setInterval(poll, 1000)); } function unwatch(id) { const timer = timers.get(id); if (timer) { clearInterval(timer); timers.delete(id); } }",
            "const list = []; function add() { list.push(setInterval(f, 1)); } function stop() { while (list.length) clearInterval(list.pop()); }",
            "const list = []; function add() { list.push(setInterval(f, 1)); } function stop() { list.splice(0).forEach(clearInterval); }",
            "const set = new Set(); function add() { set.add(setInterval(f, 1)); } function stop() { Array.from(set.values()).forEach(clearInterval); }",
            // a field cleared on an object the caller passes, or on a listener's emitter
            "function start(conn) { conn.timer = setInterval(f, 1); } function stop(c) { clearInterval(c.timer); }",
            "const state = {}; state.poller = setInterval(f, 1); function stop(s) { clearInterval(s.poller); }",
            "function onConnection(socket) { socket.on('data', function () { track(this); }); socket.on('close', function () { clearInterval(this.ping); }); }\nfunction track(socket) { if (socket.ping == null) socket.ping = setInterval(f, 1); }",
        ] {
            assert_clean(&META, source, "a.js");
        }
    }

    #[test]
    fn per_request_is_an_error_start_up_a_warning() {
        assert_eq!(
            severities(
                &META,
                "app.post('/a', (req, res) => { setInterval(() => send(req), 10); });",
                "a.js"
            ),
            [Severity::Error]
        );
        assert_eq!(
            severities(&META, &format!("setInterval(tick, 10);{END}"), "a.js"),
            [Severity::Warning]
        );
    }

    #[test]
    fn a_constructors_timer_in_a_public_field_needs_an_end_for_good() {
        // `disconnect()` beside `connect()` ends a connection; the transport lives on.
        assert_clean(
            &META,
            "class T { constructor() { this.beat = setInterval(f, 5000); } connect() {} disconnect() {} }",
            "a.js",
        );
        // `destroy()` with nothing that starts the instance again: instances come and go.
        assert_reports(
            &META,
            "class T { constructor() { this.beat = setInterval(f, 5000); } destroy() {} }",
            "a.js",
            1,
        );
    }

    #[test]
    fn per_instance_wording() {
        let found = run_rule(
            &META,
            "class P { #t; constructor() { this.#t = setInterval(f, 1); } }",
            "a.js",
            None,
        );
        assert!(
            found[0]
                .message
                .contains("in a constructor: every new instance"),
            "{}",
            found[0].message
        );
        let found = run_rule(&META, "class P { #t = setInterval(f, 1); }", "a.js", None);
        assert!(
            run_rule(&META, "class P { t = setInterval(f, 1); }", "a.js", None).is_empty(),
            "a public field the code owning the instance may clear, and no sign that instances \
             come and go"
        );
        assert!(
            found[0].message.contains("in a class field initializer"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_static_methods_this_is_the_class_not_an_instance() {
        // Cleared through the class's name: the same place.
        assert_clean(
            &META,
            "class P { static start() { this.t = setInterval(f, 1); } static stop() { clearInterval(P.t); } }",
            "a.js",
        );
        assert_clean(
            &META,
            "class P { static start() { P.t = setInterval(f, 1); } static stop() { clearInterval(this.t); } }",
            "a.js",
        );
        assert_clean(
            &META,
            "class P { static t = setInterval(f, 1); static stop() { clearInterval(this.t); } }",
            "a.js",
        );
        // An instance's `this.t` is another field.
        assert_reports(
            &META,
            &format!(
                "{}{END}",
                "class P { static t = setInterval(f, 1); stop() { clearInterval(this.t); } }"
            ),
            "a.js",
            1,
        );
        assert_reports(
            &META,
            &format!("{}{END}", "class P { static start() { this.t = setInterval(f, 1); } stop() { clearInterval(this.t); } }"),
            "a.js",
            1,
        );
        assert_reports(
            &META,
            &format!("{}{END}", "class P { start() { this.t = setInterval(f, 1); } static stop() { clearInterval(this.t); } }"),
            "a.js",
            1,
        );
    }

    /// A shutdown handler: the process's end, which a timer started at start-up must be
    /// cleared by (without one, a process-lifetime timer has no owner it could outlive).
    const END: &str = "\nprocess.on('SIGTERM', stop);";

    fn message(source: &str) -> String {
        let source = format!("{source}{END}");
        let source = source.as_str();
        let found = run_rule(&META, source, "a.js", None);
        assert_eq!(found.len(), 1, "{source}: {found:?}");
        found[0].message.clone()
    }

    #[test]
    fn a_creation_guarded_by_its_own_handle_starts_one_timer_per_owner() {
        const PER_CALL: &str = "every call starts another timer";
        for (source, expected) in [
            // module-level owner: once per process
            (
                "const obj = {}; obj.renew = function () { if (obj.check == null) { obj.check = setInterval(f, 1); } };",
                "started only while `obj.check` is empty, so at most once, and runs for the life of the process",
            ),
            (
                "let t; function start() { if (t) return; t = setInterval(f, 1); }",
                "so at most once",
            ),
            (
                "let t; function start() { t ??= setInterval(f, 1); }",
                "so at most once",
            ),
            (
                "let t; function start() { t || (t = setInterval(f, 1)); }",
                "so at most once",
            ),
            (
                "let t; function start() { if (typeof t !== 'undefined') { return; } t = setInterval(f, 1); }",
                "so at most once",
            ),
            // a module-level class's static side, set up once in a static block or not at all
            (
                "class P { static start() { if (!this.t) this.t = setInterval(f, 1); } }",
                "so at most once",
            ),
            (
                "export default class { static start() { if (!this.t) this.t = setInterval(f, 1); } }",
                "so at most once",
            ),
            (
                "const P = class Q { static start() { if (!this.t) this.t = setInterval(f, 1); } };",
                "so at most once",
            ),
            (
                "class P { static { this.t = null; } static start() { if (!this.t) this.t = setInterval(f, 1); } }",
                "so at most once",
            ),
            // an object literal's methods run on any object they are copied to
            (
                "const poller = { start() { if (!this.t) this.t = setInterval(f, 1); } };",
                "so each object it runs on gets one",
            ),
            // every `new` empties a static place its constructor writes
            (
                "class P { constructor() { P.t = null; } static start() { if (!this.t) this.t = setInterval(f, 1); } }",
                PER_CALL,
            ),
            // per instance, per object, per closure
            (
                "function make() { return class { static start() { if (!this.t) this.t = setInterval(f, 1); } }; }",
                "so each class made gets one",
            ),
            (
                "function make() { return class Made { static start() { if (!this.t) this.t = setInterval(f, 1); } }; }",
                "so each class made gets one",
            ),
            (
                "class P { start() { if (this.t || this.paused) return; this.t = setInterval(f, 1); } }",
                "so each instance gets one, which runs forever",
            ),
            (
                "class P { start() { if (!this.t && this.ready) { this.t = setInterval(f, 1); } } }",
                "so each instance gets one",
            ),
            (
                "class P { constructor() { this.t = null; } start() { if (this.t !== null) {} else { this.t = setInterval(f, 1); } } }",
                "so each instance gets one",
            ),
            (
                "function track(socket) { socket.on('data', () => { if (!socket.ping) socket.ping = setInterval(f, 1); }); }",
                "so each `socket` gets one",
            ),
            (
                "function make() { let t; return { start() { if (!t) t = setInterval(f, 1); } }; }",
                "so each run of the function that declares `t` gets one",
            ),
            // no guard: every call starts another
            (
                "class P { start() { if (!this.t) this.t = setInterval(f, 1); } stop() { this.t = null; } }",
                PER_CALL,
            ),
            (
                "class P { start() { if (this.t && this.x) return; this.t = setInterval(f, 1); } }",
                PER_CALL,
            ),
            (
                "class P { start() { if (!this.other) this.t = setInterval(f, 1); } }",
                PER_CALL,
            ),
            (
                "class P { start() { if (!this.t) log(); this.t = setInterval(f, 1); } }",
                PER_CALL,
            ),
            (
                "class P { start() { if (this.t) { log(); } this.t = setInterval(f, 1); } }",
                PER_CALL,
            ),
            (
                "function start() { let t; if (!t) t = setInterval(f, 1); }",
                "every call starts another timer",
            ),
            (
                "const o = {}; function start() { if (!o.t) o.t = setInterval(f, 1); } function reset() { delete o.t; }",
                PER_CALL,
            ),
            (
                "let conn; function connect() { conn = { sock: open() }; if (!conn.timer) conn.timer = setInterval(f, 1); }",
                PER_CALL,
            ),
            (
                "function onConnection(socket) { const state = {}; if (!state.timer) state.timer = setInterval(f, 1); }",
                PER_CALL,
            ),
            (
                "function start(conn) { if (!conn.timer) conn.timer = setInterval(f, 1); } function stop(c) { c.timer = null; }",
                PER_CALL,
            ),
            (
                "class P { async start() { if (this.timer) return; await this.connect(); this.timer = setInterval(f, 1); } }",
                PER_CALL,
            ),
            (
                "class P { start(items) { if (!this.timer) { for (const i of items) this.timer = setInterval(f, 1); } } }",
                PER_CALL,
            ),
            (
                "class P { constructor() { this.state = { timer: null }; } start() { if (!this.state.timer) this.state.timer = setInterval(f, 1); } }",
                "so each instance gets one",
            ),
        ] {
            let message = message(source);
            assert!(message.contains(expected), "{source}\n{message}");
        }
    }

    #[test]
    fn a_guarded_timer_per_request_is_still_an_error_and_once_per_process_may_be_unrefed() {
        assert_eq!(
            severities(
                &META,
                "app.get('/x', (req, res) => { if (!req.ping) req.ping = setInterval(f, 1); });",
                "a.js"
            ),
            [Severity::Error]
        );
        assert_eq!(
            severities(
                &META,
                &format!("let t; app.get('/x', (req, res) => {{ if (!t) t = setInterval(f, 1); }});{END}"),
                "a.js"
            ),
            [Severity::Warning]
        );
        assert_clean(
            &META,
            "let t; function start() { if (!t) { t = setInterval(f, 1); t.unref(); } }",
            "a.js",
        );
    }

    #[test]
    fn a_latch_set_next_to_the_creation_starts_one_timer_per_owner() {
        const PER_CALL: &str = "every call starts another timer";
        let once = "started only until `started` is set, so at most once";
        for source in [
            "let started = false; function start() { if (started) return; started = true; setInterval(f, 1); }",
            "let started = false; function start() { if (!started) { setInterval(f, 1); started = true; } }",
            "let started; function start() { if (started === undefined) { started = {}; setInterval(f, 1); } }",
            "let started = 0; function start() { if (started) { log(); } else { started = 1; setInterval(f, 1); } }",
        ] {
            assert!(message(source).contains(once), "{source}: {}", message(source));
        }
        let instance = message(
            "class S { start() { if (this.running) return; this.running = true; setInterval(f, 1); } }",
        );
        assert!(
            instance.contains("until `this.running` is set, so each instance gets one"),
            "{instance}"
        );
        let long = message(
            "class S { start() { if (this.state.isBackgroundPollingStartedAlready) return; this.state.isBackgroundPollingStartedAlready = true; setInterval(f, 1); } }",
        );
        assert!(long.contains("until the flag is set"), "{long}");
        for source in [
            "let started = false; function start() { if (started) return; started = true; setInterval(f, 1).unref(); }",
            // Set again elsewhere, but never emptied.
            "let started = false; if (process.env.OFF) started = true; function start() { if (started) return; started = true; setInterval(f, 1).unref(); }",
            "let started = false; function start() { if (!started) { setInterval(f, 1).unref(); started = true; } }",
        ] {
            assert_clean(&META, source, "a.js");
        }
        for source in [
            // Reset elsewhere without a clear: the next start adds another timer.
            "let started = false; function start() { if (started) return; started = true; setInterval(f, 1); } function stop() { started = false; }",
            // Set after a pause: two calls pass the check before either sets it.
            "let started = false; async function start() { if (started) return; await ready(); started = true; setInterval(f, 1); }",
            // Set to what may be empty.
            "let id = null; function start() { if (id == null) { id = make(); setInterval(f, 1); } }",
            "let started = false; function start() { if (started) return; started = false; setInterval(f, 1); }",
            "let started = 0; function start() { if (started) return; started = 1; setInterval(f, 1); } function stop() { started--; }",
            // A parameter the function sets is its own copy.
            "function start(started) { if (started) return; started = true; setInterval(f, 1); }",
            // Set behind another condition, or after something that may leave first.
            "let started = false; function start(x) { if (started) return; if (x) { setInterval(f, 1); return; } started = true; }",
            "let started = false; function start() { if (started) return; try { setInterval(f, 1); connect(); started = true; } catch (e) {} }",
            "let started = false; function start() { if (!started) { setInterval(f, 1); connect(); started = true; } }",
            "let started = false; function start() { if (started) return; if (x) started = true; setInterval(f, 1); }",
            "let started = false; function start() { if (!started) { setInterval(f, 1); if (x) return; started = true; } }",
            // Checked after the creation, or not at all.
            "let started = false; function start() { setInterval(f, 1); if (started) return; started = true; }",
            "let started = false; function start() { started = true; setInterval(f, 1); }",
            // A flag of the function itself is new on every call.
            "function start() { let started = false; if (started) return; started = true; setInterval(f, 1); }",
        ] {
            assert!(message(source).contains(PER_CALL), "{source}: {}", message(source));
        }
    }

    #[test]
    fn a_local_handle_does_not_borrow_a_module_clear() {
        // The local `t` shadows the module-level `t`: clearing the module one clears nothing here.
        let source = "let t = setInterval(a, 1);\nfunction stop() { clearInterval(t); }\n\
                      app.get('/x', (req, res) => { const t = setInterval(b, 1); });";
        assert_reports(&META, source, "a.js", 1);
    }

    #[test]
    fn unref_option() {
        let options = serde_json::json!({ "allowUnref": false });
        assert_eq!(
            run_rule(
                &META,
                &format!("setInterval(tick, 1).unref();{END}"),
                "a.js",
                Some(&options)
            )
            .len(),
            1
        );
    }
}
