//! `max-listeners-override`: `setMaxListeners(0 | Infinity)` and `defaultMaxListeners = 0 |
//! Infinity` silence `MaxListenersExceededWarning`, the one signal Node gives that listeners are
//! leaking. A raised finite limit is fine when a comment says why.

use std::sync::LazyLock;

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::ast_util::{
    argument, as_member, callee_name, dotted_path, member_name, strip, written, Written,
};
use leaklint_model::{protocols, values, PlaceRoot};
use oxc_ast::{ast::Expression, AstKind, AstType};
use oxc_semantic::AstNode;
use oxc_span::{GetSpan, Span};

use crate::{
    rules::{byte_span, Markers},
    Rule, RuleContext, RuleMeta,
};

const ID: &str = "max-listeners-override";

/// Node's default limit: raising it above this is what needs a reason.
const NODE_DEFAULT: f64 = 10.0;
/// From here on a limit is effectively none.
const EFFECTIVELY_UNLIMITED: f64 = 1_000_000.0;

/// See `rules/max-listeners-override.md`.
#[derive(Debug, Clone)]
pub struct MaxListenersOverride {
    /// Report a raised finite limit that has no comment on its line or the line above.
    require_comment: bool,
}

impl Default for MaxListenersOverride {
    fn default() -> Self {
        Self {
            require_comment: true,
        }
    }
}

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "MaxListenersOverride",
    description:
        "setMaxListeners(0 | Infinity) or defaultMaxListeners = 0 | Infinity hides listener leaks",
    default_severity: Severity::Warning,
    escalated_severity: None,
    docs: include_str!("../../../../rules/max-listeners-override.md"),
    tags: &["memory-leak", "events", "maintainability"],
    precision: "very-high",
    options_schema: r#"{
  "type": "object",
  "properties": {
    "requireComment": {
      "type": "boolean",
      "default": true,
      "description": "Report a finite limit above Node's default of 10 unless a comment on the same line or the line above explains it."
    }
  },
  "additionalProperties": false
}"#,
    factory: |options| {
        let mut rule = MaxListenersOverride::default();
        if let Some(options) = options {
            let object = options.as_object().ok_or("options must be an object")?;
            for (key, value) in object {
                match key.as_str() {
                    "requireComment" => {
                        rule.require_comment = value
                            .as_bool()
                            .ok_or("`requireComment` must be a boolean")?;
                    }
                    other => {
                        return Err(format!(
                            "unknown option `{other}` (expected `requireComment`)"
                        ))
                    }
                }
            }
        }
        Ok(Box::new(rule))
    },
};

impl Rule for MaxListenersOverride {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn should_run(&self, text: &str) -> bool {
        static MARKERS: LazyLock<Markers> = LazyLock::new(|| Markers::new(&["axListeners"]));
        MARKERS.any_in(text)
    }

