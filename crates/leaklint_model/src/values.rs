//! How long a value lives: as long as the process (`LongLived`), or only as long as one call
//! (`CallScoped`).

use oxc_ast::{
    ast::{BindingIdentifier, Class, Expression, UnaryOperator},
    AstKind,
};
use oxc_semantic::{NodeId, SymbolId};

use crate::{
    ast_util::{as_function_node, as_member, dotted_path, expr_node_id, member_name, strip},
    FunctionRuns, LifetimeModel,
};

/// How long a value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueLifetime {
    /// Module-level, imported and exported bindings, globals (`process`, `globalThis`, …), class
    /// statics, names from `settings`, and anything stored on them.
    LongLived,
    /// Created in the current call, or a parameter (`req`, `res`, `ctx`, `socket`) of a function
    /// that runs per request: it dies with the call unless something long-lived keeps it.
    CallScoped,
    /// Cannot tell (a parameter of a helper, `this`, the result of a call).
    Unknown,
}

/// Aliases (`const e = emitter`) are followed this many steps at most.
const MAX_ALIAS_DEPTH: u8 = 8;

impl<'a> LifetimeModel<'_, 'a> {
    /// Whether a function (a closure) is handed back to the caller of the function it is
    /// written in: returned (`return () => …`), or inside what is returned
    /// (`return toDisposable(() => …)`, `const ret = { dispose() {…} }; return ret;`), or handed
    /// to an object of the caller's (`store.add(toDisposable(() => …))`). A removal in it is the
    /// caller's to run, when the caller is done.
    pub fn handed_back(&self, closure: NodeId) -> bool {
        self.handed_back_at_depth(closure, 0)
    }

    fn handed_back_at_depth(&self, node: NodeId, depth: u8) -> bool {
        if depth > 4 {
            return false;
        }
        let semantic = self.semantic();
        let (child, parent) = crate::ast_util::value_parent(semantic, node);
        match parent {
            AstKind::ReturnStatement(_) => true,
            // `() => toDisposable(…)`: an arrow's expression body is what it returns.
            AstKind::ArrowFunctionExpression(arrow) => {
                use oxc_span::GetSpan;
                arrow.body.as_expression().is_some_and(|body| {
                    body.span() == semantic.nodes().get_node(child).kind().span()
                })
            }
            AstKind::CallExpression(call) => {
                use oxc_span::GetSpan;
                call.callee.span() != semantic.nodes().get_node(child).kind().span()
                    // `store.add(toDisposable(() => …))` with the caller's `store`: kept for the
                    // caller (not `p.then(…)`, which runs it on this call's own path).
                    && (as_member(&call.callee).is_some_and(|member| {
                        matches!(
                            crate::ast_util::member_name(member),
                            Some("add" | "push" | "register" | "track" | "use")
                        ) && self.handed_in_by(member.object()).is_some()
                    })
                        || self.handed_back_at_depth(call.node_id(), depth + 1))
            }
            AstKind::ObjectProperty(_) => {
                let object = semantic
                    .nodes()
                    .parent_id(semantic.nodes().parent_id(child));
                self.handed_back_at_depth(object, depth + 1)
            }
            AstKind::VariableDeclarator(declarator) => {
                let Some(symbol) = declarator
                    .id
                    .get_binding_identifier()
                    .and_then(|id| id.symbol_id.get())
                else {
                    return false;
                };
                semantic
                    .scoping()
                    .get_resolved_references(symbol)
                    .any(|reference| self.handed_back_at_depth(reference.node_id(), depth + 1))
            }
            _ => false,
        }
    }

    /// The function whose caller hands in an expression's value: a parameter of it, an element
    /// or field of one (`args[0]`, `options.event`), or a never-reassigned binding that holds
    /// one (`const event = args[0]`, `const [event, listener] = args`).
    pub fn handed_in_by(&self, expr: &Expression<'a>) -> Option<NodeId> {
        self.handed_in_at_depth(expr, 0)
    }

    fn handed_in_at_depth(&self, expr: &Expression<'a>, depth: u8) -> Option<NodeId> {
        if depth > MAX_ALIAS_DEPTH {
            return None;
        }
        match strip(expr) {
            Expression::Identifier(ident) => {
                let symbol = self.symbol_of(ident)?;
                if let Some(owner) = self.parameter_owner(symbol) {
                    return Some(owner);
                }
                let scoping = self.semantic().scoping();
                if scoping.symbol_is_mutated(symbol) {
                    return None;
                }
                match self
                    .semantic()
                    .nodes()
                    .kind(scoping.symbol_declaration(symbol))
                {
                    AstKind::VariableDeclarator(declarator) => {
                        self.handed_in_at_depth(declarator.init.as_ref()?, depth + 1)
                    }
                    _ => None,
                }
            }
            other => {
                let owner = self.handed_in_at_depth(as_member(other)?.object(), depth + 1)?;
                // `request.id = request.id || randomUUID()`: a field the function itself
                // writes is its own choice.
                let written_here = self.place(other).is_some_and(|place| {
                    self.nodes_within(owner).any(|node| {
                        matches!(node.kind(), AstKind::AssignmentExpression(assign)
                            if self.assignment_place(&assign.left).is_some_and(|w| w.same_place(&place)))
                    })
                });
                (!written_here).then_some(owner)
            }
        }
    }
}

