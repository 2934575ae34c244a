//! Small questions about syntax that every rule asks the same way. Anything a second rule needs
//! lives here, not in the rule.

use oxc_ast::{
    ast::{
        Argument, AssignmentTarget, BindingPattern, CallExpression, Expression, FormalParameter,
        FormalParameters, IdentifierReference, MemberExpression, PropertyKey,
        SimpleAssignmentTarget,
    },
    AstKind,
};
use oxc_semantic::{NodeId, Semantic};
use oxc_span::{GetSpan, Span};

/// `(x)`, `x as T`, `x!`, `x satisfies T`, `<T>x` → `x`.
pub fn strip<'e, 'a>(expr: &'e Expression<'a>) -> &'e Expression<'a> {
    expr.get_inner_expression()
}

/// What an assignment writes: a binding or a member.
#[derive(Clone, Copy)]
pub enum Written<'e, 'a> {
    Binding(&'e IdentifierReference<'a>),
    Member(&'e MemberExpression<'a>),
}

impl GetSpan for Written<'_, '_> {
    fn span(&self) -> Span {
        match self {
            Written::Binding(ident) => ident.span,
            Written::Member(member) => member.span(),
        }
    }
}

/// What an assignment target writes, seen through TypeScript's wrappers (`x! = …`,
/// `(o.f as T) = …` write `x` and `o.f`); `None` for destructuring.
pub fn written<'e, 'a>(target: &'e AssignmentTarget<'a>) -> Option<Written<'e, 'a>> {
    match target.as_simple_assignment_target()? {
        SimpleAssignmentTarget::AssignmentTargetIdentifier(ident) => Some(Written::Binding(ident)),
        simple => match simple.get_expression() {
            Some(inner) => match strip(inner) {
                Expression::Identifier(ident) => Some(Written::Binding(ident)),
                other => as_member(other).map(Written::Member),
            },
            None => simple.as_member_expression().map(Written::Member),
        },
    }
}

/// Whether an AST kind only wraps its child without changing its value.
pub fn is_transparent(kind: &AstKind<'_>) -> bool {
    matches!(
        kind,
        AstKind::ParenthesizedExpression(_)
            | AstKind::TSAsExpression(_)
            | AstKind::TSSatisfiesExpression(_)
            | AstKind::TSNonNullExpression(_)
            | AstKind::TSTypeAssertion(_)
            | AstKind::ChainExpression(_)
    )
}

/// The nearest ancestor that is not a transparent wrapper, with the id of its child on the path.
pub fn value_parent<'a>(semantic: &Semantic<'a>, node: NodeId) -> (NodeId, AstKind<'a>) {
    let nodes = semantic.nodes();
    let mut child = node;
    loop {
        let parent = nodes.parent_id(child);
        let kind = nodes.kind(parent);
        if parent == child || !is_transparent(&kind) {
            return (child, kind);
        }
        child = parent;
    }
}

/// The node id of an expression.
pub fn expr_node_id(expr: &Expression<'_>) -> NodeId {
    AstKind::from_expression(expr).node_id()
}

/// `a.b` / `a["b"]` / `a?.b` → `"b"` (static names only).
pub fn member_name<'a>(member: &MemberExpression<'a>) -> Option<&'a str> {
    member.static_property_name()
}

/// The member expression an expression is, looking through wrappers and `?.`.
pub fn as_member<'e, 'a>(expr: &'e Expression<'a>) -> Option<&'e MemberExpression<'a>> {
    match strip(expr) {
        Expression::ChainExpression(chain) => chain.expression.as_member_expression(),
        other => other.as_member_expression(),
    }
}

/// The callee's method name for `x.name(...)`, or the function name for `name(...)`.
pub fn callee_name<'a>(call: &CallExpression<'a>) -> Option<&'a str> {
    match strip(&call.callee) {
        Expression::Identifier(ident) => Some(ident.name.as_str()),
        callee => as_member(callee).and_then(member_name),
    }
}

/// `a.b.c` as written, for messages and for matching names users give in settings; `None` for
/// anything that is not a chain of static names rooted at an identifier or `this`.
pub fn dotted_path(expr: &Expression<'_>) -> Option<String> {
    let mut path = String::new();
    push_dotted_path(expr, &mut path).then_some(path)
}

