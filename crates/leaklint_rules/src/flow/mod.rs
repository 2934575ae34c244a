//! Paths through one function, on oxc's control-flow graph: from a point (just after a
//! statement, or a function's entry) to every way out of the function — a `return`, falling off
//! the end, a `throw`, or an exception from an awaited call — and whether a *covering* statement
//! (a release, a removal, a hand-over of ownership) stands on each of them.
//!
//! The graph is oxc's (`oxc_cfg`), built for one function when a rule first follows paths in it
//! (see [`graph`]). Its blocks hold statements; every block has an error edge to the nearest
//! `catch` (explicit) or to the function's way out (implicit), and every block inside a `try` with
//! a `finally` has an edge to the `finally`. An error edge is only taken when a statement after
//! the starting point can throw — an `await`, or what the rule says throws — or a `throw` ends the
//! block: assuming that every synchronous call throws would report nearly every function. The
//! edge to a `finally` is only taken where the path leaves the `try`: by an exception, a `return`
//! or `throw`, a `break` or `continue` to a target outside it, or the end of the `try` block.

mod graph;

use std::cell::RefCell;

pub use graph::FunctionGraph;
use oxc_ast::{
    ast::{Expression, ForStatementInit, Statement},
    AstKind,
};
use oxc_cfg::{
    graph::{visit::EdgeRef, Direction},
    BlockNodeId, EdgeType, ErrorEdgeKind, InstructionKind,
};
use oxc_semantic::{AstNode, NodeId, SymbolId};
use oxc_span::{GetSpan, Span};
use rustc_hash::FxHashSet;

use leaklint_model::ast_util::{argument, callee_name, dotted_path, expr_node_id, strip};

use crate::RuleContext;

/// A way out of the function that no covering statement stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// This `return` statement leaves without it.
    Return(NodeId),
    /// This `throw` statement leaves without it.
    Throw(NodeId),
    /// An exception from this expression (an `await`, a call) leaves without it.
    Exception(NodeId),
    /// The function ends without it.
    End,
    /// Covered in this `.then(…)` callback only: a rejected promise skips it.
    Rejected(NodeId),
}

/// Where paths start.
#[derive(Debug, Clone, Copy)]
pub enum Start {
    /// Just after this statement (the one that acquires or adds).
    After(NodeId),
    /// At the entry of this function (a callback that receives the connection).
    Entry(NodeId),
}

/// What a rule follows along the paths.
pub trait Tracker<'a> {
    /// Whether a node of a statement's own code covers: a release or removal of the tracked
    /// value, or a hand-over of it to an owner.
    fn covers_node(&self, node: &AstNode<'a>, ctx: &RuleContext<'a, '_>) -> bool;

    /// Whether the node may throw, besides an `await` (a call on the connection, say).
    fn throws_node(&self, _node: &AstNode<'a>, _ctx: &RuleContext<'a, '_>) -> bool {
        false
    }

    /// Whether awaiting this expression cannot leave the tracked value behind (it sets the value
    /// up: if it fails there is nothing to release).
    fn settles(&self, _awaited: &Expression<'a>, _ctx: &RuleContext<'a, '_>) -> bool {
        false
    }

    /// Bindings whose test guards a path on which there is nothing to cover: `if (err) return
    /// cb(err)` in a `getConnection` callback, `if (!conn) return`. Misses inside such an `if`
    /// are not misses.
    fn guards(&self) -> &[SymbolId] {
        &[]
    }
}

/// Follows paths for one tracked value.
pub struct Paths<'t, 'r, 'a, 'c, T: Tracker<'a>> {
    ctx: &'r RuleContext<'a, 'c>,
    tracker: &'t T,
    /// Misses inside callbacks that cover only some of their own paths.
    nested: RefCell<Vec<Miss>>,
    depth: u8,
}

/// Callbacks nested in callbacks are followed this deep.
const MAX_CALLBACK_DEPTH: u8 = 3;