impl LifetimeModel<'_, '_> {
    /// How long the value bound to a symbol lives.
    pub fn symbol_lifetime(&self, symbol: SymbolId) -> ValueLifetime {
        self.symbol_lifetime_at_depth(symbol, 0)
    }

    /// How long the value of an expression lives. Members live as long as the object holding
    /// them: `req.socket` is call-scoped, `app.locals.bus` long-lived.
    pub fn expression_lifetime(&self, expr: &Expression<'_>) -> ValueLifetime {
        self.expression_lifetime_at_depth(expr, 0)
    }

    /// Whether a symbol is a parameter of a function that runs per request: the `req`, `res`,
    /// `ctx`, `socket` or `event` a framework passes in.
    pub fn is_request_parameter(&self, symbol: SymbolId) -> bool {
        self.parameter_owner(symbol)
            .and_then(|function| self.function(function))
            .is_some_and(|facts| facts.runs == FunctionRuns::PerRequest)
    }

    /// Whether a symbol is a parameter of a function a framework calls per request (or of a
    /// function of the file called from one): the `req` of a route handler, not the `event` of a
    /// callback nested in it.
    pub fn is_handler_parameter(&self, symbol: SymbolId) -> bool {
        self.parameter_owner(symbol)
            .and_then(|function| self.function(function))
            .is_some_and(|facts| facts.runs == FunctionRuns::PerRequest && facts.entry)
    }

    /// The function whose parameter list declares a symbol; `None` when it is not a parameter.
    pub fn parameter_owner(&self, symbol: SymbolId) -> Option<oxc_semantic::NodeId> {
        crate::parameter_owner(self.semantic(), symbol)
    }

    /// `req.app`, `ctx.app`, `request.server`, `socket.server`, `socket.nsp`: the application,
    /// server or namespace a framework hangs on each request or connection outlives it.
    fn is_framework_singleton(&self, member: &oxc_ast::ast::MemberExpression<'_>) -> bool {
        let Some("app" | "server" | "nsp") = crate::ast_util::member_name(member) else {
            return false;
        };
        let Expression::Identifier(object) = strip(member.object()) else {
            return false;
        };
        self.symbol_of(object)
            .is_some_and(|symbol| self.is_request_parameter(symbol))
    }

    fn symbol_lifetime_at_depth(&self, symbol: SymbolId, depth: u8) -> ValueLifetime {
        let semantic = self.semantic();
        let scoping = semantic.scoping();
        if self.is_module_level(symbol) {
            return ValueLifetime::LongLived;
        }
        if self
            .settings
            .long_lived
            .iter()
            .chain(&self.settings.pools)
            .any(|n| n == scoping.symbol_name(symbol))
        {
            return ValueLifetime::LongLived;
        }
        if self.is_request_parameter(symbol) {
            return ValueLifetime::CallScoped;
        }
        let declaration = scoping.symbol_declaration(symbol);
        match semantic.nodes().kind(declaration) {
            AstKind::VariableDeclarator(declarator) => {
                if scoping.symbol_is_mutated(symbol) {
                    return ValueLifetime::Unknown;
                }
                match &declarator.init {
                    Some(init) if declarator.id.get_binding_identifier().is_some() => {
                        self.expression_lifetime_at_depth(init, depth + 1)
                    }
                    _ => ValueLifetime::Unknown,
                }
            }
            AstKind::Function(_) | AstKind::Class(_) => ValueLifetime::CallScoped,
            _ => ValueLifetime::Unknown,
        }
    }