    fn node_types(&self) -> &'static [AstType] {
        &[
            AstType::CallExpression,
            AstType::NewExpression,
            AstType::AssignmentExpression,
        ]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        let (span, target, value) = match node.kind() {
            // `EventEmitterModule.forRoot({ maxListeners: 0 })` (@nestjs/event-emitter)
            AstKind::CallExpression(call) if callee_name(call) == Some("forRoot") => {
                let Some(value) = as_member(&call.callee)
                    .filter(|m| {
                        matches!(strip(m.object()), Expression::Identifier(i) if i.name == "EventEmitterModule")
                    })
                    .and_then(|_| argument(call, 0))
                    .and_then(|options| protocols::object_property_value(options, "maxListeners"))
                else {
                    return;
                };
                (
                    call.callee.span(),
                    "every emitter of the module".to_string(),
                    value,
                )
            }
            // `new EventEmitter2({ maxListeners: 0 })`
            AstKind::NewExpression(new) => {
                let Expression::Identifier(class) = strip(&new.callee) else {
                    return;
                };
                if class.name != "EventEmitter2" {
                    return;
                }
                let Some(value) = new
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .and_then(|options| protocols::object_property_value(options, "maxListeners"))
                else {
                    return;
                };
                (new.callee.span(), "the emitter".to_string(), value)
            }
            AstKind::CallExpression(call) => {
                if !is_set_max_listeners(&call.callee, ctx) {
                    return;
                }
                let Some(value) = argument(call, 0) else {
                    return;
                };
                let target = match as_member(&call.callee) {
                    Some(member) if !is_events_module(member.object(), ctx) => {
                        dotted_path(member.object())
                            .map_or_else(|| "the emitter".to_string(), |p| format!("`{p}`"))
                    }
                    _ => match argument(call, 1) {
                        Some(first) => dotted_path(first)
                            .map_or_else(|| "the targets".to_string(), |p| format!("`{p}`")),
                        None => "every new EventEmitter and EventTarget".to_string(),
                    },
                };
                (call.callee.span(), target, value)
            }
            AstKind::AssignmentExpression(assign) => {
                let Some(Written::Member(member)) = written(&assign.left) else {
                    return;
                };
                if member_name(member) != Some("defaultMaxListeners")
                    || !is_events_module(member.object(), ctx)
                {
                    return;
                }
                (
                    assign.left.span(),
                    "every EventEmitter".to_string(),
                    &assign.right,
                )
            }
            _ => return,
        };
        let Some(limit) = values::constant_number(value, ctx.model()) else {
            return;
        };
        // One emitter's limit: what it hides is the listeners this file keeps adding to it.
        // Without any (the emitter is a fan-out bus, a cancellation token, a terminal), the
        // raise is a design choice the file does not contradict.
        let mut evidence = None;
        if let AstKind::CallExpression(call) = node.kind() {
            if let Some(member) =
                as_member(&call.callee).filter(|_| is_set_max_listeners(&call.callee, ctx))
            {
                if !is_events_module(member.object(), ctx) {
                    match leaking_listener(member.object(), node.id(), ctx) {
                        Some(found) => evidence = Some(found),
                        None => return,
                    }
                }
            }
        }
        let diagnostic = if limit == 0.0 || limit >= EFFECTIVELY_UNLIMITED || limit.is_nan() {
            Diagnostic::finding(
                ID,
                Severity::Warning,
                format!(
                    "removes the listener limit of {target}: Node will no longer warn \
                     (`MaxListenersExceededWarning`) when listeners leak"
                ),
                Label::new(byte_span(span), "no limit"),
            )
            .with_help(
                "find and fix the code that keeps adding listeners; if many listeners are \
                 expected, set a finite limit that fits the design and say why in a comment",
            )
        } else if limit > NODE_DEFAULT && self.require_comment && !is_explained(ctx, node.id()) {
            Diagnostic::finding(
                ID,
                Severity::Warning,
                format!(
                    "raises the listener limit of {target} to {limit} without saying why: a \
                     raised limit also delays the warning that listeners leak"
                ),
                Label::new(byte_span(span), "limit raised without a reason"),
            )
            .with_help(
                "add a comment on this line or the line above explaining why this many \
                 listeners are expected, or find the code that keeps adding them",
            )
        } else {
            return;
        };
        let diagnostic = match evidence {
            Some(registration) => diagnostic.with_secondary(
                Label::new(
                    byte_span(ctx.nodes().kind(registration).span()),
                    "listeners added here again and again, and never removed",
                )
                .with_role(Role::Repeats),
            ),
            None => diagnostic,
        };
        ctx.report(diagnostic);
    }
}

/// A listener the file adds to the emitter again and again (in code that runs more than once,
/// apart from where the limit is raised and the emitter made) and never removes: what the
/// raised limit hides.
fn leaking_listener<'a>(
    emitter: &Expression<'a>,
    at: oxc_semantic::NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<oxc_semantic::NodeId> {
    let model = ctx.model();
    let place = model.place(emitter)?;
    let raised_in = model.enclosing_function(at);
    // An emitter a binding of the adding function holds (`const sock = new Socket()`) is that
    // run's own: each run adds to another one.
    let made_by = match place.root {
        PlaceRoot::Symbol(symbol) if model.parameter_owner(symbol).is_none() => {
            model.enclosing_function(ctx.semantic().scoping().symbol_declaration(symbol))
        }
        _ => None,
    };
    protocols::LISTENER_PROTOCOL
        .acquire
        .iter()
        .flat_map(|name| model.calls_named(name).iter().copied())
        .find(|&id| {
            let AstKind::CallExpression(call) = ctx.nodes().kind(id) else {
                return false;
            };
            let Some(registration) = protocols::Registration::of(call) else {
                return false;
            };
            // Added apart from the raise and from the emitter's making (not beside the raise,
            // not in a constructor or a method it calls): more often than the emitter is made.
            let function = model.enclosing_function(id);
            !registration.is_once_method()
                && !model.runs_at(id).is_once()
                && function != raised_in
                && (made_by.is_none() || function != made_by)
                // `if (this.crypto) return; … emitter.on(…)`: added once, behind a guard.
                && !leaklint_model::guards::is_guarded(id, model)
                && !model.instance_owner(id).is_some_and(|(class, method)| {
                    method.constructor || model.called_by_constructor(class, &method)
                })
                && model
                    .place(registration.receiver)
                    .is_some_and(|p| p.same_place(&place))
                && !protocols::is_removed_from(&registration, &[], model)
        })
}

