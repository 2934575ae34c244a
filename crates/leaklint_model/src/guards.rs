//! Evidence that code runs once, or that what it holds is its own: idempotence guards (`if
//! (installed) return; installed = true`), a value replaced earlier in the same call, receivers
//! that outlive the call, and functions named like start-up code.

use oxc_ast::{
    ast::{
        AssignmentOperator, AssignmentTarget, BinaryOperator, Expression, IdentifierReference,
        MemberExpression,
    },
    AstKind,
};
use oxc_semantic::NodeId;
use oxc_span::GetSpan;

use crate::{
    ast_util::{
        as_member, callee_name, member_name, string_value, strip, value_parent, written, Written,
    },
    FunctionRuns, LifetimeModel, Place, PlaceRoot, ValueLifetime,
};

/// Whether a receiver outlives the call of the function at `node`: long-lived by the lifetime
/// model, or a field of `this` inside a per-request method (controllers, gateways and services
/// are singletons; their handlers run per request).
pub fn outlives_call<'a>(
    receiver: &Expression<'a>,
    path: Option<&Place<'a>>,
    node: NodeId,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    match path {
        Some(path) if path.is_this() => {
            !path.fields.is_empty()
                && model.runs_at(node) == FunctionRuns::PerRequest
                && matches!(path.root, PlaceRoot::This(Some(owner))
                    if matches!(model.semantic().nodes().kind(owner), AstKind::Class(_)))
        }
        _ => model.expression_lifetime(receiver) == crate::ValueLifetime::LongLived,
    }
}

/// Whether the value at `path` is replaced earlier in the same function (`conn =
/// mysql.createConnection(…); conn.on('error', …)`): the listener is on the new value, which
/// this call just created.
pub fn assigned_before_in_function<'a>(
    path: &Place<'a>,
    node: NodeId,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    earlier_assignments(node, model).is_some_and(|(_, mut assignments)| {
        assignments.any(|(_, assign)| {
            model
                .assignment_place(&assign.left)
                .is_some_and(|target| target.same_place(path))
        })
    })
}

/// Whether the receiver at `node`, or an object it is read from, was replaced earlier in the
/// same function, on every path to `node`, by a value that is not long-lived: `child =
/// spawn(…); child.stdout.on(…)`, `downloads[name].req = https.get(…);
/// downloads[name].req.on(…)`, `io = ioFromCaller; io.sockets.on(…)`. The listener belongs to
/// the value this call created or was handed, not to one that outlives it. (A replacement
/// behind an `if` — `if (!child) child = spawn(…)` — leaves the old value on the other path.)
pub fn replaced_earlier_in_function<'a>(
    receiver: &Expression<'a>,
    node: NodeId,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let Some((function, mut assignments)) = earlier_assignments(node, model) else {
        return false;
    };
    let node_span = model.semantic().nodes().kind(node).span();
    // The receiver and each object it is read from: `a.b.c`, `a.b`, `a`.
    let mut places = vec![strip(receiver)];
    while let Some(member) = as_member(places[places.len() - 1]) {
        places.push(strip(member.object()));
    }
    assignments.any(|(id, assign)| {
        assign.operator == AssignmentOperator::Assign
            && places
                .iter()
                .any(|place| assigns_place(&assign.left, place, model))
            && model.expression_lifetime(&assign.right) != ValueLifetime::LongLived
            && runs_before_every_time(id, node_span, function, model)
    })
}

/// The assignments in `node`'s enclosing function that end before `node` starts, in source
/// order, with that function; `None` at top level.
fn earlier_assignments<'c, 'a, 'm>(
    node: NodeId,
    model: &'c LifetimeModel<'m, 'a>,
) -> Option<(
    NodeId,
    impl Iterator<Item = (NodeId, &'c oxc_ast::ast::AssignmentExpression<'a>)> + use<'c, 'a, 'm>,
)> {
    let function = model.enclosing_function(node)?;
    let node_start = model.semantic().nodes().kind(node).span().start;
    let assignments = model
        .nodes_within(function)
        .take_while(move |other| other.kind().span().start < node_start)
        .filter_map(move |other| match other.kind() {
            AstKind::AssignmentExpression(assign) if assign.span.end <= node_start => {
                Some((other.id(), assign))
            }
            _ => None,
        });
    Some((function, assignments))
}

