//! A request in flight kept in long-lived state until it settles, where only some of the ways
//! it can settle take it out: `this.requests.push(visit)` removed in `visit.send().then(…)`
//! (a rejection keeps it), `this.requests[req.id] = req` removed on `'response'` and `'error'`
//! (an aborted request emits neither; `'close'` always fires).

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{
        argument, as_member, callee_name, member_name, short_text, string_value, strip,
        value_parent,
    },
    guards, protocols, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{CallExpression, Expression},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};
use oxc_span::GetSpan;

use super::ID;
use crate::{
    rules::{byte_span, first_line},
    RuleContext,
};

/// Events after which a request is over whatever happened: `close` fires after `abort` too.
const FINAL_EVENTS: &[&str] = &["close", "abort", "aborted"];

/// Where a kept request is held, and the request's binding.
struct Kept<'a> {
    holder: Place<'a>,
    value: SymbolId,
    /// The growing call or assignment.
    node: NodeId,
}

/// The in-flight request kept at this call or assignment (`list.push(v)`, `set(k, v)`, `add(v)`,
/// `map[k] = v`), in a field of `this` or a module-level binding.
fn kept<'a>(node: NodeId, ctx: &RuleContext<'a, '_>) -> Option<Kept<'a>> {
    let model = ctx.model();
    let (holder, value) = match ctx.nodes().kind(node) {
        AstKind::CallExpression(call) => {
            let value = match (callee_name(call)?, call.arguments.len()) {
                ("push" | "unshift" | "add", 1) => argument(call, 0)?,
                ("set", 2) => argument(call, 1)?,
                _ => return None,
            };
            (model.place(as_member(&call.callee)?.object())?, value)
        }
        AstKind::AssignmentExpression(assign) => {
            let member = assign.left.as_member_expression()?;
            if member_name(member).is_some() {
                return None;
            }
            (model.place(member.object())?, &assign.right)
        }
        _ => return None,
    };
    let long_lived = match holder.root {
        PlaceRoot::This(Some(_)) => holder.fields.len() == 1,
        PlaceRoot::Symbol(symbol) => holder.fields.is_empty() && model.is_module_level(symbol),
        _ => false,
    };
    // `if (Object.keys(pending).length > 4) return;` before it: what stays keeps the next
    // ones out, and the holder cannot grow past the limit.
    if !long_lived || guards::size_checked(node, &|place| place.same_place(&holder), model) {
        return None;
    }
    let Expression::Identifier(ident) = strip(value) else {
        return None;
    };
    Some(Kept {
        holder,
        value: model.symbol_of(ident)?,
        node,
    })
}

