//! `unreleased-connection`: a connection or client checked out of a pool (or opened) in a
//! function and not given back on every path out of it — an early `return`, a `throw`, an
//! exception from the query before the release — and pools created per request. Paths are
//! followed on oxc's control-flow graph (see `flow`).

use std::{cell::OnceCell, sync::LazyLock};

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{
        argument, as_function_node, as_member, callee_name, dotted_path, member_name, strip,
        value_parent, written, Written,
    },
    guards, protocols, values, Field, FunctionRuns, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{Argument, BindingPattern, CallExpression, Expression, VariableDeclarationKind},
    AstKind, AstType,
};
use oxc_semantic::{AstNode, NodeId, SymbolId};
use oxc_span::{GetSpan, Span};

use crate::{
    flow::{self, Miss, Paths, Start, Tracker},
    rules::{byte_span, expect_no_options, first_line, line_of, Markers, NO_OPTIONS_SCHEMA},
    Rule, RuleContext, RuleMeta,
};

const ID: &str = "unreleased-connection";

/// See `rules/unreleased-connection.md`.
#[derive(Debug, Clone, Default)]
pub struct UnreleasedConnection;

pub static META: RuleMeta = RuleMeta {
    id: ID,
    name: "UnreleasedConnection",
    description: "connection or client not released on every path, or a pool created per request",
    default_severity: Severity::Error,
    escalated_severity: None,
    docs: include_str!("../../../../rules/unreleased-connection.md"),
    tags: &["memory-leak", "resource-leak", "database", "reliability"],
    // Measured on real code (README, 2026-11-21): 2 true, 5 false, 16 debatable.
    precision: "low",
    options_schema: NO_OPTIONS_SCHEMA,
    factory: |options| {
        expect_no_options(options)?;
        Ok(Box::new(UnreleasedConnection))
    },
};

/// Text that must appear in a file for it to acquire anything; it also decides whether the
/// control-flow graph is built.
const MARKERS: &[&str] = &[
    "getConnection",
    "connect(",
    "acquire(",
    "transaction(",
    "createQueryRunner",
    "createConnection",
    "createClient",
    "createPool",
    "Client(",
    "Pool(",
    "Redis(",
    "transaction.start(",
    "MongoClient",
    "Queue(",
    "Worker(",
];

/// Methods that give a connection or client back (or close it).
const RELEASE_METHODS: &[&str] = &["release", "end", "destroy", "close", "quit", "disconnect"];

/// Awaited calls on the connection that set it up: if they fail there is nothing to release, and
/// the documented patterns (`await queryRunner.connect(); await queryRunner.startTransaction();
/// try { … } finally { … }`) put them before the `try`.
const SETUP_METHODS: &[&str] = &["connect", "startTransaction", "beginTransaction"];

/// Names a callback that takes over what it is given.
const HANDOVER_CALLEES: &[&str] = &["resolve", "callback", "cb", "done", "next"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// A pool connection, a client, a single connection or a resource: released or closed.
    Connection,
    /// `knex.transaction()`: committed or rolled back.
    Transaction,
    /// `mysql.createPool()`, `new Pool()`: a whole pool, per request.
    Pool,
}

/// One acquisition.
struct Acquisition<'a> {
    /// The acquiring call or `new`.
    node: NodeId,
    what: What,
    /// `pool.getConnection()`, for messages.
    source: String,
    /// The pool it came from, for `pool.release(conn)`.
    pool: Option<Place<'a>>,
    /// Checked out of a pool (rather than opened on its own).
    pooled: bool,
    holder: Holder,
    /// For an instance of a class of the file that opens a client and keeps it in a field:
    /// the method that closes it, and where the client is opened.
    closer: Option<(&'a str, NodeId)>,
}

enum Holder {
    /// `const conn = await pool.getConnection()` / `conn = …`.
    Binding { symbol: SymbolId, statement: NodeId },
    /// `pool.getConnection((err, conn) => …)`, `pool.connect((err, client, done) => …)`,
    /// `pool.getConnection().then((conn) => …)`.
    Callback {
        function: NodeId,
        conn: Option<SymbolId>,
        err: Option<SymbolId>,
        done: Option<SymbolId>,
    },
}

impl Rule for UnreleasedConnection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn should_run(&self, text: &str) -> bool {
        static SEARCH: LazyLock<Markers> = LazyLock::new(|| Markers::new(MARKERS));
        SEARCH.any_in(text)
    }

    fn node_types(&self) -> &'static [AstType] {
        &[AstType::CallExpression, AstType::NewExpression]
    }

    fn run_on_node<'a>(&self, node: &AstNode<'a>, ctx: &mut RuleContext<'a, '_>) {
        if let Some(diagnostic) = kept_and_never_closed(node, ctx) {
            ctx.report(diagnostic);
            return;
        }
        // A client opened per call is judged only where the function returns it to.
        let (acquisition, direct) =
            match acquisition_at(node, ctx).or_else(|| instance_that_closes(node, ctx)) {
                Some(acquisition) => (acquisition, true),
                None => match client_opened_per_call(node, ctx) {
                    Some(acquisition) => (acquisition, false),
                    None => return,
                },
            };
        if let Some(diagnostic) = direct.then(|| check(&acquisition, ctx)).flatten() {
            ctx.report(diagnostic);
        } else if let Some(diagnostic) = check_where_returned(&acquisition, ctx) {
            ctx.report(diagnostic);
        }
    }
}

/// A pool the acquiring function makes itself (`const tmp = mysql.createPool(…)`) and ends
/// (`tmp.end()`, there or in a callback): its connections go with it.
fn made_and_ended_here<'a>(pool: &Place<'a>, at: NodeId, ctx: &RuleContext<'a, '_>) -> bool {
    let model = ctx.model();
    let PlaceRoot::Symbol(symbol) = pool.root else {
        return false;
    };
    let declared = ctx.semantic().scoping().symbol_declaration(symbol);
    let Some(function) = model.enclosing_function(at) else {
        return false;
    };
    if !pool.fields.is_empty()
        || model.parameter_owner(symbol).is_some()
        || model.enclosing_function(declared) != Some(function)
    {
        return false;
    }
    ctx.nodes_within(function).any(|n| {
        matches!(n.kind(), AstKind::CallExpression(call)
            if matches!(callee_name(call), Some("end" | "close" | "destroy" | "disconnect" | "quit"))
                && as_member(&call.callee)
                    .and_then(|m| model.place(m.object()))
                    .is_some_and(|ended| ended.same_place(pool)))
    })
}

/// Methods that start their owner's connection: they run once per owner.
const CONNECT_NAMES: &[&str] = &["connect", "afterConnect"];