/// Whether an assignment target writes the place an expression reads: the same binding by
/// symbol (an undeclared global by name), the same member of the same object, with computed
/// keys compared the same way (`map[opts.name].req`).
fn assigns_place<'a>(
    target: &AssignmentTarget<'a>,
    place: &Expression<'a>,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    match written(target) {
        Some(Written::Binding(ident)) => {
            matches!(strip(place), Expression::Identifier(other) if same_binding(ident, other, model))
        }
        Some(Written::Member(member)) => {
            as_member(place).is_some_and(|other| same_member(member, other, model))
        }
        None => false,
    }
}

fn same_binding(
    a: &IdentifierReference<'_>,
    b: &IdentifierReference<'_>,
    model: &LifetimeModel<'_, '_>,
) -> bool {
    match (model.symbol_of(a), model.symbol_of(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => a.name == b.name,
        _ => false,
    }
}

fn same_member<'a>(
    a: &MemberExpression<'a>,
    b: &MemberExpression<'a>,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let keys = match (a, b) {
        (
            MemberExpression::ComputedMemberExpression(a),
            MemberExpression::ComputedMemberExpression(b),
        ) if a.static_property_name().is_none() => same_value(&a.expression, &b.expression, model),
        (
            MemberExpression::PrivateFieldExpression(a),
            MemberExpression::PrivateFieldExpression(b),
        ) => a.field.name == b.field.name,
        _ => member_name(a).is_some() && member_name(a) == member_name(b),
    };
    keys && same_value(a.object(), b.object(), model)
}

/// Two expressions that read the same thing: bindings, `this`, literals and members of those.
fn same_value<'a>(a: &Expression<'a>, b: &Expression<'a>, model: &LifetimeModel<'_, 'a>) -> bool {
    match (strip(a), strip(b)) {
        (Expression::Identifier(a), Expression::Identifier(b)) => same_binding(a, b, model),
        (Expression::ThisExpression(_), Expression::ThisExpression(_)) => true,
        (Expression::NumericLiteral(a), Expression::NumericLiteral(b)) => a.value == b.value,
        // `require('MeshAgent')` twice is one module object.
        (Expression::CallExpression(a), Expression::CallExpression(b)) => {
            let required = |call: &oxc_ast::ast::CallExpression<'a>| {
                matches!(strip(&call.callee), Expression::Identifier(callee)
                    if callee.name == "require" && model.symbol_of(callee).is_none())
                .then(|| crate::ast_util::argument(call, 0).and_then(string_value))
                .flatten()
            };
            required(a).is_some() && required(a) == required(b)
        }
        (a, b) => match (string_value(a), string_value(b)) {
            (Some(a), Some(b)) => a == b,
            _ => as_member(a)
                .zip(as_member(b))
                .is_some_and(|(a, b)| same_member(a, b, model)),
        },
    }
}

/// Whether the code at `assignment` runs, in the same call of `function`, whenever the code at
/// `later` does: no function boundary between them, and no branch, loop or `catch` that holds
/// the assignment without also holding `later`.
fn runs_before_every_time(
    assignment: NodeId,
    later: oxc_span::Span,
    function: NodeId,
    model: &LifetimeModel<'_, '_>,
) -> bool {
    let nodes = model.semantic().nodes();
    let mut child = assignment;
    for parent in nodes.ancestor_ids(assignment) {
        if parent == function {
            return true;
        }
        let child_span = nodes.kind(child).span();
        let always_runs = match nodes.kind(parent) {
            kind if kind.is_function_like() => return false,
            AstKind::IfStatement(statement) => statement.test.span() == child_span,
            AstKind::ConditionalExpression(conditional) => conditional.test.span() == child_span,
            AstKind::LogicalExpression(logical) => logical.left.span() == child_span,
            AstKind::SwitchStatement(statement) => statement.discriminant.span() == child_span,
            AstKind::ForStatement(_)
            | AstKind::ForInStatement(_)
            | AstKind::ForOfStatement(_)
            | AstKind::WhileStatement(_)
            | AstKind::DoWhileStatement(_)
            | AstKind::CatchClause(_) => false,
            _ => true,
        };
        if !always_runs && !child_span.contains_inclusive(later) {
            return false;
        }
        child = parent;
    }
    false
}