    fn expression_lifetime_at_depth(&self, expr: &Expression<'_>, depth: u8) -> ValueLifetime {
        if depth > MAX_ALIAS_DEPTH {
            return ValueLifetime::Unknown;
        }
        let expr = strip(expr);
        if let Some(path) = dotted_path(expr) {
            if self
                .settings
                .long_lived
                .iter()
                .chain(&self.settings.pools)
                .any(|n| *n == path)
            {
                return ValueLifetime::LongLived;
            }
        }
        let semantic = self.semantic();
        match expr {
            Expression::Identifier(ident) => {
                match crate::symbol_of(semantic, ident) {
                    Some(symbol) => self.symbol_lifetime_at_depth(symbol, depth),
                    // Unresolved: a global (`process`, `globalThis`, `window`, injected ones).
                    None => ValueLifetime::LongLived,
                }
            }
            Expression::ChainExpression(chain) => match chain.expression.as_member_expression() {
                Some(member) => self.expression_lifetime_at_depth(member.object(), depth),
                None => ValueLifetime::Unknown,
            },
            Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::PrivateFieldExpression(_) => {
                let member = expr.as_member_expression().expect("member expression");
                if self.is_framework_singleton(member) {
                    return ValueLifetime::LongLived;
                }
                self.expression_lifetime_at_depth(member.object(), depth)
            }
            Expression::CallExpression(call) if call.is_require_call() => ValueLifetime::LongLived,
            Expression::NewExpression(_)
            | Expression::ObjectExpression(_)
            | Expression::ArrayExpression(_)
            | Expression::FunctionExpression(_)
            | Expression::ArrowFunctionExpression(_)
            | Expression::ClassExpression(_) => {
                if self.enclosing_function(expr_node_id(expr)).is_some() {
                    ValueLifetime::CallScoped
                } else {
                    ValueLifetime::LongLived
                }
            }
            _ => ValueLifetime::Unknown,
        }
    }
}

/// The function a binding holds: a `function` declaration's node, or that of the function a
/// `const` (or a never-reassigned `let`/`var`) is initialised with.
pub fn function_bound_to(symbol: SymbolId, model: &LifetimeModel<'_, '_>) -> Option<NodeId> {
    let declaration = model.semantic().scoping().symbol_declaration(symbol);
    match model.semantic().nodes().kind(declaration) {
        AstKind::Function(_) => Some(declaration),
        _ => model.const_init(symbol).and_then(as_function_node),
    }
}

/// The function an expression is or names: an inline function, or a binding that holds one.
pub fn function_held_by(expr: &Expression<'_>, model: &LifetimeModel<'_, '_>) -> Option<NodeId> {
    match strip(expr) {
        Expression::Identifier(ident) => function_bound_to(model.symbol_of(ident)?, model),
        other => as_function_node(other),
    }
}

/// The binding that names a class: its own (`class Service {…}`), or the one a class expression
/// initialises (`const Service = class {…}`).
pub fn class_binding<'e, 'a>(
    class_id: NodeId,
    class: &'e Class<'a>,
    model: &LifetimeModel<'_, 'a>,
) -> Option<&'e BindingIdentifier<'a>> {
    if let Some(id) = &class.id {
        return Some(id);
    }
    match model.semantic().nodes().parent_kind(class_id) {
        AstKind::VariableDeclarator(declarator) => declarator.id.get_binding_identifier(),
        _ => None,
    }
}

/// The value of a numeric constant: literals, `Infinity`, `Number.POSITIVE_INFINITY`,
/// `Number.MAX_SAFE_INTEGER`, `Number.MAX_VALUE`, arithmetic on those, and `const`s bound to
/// them.
pub fn constant_number(expr: &Expression<'_>, model: &LifetimeModel<'_, '_>) -> Option<f64> {
    constant_number_at(expr, model, 0)
}

fn constant_number_at(
    expr: &Expression<'_>,
    model: &LifetimeModel<'_, '_>,
    depth: u8,
) -> Option<f64> {
    if depth > 8 {
        return None;
    }
    match strip(expr) {
        Expression::NumericLiteral(lit) => Some(lit.value),
        Expression::Identifier(ident) => match model.symbol_of(ident) {
            None => (ident.name == "Infinity").then_some(f64::INFINITY),
            Some(symbol) => constant_number_at(model.const_init(symbol)?, model, depth + 1),
        },
        Expression::UnaryExpression(unary) => {
            let value = constant_number_at(&unary.argument, model, depth + 1)?;
            match unary.operator {
                UnaryOperator::UnaryNegation => Some(-value),
                UnaryOperator::UnaryPlus => Some(value),
                _ => None,
            }
        }
        Expression::BinaryExpression(binary) => {
            let left = constant_number_at(&binary.left, model, depth + 1)?;
            let right = constant_number_at(&binary.right, model, depth + 1)?;
            use oxc_ast::ast::BinaryOperator::*;
            match binary.operator {
                Addition => Some(left + right),
                Subtraction => Some(left - right),
                Multiplication => Some(left * right),
                Division => Some(left / right),
                Exponential => Some(left.powf(right)),
                _ => None,
            }
        }
        other => {
            let member = as_member(other)?;
            let Expression::Identifier(object) = strip(member.object()) else {
                return None;
            };
            if !model.is_global(object, "Number") {
                return None;
            }
            match member_name(member)? {
                "POSITIVE_INFINITY" => Some(f64::INFINITY),
                "MAX_SAFE_INTEGER" => Some(9_007_199_254_740_991.0),
                "MAX_VALUE" => Some(f64::MAX),
                _ => None,
            }
        }
    }
}