/// What an acquiring call or `new` acquires, if it is one.
fn acquisition_at<'a>(node: &AstNode<'a>, ctx: &RuleContext<'a, '_>) -> Option<Acquisition<'a>> {
    // How often it runs is asked only once the call has the shape of an acquisition, so the
    // lifetime model is built only for files with a candidate.
    let runs = OnceCell::new();
    let runs = || *runs.get_or_init(|| ctx.model().runs_at(node.id()));
    let per_request = || runs() == FunctionRuns::PerRequest;
    let (what, callee, call): (What, &Expression<'a>, Option<&CallExpression<'a>>) = match node
        .kind()
    {
        AstKind::CallExpression(call) => (
            call_acquires(call, &per_request, ctx)?,
            &call.callee,
            Some(call),
        ),
        AstKind::NewExpression(new) => {
            let origin = constructor_origin(&new.callee, ctx)?;
            let what = match origin {
                ("pg", "Client") => What::Connection,
                ("pg", "Pool") if per_request() => What::Pool,
                ("mongodb", "MongoClient") | ("ioredis", "Redis" | "default") if per_request() => {
                    What::Connection
                }
                _ => return None,
            };
            (what, &new.callee, None)
        }
        _ => return None,
    };
    // A connection opened by start-up code is held on purpose (a LISTEN client, a subscriber);
    // one a driver's `connect()` probes with runs once per data source, and when it throws the
    // data source fails to start.
    let runs = runs();
    if runs.is_once()
        || (runs == FunctionRuns::PerCall
            && (guards::named_like_start_up(node.id(), ctx.model())
                || guards::named_like(node.id(), ctx.model(), CONNECT_NAMES)))
    {
        return None;
    }
    let model = ctx.model();
    let source = format!("{}()", dotted_path(callee).unwrap_or_else(|| "…".into()));
    let source = match node.kind() {
        AstKind::NewExpression(_) => format!("new {source}"),
        _ => source,
    };
    let pool = as_member(callee).and_then(|m| model.place(m.object()));
    if pool
        .as_ref()
        .is_some_and(|pool| made_and_ended_here(pool, node.id(), ctx))
    {
        return None;
    }
    let holder = match call.and_then(|call| callback_holder(call, ctx)) {
        Some(holder) => holder,
        // `pool.connect(async (connection) => …)` (slonik), `pool.use(fn)`: the pool lends the
        // connection to the callback and takes it back when it settles; the call's result is
        // the callback's.
        None if call.is_some_and(|call| {
            call.arguments
                .last()
                .and_then(Argument::as_expression)
                .and_then(as_function_node)
                .is_some()
        }) =>
        {
            return None
        }
        None => value_holder(node.id(), ctx)?,
    };
    let pooled = call.and_then(callee_name).is_some_and(|name| {
        matches!(
            name,
            "getConnection" | "connect" | "acquire" | "createQueryRunner"
        )
    }) && !source.starts_with("MongoClient");
    Some(Acquisition {
        node: node.id(),
        what,
        source,
        pool,
        pooled,
        holder,
        closer: None,
    })
}

/// `pool.getConnection()`, `pool.connect()`, `pool.acquire()`, `knex.transaction()`,
/// `dataSource.createQueryRunner()`, `mysql.createConnection()`; per request also
/// `MongoClient.connect()`, `redis.createClient()` and `mysql.createPool()`; and the acquire
/// functions named in `settings`.
fn call_acquires(
    call: &CallExpression<'_>,
    per_request: &dyn Fn() -> bool,
    ctx: &RuleContext<'_, '_>,
) -> Option<What> {
    let settings = ctx.settings();
    if !settings.acquire_functions.is_empty() {
        if let Some(path) = dotted_path(&call.callee) {
            if settings
                .acquire_functions
                .iter()
                .any(|name| names_callee(name, &path))
            {
                return Some(What::Connection);
            }
        }
    }
    let name = callee_name(call)?;
    let member = as_member(&call.callee);
    let receiver = member.map(|m| m.object());
    let has_callback = call
        .arguments
        .iter()
        .any(|a| a.as_expression().and_then(as_function_node).is_some());
    match name {
        // mysql, mysql2, oracledb pools: no arguments, a callback, or a configuration object.
        // `getConnection()` alone is typeorm's data source; `moduleGraph.getConnection(dep)` is
        // a lookup.
        "getConnection" => {
            let pool_arguments = call.arguments.iter().all(|a| {
                a.as_expression().is_some_and(|a| {
                    as_function_node(a).is_some()
                        || matches!(strip(a), Expression::ObjectExpression(_))
                })
            });
            (receiver.is_some() && pool_arguments).then_some(What::Connection)
        }
        // pg's `pool.connect()`; `MongoClient.connect(url)` per request.
        "connect" => {
            let receiver = receiver?;
            if is_pool_like(receiver, ctx) {
                return Some(What::Connection);
            }
            (per_request() && imported_from(receiver, &["mongodb"], ctx))
                .then_some(What::Connection)
        }
        "acquire" => is_pool_like(receiver?, ctx).then_some(What::Connection),
        // `knex.transaction()`, `sequelize.transaction()`; with a callback they manage
        // themselves, and `db.transaction([…])` is another API.
        "transaction" => {
            let options_only = call.arguments.iter().all(|a| {
                matches!(
                    a.as_expression().map(strip),
                    Some(Expression::ObjectExpression(_))
                )
            });
            (receiver.is_some() && !has_callback && options_only).then_some(What::Transaction)
        }
        "createQueryRunner" => receiver.map(|_| What::Connection),
        // objection's `transaction.start(knex)`: a transaction the caller commits or rolls back.
        "start" => receiver
            .is_some_and(|r| imported_from(r, &["objection"], ctx))
            .then_some(What::Transaction),
        "createConnection" => from_driver(call, &["mysql", "mysql2", "mysql2/promise"], ctx)
            .then_some(What::Connection),
        "createClient" if per_request() => {
            from_driver(call, &["redis", "@redis/client"], ctx).then_some(What::Connection)
        }
        "createPool" if per_request() => from_driver(
            call,
            &[
                "mysql",
                "mysql2",
                "mysql2/promise",
                "generic-pool",
                "oracledb",
            ],
            ctx,
        )
        .then_some(What::Pool),
        _ => None,
    }
}

/// Whether a name from `settings` names a callee: the whole dotted path (`db.checkout`), or a
/// bare name matching its last part (`checkout` for `pool.checkout`).
fn names_callee(name: &str, path: &str) -> bool {
    name == path || (!name.contains('.') && path.rsplit('.').next() == Some(name))
}

/// Whether the callee is the driver's function: `mysql.createConnection` with `mysql` imported
/// from one of `modules`, or `createConnection` imported from one.
fn from_driver(call: &CallExpression<'_>, modules: &[&str], ctx: &RuleContext<'_, '_>) -> bool {
    match as_member(&call.callee) {
        Some(member) => imported_from(member.object(), modules, ctx),
        None => imported_from(&call.callee, modules, ctx),
    }
}