/// Whether the registration at `node` sits behind an idempotence guard in its function:
/// `if (!installed) { installed = true; … }`, `if (installed) return; installed = true;`,
/// `if (!seen.has(x)) { seen.add(x); … }`, or a check of `listenerCount(…)`/`listeners(…)`.
pub fn is_guarded<'a>(node: NodeId, model: &LifetimeModel<'_, 'a>) -> bool {
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    let nodes = model.semantic().nodes();
    let node_start = nodes.kind(node).span().start;
    // Tests of the `if`s that decide whether the registration runs: those around it, and the
    // early-return ones before it.
    let mut tests = Vec::new();
    for ancestor in nodes.ancestor_ids(node) {
        if ancestor == function {
            break;
        }
        match nodes.kind(ancestor) {
            AstKind::IfStatement(statement) => tests.push(&statement.test),
            AstKind::ConditionalExpression(conditional) => tests.push(&conditional.test),
            AstKind::LogicalExpression(logical) => tests.push(&logical.left),
            _ => {}
        }
    }
    for other in model
        .nodes_within(function)
        .take_while(|other| other.kind().span().start < node_start)
    {
        if let AstKind::IfStatement(statement) = other.kind() {
            if crate::ast_util::exits(&statement.consequent) {
                tests.push(&statement.test);
            }
        }
    }
    if tests.is_empty() {
        return false;
    }
    let mut guards: Vec<Place<'a>> = Vec::new();
    // Guards the model has no place for, compared as written: `require('m').installed`.
    let mut unplaced: Vec<&Expression<'a>> = Vec::new();
    for test in tests {
        if collect_guard_paths(test, model, &mut guards) {
            return true;
        }
        collect_unplaced_members(test, model, &mut unplaced);
    }
    if guards.is_empty() && unplaced.is_empty() {
        return false;
    }
    // The guard must be set in the same function.
    for other in model.nodes_within(function) {
        let set = match other.kind() {
            AstKind::AssignmentExpression(assign) => model.assignment_place(&assign.left),
            AstKind::CallExpression(call)
                if matches!(callee_name(call), Some("add" | "set" | "push")) =>
            {
                as_member(&call.callee).and_then(|m| model.place(m.object()))
            }
            _ => None,
        };
        // Setting `pending` guards a test of `pending` or `pending.length`.
        if set.is_some_and(|set| guards.iter().any(|g| set.is_prefix_of(g))) {
            return true;
        }
        if let AstKind::AssignmentExpression(assign) = other.kind() {
            if unplaced
                .iter()
                .any(|guard| assigns_place(&assign.left, guard, model))
            {
                return true;
            }
        }
    }
    false
}

/// The member expressions of a guard test that have no place in the model (their object is a
/// call: `require('m').installed`).
fn collect_unplaced_members<'e, 'a>(
    test: &'e Expression<'a>,
    model: &LifetimeModel<'_, 'a>,
    out: &mut Vec<&'e Expression<'a>>,
) {
    match strip(test) {
        Expression::UnaryExpression(unary) => collect_unplaced_members(&unary.argument, model, out),
        Expression::LogicalExpression(logical) => {
            collect_unplaced_members(&logical.left, model, out);
            collect_unplaced_members(&logical.right, model, out);
        }
        Expression::BinaryExpression(binary) => {
            collect_unplaced_members(&binary.left, model, out);
            collect_unplaced_members(&binary.right, model, out);
        }
        other => {
            if as_member(other).is_some() && model.place(other).is_none() {
                out.push(other);
            }
        }
    }
}