/// The finding for a kept request that only some of its settlements take out.
pub(super) fn removed_on_some_ends<'a>(
    node: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let kept = kept(node, ctx)?;
    let model = ctx.model();
    let function = model.enclosing_function(node)?;
    let name = ctx.semantic().scoping().symbol_name(kept.value);
    let source = ctx.source_text();
    let holder_text = place_text(&kept.holder, ctx);
    let mut removing_events: Vec<&str> = Vec::new();
    let mut event_labels: Vec<Label> = Vec::new();
    for candidate in ctx.nodes_within(function) {
        let AstKind::CallExpression(call) = candidate.kind() else {
            continue;
        };
        if model.enclosing_function(candidate.id()) != Some(function) {
            continue;
        }
        // `value.send().then(onDone)`: removed on fulfilment only. Appended, each one is a new
        // entry; kept under a key (`pending[channel] = p`), the next one for the key replaces it.
        let appended = matches!(ctx.nodes().kind(node), AstKind::CallExpression(grow)
            if matches!(callee_name(grow), Some("push" | "unshift" | "add")));
        if let Some(handler) = fulfilment_only(call, kept.value, ctx).filter(|_| appended) {
            if removes(handler, &kept.holder, node, ctx) {
                let settles = short_text(source, as_member(&call.callee)?.object().span());
                return Some(finding(
                    &kept,
                    format!(
                        "`{name}` is kept in `{holder_text}` while it is in flight, and only the \
                         fulfilment handler of `{settles}` takes it out: when that promise \
                         rejects, `{name}` stays there for as long as `{holder_text}` lives"
                    ),
                    Label::new(
                        byte_span(first_line(source, call.span)),
                        "removes it only when this resolves",
                    )
                    .with_role(Role::Release),
                    "remove it in `.finally(…)` (or in both handlers of `.then`)",
                    ctx,
                ));
            }
            continue;
        }
        // `value.on('response', gotResponse)`
        let Some(registration) = protocols::Registration::of(call) else {
            continue;
        };
        let on_value = matches!(strip(registration.receiver), Expression::Identifier(r)
            if model.symbol_of(r) == Some(kept.value));
        if !on_value {
            continue;
        }
        let Some(event) = registration.event.and_then(string_value) else {
            continue;
        };
        let Some(handler) = handler_function(registration.handler, ctx) else {
            continue;
        };
        if removes(handler, &kept.holder, node, ctx) {
            if FINAL_EVENTS.contains(&event) {
                return None;
            }
            removing_events.push(event);
            event_labels.push(
                Label::new(
                    byte_span(first_line(source, call.span)),
                    format!("removes it on '{event}'"),
                )
                .with_role(Role::Release),
            );
        }
    }
    if !is_outgoing_request(kept.value, ctx) {
        return None;
    }
    // `http.request(options, onResponse)`: the callback is a 'response' listener.
    if let Some(Expression::CallExpression(start)) = model.const_init(kept.value).map(strip) {
        if let Some(callback) = start
            .arguments
            .last()
            .and_then(|a| a.as_expression())
            .and_then(|a| handler_function(a, ctx))
        {
            if removes(callback, &kept.holder, node, ctx) {
                removing_events.insert(0, "response");
                event_labels.insert(
                    0,
                    Label::new(
                        byte_span(first_line(source, start.span)),
                        "removes it on 'response'",
                    )
                    .with_role(Role::Release),
                );
            }
        }
    }
    if removing_events.is_empty() {
        return None;
    }
    let events = removing_events
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(" and ");
    let missed = if removing_events.contains(&"error") {
        "a request that is aborted or destroyed (`abort()`, `destroy()`, a timeout) may emit \
         none of them"
    } else {
        "a request that fails emits 'error' instead"
    };
    let mut diagnostic = finding(
        &kept,
        format!(
            "`{name}` is kept in `{holder_text}` while it is in flight, and taken out only on \
             {events}: {missed}, and then it stays there for as long as `{holder_text}` lives"
        ),
        event_labels.remove(0),
        "also remove it on the request's 'close', which fires however it ends",
        ctx,
    );
    for label in event_labels {
        diagnostic = diagnostic.with_secondary(label);
    }
    Some(diagnostic)
}

fn finding(
    kept: &Kept<'_>,
    message: String,
    release: Label,
    help: &'static str,
    ctx: &RuleContext<'_, '_>,
) -> Diagnostic {
    let span = ctx.nodes().kind(kept.node).span();
    Diagnostic::finding(
        ID,
        Severity::Warning,
        message,
        Label::new(
            byte_span(first_line(ctx.source_text(), span)),
            "kept here while in flight",
        )
        .with_role(Role::Holder),
    )
    .with_help(help)
    .with_secondary(release)
}

/// `x.then(f)` on a promise the kept value starts (`value.send().then(f)`, `value.then(f)`),
/// with no rejection handler, `.catch` or `.finally` after it: the handler `f`.
fn fulfilment_only(
    call: &CallExpression<'_>,
    value: SymbolId,
    ctx: &RuleContext<'_, '_>,
) -> Option<NodeId> {
    if callee_name(call) != Some("then") || call.arguments.len() != 1 {
        return None;
    }
    let model = ctx.model();
    let mut object = strip(as_member(&call.callee)?.object());
    if let Expression::CallExpression(start) = object {
        object = strip(as_member(&start.callee)?.object());
    }
    let Expression::Identifier(ident) = object else {
        return None;
    };
    if model.symbol_of(ident) != Some(value) {
        return None;
    }
    // `….then(f).catch(…)`, `….then(f).finally(…)`: handled later in the chain.
    let (_, parent) = value_parent(ctx.semantic(), call.node_id());
    if let AstKind::StaticMemberExpression(_) = parent {
        return None;
    }
    handler_function(argument(call, 0)?, ctx)
}