/// `x.setMaxListeners(n)` on any emitter, or the static `setMaxListeners(n, ...targets)` of
/// the `events` module (imported by name, or as `events.setMaxListeners`).
fn is_set_max_listeners(callee: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    match strip(callee) {
        Expression::Identifier(ident) => model.symbol_of(ident).is_some_and(|symbol| {
            model
                .import_origin(symbol)
                .is_some_and(|o| o.is_module("events") && o.export == Some("setMaxListeners"))
        }),
        other => as_member(other).is_some_and(|m| member_name(m) == Some("setMaxListeners")),
    }
}

/// `EventEmitter`, `events`, `require('events')`, `require('events').EventEmitter`, where the
/// binding comes from the `events` module.
fn is_events_module(expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    match strip(expr) {
        Expression::Identifier(ident) => match model.symbol_of(ident) {
            Some(symbol) => model.import_origin(symbol).is_some_and(|o| {
                o.is_module("events") && matches!(o.export, None | Some("EventEmitter" | "default"))
            }),
            None => false,
        },
        Expression::CallExpression(call) if call.is_require_call() => call
            .common_js_require()
            .is_some_and(|m| m.value.strip_prefix("node:").unwrap_or(&m.value) == "events"),
        other => as_member(other).is_some_and(|member| {
            member_name(member) == Some("EventEmitter") && is_events_module(member.object(), ctx)
        }),
    }
}

/// Whether a comment explains the limit: next to it, or next to the `if`/`try` just around it
/// (`// If the limit is the default, raise it` above `if (…) { setMaxListeners(1500, signal) }`).
fn is_explained(ctx: &RuleContext<'_, '_>, node: oxc_semantic::NodeId) -> bool {
    let nodes = ctx.nodes();
    let span = nodes.kind(node).span();
    if has_comment_near(ctx, span) {
        return true;
    }
    let source = ctx.source_text();
    for kind in nodes.ancestor_kinds(node) {
        match kind {
            AstKind::IfStatement(_) | AstKind::TryStatement(_) => {
                let around = kind.span();
                let lines_between = source[around.start as usize..span.start as usize]
                    .matches('\n')
                    .count();
                if lines_between > 2 {
                    return false;
                }
                if has_comment_near(ctx, around) {
                    return true;
                }
            }
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) | AstKind::Program(_) => {
                return false;
            }
            _ => {}
        }
    }
    false
}

