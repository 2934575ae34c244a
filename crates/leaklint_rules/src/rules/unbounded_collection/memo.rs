//! A memoized function whose cache has no size cap: one entry per distinct argument, for as long
//! as the memo lives. `memoizee` without `max`, lodash's `memoize`, `fast-memoize`, `mem` and
//! `p-memoize` without a bounded `cache`.

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{argument, as_member, member_name, property_key_name, strip},
    import_origin,
};
use oxc_ast::{
    ast::{Expression, ObjectPropertyKind},
    AstKind,
};
use oxc_semantic::AstNode;
use oxc_span::GetSpan;

use super::ID;
use crate::{
    rules::{byte_span, first_line},
    RuleContext,
};

/// A memoizer, and the options that bound its cache.
struct Memoizer {
    module: &'static str,
    /// Option names that cap the entries (or replace the cache with one that may be bounded).
    bounds: &'static [&'static str],
}

const MEMOIZERS: &[Memoizer] = &[
    Memoizer {
        module: "memoizee",
        bounds: &["max"],
    },
    Memoizer {
        module: "lodash.memoize",
        bounds: &[],
    },
    Memoizer {
        module: "lodash/memoize",
        bounds: &[],
    },
    Memoizer {
        module: "fast-memoize",
        bounds: &["cache"],
    },
    Memoizer {
        module: "mem",
        bounds: &["cache"],
    },
    Memoizer {
        module: "memoize",
        bounds: &["cache"],
    },
    Memoizer {
        module: "p-memoize",
        bounds: &["cache"],
    },
];

/// `lodash.memoize`, `_.memoize` from lodash or underscore.
const NAMESPACES: &[&str] = &["lodash", "underscore", "lodash-es"];

/// The memoizer a call makes a memo with, if it is one.
fn memoizer(callee: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> Option<&'static Memoizer> {
    let model = ctx.model();
    match strip(callee) {
        Expression::Identifier(ident) => {
            let origin = import_origin(ctx.semantic(), model.symbol_of(ident)?)?;
            if origin.export == Some("memoize") && NAMESPACES.iter().any(|ns| origin.is_module(ns))
            {
                return MEMOIZERS.get(1);
            }
            if origin.export.is_some_and(|e| e != "default") {
                return None;
            }
            MEMOIZERS.iter().find(|m| origin.is_module(m.module))
        }
        other => {
            let member = as_member(other)?;
            if member_name(member) != Some("memoize") {
                return None;
            }
            let Expression::Identifier(object) = strip(member.object()) else {
                return None;
            };
            let origin = import_origin(ctx.semantic(), model.symbol_of(object)?)?;
            (origin.export.is_none() && NAMESPACES.iter().any(|ns| origin.is_module(ns)))
                .then(|| MEMOIZERS.get(1))
                .flatten()
        }
    }
}

/// Whether the memoized function takes an argument: a function of no arguments has one entry.
fn takes_arguments(function: &Expression<'_>) -> bool {
    match strip(function) {
        Expression::ArrowFunctionExpression(f) => {
            !f.params.items.is_empty() || f.params.rest.is_some()
        }
        Expression::FunctionExpression(f) => !f.params.items.is_empty() || f.params.rest.is_some(),
        _ => true,
    }
}

/// The finding for `const memo = memoize(fn, options)` made once, if its cache is uncapped.
pub(super) fn unbounded_memo<'a>(
    node: &AstNode<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    // Where the memo is kept: a binding, a property, an assignment, or returned to its maker's
    // caller.
    let (value, binding) = match node.kind() {
        AstKind::VariableDeclarator(declarator) => (
            declarator.init.as_ref()?,
            declarator.id.get_binding_identifier(),
        ),
        AstKind::ReturnStatement(ret) => (ret.argument.as_ref()?, None),
        AstKind::ObjectProperty(property) => (&property.value, None),
        AstKind::AssignmentExpression(assign) => (&assign.right, None),
        _ => return None,
    };
    let Expression::CallExpression(call) = strip(value) else {
        return None;
    };
    let memoizer = memoizer(&call.callee, ctx)?;
    if !takes_arguments(argument(call, 0)?) {
        return None;
    }
    let options = argument(call, 1).map(strip);
    let bounded = match options {
        None => false,
        Some(Expression::ObjectExpression(object)) => object.properties.iter().any(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) => {
                property_key_name(&p.key).is_some_and(|name| memoizer.bounds.contains(&name))
            }
            // `{ ...defaults }`: options we cannot see.
            ObjectPropertyKind::SpreadProperty(_) => true,
        }),
        // lodash's resolver only picks the key; options built elsewhere we cannot see.
        Some(other) => !is_function(other),
    };
    if bounded {
        return None;
    }
    let model = ctx.model();
    // A memo made per call dies with its caller; one made at start-up lives with the process.
    if !model.runs_at(node.id()).is_once() || model.in_test_block(node.id()) {
        return None;
    }
    // lodash's `memo.cache = new LRU(…)` replaces the cache.
    let replaced = binding
        .and_then(|id| id.symbol_id.get())
        .is_some_and(|symbol| {
            ctx.semantic()
                .scoping()
                .get_resolved_references(symbol)
                .any(|reference| {
                    matches!(ctx.nodes().parent_kind(reference.node_id()),
                    AstKind::StaticMemberExpression(m) if m.property.name == "cache")
                })
        });
    if replaced {
        return None;
    }
    let source = ctx.source_text();
    let cap = if memoizer.bounds.contains(&"max") {
        "no `max` option"
    } else {
        "no bounded `cache`"
    };
    let mut diagnostic = Diagnostic::finding(
        ID,
        Severity::Warning,
        format!(
            "this memo from `{}` is made once and keeps one entry per distinct argument with {cap}: \
             called with values from input (ids, queries, URLs), its cache grows for as long as \
             the process runs",
            memoizer.module
        ),
        Label::new(byte_span(first_line(source, call.span)), "memoized without a size cap"),
    )
    .with_help(if memoizer.bounds.contains(&"max") {
        "give it `max` (and `maxAge` for freshness)"
    } else {
        "give it a bounded cache (an LRU such as `lru-cache` with `max`)"
    });
    if let Some(options) = options {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(first_line(source, options.span())),
                "its options set no size cap",
            )
            .with_role(Role::Context),
        );
    }
    Some(diagnostic)
}

fn is_function(expr: &Expression<'_>) -> bool {
    matches!(
        strip(expr),
        Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
    )
}
