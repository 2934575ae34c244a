//! What a callback keeps alive while it is reachable: the bindings of enclosing functions it
//! refers to, and `this`.

use oxc_ast::{
    ast::{Expression, IdentifierReference},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};
use oxc_span::GetSpan;

use crate::{
    ast_util::{as_function_node, strip},
    LifetimeModel,
};

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
    model: &'r LifetimeModel<'c, 'a>,
) -> impl Iterator<Item = (&'c IdentifierReference<'a>, SymbolId)> + 'r {
    let span = model.semantic().nodes().kind(function).span();
    let scoping = model.semantic().scoping();
    model.nodes_within(function).filter_map(move |node| {
        let AstKind::IdentifierReference(ident) = node.kind() else {
            return None;
        };
        let symbol = model.symbol_of(ident)?;
        let declared = scoping.symbol_span(symbol);
        let inside = declared.start >= span.start && declared.end <= span.end;
        (!inside).then_some((ident, symbol))
    })
}

/// What a callback (an interval's, a listener) keeps alive: the locals and parameters of
/// enclosing functions it refers to (module-level values live forever anyway), and `this`.
pub fn retained_by_callback(
    callback: Option<&Expression<'_>>,
    model: &LifetimeModel<'_, '_>,
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
    let mut names: Vec<String> = Vec::new();
    for (ident, symbol) in captured_references(function, model) {
        if !model.is_module_level(symbol) && !names.iter().any(|n| n == ident.name.as_str()) {
            names.push(ident.name.to_string());
        }
    }
    // An arrow function sees its creator's `this`.
    let uses_this = matches!(callback, Expression::ArrowFunctionExpression(_))
        && model
            .nodes_within(function)
            .any(|node| matches!(node.kind(), AstKind::ThisExpression(_)));
    if uses_this {
        names.push("this".to_string());
    }
    // Request values first: they are the expensive ones.
    names.sort_by_key(|n| !matches!(n.as_str(), "req" | "request" | "res" | "model" | "socket"));
    names.truncate(3);
    if names.is_empty() {
        Retained::Nothing
    } else {
        Retained::Captures(names)
    }
}