fn imported_from(expr: &Expression<'_>, modules: &[&str], ctx: &RuleContext<'_, '_>) -> bool {
    let Expression::Identifier(ident) = strip(expr) else {
        return false;
    };
    let model = ctx.model();
    model
        .symbol_of(ident)
        .and_then(|symbol| model.import_origin(symbol))
        .is_some_and(|origin| modules.iter().any(|m| origin.is_module(m)))
}

/// `(module, class)` of `new Client()` / `new pg.Client()` / `new Redis()`.
fn constructor_origin<'a>(
    callee: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<(&'a str, &'a str)> {
    let model = ctx.model();
    match strip(callee) {
        Expression::Identifier(ident) => {
            let origin = model.import_origin(model.symbol_of(ident)?)?;
            Some((origin.module, origin.export.unwrap_or("default")))
        }
        other => {
            let member = as_member(other)?;
            let Expression::Identifier(object) = strip(member.object()) else {
                return None;
            };
            let origin = model.import_origin(model.symbol_of(object)?)?;
            Some((origin.module, member_name(member)?))
        }
    }
    .map(|(module, class)| (module.strip_prefix("node:").unwrap_or(module), class))
}

/// A receiver that is a pool: named `…pool…`, made by `new Pool()`/`createPool()` in this file,
/// or named in `settings.pools`.
fn is_pool_like(receiver: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    let settings = ctx.settings();
    if let Some(path) = dotted_path(receiver) {
        if settings.pools.contains(&path) {
            return true;
        }
        let last = path.rsplit('.').next().unwrap_or(&path);
        if last.to_ascii_lowercase().contains("pool") {
            return true;
        }
    }
    let Expression::Identifier(ident) = strip(receiver) else {
        return false;
    };
    let Some(init) = ctx
        .model()
        .symbol_of(ident)
        .and_then(|symbol| ctx.model().const_init(symbol))
    else {
        return false;
    };
    match strip(init) {
        Expression::NewExpression(new) => {
            dotted_path(&new.callee).is_some_and(|p| p == "Pool" || p.ends_with(".Pool"))
        }
        Expression::CallExpression(call) => callee_name(call) == Some("createPool"),
        _ => false,
    }
}

/// `getConnection((err, conn) => …)`, `connect((err, client, done) => …)`, or
/// `acquire().then((conn) => …)`.
fn callback_holder(call: &CallExpression<'_>, ctx: &RuleContext<'_, '_>) -> Option<Holder> {
    let nodes = ctx.nodes();
    // Node-style: the last argument.
    if let Some(function) = call
        .arguments
        .last()
        .and_then(Argument::as_expression)
        .and_then(as_function_node)
    {
        let params = parameter_symbols(nodes.get_node(function));
        // `pool.connect((err) => …)` (mssql) connects the pool itself: nothing is checked out.
        let conn = params.get(1).copied().flatten()?;
        return Some(Holder::Callback {
            function,
            err: params.first().copied().flatten(),
            conn: Some(conn),
            done: params.get(2).copied().flatten(),
        });
    }
    // `pool.getConnection().then((conn) => …)`
    let (child, parent) = value_parent(ctx.semantic(), call.node_id());
    let AstKind::StaticMemberExpression(member) = parent else {
        return None;
    };
    if member.property.name != "then" || member.object.span() != nodes.kind(child).span() {
        return None;
    }
    let AstKind::CallExpression(then) = nodes.parent_kind(nodes.parent_id(child)) else {
        return None;
    };
    let function = argument(then, 0).and_then(as_function_node)?;
    let params = parameter_symbols(nodes.get_node(function));
    Some(Holder::Callback {
        function,
        err: None,
        conn: params.first().copied().flatten(),
        done: None,
    })
}

fn parameter_symbols(function: &AstNode<'_>) -> Vec<Option<SymbolId>> {
    let Some(params) = leaklint_model::ast_util::function_params(&function.kind()) else {
        return Vec::new();
    };
    params
        .items
        .iter()
        .map(|p| {
            p.pattern
                .get_binding_identifier()
                .and_then(|id| id.symbol_id.get())
        })
        .collect()
}

/// `const conn = await pool.getConnection()` or `conn = await …`; `None` when the value is
/// returned, stored on an owner, passed on, or declared with `using`.
fn value_holder(node: NodeId, ctx: &RuleContext<'_, '_>) -> Option<Holder> {
    let semantic = ctx.semantic();
    let nodes = ctx.nodes();
    let mut child = node;
    let parent = loop {
        let (c, parent) = value_parent(semantic, child);
        match parent {
            AstKind::AwaitExpression(_) => child = nodes.parent_id(c),
            _ => break parent,
        }
    };
    let symbol = match parent {
        AstKind::VariableDeclarator(declarator) => {
            if let AstKind::VariableDeclaration(declaration) =
                nodes.parent_kind(declarator.node_id())
            {
                if matches!(
                    declaration.kind,
                    VariableDeclarationKind::Using | VariableDeclarationKind::AwaitUsing
                ) {
                    return None;
                }
            }
            declarator.id.get_binding_identifier()?.symbol_id.get()?
        }
        AstKind::AssignmentExpression(assign) => {
            let Written::Binding(ident) = written(&assign.left)? else {
                // `this.conn = …`, `req.db = …`: stored on an owner.
                return None;
            };
            let symbol = ctx.model().symbol_of(ident)?;
            // A variable of an enclosing function or the module: kept past this call.
            let function = ctx.model().enclosing_function(node);
            let declared_in = ctx
                .model()
                .enclosing_function(semantic.scoping().symbol_declaration(symbol));
            if declared_in != function {
                return None;
            }
            symbol
        }
        _ => return None,
    };
    Some(Holder::Binding {
        symbol,
        statement: flow::statement_of(ctx, node)?,
    })
}

/// Follows the paths of one acquisition.
struct Release<'p, 'a> {
    conn: Option<SymbolId>,
    done: Option<SymbolId>,
    what: What,
    pool: Option<&'p Place<'a>>,
    guards: Vec<SymbolId>,
    /// The function releases the connection itself somewhere: passing it to a function (a
    /// caller's callback, `work({ runner })`) lends it for a while, and does not hand it over.
    released_here: bool,
    /// The method that closes an instance that keeps a client (`store.close()`).
    closer: Option<&'a str>,
}

