//! A registry of instances whose teardown forgets it: a long-lived collection keeps every
//! instance of a class that has an end (`destroy()`, `dispose()`), and nothing removes the
//! instance at its end. That the class has an end is the evidence that instances come and go;
//! each one that ends stays reachable from the registry, with everything it holds.

use leaklint_diagnostics::{Diagnostic, Label, Role};
use leaklint_model::{
    ast_util::{argument, as_member, member_name, strip, value_parent},
    is_teardown_name, Class,
};
use oxc_ast::{ast::Expression, AstKind};
use oxc_semantic::{NodeId, SymbolId};
use oxc_span::{GetSpan, Span};

use super::{broken, describe, where_it_runs, Collection, Effect, Use, ID};
use crate::{
    rules::{byte_span, first_line},
    RuleContext,
};

/// The finding for a registry whose instances' teardown does not take them out.
pub(super) fn teardown_forgets<'a>(
    collection: &Collection<'a>,
    all: &[Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    // A holder that may itself be short-lived keeps its parts until it ends.
    if matches!(collection.owner, super::Owner::Unproven(_)) {
        return None;
    }
    let model = ctx.model();
    if all.iter().any(|u| {
        matches!(u.effect, Effect::Shrink | Effect::Void(_)) && !model.runs_at(u.node).is_once()
    }) {
        return None;
    }
    for growth in all.iter().filter(|u| u.effect == Effect::Grow) {
        let Some(stored) = stored_value(growth.node, ctx) else {
            continue;
        };
        let Some((class_name, teardowns)) = instance_of(stored, growth.node, ctx) else {
            continue;
        };
        // Handed to the instance (`chart.registry = this.instances`): its teardown may use it.
        let Some(handed) = handed_to_instance(all, stored, ctx) else {
            continue;
        };
        if teardowns.is_empty()
            || teardowns.iter().any(|(function, _)| {
                broken::mentions(collection, *function, ctx)
                    || (!handed.is_empty() && mentions_own_field(*function, &handed, ctx))
            })
        {
            continue;
        }
        let (_, teardown_span) = teardowns[0];
        let source = ctx.source_text();
        let growth_span = ctx.nodes().kind(growth.node).span();
        let teardown_name = &source[teardown_span.start as usize..teardown_span.end as usize];
        return Some(
            Diagnostic::finding(
                ID,
                severity(collection),
                format!(
                    "{} keeps every `{class_name}` it is given {}, and `{class_name}`'s \
                     `{teardown_name}()` does not take it out: each instance that ends stays \
                     reachable from it, with everything it holds, for as long as the process runs",
                    describe(collection),
                    where_it_runs(growth.node, ctx),
                ),
                Label::new(byte_span(first_line(source, growth_span)), "kept here")
                    .with_role(Role::Holder),
            )
            .with_help("remove the instance from the collection in its teardown")
            .with_secondary(
                Label::new(
                    byte_span(teardown_span),
                    "ends the instance, but leaves it in the collection",
                )
                .with_role(Role::Teardown),
            )
            .with_secondary(
                Label::new(
                    byte_span(first_line(source, collection.declared)),
                    "declared here, lives as long as the process",
                )
                .with_role(Role::Context),
            ),
        );
    }
    None
}

fn severity(collection: &Collection<'_>) -> leaklint_diagnostics::Severity {
    match collection.owner {
        super::Owner::Unproven(_) => leaklint_diagnostics::Severity::Warning,
        _ => leaklint_diagnostics::Severity::Error,
    }
}

/// The value a growth stores: `push(x)`, `add(x)`, `set(k, x)`, `[k] = x`.
fn stored_value<'a>(growth: NodeId, ctx: &RuleContext<'a, '_>) -> Option<&'a Expression<'a>> {
    match ctx.nodes().kind(growth) {
        AstKind::CallExpression(call) => {
            let method = member_name(as_member(&call.callee)?)?;
            argument(call, usize::from(method == "set"))
        }
        AstKind::AssignmentExpression(assign) => Some(&assign.right),
        _ => None,
    }
}