/// The function a handler expression is: inline, or a function of the file by name.
fn handler_function(handler: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<NodeId> {
    match strip(handler) {
        Expression::ArrowFunctionExpression(f) => Some(f.node_id()),
        Expression::FunctionExpression(f) => Some(f.node_id()),
        Expression::Identifier(ident) => {
            let model = ctx.model();
            let symbol = model.symbol_of(ident)?;
            let declaration = ctx.semantic().scoping().symbol_declaration(symbol);
            match ctx.nodes().kind(declaration) {
                AstKind::Function(_) => Some(declaration),
                _ => model
                    .const_init(symbol)
                    .and_then(leaklint_model::ast_util::as_function_node),
            }
        }
        _ => None,
    }
}

/// Whether a function removes from the holder: a removal call on it, `delete holder[k]`, a
/// reassignment (`this.list = this.list.filter(…)`), or a call of a method of the holder's
/// class that does one of those (`this.node.deleteRequest(id)`).
fn removes(function: NodeId, holder: &Place<'_>, at: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    if removes_directly(function, holder, ctx) {
        return true;
    }
    let model = ctx.model();
    let Some((class, _)) = model.instance_owner(at) else {
        return false;
    };
    let methods = model.methods(class);
    ctx.nodes_within(function).any(|node| {
        let AstKind::CallExpression(call) = node.kind() else {
            return false;
        };
        let Some(name) = callee_name(call) else {
            return false;
        };
        methods.iter().any(|method| {
            method.name == Some(name)
                && method.function != function
                && removes_directly(method.function, holder, ctx)
        })
    })
}

fn removes_directly<'a>(function: NodeId, holder: &Place<'_>, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    let is_holder = |expr: &Expression<'a>| model.place(expr).is_some_and(|p| p.same_place(holder));
    ctx.nodes_within(function).any(|node| match node.kind() {
        AstKind::CallExpression(call) => {
            matches!(
                callee_name(call),
                Some("delete" | "splice" | "shift" | "pop" | "clear")
            ) && as_member(&call.callee).is_some_and(|m| is_holder(m.object()))
        }
        AstKind::UnaryExpression(unary) => {
            unary.operator == oxc_ast::ast::UnaryOperator::Delete
                && as_member(&unary.argument).is_some_and(|m| is_holder(m.object()))
        }
        AstKind::AssignmentExpression(assign) => model
            .assignment_place(&assign.left)
            .is_some_and(|p| p.same_place(holder)),
        _ => false,
    })
}

/// `http.request(…)`, `https.get(…)`, `client.request(…)`: a request object that emits its
/// outcome.
fn is_outgoing_request(symbol: SymbolId, ctx: &RuleContext<'_, '_>) -> bool {
    ctx.model().const_init(symbol).is_some_and(|init| {
        matches!(strip(init), Expression::CallExpression(call)
            if matches!(callee_name(call), Some("request" | "get"))
                && as_member(&call.callee).is_some())
    })
}

/// `this.requests`, `pending`, for messages.
fn place_text(place: &Place<'_>, ctx: &RuleContext<'_, '_>) -> String {
    let root = match place.root {
        PlaceRoot::This(_) => "this".to_string(),
        PlaceRoot::Symbol(symbol) => ctx.semantic().scoping().symbol_name(symbol).to_string(),
        PlaceRoot::Global(name) => name.to_string(),
        PlaceRoot::AnyObject => "…".to_string(),
    };
    let mut text = root;
    for field in &place.fields {
        text.push('.');
        text.push_str(&field.to_string());
    }
    text
}