impl<'a> Release<'_, 'a> {
    fn is_conn(&self, expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
        matches!(strip(expr), Expression::Identifier(ident)
            if self.conn.is_some() && ctx.model().symbol_of(ident) == self.conn)
    }

    /// The connection, a field of it (`report.connection`), or an object literal with one of
    /// those as a property.
    fn holds_conn(&self, expr: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
        match strip(expr) {
            Expression::ObjectExpression(object) => object.properties.iter().any(|p| {
                matches!(p, oxc_ast::ast::ObjectPropertyKind::ObjectProperty(p) if self.holds_conn(&p.value, ctx))
            }),
            Expression::StaticMemberExpression(member) => self.is_conn(&member.object, ctx),
            other => self.is_conn(other, ctx),
        }
    }

    /// `conn.release()`, `trx.commit()`, `pool.release(conn)`, `done()`, a release function from
    /// `settings`.
    fn is_release(&self, call: &CallExpression<'a>, ctx: &RuleContext<'a, '_>) -> bool {
        let settings = ctx.model().settings();
        let Some(name) = callee_name(call) else {
            return false;
        };
        if let Some(member) = as_member(&call.callee) {
            if self.is_conn(member.object(), ctx) {
                return match self.what {
                    What::Transaction => matches!(name, "commit" | "rollback"),
                    What::Connection | What::Pool => {
                        RELEASE_METHODS.contains(&name)
                            || self.closer == Some(name)
                            || settings.release_functions.iter().any(|r| r == name)
                    }
                };
            }
            // generic-pool: `pool.release(conn)`, `pool.destroy(conn)`
            if matches!(name, "release" | "destroy")
                && argument(call, 0).is_some_and(|a| self.is_conn(a, ctx))
                && self.pool.is_some_and(|pool| {
                    ctx.model()
                        .place(member.object())
                        .is_some_and(|p| p.same_place(pool))
                })
            {
                return true;
            }
        }
        // `driver.releaseConnection({ connection: report.connection })`: a release named for
        // what it releases, handed the connection, a field of it, or an object holding either.
        if matches!(name, "releaseConnection" | "releaseClient" | "release")
            && call
                .arguments
                .iter()
                .any(|a| a.as_expression().is_some_and(|a| self.holds_conn(a, ctx)))
        {
            return true;
        }
        // pg's `done()`, or `release(conn)` from `settings`.
        if let Expression::Identifier(ident) = strip(&call.callee) {
            if self.done.is_some() && ctx.model().symbol_of(ident) == self.done {
                return true;
            }
        }
        // A function of the file that releases what it is given (`giveBack(conn)`).
        if call.arguments.iter().enumerate().any(|(index, a)| {
            a.as_expression().is_some_and(|a| self.is_conn(a, ctx))
                && releases_argument(&call.callee, index, ctx)
        }) {
            return true;
        }
        settings
            .release_functions
            .iter()
            .any(|r| dotted_path(&call.callee).is_some_and(|p| names_callee(r, &p)))
            && call
                .arguments
                .iter()
                .any(|a| a.as_expression().is_some_and(|a| self.is_conn(a, ctx)))
    }

    /// The connection handed to an owner: returned, stored on an object or in a collection,
    /// or passed to a callback (`resolve(conn)`, `cb(null, conn)`).
    fn is_handover(&self, node: &AstNode<'a>, ctx: &RuleContext<'a, '_>) -> bool {
        let AstKind::IdentifierReference(ident) = node.kind() else {
            return false;
        };
        if self.conn.is_none() || ctx.model().symbol_of(ident) != self.conn {
            return false;
        }
        let (child, parent) = value_parent(ctx.semantic(), node.id());
        let child_span = ctx.nodes().kind(child).span();
        match parent {
            AstKind::ReturnStatement(_) | AstKind::ArrowFunctionExpression(_) => true,
            // `{ conn, release }` returned or stored; `work({ runner })` only lends it when the
            // function releases it itself.
            AstKind::ObjectProperty(_) | AstKind::ArrayExpression(_) => {
                !(self.released_here && self.lent_in_literal(node.id(), ctx))
            }
            AstKind::AssignmentExpression(assign) => assign.right.span() == child_span,
            // Wrapped in an object that owns it (`new PromisePoolConnection(conn)`).
            AstKind::NewExpression(_) => true,
            AstKind::CallExpression(call) if call.callee.span() != child_span => {
                if matches!(callee_name(call), Some("set" | "push" | "add" | "unshift")) {
                    return true;
                }
                let Expression::Identifier(callee) = strip(&call.callee) else {
                    return false;
                };
                HANDOVER_CALLEES.contains(&callee.name.as_str())
                    || (!self.released_here
                        && ctx
                            .model()
                            .symbol_of(callee)
                            .is_some_and(|s| ctx.model().parameter_owner(s).is_some()))
            }
            _ => false,
        }
    }

    /// Whether the object or array literal holding the connection at `node` is an argument of
    /// a call that is not a hand-over (`work({ runner })`, not `resolve({ conn })` or
    /// `list.push([conn])`).
    fn lent_in_literal(&self, node: NodeId, ctx: &RuleContext<'a, '_>) -> bool {
        let nodes = ctx.nodes();
        let literal = nodes.ancestor_ids(node).find(|&id| {
            matches!(
                nodes.kind(id),
                AstKind::ObjectExpression(_) | AstKind::ArrayExpression(_)
            )
        });
        let Some(literal) = literal else {
            return false;
        };
        let (child, AstKind::CallExpression(call)) = value_parent(ctx.semantic(), literal) else {
            return false;
        };
        let handed = matches!(callee_name(call), Some("set" | "push" | "add" | "unshift"))
            || matches!(strip(&call.callee), Expression::Identifier(callee)
            if HANDOVER_CALLEES.contains(&callee.name.as_str()));
        call.callee.span() != nodes.kind(child).span() && !handed
    }
}

impl<'a> Tracker<'a> for Release<'_, 'a> {
    fn covers_node(&self, node: &AstNode<'a>, ctx: &RuleContext<'a, '_>) -> bool {
        match node.kind() {
            AstKind::CallExpression(call) => self.is_release(call, ctx),
            AstKind::IdentifierReference(_) => self.is_handover(node, ctx),
            _ => false,
        }
    }

    fn settles(&self, awaited: &Expression<'a>, ctx: &RuleContext<'a, '_>) -> bool {
        let Expression::CallExpression(call) = strip(awaited) else {
            return false;
        };
        callee_name(call).is_some_and(|name| SETUP_METHODS.contains(&name))
            && as_member(&call.callee).is_some_and(|m| self.is_conn(m.object(), ctx))
    }

    fn guards(&self) -> &[SymbolId] {
        &self.guards
    }
}