/// The class a stored value is an instance of, and its teardown methods (function and name
/// span): `this` in a constructor, or a binding made by `new X(…)`.
fn instance_of<'a>(
    value: &Expression<'a>,
    at: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<(String, Vec<(NodeId, Span)>)> {
    let model = ctx.model();
    match strip(value) {
        Expression::ThisExpression(_) => {
            let (class, method) = model.instance_owner(at)?;
            if !method.constructor {
                return None;
            }
            Some((
                model.class_label(class).trim_matches('`').to_string(),
                class_teardowns(class, ctx),
            ))
        }
        Expression::Identifier(ident) => {
            let symbol = model.symbol_of(ident)?;
            let Expression::NewExpression(new) = strip(model.const_init(symbol)?) else {
                return None;
            };
            let Expression::Identifier(callee) = strip(&new.callee) else {
                return None;
            };
            let class_symbol = model.symbol_of(callee)?;
            let mut teardowns = match model.class_of_symbol(class_symbol) {
                Some(class) => class_teardowns(class, ctx),
                None => Vec::new(),
            };
            if teardowns.is_empty() {
                teardowns = prototype_teardowns(class_symbol, ctx);
            }
            Some((callee.name.to_string(), teardowns))
        }
        _ => None,
    }
}

fn class_teardowns(class: Class, ctx: &RuleContext<'_, '_>) -> Vec<(NodeId, Span)> {
    ctx.model()
        .teardowns(class)
        .into_iter()
        .map(|method| (method.function, method.span))
        .collect()
}

/// `X.prototype.destroy = function () { … }` for a class the file imports.
fn prototype_teardowns(class: SymbolId, ctx: &RuleContext<'_, '_>) -> Vec<(NodeId, Span)> {
    let nodes = ctx.nodes();
    let extra = &ctx.model().settings().teardown_methods;
    let mut found = Vec::new();
    for reference in ctx.semantic().scoping().get_resolved_references(class) {
        let prototype = nodes.parent_id(reference.node_id());
        if !matches!(nodes.kind(prototype), AstKind::StaticMemberExpression(m) if m.property.name == "prototype")
        {
            continue;
        }
        let method = nodes.parent_id(prototype);
        let AstKind::StaticMemberExpression(member) = nodes.kind(method) else {
            continue;
        };
        if !is_teardown_name(member.property.name.as_str(), extra) {
            continue;
        }
        let (_, parent) = value_parent(ctx.semantic(), method);
        let AstKind::AssignmentExpression(assign) = parent else {
            continue;
        };
        if let Some(function) = leaklint_model::ast_util::as_function_node(&assign.right) {
            found.push((function, member.property.span));
        }
    }
    found
}

/// The fields of the stored instance the collection is handed to (`chart.registry =
/// this.instances`), if every other use keeps it in place; `None` when it is handed on elsewhere.
fn handed_to_instance<'a>(
    all: &[Use<'a>],
    stored: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Vec<&'a str>> {
    let model = ctx.model();
    let stored = match strip(stored) {
        Expression::Identifier(ident) => model.symbol_of(ident),
        _ => None,
    };
    let mut fields = Vec::new();
    for escape in all.iter().filter(|u| u.effect == Effect::Escape) {
        let (child, parent) = value_parent(ctx.semantic(), escape.node);
        let AstKind::AssignmentExpression(assign) = parent else {
            return None;
        };
        if assign.right.span() != ctx.nodes().kind(child).span() {
            return None;
        }
        let member = assign.left.as_member_expression()?;
        let Expression::Identifier(object) = strip(member.object()) else {
            return None;
        };
        if stored.is_none() || model.symbol_of(object) != stored {
            return None;
        }
        fields.push(member_name(member)?);
    }
    Some(fields)
}

/// Whether a method reads one of these fields of `this`.
fn mentions_own_field(function: NodeId, fields: &[&str], ctx: &RuleContext<'_, '_>) -> bool {
    ctx.nodes_within(function).any(|node| {
        matches!(node.kind(), AstKind::StaticMemberExpression(m)
            if matches!(strip(&m.object), Expression::ThisExpression(_))
                && fields.contains(&m.property.name.as_str()))
    })
}