impl<'t, 'r, 'a, 'c, T: Tracker<'a>> Paths<'t, 'r, 'a, 'c, T> {
    pub fn new(ctx: &'r RuleContext<'a, 'c>, tracker: &'t T) -> Self {
        Self {
            ctx,
            tracker,
            nested: RefCell::new(Vec::new()),
            depth: 0,
        }
    }

    /// Every way out of the function from `start` that no covering statement stands on, in
    /// source order (`End` last). `None` when the start is not a statement of a function's own
    /// code (one in a TypeScript namespace, say).
    pub fn misses(&self, start: Start) -> Option<Vec<Miss>> {
        let ctx = self.ctx;
        let function = match start {
            Start::After(statement) => function_of(ctx, statement),
            Start::Entry(function) => function,
        };
        let graph = ctx.function_graph(function)?;
        let cfg = &graph.cfg;
        let (first, from) = match start {
            Start::After(statement) => {
                let block = graph.block_of(statement)?;
                let index = cfg
                    .basic_block(block)
                    .instructions()
                    .iter()
                    .position(|i| i.node_id == Some(statement))?;
                (block, index + 1)
            }
            Start::Entry(_) => (graph.entry, 0),
        };
        let mut misses: Vec<Miss> = Vec::new();
        let mut seen: FxHashSet<BlockNodeId> = FxHashSet::default();
        // (block, first instruction, the exception that brought the path here)
        let mut stack: Vec<(BlockNodeId, usize, Option<NodeId>)> = vec![(first, from, None)];
        while let Some((block, from, cause)) = stack.pop() {
            if from == 0 && !seen.insert(block) {
                continue;
            }
            let basic = cfg.basic_block(block);
            if basic.is_unreachable() {
                continue;
            }
            let mut thrower: Option<NodeId> = None;
            let mut exit: Option<Miss> = None;
            let mut covered = false;
            let mut dead = false;
            // The block ends in a `break` or `continue`.
            let mut jumps = false;
            for instruction in basic.instructions().iter().skip(from) {
                let node = instruction.node_id;
                match instruction.kind {
                    InstructionKind::Statement
                    | InstructionKind::Condition
                    | InstructionKind::Return(_) => {
                        let Some(node) = node else { continue };
                        let own = own_nodes(ctx, node);
                        if self.statement_covers(node, &own) {
                            covered = true;
                            break;
                        }
                        thrower = thrower.or_else(|| self.throwing(&own));
                        if matches!(instruction.kind, InstructionKind::Return(_)) {
                            exit = Some(Miss::Return(node));
                            break;
                        }
                    }
                    InstructionKind::ImplicitReturn => {
                        exit = Some(Miss::End);
                        break;
                    }
                    InstructionKind::Throw => {
                        exit = node.map(Miss::Throw);
                        break;
                    }
                    InstructionKind::Unreachable => {
                        dead = true;
                        break;
                    }
                    InstructionKind::Break(_) | InstructionKind::Continue(_) => {
                        jumps = true;
                        break;
                    }
                    _ => {}
                }
            }
            let graph = cfg.graph();
            let finalizer = graph
                .edges_directed(block, Direction::Outgoing)
                .find(|e| matches!(e.weight(), EdgeType::Finalize))
                .map(|e| e.target());
            let has_finally = finalizer.is_some();
            // A `break` or `continue` out of a `try … finally` runs the `finally` first: the
            // graph's jump goes straight to the target, so it is followed only when the target is
            // inside the same `try` (the path through the `finally` is its `Finalize` edge).
            let leaves_try = |target: BlockNodeId| {
                jumps
                    && finalizer.is_some_and(|finalizer| {
                        !graph
                            .edges_directed(target, Direction::Outgoing)
                            .any(|e| e.target() == finalizer)
                    })
            };
            // Whether the path leaves this block for the `finally`: by an exception, a `return` or
            // `throw`, a jump out of the `try`, or the end of the `try` (or `catch`) block, which
            // has no other way on. A block that falls through to the next statement of the `try`
            // does not run the `finally` yet.
            let to_finally = thrower.is_some()
                || (!covered
                    && !dead
                    && (exit.is_some()
                        || graph.edges_directed(block, Direction::Outgoing).all(|e| {
                            match e.weight() {
                                EdgeType::Jump => leaves_try(e.target()),
                                EdgeType::Normal | EdgeType::Backedge | EdgeType::Join => false,
                                _ => true,
                            }
                        })));
            // The exception that leaves this block: a `throw` ending it, or a statement before
            // the covering one (or the end) that can throw.
            let raised = match exit {
                Some(Miss::Throw(node)) => Some(Miss::Throw(node)),
                _ => thrower.map(Miss::Exception),
            };
            for edge in graph.edges_directed(block, Direction::Outgoing) {
                let target = edge.target();
                match edge.weight() {
                    EdgeType::NewFunction | EdgeType::Unreachable => {}
                    EdgeType::Error(kind) => {
                        let Some(raised) = raised else { continue };
                        let origin = match raised {
                            Miss::Throw(n) | Miss::Exception(n) => n,
                            _ => continue,
                        };
                        match kind {
                            // The `finally` runs first; its edge is followed below. (The graph
                            // goes on from the end of a `finally` to the code after the `try`,
                            // never to the outer handler: an uncovered exception path still ends
                            // uncovered, with a less exact reason.)
                            _ if has_finally => {}
                            ErrorEdgeKind::Explicit => stack.push((target, 0, Some(origin))),
                            ErrorEdgeKind::Implicit => misses.push(raised),
                        }
                    }
                    EdgeType::Finalize => {
                        if to_finally {
                            stack.push((target, 0, cause));
                        }
                    }
                    EdgeType::Normal | EdgeType::Jump | EdgeType::Backedge | EdgeType::Join => {
                        if !covered && !dead && exit.is_none() && !leaves_try(target) {
                            stack.push((target, 0, cause));
                        }
                    }
                }
            }
            if covered || dead {
                continue;
            }
            match exit {
                // A `return` inside `try … finally` goes through the `finally`.
                Some(Miss::Return(_)) if has_finally => {}
                Some(miss @ (Miss::Return(_) | Miss::End)) => {
                    misses.push(cause.map_or(miss, Miss::Exception));
                }
                _ => {}
            }
        }
        let guards = self.tracker.guards();
        misses.retain(|miss| match miss {
            Miss::Return(node) | Miss::Throw(node) => !self.in_guarded_branch(*node, guards),
            _ => true,
        });
        misses.extend(self.nested.borrow_mut().drain(..));
        let nodes = ctx.nodes();
        let position = |miss: &Miss| match miss {
            Miss::Return(n) | Miss::Throw(n) | Miss::Exception(n) | Miss::Rejected(n) => {
                nodes.kind(*n).span().start
            }
            Miss::End => u32::MAX,
        };
        misses.sort_by_key(position);
        misses.dedup();
        Some(misses)
    }

    /// Whether a statement covers the tracked value: in its own code (not in nested
    /// statements, which are instructions of their own), in a callback it passes that covers on
    /// every path, or as `if (conn) conn.release()`. `own` is the statement's [`own_nodes`].
    fn statement_covers(&self, statement: NodeId, own: &[&AstNode<'a>]) -> bool {
        let ctx = self.ctx;
        let nodes = ctx.nodes();
        if let AstKind::IfStatement(statement) = nodes.kind(statement) {
            if self.mentions_guard(&statement.test)
                && ctx
                    .nodes_within(statement.consequent.node_id())
                    .any(|n| self.tracker.covers_node(n, ctx))
            {
                return true;
            }
        }
        for node in own {
            if self.tracker.covers_node(node, ctx) {
                return true;
            }
        }
        own.iter().any(|node| match node.kind() {
            AstKind::ArrowFunctionExpression(_) | AstKind::Function(_) => {
                self.callback_covers(node.id())
            }
            _ => false,
        })
    }

    /// Whether a callback that covers somewhere inside it covers the path of the statement that
    /// passes it: a `finally` handler, a timer, a close/finish listener, a promise chain with
    /// both outcomes handled, or any other callback that covers on every one of its own paths.
    fn callback_covers(&self, function: NodeId) -> bool {
        let ctx = self.ctx;
        if !ctx
            .nodes_within(function)
            .any(|n| self.tracker.covers_node(n, ctx))
        {
            return false;
        }
        let nodes = ctx.nodes();
        let parent = nodes.parent_id(function);
        let AstKind::CallExpression(call) = nodes.kind(parent) else {
            // Not passed to a call: a function kept for later; trust it.
            return true;
        };
        match callee_name(call) {
            Some("finally") => true,
            Some("then" | "catch") => {
                let (resolved, rejected) = self.chain_outcomes(parent);
                if resolved && rejected {
                    return true;
                }
                if resolved {
                    // Covered when the promise resolves: a rejection skips it.
                    self.nested.borrow_mut().push(Miss::Rejected(parent));
                    return true;
                }
                // Only on rejection: the resolved path goes on uncovered.
                false
            }
            Some("setTimeout" | "setImmediate" | "nextTick" | "queueMicrotask") => true,
            // A listener runs when its event fires: an end (`close`, `finish`, `end`, `error`)
            // comes to everything, a cancellation only to what is cancelled.
            Some(
                "on"
                | "once"
                | "addListener"
                | "addEventListener"
                | "prependListener"
                | "prependOnceListener",
            ) => !argument(call, 0)
                .and_then(leaklint_model::ast_util::string_value)
                .is_some_and(|event| {
                    matches!(
                        event,
                        "abort" | "aborted" | "cancel" | "cancelled" | "timeout"
                    )
                }),
            // An observable's subscriber runs when (and if) it emits: a cancellation stream
            // (`aborted$.subscribe(() => conn.release())`) covers only the cancelled requests.
            Some("subscribe") => false,
            _ => {
                self.follow_into(function);
                true
            }
        }
    }

    /// Follows the paths of a callback that covers somewhere inside it, and keeps the ones that
    /// do not cover as misses of their own. An arrow with an expression body has one path,
    /// which covers.
    fn follow_into(&self, function: NodeId) {
        let one_path = matches!(self.ctx.nodes().kind(function),
            AstKind::ArrowFunctionExpression(arrow)
                if !matches!(arrow.body, oxc_ast::ast::ArrowFunctionBody::FunctionBody(_)));
        if one_path || self.depth >= MAX_CALLBACK_DEPTH {
            return;
        }
        let inner = Paths {
            ctx: self.ctx,
            tracker: self.tracker,
            nested: RefCell::new(Vec::new()),
            depth: self.depth + 1,
        };
        if let Some(misses) = inner.misses(Start::Entry(function)) {
            self.nested.borrow_mut().extend(misses);
        }
    }

    /// For a `.then`/`.catch` call: whether the chain it belongs to covers when the promise
    /// resolves, and when it rejects.
    fn chain_outcomes(&self, call: NodeId) -> (bool, bool) {
        let ctx = self.ctx;
        let nodes = ctx.nodes();
        // The outermost call of the chain: `p.then(a).catch(b).finally(c)`.
        let mut top = call;
        loop {
            let parent = nodes.parent_id(top);
            let AstKind::StaticMemberExpression(member) = nodes.kind(parent) else {
                break;
            };
            let grand = nodes.parent_id(parent);
            match nodes.kind(grand) {
                AstKind::CallExpression(outer) if outer.callee.span() == member.span => {
                    top = grand;
                }
                _ => break,
            }
        }
        let (mut resolved, mut rejected) = (false, false);
        let mut current = Some(top);
        while let Some(id) = current {
            let AstKind::CallExpression(call) = nodes.kind(id) else {
                break;
            };
            // A handler that covers somewhere covers its outcome; the paths inside it that do
            // not (`.catch((err) => { if (err) return reject(err); release(conn); })`) are
            // misses of their own.
            let covers = |index: usize| {
                let Some(handler) = call
                    .arguments
                    .get(index)
                    .and_then(|a| a.as_expression())
                    .and_then(leaklint_model::ast_util::as_function_node)
                else {
                    return false;
                };
                if !ctx
                    .nodes_within(handler)
                    .any(|n| self.tracker.covers_node(n, ctx))
                {
                    return false;
                }
                self.follow_into(handler);
                true
            };
            match callee_name(call) {
                Some("then") => {
                    resolved |= covers(0);
                    rejected |= covers(1);
                }
                Some("catch") => rejected |= covers(0),
                Some("finally") => {
                    let both = covers(0);
                    resolved |= both;
                    rejected |= both;
                }
                _ => break,
            }
            current = leaklint_model::ast_util::as_member(&call.callee).and_then(|m| {
                match strip(m.object()) {
                    Expression::CallExpression(inner) => Some(inner.node_id()),
                    _ => None,
                }
            });
        }
        (resolved, rejected)
    }

    /// The first node of a statement's own code (its [`own_nodes`]) that may throw: an `await`,
    /// or what the tracker says.
    fn throwing(&self, own: &[&AstNode<'a>]) -> Option<NodeId> {
        let ctx = self.ctx;
        own.iter().find_map(|node| {
            let throws = match node.kind() {
                // `await p.catch(() => null)` settles whatever `p` does.
                AstKind::AwaitExpression(await_expr) => {
                    !matches!(strip(&await_expr.argument),
                        Expression::CallExpression(call) if callee_name(call) == Some("catch"))
                        && !self.tracker.settles(&await_expr.argument, ctx)
                }
                _ => self.tracker.throws_node(node, ctx),
            };
            throws.then(|| node.id())
        })
    }

    fn mentions_guard(&self, test: &Expression<'a>) -> bool {
        let guards = self.tracker.guards();
        if guards.is_empty() {
            return false;
        }
        let model = self.ctx.model();
        let node = leaklint_model::ast_util::expr_node_id(test);
        self.ctx.subtree(node).any(|n| match n.kind() {
            AstKind::IdentifierReference(ident) => model
                .symbol_of(ident)
                .is_some_and(|symbol| guards.contains(&symbol)),
            _ => false,
        })
    }

    /// Whether a node is in the consequent of an `if` whose test reads a guard.
    fn in_guarded_branch(&self, node: NodeId, guards: &[SymbolId]) -> bool {
        if guards.is_empty() {
            return false;
        }
        let nodes = self.ctx.nodes();
        let span = nodes.kind(node).span();
        nodes.ancestor_kinds(node).any(|kind| match kind {
            AstKind::IfStatement(statement) => {
                contains(statement.consequent.span(), span) && self.mentions_guard(&statement.test)
            }
            _ => false,
        })
    }
}

/// Whether the code at `a` and the code at `b` never both run in one pass through the code
/// they share: they sit in different branches of an `if`, `?:` or `switch`, or the earlier one
/// is followed, in its own function, by a `return` or `throw` before the later one is reached
/// (`if (!ok) { res.sendStatus(400); return; } … setTimeout(…)`). A syntactic approximation
/// that errs towards "both may run": loops, `try` and conditional exits do not separate.
pub fn never_both_run(a: NodeId, b: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let nodes = ctx.nodes();
    let a_path: Vec<NodeId> = std::iter::once(a).chain(nodes.ancestor_ids(a)).collect();
    // The nearest common ancestor, and the children of it that hold `a` and `b`.
    let mut b_child = b;
    let mut common = None;
    for id in std::iter::once(b).chain(nodes.ancestor_ids(b)) {
        if let Some(position) = a_path.iter().position(|&on_a| on_a == id) {
            common = Some((id, position));
            break;
        }
        b_child = id;
    }
    let Some((common, position)) = common else {
        return false;
    };
    if position == 0 || b_child == common {
        return false; // one holds the other
    }
    let a_child = a_path[position - 1];
    let span = |id: NodeId| nodes.kind(id).span();
    let branches_apart = |test: Span| span(a_child) != test && span(b_child) != test;
    match nodes.kind(common) {
        AstKind::IfStatement(statement) => return branches_apart(statement.test.span()),
        AstKind::ConditionalExpression(conditional) => {
            return branches_apart(conditional.test.span())
        }
        AstKind::SwitchStatement(switch) => {
            // Two cases: apart when the earlier one cannot fall through into the later one.
            let earlier = span(a_child).min(span(b_child));
            return switch.cases.iter().any(|case| {
                case.span == earlier
                    && case.consequent.last().is_some_and(|last| {
                        matches!(last, Statement::BreakStatement(_)) || exits(last)
                    })
            });
        }
        _ => {}
    }
    let (earlier, earlier_child, later_child) = if span(a).start < span(b).start {
        (a, a_child, b_child)
    } else {
        (b, b_child, a_child)
    };
    let later_start = span(later_child).start;
    let mut leaves = false;
    for id in std::iter::once(earlier).chain(nodes.ancestor_ids(earlier)) {
        match nodes.kind(id) {
            // An exit inside a nested function leaves only that function.
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) => leaves = false,
            AstKind::ReturnStatement(_) | AstKind::ThrowStatement(_) => leaves = true,
            _ => {}
        }
        let siblings = match nodes.parent_kind(id) {
            AstKind::BlockStatement(block) => Some(&block.body),
            AstKind::FunctionBody(body) => Some(&body.statements),
            AstKind::SwitchCase(case) => Some(&case.consequent),
            _ => None,
        };
        if let Some(siblings) = siblings {
            let own = span(id);
            if siblings
                .iter()
                .skip_while(|statement| statement.span() != own)
                .skip(1)
                .take_while(|statement| statement.span().start < later_start)
                .any(exits)
            {
                leaves = true;
            }
        }
        if id == earlier_child {
            break;
        }
    }
    leaves
}