/// A client opened by a class of the file and kept in a field of its instances that nothing
/// in the class ever closes, while the file makes instances again and again: each one leaves a
/// connection open (`this.db = redis.createClient()` in a model built per request).
fn kept_and_never_closed(node: &AstNode<'_>, ctx: &RuleContext<'_, '_>) -> Option<Diagnostic> {
    if !matches!(
        node.kind(),
        AstKind::NewExpression(_) | AstKind::CallExpression(_)
    ) {
        return None;
    }
    let model = ctx.model();
    let (module, _) = protocols::opened_client(node.id(), model)?;
    let (class, place) = model.kept_in_field(node.id())?;
    if model.closer_of(class, &place).is_some() {
        return None;
    }
    // Evidence that instances are made again; without it, a `new` in a function that runs on
    // every call (not once, not start-up code) is taken to repeat, and said so, as a warning.
    let (creation, why, evidence) = match model.made_again(class) {
        Some((creation, why)) => (creation, why, true),
        None => model.creations(class).into_iter().find_map(|creation| {
            // A factory that hands the instance to its caller (`static create() { return new
            // Store() }`) says nothing of how often it is called.
            if matches!(
                value_parent(ctx.semantic(), creation).1,
                AstKind::ReturnStatement(_) | AstKind::ArrowFunctionExpression(_)
            ) {
                return None;
            }
            let function = model.enclosing_function(creation)?;
            let name = model.function(function).and_then(|facts| facts.name)?;
            (model.runs_at(creation) == FunctionRuns::PerCall
                && !guards::named_like_start_up(creation, model))
            .then(|| (creation, format!("on every call of `{name}`"), false))
        })?,
    };
    let class_name = model.class_label(class);
    let field = match place.fields.first() {
        Some(Field::Public(name) | Field::Private(name)) => *name,
        None => "a field",
    };
    let kept = if place.entry {
        format!("adds it to `this.{field}`")
    } else {
        format!("keeps it in `this.{field}`")
    };
    let source = ctx.source_text();
    let opened = first_line(source, node.kind().span());
    let severity = if model.runs_at(creation) == FunctionRuns::PerRequest {
        Severity::Error
    } else {
        Severity::Warning
    };
    let assumed = if evidence {
        ""
    } else {
        " (assuming it is called more than once)"
    };
    Some(
        Diagnostic::finding(
            ID,
            severity,
            format!(
                "{class_name} opens a `{module}` client and {kept}, and nothing in the class \
                 closes it: a new instance is made {why} (line {}){assumed}, and each one leaves \
                 its connection open",
                line_of(ctx, creation)
            ),
            Label::new(byte_span(opened), "opened here, never closed"),
        )
        .with_secondary(
            Label::new(
                byte_span(first_line(source, ctx.nodes().kind(class.node).span())),
                format!("{class_name} holds the client and has no method that closes it"),
            )
            .with_role(Role::Holder),
        )
        .with_secondary(
            Label::new(
                byte_span(ctx.nodes().kind(creation).span()),
                format!("a new instance {why}"),
            )
            .with_role(Role::Repeats),
        )
        .with_help(format!(
            "share one client for the process, or give {class_name} a `close()` that closes it \
             and call it when the instance is done"
        )),
    )
}

/// `const store = new Store()` of a class of the file that opens a client, keeps it in a field
/// and closes it in one of its methods (`close()`): the instance is a connection to close on
/// every path, as `store.close()`.
fn instance_that_closes<'a>(
    node: &AstNode<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Acquisition<'a>> {
    let AstKind::NewExpression(new) = node.kind() else {
        return None;
    };
    let Expression::Identifier(callee) = strip(&new.callee) else {
        return None;
    };
    let model = ctx.model();
    let class = model.class_of_symbol(model.symbol_of(callee)?)?;
    let (closer, opened) = ctx.nodes_within(class.node).find_map(|inner| {
        protocols::opened_client(inner.id(), model)?;
        let (owner, place) = model.kept_in_field(inner.id())?;
        if owner != class {
            return None;
        }
        Some((model.closer_of(class, &place)?.name?, inner.id()))
    })?;
    let runs = model.runs_at(node.id());
    if runs.is_once()
        || (runs == FunctionRuns::PerCall && guards::named_like_start_up(node.id(), model))
    {
        return None;
    }
    Some(Acquisition {
        node: node.id(),
        what: What::Connection,
        source: format!("new {}()", callee.name),
        pool: None,
        pooled: false,
        holder: value_holder(node.id(), ctx)?,
        closer: Some((closer, opened)),
    })
}

/// A client of [`protocols::CLIENT_OPENERS`] opened in a function that runs on every call
/// (`new MongoClient(uri)` in a helper): a connection of its own, judged where the function
/// hands it to (see [`check_where_returned`]).
fn client_opened_per_call<'a>(
    node: &AstNode<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Acquisition<'a>> {
    let model = ctx.model();
    protocols::opened_client(node.id(), model)?;
    if model.runs_at(node.id()).is_once() {
        return None;
    }
    let callee = match node.kind() {
        AstKind::NewExpression(new) => &new.callee,
        AstKind::CallExpression(call) => &call.callee,
        _ => return None,
    };
    let source = format!("{}()", dotted_path(callee).unwrap_or_else(|| "…".into()));
    let source = match node.kind() {
        AstKind::NewExpression(_) => format!("new {source}"),
        _ => source,
    };
    Some(Acquisition {
        node: node.id(),
        what: What::Connection,
        source,
        pool: None,
        pooled: false,
        holder: value_holder(node.id(), ctx)?,
        closer: None,
    })
}

/// A connection that a function of the file returns to its callers — `return client.connect()`,
/// or `resolve(conn)` in the `new Promise` it returns — is an acquisition at each call of that
/// function (`const conn = await openDb()`, `borrow().then((conn) => …)`): the first caller
/// that does not release it on every path is the finding, told where the connection is made.
fn check_where_returned<'a>(
    acquisition: &Acquisition<'a>,
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let model = ctx.model();
    let (function, name) = returned_by(acquisition, ctx)?;
    let scoping = ctx.semantic().scoping();
    scoping.get_resolved_references(name).find_map(|reference| {
        let (child, AstKind::CallExpression(call)) =
            value_parent(ctx.semantic(), reference.node_id())
        else {
            return None;
        };
        if call.callee.span() != ctx.nodes().kind(child).span()
            || model.enclosing_function(call.node_id()) == Some(function)
            || model.runs_at(call.node_id()).is_once()
        {
            return None;
        }
        let holder = callback_holder(call, ctx).or_else(|| value_holder(call.node_id(), ctx))?;
        let called = Acquisition {
            node: call.node_id(),
            what: acquisition.what,
            source: format!("{}()", scoping.symbol_name(name)),
            pool: None,
            pooled: acquisition.pooled,
            holder,
            closer: None,
        };
        let mut diagnostic = check(&called, ctx)?;
        let source = ctx.source_text();
        let caller = diagnostic.primary.clone();
        diagnostic.primary = Label::new(
            byte_span(first_line(
                source,
                ctx.nodes().kind(acquisition.node).span(),
            )),
            format!("opened here, returned by `{}()`", scoping.symbol_name(name)),
        );
        diagnostic.secondary.insert(
            0,
            Label::new(caller.span, "the caller gets it here").with_role(Role::Holder),
        );
        Some(diagnostic)
    })
}