/// Adds the places a guard test reads; `true` when the test itself asks the emitter
/// (`listenerCount`, `listeners`).
fn collect_guard_paths<'a>(
    test: &Expression<'a>,
    model: &LifetimeModel<'_, 'a>,
    out: &mut Vec<Place<'a>>,
) -> bool {
    match strip(test) {
        Expression::UnaryExpression(unary) => collect_guard_paths(&unary.argument, model, out),
        Expression::LogicalExpression(logical) => {
            collect_guard_paths(&logical.left, model, out)
                | collect_guard_paths(&logical.right, model, out)
        }
        Expression::BinaryExpression(binary) => {
            collect_guard_paths(&binary.left, model, out)
                | collect_guard_paths(&binary.right, model, out)
        }
        Expression::CallExpression(call) => match callee_name(call) {
            Some("listenerCount" | "listeners" | "rawListeners") => true,
            Some("has" | "includes" | "get") => {
                let Some(receiver) = as_member(&call.callee).map(|m| m.object()) else {
                    return false;
                };
                if let Some(path) = model.place(receiver) {
                    out.push(path);
                }
                // `process.listeners('warning').includes(f)`
                collect_guard_paths(receiver, model, out)
            }
            _ => false,
        },
        other => {
            if let Some(path) = model.place(other) {
                out.push(path);
            }
            false
        }
    }
}

/// Names of functions that set things up once: `main`, `init…`, `setup…`, `install…`,
/// `bootstrap…`, `listen…`, `start…`, and NestJS's `onModuleInit`/`onApplicationBootstrap`.
pub const START_UP_NAMES: &[&str] = &[
    "main",
    "init",
    "initialize",
    "setup",
    "install",
    "bootstrap",
    "listen",
    "start",
];

/// Whether the function at `node` (or the named function it is nested in) is named like start-up
/// code. With no per-request caller in sight, a registration there is taken to run once:
/// reporting every `listen()` and `init()` of a library would bury the real leaks.
pub fn named_like_start_up(node: NodeId, model: &LifetimeModel<'_, '_>) -> bool {
    named_like(node, model, START_UP_NAMES)
}

/// Whether the function at `node`, or the nearest named function it is nested in, is named
/// `main`, `init…`, … (one of `prefixes`, then nothing or a capital or `_`), or NestJS's
/// `onModuleInit`/`onApplicationBootstrap`.
pub fn named_like(node: NodeId, model: &LifetimeModel<'_, '_>, prefixes: &[&str]) -> bool {
    let mut function = model.enclosing_function(node);
    while let Some(f) = function {
        if let Some(name) = model.function(f).and_then(|facts| facts.name) {
            return is_named_like(name, prefixes);
        }
        function = model.enclosing_function(f);
    }
    false
}

/// [`named_like_start_up`], where a function without a name of its own also goes by the
/// property or binding it is assigned to: `module.exports.init = function () {…}`,
/// `exports.setup = () => {…}`, `server.start = function () {…}`.
pub fn named_or_assigned_like_start_up(node: NodeId, model: &LifetimeModel<'_, '_>) -> bool {
    let mut function = model.enclosing_function(node);
    while let Some(f) = function {
        let name = model
            .function(f)
            .and_then(|facts| facts.name)
            .or_else(|| assigned_name(f, model));
        if let Some(name) = name {
            return is_named_like(name, START_UP_NAMES);
        }
        function = model.enclosing_function(f);
    }
    false
}