pub use leaklint_model::ast_util::exits;

/// Whether `inner` lies within `outer`.
pub fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The nodes of a statement's own code, in source order: all of a simple statement; the test of
/// an `if` or loop, the discriminant of a `switch` (their bodies are statements of their own).
/// Nested functions are included as nodes, not their insides.
pub fn own_nodes<'c, 'a>(ctx: &RuleContext<'a, 'c>, statement: NodeId) -> Vec<&'c AstNode<'a>> {
    let nodes = ctx.nodes();
    // The heads of a compound statement, read through their own subtrees: scanning the whole
    // statement and keeping what lies in a head would read every nested statement again at
    // each level of nesting.
    let heads: Option<Vec<NodeId>> = match nodes.kind(statement) {
        AstKind::IfStatement(s) => Some(vec![expr_node_id(&s.test)]),
        AstKind::WhileStatement(s) => Some(vec![expr_node_id(&s.test)]),
        AstKind::DoWhileStatement(s) => Some(vec![expr_node_id(&s.test)]),
        AstKind::ForStatement(s) => Some(
            [
                s.init.as_ref().and_then(|init| match init {
                    ForStatementInit::VariableDeclaration(declaration) => {
                        Some(declaration.node_id())
                    }
                    _ => init.as_expression().map(expr_node_id),
                }),
                s.test.as_ref().map(expr_node_id),
                s.update.as_ref().map(expr_node_id),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        AstKind::ForInStatement(s) => Some(vec![expr_node_id(&s.right)]),
        AstKind::ForOfStatement(s) => Some(vec![expr_node_id(&s.right)]),
        AstKind::SwitchStatement(s) => Some(vec![expr_node_id(&s.discriminant)]),
        AstKind::BlockStatement(_)
        | AstKind::TryStatement(_)
        | AstKind::LabeledStatement(_)
        | AstKind::WithStatement(_) => Some(Vec::new()),
        _ => None,
    };
    let mut own = Vec::new();
    match heads {
        Some(heads) => {
            for head in heads {
                push_own(ctx.subtree(head), &mut own);
            }
        }
        None => push_own(ctx.nodes_within(statement), &mut own),
    }
    own
}

/// Pushes the nodes of `subtree` (in source order), with nested functions and classes as nodes
/// but not their insides.
fn push_own<'c, 'a>(subtree: impl Iterator<Item = &'c AstNode<'a>>, own: &mut Vec<&'c AstNode<'a>>)
where
    'a: 'c,
{
    let mut skip_until = 0;
    for node in subtree {
        let span = node.kind().span();
        if span.start < skip_until {
            continue;
        }
        own.push(node);
        if matches!(
            node.kind(),
            AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) | AstKind::Class(_)
        ) {
            skip_until = span.end;
        }
    }
}

/// The function whose own code holds a node: its nearest enclosing function, arrow function or
/// class static block, or the program.
fn function_of(ctx: &RuleContext<'_, '_>, node: NodeId) -> NodeId {
    let nodes = ctx.nodes();
    nodes
        .ancestor_ids(node)
        .find(|&id| {
            matches!(
                nodes.kind(id),
                AstKind::Function(_)
                    | AstKind::ArrowFunctionExpression(_)
                    | AstKind::StaticBlock(_)
                    | AstKind::Program(_)
            )
        })
        .unwrap_or(NodeId::ROOT)
}

/// The statement a node belongs to: its nearest ancestor that is a statement of the
/// control-flow graph (a declaration, an expression statement, a `return`…).
pub fn statement_of(ctx: &RuleContext<'_, '_>, node: NodeId) -> Option<NodeId> {
    let nodes = ctx.nodes();
    std::iter::once(node)
        .chain(nodes.ancestor_ids(node))
        .take_while(|&id| {
            !matches!(
                nodes.kind(id),
                AstKind::Function(_) | AstKind::ArrowFunctionExpression(_) | AstKind::Program(_)
            )
        })
        .find(|&id| {
            matches!(
                nodes.kind(id),
                AstKind::ExpressionStatement(_)
                    | AstKind::VariableDeclaration(_)
                    | AstKind::ReturnStatement(_)
                    | AstKind::ThrowStatement(_)
                    | AstKind::IfStatement(_)
                    | AstKind::WhileStatement(_)
                    | AstKind::DoWhileStatement(_)
                    | AstKind::ForStatement(_)
                    | AstKind::ForInStatement(_)
                    | AstKind::ForOfStatement(_)
                    | AstKind::SwitchStatement(_)
            )
        })
}

/// The call an `await` waits for, shortened: `conn.query(…)`, `….toArray(…)`.
pub fn awaited_call(node: NodeId, ctx: &RuleContext<'_, '_>) -> String {
    let expr = match ctx.nodes().kind(node) {
        AstKind::AwaitExpression(await_expr) => strip(&await_expr.argument),
        _ => return "the call".to_string(),
    };
    match expr {
        Expression::CallExpression(call) => match (dotted_path(&call.callee), callee_name(call)) {
            (Some(path), _) => format!("{path}(…)"),
            (None, Some(name)) => format!("….{name}(…)"),
            (None, None) => "the call".to_string(),
        },
        other => leaklint_model::ast_util::short_text(ctx.source_text(), other.span()),
    }
}