/// The function that hands the acquired connection to its callers, and the binding that names
/// it: it returns the connection (or an expression of it), or resolves the `new Promise` it
/// returns with it.
fn returned_by(
    acquisition: &Acquisition<'_>,
    ctx: &RuleContext<'_, '_>,
) -> Option<(NodeId, SymbolId)> {
    let model = ctx.model();
    let nodes = ctx.nodes();
    let function = match &acquisition.holder {
        Holder::Binding { symbol, .. } => {
            let function = model.enclosing_function(acquisition.node)?;
            let returned = ctx.nodes_within(function).any(|inner| {
                let AstKind::ReturnStatement(ret) = inner.kind() else {
                    return false;
                };
                model.enclosing_function(inner.id()) == Some(function)
                    && ret.argument.as_ref().is_some_and(|argument| {
                        ctx.subtree(leaklint_model::ast_util::expr_node_id(argument))
                            .any(|n| {
                                matches!(n.kind(), AstKind::IdentifierReference(i)
                                if model.symbol_of(i) == Some(*symbol))
                            })
                    })
            });
            returned.then_some(function)?
        }
        Holder::Callback { function, conn, .. } => {
            let conn = (*conn)?;
            // `new Promise((resolve, reject) => { pool.getConnection((err, conn) => …
            // resolve(conn) …) })`, returned.
            let executor = nodes.ancestor_ids(*function).find(|&id| {
                matches!(nodes.parent_kind(id), AstKind::NewExpression(new)
                    if matches!(strip(&new.callee), Expression::Identifier(p) if p.name == "Promise"))
                    && nodes.kind(id).is_function_like()
            })?;
            let resolve = parameter_symbols(nodes.get_node(executor))
                .first()
                .copied()
                .flatten()?;
            let resolves = ctx.nodes_within(*function).any(|inner| {
                matches!(inner.kind(), AstKind::CallExpression(call)
                    if matches!(strip(&call.callee), Expression::Identifier(r)
                        if model.symbol_of(r) == Some(resolve))
                    && call.arguments.iter().any(|a| matches!(a.as_expression().map(strip),
                        Some(Expression::Identifier(c)) if model.symbol_of(c) == Some(conn))))
            });
            let promise = nodes.parent_id(executor);
            let returned = matches!(
                value_parent(ctx.semantic(), promise).1,
                AstKind::ReturnStatement(_)
            );
            (resolves && returned).then(|| model.enclosing_function(promise))??
        }
    };
    let name = match nodes.kind(function) {
        AstKind::Function(f) if f.id.is_some() => f.id.as_ref()?.symbol_id.get()?,
        _ => match value_parent(ctx.semantic(), function).1 {
            AstKind::VariableDeclarator(declarator) => {
                declarator.id.get_binding_identifier()?.symbol_id.get()?
            }
            _ => return None,
        },
    };
    Some((function, name))
}

/// The finding for one acquisition, if some path leaks it.
fn check<'a>(acquisition: &Acquisition<'a>, ctx: &RuleContext<'a, '_>) -> Option<Diagnostic> {
    let (start, conn, err, done) = match &acquisition.holder {
        Holder::Binding { symbol, statement } => {
            (Start::After(*statement), Some(*symbol), None, None)
        }
        Holder::Callback {
            function,
            conn,
            err,
            done,
        } => (Start::Entry(*function), *conn, *err, *done),
    };
    let mut tracker = Release {
        conn,
        done,
        what: acquisition.what,
        pool: acquisition.pool.as_ref(),
        guards: conn.into_iter().chain(err).collect(),
        released_here: false,
        closer: acquisition.closer.map(|(name, _)| name),
    };
    let scope = match &acquisition.holder {
        Holder::Binding { .. } => ctx.model().enclosing_function(acquisition.node),
        Holder::Callback { function, .. } => Some(*function),
    }?;
    tracker.released_here = ctx.nodes_within(scope).any(
        |n| matches!(n.kind(), AstKind::CallExpression(call) if tracker.is_release(call, ctx)),
    );
    let misses = Paths::new(ctx, &tracker).misses(start)?;
    // An instance that closes its own client is judged on the paths that never close it: an
    // exception from its own methods (which open the client) is its own business.
    let miss = *misses
        .iter()
        .find(|miss| acquisition.closer.is_none() || !matches!(miss, Miss::Exception(_)))?;
    let releases: Vec<NodeId> = ctx
        .nodes_within(scope)
        .filter(
            |n| matches!(n.kind(), AstKind::CallExpression(call) if tracker.is_release(call, ctx)),
        )
        .map(|n| n.id())
        .collect();
    // Never released here and handed on somewhere: the new owner releases it, unless a path
    // that drops it has used it first (`setup(conn, (err) => { if (err) return reject(err);
    // resolve(conn) })`: the failed setup leaves the connection with nobody).
    let handed_on = ctx.nodes_within(scope).any(|n| tracker.is_handover(n, ctx));
    let in_a_callback = match miss {
        Miss::Return(n) | Miss::Throw(n) | Miss::Exception(n) => {
            ctx.model().enclosing_function(n) != Some(scope)
        }
        Miss::End | Miss::Rejected(_) => false,
    };
    if releases.is_empty() && handed_on && !in_a_callback {
        return None;
    }
    // Never released, and passed to a function we cannot see: it may release it. A function
    // of the file that only uses what it is given (calls its methods, passes it on to such a
    // function) does not.
    if releases.is_empty() && passed_to_a_call(conn, scope, ctx) {
        return None;
    }
    Some(report(acquisition, conn, miss, &releases, ctx))
}

/// Whether the connection is an argument of some call (`await runMigrations(client)`).
fn passed_to_a_call(conn: Option<SymbolId>, scope: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let Some(conn) = conn else {
        return false;
    };
    let model = ctx.model();
    ctx.nodes_within(scope).any(|n| {
        let AstKind::CallExpression(call) = n.kind() else {
            return false;
        };
        // `resolve(conn)` and its kind are hand-overs, judged path by path.
        if matches!(strip(&call.callee), Expression::Identifier(callee)
            if HANDOVER_CALLEES.contains(&callee.name.as_str()))
        {
            return false;
        }
        call.arguments.iter().enumerate().any(|(index, a)| {
            matches!(a.as_expression().map(strip), Some(Expression::Identifier(i))
                if model.symbol_of(i) == Some(conn))
                && !only_uses_argument(&call.callee, index, ctx, 0)
        })
    })
}

/// The parameter at `index` of the function of the file a callee names (`giveBack` in
/// `giveBack(conn)`), when it is a plain binding.
fn callee_parameter(
    callee: &Expression<'_>,
    index: usize,
    ctx: &RuleContext<'_, '_>,
) -> Option<SymbolId> {
    let function = values::function_held_by(callee, ctx.model())?;
    let params = leaklint_model::ast_util::function_params(&ctx.nodes().kind(function))?;
    match &params.items.get(index)?.pattern {
        BindingPattern::BindingIdentifier(param) => param.symbol_id.get(),
        _ => None,
    }
}

/// The method called on a reference, when it is the object of a call (`conn.close()`).
fn method_called_on<'a>(reference: NodeId, ctx: &RuleContext<'a, '_>) -> Option<&'a str> {
    let (_, AstKind::StaticMemberExpression(member)) = value_parent(ctx.semantic(), reference)
    else {
        return None;
    };
    let (_, outer) = value_parent(ctx.semantic(), ctx.nodes().parent_id(reference));
    matches!(outer, AstKind::CallExpression(call) if call.callee.span() == member.span)
        .then(|| member.property.name.as_str())
}