fn push_dotted_path(expr: &Expression<'_>, out: &mut String) -> bool {
    match strip(expr) {
        Expression::Identifier(ident) => out.push_str(&ident.name),
        Expression::ThisExpression(_) => out.push_str("this"),
        other => {
            let Some(member) = as_member(other) else {
                return false;
            };
            let Some(name) = member_name(member) else {
                return false;
            };
            if !push_dotted_path(member.object(), out) {
                return false;
            }
            out.push('.');
            out.push_str(name);
        }
    }
    true
}

/// Whether an expression is the chain `path` (`module.exports`), without building its text.
pub fn is_dotted_path(expr: &Expression<'_>, path: &str) -> bool {
    match strip(expr) {
        Expression::Identifier(ident) => ident.name == path,
        Expression::ThisExpression(_) => path == "this",
        other => {
            let (Some(member), Some((head, last))) = (as_member(other), path.rsplit_once('.'))
            else {
                return false;
            };
            member_name(member) == Some(last) && is_dotted_path(member.object(), head)
        }
    }
}

/// The value of a string literal or a template literal without substitutions.
pub fn string_value<'a>(expr: &Expression<'a>) -> Option<&'a str> {
    match strip(expr) {
        Expression::StringLiteral(lit) => Some(lit.value.as_str()),
        Expression::TemplateLiteral(tpl) if tpl.expressions.is_empty() => tpl
            .quasis
            .first()
            .and_then(|q| q.value.cooked)
            .map(|c| c.as_str()),
        _ => None,
    }
}

/// The expression of a call argument (not a spread).
pub fn argument<'e, 'a>(call: &'e CallExpression<'a>, index: usize) -> Option<&'e Expression<'a>> {
    call.arguments.get(index).and_then(Argument::as_expression)
}

/// The name of a plain property key (`a`, `"a"`), not a computed one.
pub fn property_key_name<'a>(key: &PropertyKey<'a>) -> Option<&'a str> {
    match key {
        PropertyKey::StaticIdentifier(ident) => Some(ident.name.as_str()),
        PropertyKey::StringLiteral(lit) => Some(lit.value.as_str()),
        _ => None,
    }
}

/// Parameter names, `None` for destructured parameters.
pub fn param_names<'a>(params: &FormalParameters<'a>) -> Vec<Option<&'a str>> {
    params.items.iter().map(param_name).collect()
}

/// A parameter's name (`x`, or `x = default`); `None` for a destructuring pattern.
pub fn param_name<'a>(param: &FormalParameter<'a>) -> Option<&'a str> {
    match &param.pattern {
        BindingPattern::BindingIdentifier(ident) => Some(ident.name.as_str()),
        BindingPattern::AssignmentPattern(assign) => match &assign.left {
            BindingPattern::BindingIdentifier(ident) => Some(ident.name.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The parameters of a function-like AST kind.
pub fn function_params<'a>(kind: &AstKind<'a>) -> Option<&'a FormalParameters<'a>> {
    match kind {
        AstKind::Function(function) => Some(&function.params),
        AstKind::ArrowFunctionExpression(arrow) => Some(&arrow.params),
        _ => None,
    }
}

/// The function an expression is, if it is one (through wrappers).
pub fn as_function_node(expr: &Expression<'_>) -> Option<NodeId> {
    match strip(expr) {
        Expression::FunctionExpression(function) => Some(function.node_id()),
        Expression::ArrowFunctionExpression(arrow) => Some(arrow.node_id()),
        _ => None,
    }
}

/// The dotted path an assignment writes (`module.exports`, `exports.cache`, `x`).
pub fn dotted_path_of_target(target: &AssignmentTarget<'_>) -> Option<String> {
    match written(target)? {
        Written::Binding(ident) => Some(ident.name.to_string()),
        Written::Member(member) => {
            let name = member_name(member)?;
            let mut path = dotted_path(member.object())?;
            path.push('.');
            path.push_str(name);
            Some(path)
        }
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

/// Whether a statement always leaves its function: a `return` or `throw`, or a block that ends
/// with one.
pub fn exits(statement: &oxc_ast::ast::Statement<'_>) -> bool {
    use oxc_ast::ast::Statement;
    match statement {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(block) => block.body.last().is_some_and(exits),
        _ => false,
    }
}