/// The name a function expression is assigned to with `=`: the property of a member target, or
/// the binding.
fn assigned_name<'a>(function: NodeId, model: &LifetimeModel<'_, 'a>) -> Option<&'a str> {
    let (child, AstKind::AssignmentExpression(assign)) = value_parent(model.semantic(), function)
    else {
        return None;
    };
    if assign.operator != AssignmentOperator::Assign
        || assign.right.span() != model.semantic().nodes().kind(child).span()
    {
        return None;
    }
    match written(&assign.left)? {
        Written::Binding(ident) => Some(ident.name.as_str()),
        Written::Member(member) => member_name(member),
    }
}

pub fn is_named_like(name: &str, prefixes: &[&str]) -> bool {
    if matches!(name, "onModuleInit" | "onApplicationBootstrap") {
        return true;
    }
    prefixes.iter().any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        })
    })
}

/// Whether the code at `node` is bounded by a size check of a collection (`is_collection` says
/// which places are it): inside `if (cache.size < MAX)`, or after `if (queue.length >= LIMIT)
/// return` or `if (Object.keys(pending).length > 4) return` in the same function.
pub fn size_checked<'a>(
    node: NodeId,
    is_collection: &dyn Fn(&Place<'a>) -> bool,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let nodes = model.semantic().nodes();
    let Some(function) = model.enclosing_function(node) else {
        return false;
    };
    let start = nodes.kind(node).span().start;
    let mut tests: Vec<&Expression<'a>> = Vec::new();
    for ancestor in nodes.ancestor_ids(node) {
        if ancestor == function {
            break;
        }
        match nodes.kind(ancestor) {
            AstKind::IfStatement(s) => tests.push(&s.test),
            AstKind::ConditionalExpression(c) => tests.push(&c.test),
            AstKind::LogicalExpression(l) => tests.push(&l.left),
            AstKind::WhileStatement(w) => tests.push(&w.test),
            _ => {}
        }
    }
    for other in model.nodes_within(function) {
        if other.kind().span().start >= start {
            break;
        }
        if let AstKind::IfStatement(s) = other.kind() {
            tests.push(&s.test);
        }
    }
    tests
        .into_iter()
        .any(|test| compares_size(test, is_collection, model))
}

/// Whether a test compares a collection's size (see [`size_checked`]) with something.
pub fn compares_size<'a>(
    test: &Expression<'a>,
    is_collection: &dyn Fn(&Place<'a>) -> bool,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let nodes = model.semantic().nodes();
    let at = crate::ast_util::expr_node_id(test);
    std::iter::once(nodes.get_node(at))
        .chain(model.nodes_within(at))
        .any(|n| match n.kind() {
            AstKind::BinaryExpression(binary)
                if matches!(
                    binary.operator,
                    BinaryOperator::LessThan
                        | BinaryOperator::LessEqualThan
                        | BinaryOperator::GreaterThan
                        | BinaryOperator::GreaterEqualThan
                        | BinaryOperator::StrictEquality
                        | BinaryOperator::Equality
                ) =>
            {
                [&binary.left, &binary.right]
                    .into_iter()
                    .any(|side| is_size_of(side, is_collection, model))
            }
            _ => false,
        })
}

/// `c.size`, `c.length`, `Object.keys(c).length` for a place `is_collection` accepts.
fn is_size_of<'a>(
    expr: &Expression<'a>,
    is_collection: &dyn Fn(&Place<'a>) -> bool,
    model: &LifetimeModel<'_, 'a>,
) -> bool {
    let Some(member) = as_member(expr) else {
        return false;
    };
    if !matches!(member_name(member), Some("size" | "length")) {
        return false;
    }
    let counted = match strip(member.object()) {
        Expression::CallExpression(call)
            if matches!(callee_name(call), Some("keys" | "values" | "entries"))
                && as_member(&call.callee).is_some_and(|m| {
                    matches!(strip(m.object()), Expression::Identifier(object) if object.name == "Object" && model.symbol_of(object).is_none())
                }) =>
        {
            match crate::ast_util::argument(call, 0) {
                Some(argument) => argument,
                None => return false,
            }
        }
        object => object,
    };
    model
        .place(counted)
        .is_some_and(|place| is_collection(&place))
}