/// Whether the function a callee names is one of the file's that releases its argument at
/// `index`: calls a release method on it (`function giveBack(conn) { conn.close(); }`).
fn releases_argument(callee: &Expression<'_>, index: usize, ctx: &RuleContext<'_, '_>) -> bool {
    let Some(symbol) = callee_parameter(callee, index, ctx) else {
        return false;
    };
    ctx.semantic()
        .scoping()
        .get_resolved_references(symbol)
        .any(|reference| {
            method_called_on(reference.node_id(), ctx)
                .is_some_and(|name| RELEASE_METHODS.contains(&name))
        })
}

/// Whether the function a callee names is one of the file's that only uses its argument at
/// `index`: calls its methods (none that releases it) and reads its fields, or passes it on to
/// such a function. It does not take the connection over.
fn only_uses_argument(
    callee: &Expression<'_>,
    index: usize,
    ctx: &RuleContext<'_, '_>,
    depth: u8,
) -> bool {
    if depth > 3 {
        return false;
    }
    let Some(symbol) = callee_parameter(callee, index, ctx) else {
        return false;
    };
    let scoping = ctx.semantic().scoping();
    scoping.get_resolved_references(symbol).all(|reference| {
        let node = reference.node_id();
        let (child, parent) = value_parent(ctx.semantic(), node);
        let child_span = ctx.nodes().kind(child).span();
        match parent {
            AstKind::StaticMemberExpression(_) => {
                !method_called_on(node, ctx).is_some_and(|name| RELEASE_METHODS.contains(&name))
            }
            AstKind::CallExpression(call) if call.callee.span() != child_span => call
                .arguments
                .iter()
                .position(|a| a.span() == child_span)
                .is_some_and(|at| only_uses_argument(&call.callee, at, ctx, depth + 1)),
            _ => false,
        }
    })
}

fn report<'a>(
    acquisition: &Acquisition<'a>,
    conn: Option<SymbolId>,
    miss: Miss,
    releases: &[NodeId],
    ctx: &RuleContext<'a, '_>,
) -> Diagnostic {
    let source = ctx.source_text();
    let nodes = ctx.nodes();
    let name = conn.map_or_else(
        || "the connection".to_string(),
        |c| format!("`{}`", ctx.semantic().scoping().symbol_name(c)),
    );
    let acquired = nodes.kind(acquisition.node).span();
    let released = match acquisition.what {
        What::Transaction => "committed or rolled back",
        What::Pool => "ended",
        What::Connection => "released",
    };
    if acquisition.what == What::Pool {
        let why = ctx
            .model()
            .request_context(acquisition.node)
            .map_or("every request".to_string(), |w| {
                format!("every request to {w}")
            });
        return Diagnostic::finding(
            ID,
            Severity::Error,
            format!(
                "`{}` creates a new pool on {why}, and it is not ended on every path: each one \
                 keeps its own connections open, so connections and memory grow with traffic",
                acquisition.source
            ),
            Label::new(
                byte_span(first_line(source, acquired)),
                "a pool per request",
            ),
        )
        .with_help("create the pool once, at module level, and share it across requests");
    }
    let what = format!("{name} from `{}`", acquisition.source);
    let (message, secondary): (String, Option<(Span, String)>) = if releases.is_empty() {
        (
            if acquisition.pooled {
                format!(
                    "{what} is never {released}: every call keeps one connection checked out, \
                     until the pool is exhausted and every request waits"
                )
            } else {
                format!(
                    "{what} is never {released}: every call leaves one more connection open, \
                     with its socket and buffers"
                )
            },
            None,
        )
    } else {
        let release = nodes.kind(releases[0]).span();
        match miss {
            Miss::Exception(node) => {
                let thrower = flow::awaited_call(node, ctx);
                let why = match acquisition.what {
                    What::Transaction => "nothing rolls it back on that path",
                    _ => "the release is not in a `finally`",
                };
                (
                    format!("{what} is not {released} if `{thrower}` throws: {why}"),
                    Some((release, format!("not reached if `{thrower}` throws"))),
                )
            }
            Miss::Return(node) => (
                format!(
                    "{what} is not {released} on the `return` at line {}",
                    line_of(ctx, node)
                ),
                Some((
                    nodes.kind(node).span(),
                    format!(
                        "returns without {released_short}",
                        released_short = short_verb(acquisition.what)
                    ),
                )),
            ),
            Miss::Throw(node) => (
                format!(
                    "{what} is not {released} when the `throw` at line {} runs",
                    line_of(ctx, node)
                ),
                Some((
                    nodes.kind(node).span(),
                    format!("throws without {}", short_verb(acquisition.what)),
                )),
            ),
            Miss::Rejected(node) => (
                format!("{what} is {released} only when the promise resolves, not when it rejects"),
                Some((
                    nodes.kind(node).span(),
                    "no rejection handler releases it".to_string(),
                )),
            ),
            Miss::End => (
                format!("{what} is not {released} on every path: the function can end without it"),
                Some((release, format!("{released} on some paths only"))),
            ),
        }
    };
    let help = match acquisition.what {
        What::Transaction => {
            "commit in the `try` and roll back in the `catch` (rethrowing), or use the callback \
             form, `knex.transaction(async (trx) => …)`, which does both"
        }
        _ => {
            "release it in `finally` (`try { … } finally { conn.release(); }`), or use \
             `pool.query()`, which releases by itself"
        }
    };
    let closer_help;
    let help = match acquisition.closer {
        Some((closer, _)) => {
            closer_help = format!(
                "call `{}.{closer}()` in a `finally`, or share one instance for the process",
                conn.map_or("it", |c| ctx.semantic().scoping().symbol_name(c))
            );
            closer_help.as_str()
        }
        None => help,
    };
    // A per-request handler's leak repeats with traffic, and so does one in a method a
    // request handler calls; elsewhere the file does not say how often the function runs, and
    // the finding says what it assumes.
    let model = ctx.model();
    let per_request = model.runs_at(acquisition.node) == FunctionRuns::PerRequest
        || model
            .enclosing_function(acquisition.node)
            .and_then(|function| model.called_per_request(function))
            .is_some();
    let (severity, message) = if per_request {
        (Severity::Error, message)
    } else {
        (
            Severity::Warning,
            format!("{message} (assuming the function runs more than once)"),
        )
    };
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity,
        message,
        Label::new(byte_span(first_line(source, acquired)), "acquired here"),
    )
    .with_help(help);
    if let Some((span, label)) = secondary {
        diagnostic = diagnostic.with_secondary(
            Label::new(byte_span(first_line(source, span)), label).with_role(Role::Release),
        );
    }
    if let Some((closer, opened)) = acquisition.closer {
        diagnostic = diagnostic.with_secondary(
            Label::new(
                byte_span(first_line(source, nodes.kind(opened).span())),
                format!("the instance opens a client here; only `{closer}()` closes it"),
            )
            .with_role(Role::Holder),
        );
    }
    diagnostic
}