/// Whether a comment explains the statement at `span`: one on its own lines, or an own-line
/// comment directly above it. Tool directives (`leaklint-disable…`, `eslint-…`, `@ts-…`,
/// `prettier-ignore`, coverage pragmas, and the fixtures' `expect:` markers) explain nothing.
fn has_comment_near(ctx: &RuleContext<'_, '_>, span: Span) -> bool {
    let source = ctx.source_text();
    let line_start = source[..span.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = source[span.end as usize..]
        .find('\n')
        .map_or(source.len(), |i| span.end as usize + i);
    ctx.semantic().comments().iter().any(|comment| {
        let start = comment.span.start as usize;
        let end = comment.span.end as usize;
        if is_directive(&source[start..end]) {
            return false;
        }
        if end > line_start && start < line_end {
            return true;
        }
        // Directly above: only whitespace with one line break between, and nothing but
        // whitespace before the comment on its own line.
        let between = source.get(end..line_start).unwrap_or("\n\n");
        let before = &source[source[..start].rfind('\n').map_or(0, |i| i + 1)..start];
        end <= line_start
            && between.trim().is_empty()
            && between.matches('\n').count() <= 1
            && before.trim().is_empty()
    })
}

fn is_directive(comment: &str) -> bool {
    let text = comment
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_start_matches('*')
        .trim_start();
    [
        "leaklint-",
        "eslint-",
        "eslint ",
        "oxlint-",
        "biome-ignore",
        "@ts-",
        "prettier-ignore",
        "istanbul ",
        "c8 ",
        "expect:",
    ]
    .iter()
    .any(|prefix| text.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::META;
    use crate::test_util::{assert_clean, assert_reports, run_rule};

    /// A listener added to `bus` on every call and never removed: what a raised limit hides.
    const LEAK: &str = "\nexport function watch(cb) { bus.on('tick', cb); }";

    #[test]
    fn flagged() {
        for source in [
            "emitter.setMaxListeners(0);\nexport function watch(cb) { emitter.on('tick', cb); }",
            "process.setMaxListeners(Infinity);\nexport function onQuit(cb) { process.on('SIGTERM', cb); }",
            "class Hub extends EventEmitter { constructor() { super(); this.setMaxListeners(Number.POSITIVE_INFINITY); } watch(cb) { this.on('tick', cb); } }",
        ] {
            assert_reports(&META, source, "a.mjs", 1);
        }
        for source in [
            "bus.setMaxListeners(1e9);",
            "const UNLIMITED = 0; bus.setMaxListeners(UNLIMITED);",
            "import { EventEmitter } from 'events'; EventEmitter.defaultMaxListeners = Infinity;",
            "require('events').EventEmitter.defaultMaxListeners = 0;",
            "require('node:events').defaultMaxListeners = 0;",
            "import events from 'node:events'; events.defaultMaxListeners = 0;",
            "import { setMaxListeners } from 'events'; setMaxListeners(0, controller.signal);",
            "import * as events from 'events'; events.setMaxListeners(Infinity);",
            "import { EventEmitter2 } from 'eventemitter2'; const bus = new EventEmitter2({ wildcard: true, maxListeners: 0 });",
            "EventEmitterModule.forRoot({ maxListeners: Infinity });",
            "bus.setMaxListeners(50);",
            "bus.setMaxListeners(50); // leaklint-disable-line listener-leak",
            "const bus = new EventEmitter(); // shared bus\nbus.setMaxListeners(30);",
            "// why\n\nbus.setMaxListeners(30);",
            "// unrelated\nif (ready) {\n  a();\n  b();\n  c();\n  bus.setMaxListeners(30);\n}",
        ] {
            let with_leak = format!("{source}{LEAK}");
            let reported = if source.contains("bus.") || source.contains("const bus") {
                with_leak.as_str()
            } else {
                source
            };
            assert_reports(&META, reported, "a.mjs", 1);
        }
        assert_reports(
            &META,
            "import events from 'node:events'; (events.defaultMaxListeners as number) = 0;",
            "a.ts",
            1,
        );
    }

    #[test]
    fn clean() {
        for source in [
            "bus.setMaxListeners(5);",
            "bus.setMaxListeners(10);",
            "bus.setMaxListeners(bus.getMaxListeners() + 1);",
            "bus.setMaxListeners(workers.length);",
            "// one listener per shard (32 shards)\nbus.setMaxListeners(32);",
            "bus.setMaxListeners(32); // one per shard",
            "// Raise it once: one abort listener per request in the batch.\nif (bus.getMaxListeners() === 10) {\n  bus.setMaxListeners(1500);\n}",
            "/**\n * One listener per tenant stream (at most 40).\n */\nbus.setMaxListeners(40);",
            "function setMaxListeners() {} setMaxListeners(0);",
            "const EventEmitter = makeEmitter(); EventEmitter.defaultMaxListeners = 0;",
            "bus.getMaxListeners();",
            "const bus = new EventEmitter2({ maxListeners: 5 });",
            "EventEmitterModule.forRoot({ wildcard: true });",
            // One emitter's limit, with no listener the file keeps adding to it: a fan-out bus,
            // a cancellation token, a terminal. The raise is a choice the file does not
            // contradict.
            "emitter.setMaxListeners(0);",
            "bus.setMaxListeners(100);",
            "bus.setMaxListeners(0);\nexport function watch(cb) { bus.on('tick', cb); return () => bus.off('tick', cb); }",
            "bus.setMaxListeners(0);\nbus.on('tick', log);",
            "bus.setMaxListeners(0);\nexport function watch(cb) { other.on('tick', cb); }",
            // listeners added as the connection is set up, by a method the constructor calls
            "class Conn { constructor(client) { this.client = client; this.client.setMaxListeners(0); this._setup(this.client); } _setup(c) { this.client.on('error', log); } }",
        ] {
            assert_clean(&META, source, "a.mjs");
        }
    }

    #[test]
    fn comment_option() {
        let options = serde_json::json!({ "requireComment": false });
        let leaking = |limit: &str| format!("bus.setMaxListeners({limit});{LEAK}");
        assert!(run_rule(&META, &leaking("50"), "a.js", Some(&options)).is_empty());
        assert_eq!(
            run_rule(&META, &leaking("0"), "a.js", Some(&options)).len(),
            1
        );
    }
}