fn short_verb(what: What) -> &'static str {
    match what {
        What::Transaction => "committing or rolling back",
        What::Pool => "ending it",
        What::Connection => "releasing",
    }
}

#[cfg(test)]
mod tests {
    use super::META;
    use crate::test_util::{assert_clean, assert_reports, run_rule};

    #[test]
    fn flagged() {
        for source in [
            // never released
            "app.get('/a', async (req, res) => { const conn = await pool.getConnection(); const [rows] = await conn.query('select 1'); res.json(rows); });",
            // exception skips it
            "export async function find(id) { const conn = await pool.getConnection(); const [rows] = await conn.query('select ?', [id]); conn.release(); return rows; }",
            // early return skips it
            "export async function find(id) { const client = await pool.connect(); try { const r = await client.query('q'); if (!r.rows.length) return null; client.release(); return r.rows[0]; } catch (e) { client.release(); throw e; } }",
            // throw skips it
            "export async function find(id) { const conn = await pool.getConnection(); try { const [rows] = await conn.query('q'); if (!rows.length) throw new Error('missing'); conn.release(); return rows; } catch (e) { log(e); throw e; } }",
            // callback form, error path skips the release
            "app.get('/a', (req, res, next) => { pool.getConnection((err, conn) => { if (err) return next(err); conn.query('q', (error, rows) => { if (error) return next(error); conn.release(); res.json(rows); }); }); });",
            // pg callback form with done
            "app.get('/a', (req, res, next) => { pool.connect((err, client, done) => { if (err) return next(err); client.query('q', (e, r) => { if (e) return next(e); done(); res.json(r.rows); }); }); });",
            // transactions
            "export async function pay(knex, order) { const trx = await knex.transaction(); await trx('orders').insert(order); await trx.commit(); }",
            // generic-pool
            "export async function render(html) { const browser = await browserPool.acquire(); const pdf = await browser.pdf(html); browserPool.release(browser); return pdf; }",
            // kept in a variable through a TypeScript wrapper
            "export async function render(html) { let browser; (browser as any) = await browserPool.acquire(); const pdf = await browser.pdf(html); browserPool.release(browser); return pdf; }",
            "export async function render(html) { let browser; browser! = await browserPool.acquire(); const pdf = await browser.pdf(html); browserPool.release(browser); return pdf; }",
            // a pool per request
            "import mysql from 'mysql2/promise'; app.get('/a', async (req, res) => { const pool = mysql.createPool({}); const [rows] = await pool.query('q'); res.json(rows); });",
            "import { Pool } from 'pg'; export const handler = async (event) => { const pool = new Pool(); const r = await pool.query('q'); return r.rows; };",
            // then without catch
            "export function find() { return pool.getConnection().then((conn) => conn.query('q').then((rows) => { conn.release(); return rows; })); }",
        ] {
            assert_reports(&META, source, "a.ts", 1);
        }
    }

    #[test]
    fn clean() {
        for source in [
            "export async function find(id) { const conn = await pool.getConnection(); try { const [rows] = await conn.query('q'); return rows; } finally { conn.release(); } }",
            "export async function find(id) { let conn; try { conn = await pool.getConnection(); return await conn.query('q'); } finally { if (conn) conn.release(); } }",
            "export async function find(id) { let conn; try { conn = await pool.getConnection(); return await conn.query('q'); } finally { conn?.release(); } }",
            "export async function find(id) { return pool.query('select 1'); }",
            "export async function getConnection() { return pool.getConnection(); }",
            "export async function open() { const conn = await pool.getConnection(); return conn; }",
            "app.use(async (req, res, next) => { const client = await pool.connect(); req.db = client; res.on('close', () => client.release()); next(); });",
            "export async function pay(knex, order) { const trx = await knex.transaction(); try { await trx('orders').insert(order); await trx.commit(); } catch (e) { await trx.rollback(); throw e; } }",
            "export async function pay(knex, order) { await knex.transaction(async (trx) => { await trx('orders').insert(order); }); }",
            "app.get('/a', (req, res, next) => { pool.getConnection((err, conn) => { if (err) return next(err); conn.query('q', (error, rows) => { conn.release(); if (error) return next(error); res.json(rows); }); }); });",
            "export async function run(ds) { const qr = ds.createQueryRunner(); await qr.connect(); await qr.startTransaction(); try { await qr.query('q'); await qr.commitTransaction(); } catch (e) { await qr.rollbackTransaction(); throw e; } finally { await qr.release(); } }",
            "export async function find() { await using conn = await db.connect(); return conn.query('q'); }",
            "async function main() { const client = await pool.connect(); await client.query('LISTEN jobs'); } main();",
            "import { createClient } from 'redis'; const redis = createClient(); export async function get(k) { return redis.get(k); }",
            "export async function migrate() { const client = await pool.connect(); await runMigrations(client); }",
            "export async function find() { const socket = net.connect(80); return socket; }",
            // a graph lookup, not a pool
            "export function used(moduleGraph, dep) { const connection = moduleGraph.getConnection(dep); return connection.active; }",
            // mssql: `connect(cb)` connects the pool itself
            "export function open(pool, cb) { pool.connect((err) => cb(err)); }",
            // wrapped in an owner
            "export function get(corePool) { return new Promise((resolve, reject) => { corePool.getConnection((err, conn) => { if (err) reject(err); else resolve(new PromiseConnection(conn)); }); }); }",
            // start-up code, by name
            "export async function initDatabase() { const conn = mysql.createConnection({}); await conn.execute('CREATE DATABASE x'); }",
        ] {
            assert_clean(&META, source, "a.ts");
        }
    }

    #[test]
    fn messages() {
        let found = run_rule(
            &META,
            "export async function find(id) {\n  const conn = await pool.getConnection();\n  const [rows] = await conn.query('q', [id]);\n  conn.release();\n  return rows;\n}",
            "a.js",
            None,
        );
        assert_eq!(
            found[0].message,
            "`conn` from `pool.getConnection()` is not released if `conn.query(…)` throws: the release is not in a `finally` (assuming the function runs more than once)"
        );
        // An exported function the file never calls: a warning, which says what it assumes.
        assert_eq!(found[0].severity, leaklint_diagnostics::Severity::Warning);
        let in_route = run_rule(
            &META,
            "app.get('/x', async (req, res) => {\n  const conn = await pool.getConnection();\n  const [rows] = await conn.query('q', [req.params.id]);\n  conn.release();\n  res.json(rows);\n});",
            "a.js",
            None,
        );
        assert_eq!(in_route[0].severity, leaklint_diagnostics::Severity::Error);
        assert!(!in_route[0].message.contains("assuming"));
        assert_eq!(
            found[0].secondary[0].message,
            "not reached if `conn.query(…)` throws"
        );
    }
}
