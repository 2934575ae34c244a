//! Removals that cannot work, whatever owns the collection: a removal that removes nothing, a
//! reset that forgets one of the structures it resets, and entries keyed by a sequence number
//! that nothing removes. Each is a bug in the code as written, so it is reported even where the
//! file does not show how long the collection lives (at most a warning there).

use leaklint_diagnostics::{Diagnostic, Label, Role, Severity};
use leaklint_model::{
    ast_util::{as_member, member_name, short_text, strip},
    Class, Field, Place, PlaceRoot,
};
use oxc_ast::{
    ast::{Expression, UpdateOperator},
    AstKind,
};
use oxc_semantic::NodeId;
use oxc_span::GetSpan;

use super::{describe, where_it_runs, Collection, Effect, Owner, Site, Use, Void, HELP, ID};
use crate::{
    rules::{byte_span, first_line, line_of},
    RuleContext,
};

/// Error where the collection is known to live long, warning where nothing shows it.
fn severity(collection: &Collection<'_>) -> Severity {
    match collection.owner {
        Owner::Unproven(_) => Severity::Warning,
        _ => Severity::Error,
    }
}

/// The first growth in code that runs more than once.
fn repeated_growth<'u, 'a>(all: &'u [Use<'a>], ctx: &RuleContext<'a, '_>) -> Option<&'u Use<'a>> {
    let model = ctx.model();
    all.iter()
        .find(|u| u.effect == Effect::Grow && !model.runs_at(u.node).is_once())
}

fn label(ctx: &RuleContext<'_, '_>, node: NodeId, text: impl Into<String>) -> Label {
    let span = ctx.nodes().kind(node).span();
    Label::new(byte_span(first_line(ctx.source_text(), span)), text)
}

fn declared(ctx: &RuleContext<'_, '_>, collection: &Collection<'_>) -> Label {
    Label::new(
        byte_span(first_line(ctx.source_text(), collection.declared)),
        "declared here",
    )
    .with_role(Role::Holder)
}

/// A removal that removes nothing: `list.splice(i, 0)`, `delete map[key]` on a Map or Set.
pub(super) fn void_removal<'a>(
    collection: &Collection<'a>,
    all: &[Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let (void, why) = all.iter().find_map(|u| match u.effect {
        Effect::Void(Void::SpliceNothing) => Some((
            u,
            "its delete count is 0, so it removes nothing".to_string(),
        )),
        Effect::Void(Void::DeleteOperator) => Some((
            u,
            format!(
                "the `delete` operator removes an object's own property, not a {} entry",
                collection.kind.label()
            ),
        )),
        _ => None,
    })?;
    let growth = repeated_growth(all, ctx)?;
    let source = ctx.source_text();
    let text = short_text(source, ctx.nodes().kind(void.node).span());
    Some(
        Diagnostic::finding(
            ID,
            severity(collection),
            format!(
                "{} gains an entry {}, but the removal `{text}` at line {} does not remove it: \
                 {why}. What it was meant to drop stays for as long as the {} lives",
                describe(collection),
                where_it_runs(growth.node, ctx),
                line_of(ctx, void.node),
                collection.kind.label(),
            ),
            label(ctx, growth.node, "grows here"),
        )
        .with_help(match void.effect {
            Effect::Void(Void::DeleteOperator) => "call `.delete(key)` on the collection",
            _ => "pass the number of elements to remove: `splice(index, 1)`",
        })
        .with_secondary(label(ctx, void.node, "removes nothing").with_role(Role::Release))
        .with_secondary(declared(ctx, collection)),
    )
}

/// A field the class resets with its siblings everywhere but in one method: `clear()` empties
/// the slot arrays that `put` fills together with the index, and forgets the index. Entries
/// written before the reset can no longer be reached by what removes them.
pub(super) fn reset_forgets<'a>(
    collection: &Collection<'a>,
    all: &[Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let Site::Field {
        class,
        class_symbol,
        field,
        is_static: false,
    } = collection.place
    else {
        return None;
    };
    // Entries are removed one by one (an eviction, a `delete(key)`): after a reset that forgets
    // the collection, what it held is out of that removal's reach.
    if !all
        .iter()
        .any(|u| u.effect == Effect::Shrink && u.key.is_some())
    {
        return None;
    }
    let model = ctx.model();
    // Filled in a method: what the constructor puts in is there once per instance.
    let growth = all.iter().find(|u| {
        u.effect == Effect::Grow
            && !model.runs_at(u.node).is_once()
            && !super::in_constructor(u.node, ctx)
    })?;
    let grower = model.enclosing_function(growth.node)?;
    // An entry the growing run takes out itself (a running task's `finally`) needs no reset.
    let grower_span = ctx.nodes().kind(grower).span();
    if all.iter().any(|u| {
        u.effect == Effect::Shrink
            && u.key.is_some()
            && grower_span.contains_inclusive(ctx.nodes().kind(u.node).span())
    }) {
        return None;
    }
    let this = PlaceRoot::This(Some(class));
    // The sibling structures the growing function fills with it.
    let written_with: Vec<Field<'a>> = fields_touched(grower, this, ctx, false)
        .into_iter()
        .filter(|f| *f != field)
        .collect();
    if written_with.is_empty() {
        return None;
    }
    let class = Class {
        node: class,
        binding: class_symbol,
    };
    for method in model.methods(class) {
        if method.constructor || method.function == grower {
            continue;
        }
        let resets = fields_touched(method.function, this, ctx, true);
        let mentions_it = ctx.nodes_within(method.function).any(|node| {
            model
                .member_node_place(&node.kind())
                .is_some_and(|place| place.root == this && place.fields.first() == Some(&field))
        });
        if mentions_it || resets.len() < 2 {
            continue;
        }
        // Every structure filled with it is reset here: it alone is forgotten.
        if !written_with.iter().all(|f| resets.contains(f)) {
            continue;
        }
        let shared = &written_with;
        let names: Vec<String> = resets.iter().map(|f| format!("`{f}`")).collect();
        let method_name = method.name.unwrap_or("a method");
        return Some(
            Diagnostic::finding(
                ID,
                severity(collection),
                format!(
                    "{} gains an entry {} together with `{}`, but `{method_name}()` resets {} \
                     and not `{}`: the entries it holds from before a reset stay, and nothing \
                     that removes entries reaches them any more",
                    describe(collection),
                    where_it_runs(growth.node, ctx),
                    shared[0],
                    join(&names),
                    field,
                ),
                label(ctx, growth.node, "grows here"),
            )
            .with_help("reset it with the others (`.clear()`) in that method")
            .with_secondary(
                Label::new(
                    byte_span(method.span),
                    format!("resets {} but not this one", join(&names)),
                )
                .with_role(Role::Teardown),
            )
            .with_secondary(declared(ctx, collection)),
        );
    }
    None
}

fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The fields of `this` a function resets (`this.f.clear()`, `.fill(…)`, `.length = 0`, `this.f
/// = []`/`new X(…)`/`{}`) or, with `resets` false, fills as a structure (a method call on it, an
/// element or field assignment).
fn fields_touched<'a>(
    function: NodeId,
    this: PlaceRoot<'a>,
    ctx: &RuleContext<'a, '_>,
    resets: bool,
) -> Vec<Field<'a>> {
    let model = ctx.model();
    let mut found: Vec<Field<'a>> = Vec::new();
    let field_of = |expr: &Expression<'a>| -> Option<Field<'a>> {
        let place = model.place(expr)?;
        (place.root == this && place.fields.len() == 1).then(|| place.fields[0])
    };
    for node in ctx.nodes_within(function) {
        let touched = match node.kind() {
            AstKind::CallExpression(call) => as_member(&call.callee).and_then(|member| {
                let method = member_name(member)?;
                let resetting = matches!(method, "clear" | "fill");
                (!resets || resetting).then(|| field_of(member.object()))?
            }),
            AstKind::AssignmentExpression(assign) => {
                let target = model.assignment_place(&assign.left);
                match target {
                    // `this.f = …`: a reset when a fresh structure replaces it.
                    Some(place) if place.root == this && place.fields.len() == 1 => {
                        let fresh = matches!(
                            strip(&assign.right),
                            Expression::ArrayExpression(_)
                                | Expression::ObjectExpression(_)
                                | Expression::NewExpression(_)
                        );
                        (resets && fresh).then(|| place.fields[0])
                    }
                    // `this.f.length = 0`, `this.f[k] = v`
                    Some(place) if place.root == this && place.fields.len() == 2 => {
                        let length = place.fields[1] == Field::Public("length");
                        (!resets || length).then(|| place.fields[0])
                    }
                    _ if !resets => assign
                        .left
                        .as_member_expression()
                        .and_then(|member| field_of(member.object())),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(field) = touched {
            if !found.contains(&field) {
                found.push(field);
            }
        }
    }
    found
}

/// Entries keyed by a fresh sequence number (`const id = ++seq; pending.set(id, …)`) that
/// nothing ever removes: every call adds one that no later call can reach.
pub(super) fn counter_keyed<'a>(
    collection: &Collection<'a>,
    all: &[Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    if all
        .iter()
        .any(|u| matches!(u.effect, Effect::Shrink | Effect::Void(_)))
    {
        return None;
    }
    let model = ctx.model();
    let growth = all.iter().find(|u| {
        u.effect == Effect::Grow
            && !model.runs_at(u.node).is_once()
            && u.key.is_some_and(|key| is_fresh_counter(key, ctx))
    })?;
    Some(
        Diagnostic::finding(
            ID,
            severity(collection),
            format!(
                "{} gains an entry {} under a new sequence number, and nothing ever removes one: \
                 each call leaves an entry no later call can reach, for as long as the {} lives",
                describe(collection),
                where_it_runs(growth.node, ctx),
                collection.kind.label(),
            ),
            label(ctx, growth.node, "grows here, under a fresh key"),
        )
        .with_help(HELP)
        .with_secondary(declared(ctx, collection)),
    )
}

/// A key no later call repeats: a sequence number, the clock, a random id, or a template or
/// sum with one in it.
pub(super) fn is_fresh_key(key: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    fresh_key(key, ctx, 0)
}

fn fresh_key(key: &Expression<'_>, ctx: &RuleContext<'_, '_>, depth: u8) -> bool {
    if depth > 3 {
        return false;
    }
    let is_fresh_key = |e: &Expression<'_>, ctx: &RuleContext<'_, '_>| fresh_key(e, ctx, depth + 1);
    match strip(key) {
        Expression::CallExpression(call) => {
            let path = leaklint_model::ast_util::dotted_path(&call.callee);
            matches!(
                path.as_deref(),
                Some(
                    "Date.now"
                        | "performance.now"
                        | "Math.random"
                        | "crypto.randomUUID"
                        | "randomUUID"
                        | "uuid"
                        | "uuidv4"
                        | "v4"
                        | "nanoid"
                        | "process.hrtime.bigint"
                )
            ) || matches!(
                call.callee_name(),
                Some("toString" | "toISOString" | "getTime" | "valueOf")
            ) && as_member(&call.callee).is_some_and(|m| is_fresh_key(m.object(), ctx))
        }
        // A new object: `new Date()`, `new Session(…)`, or the instance a constructor makes.
        Expression::NewExpression(_) => true,
        Expression::ThisExpression(this) => ctx
            .model()
            .instance_owner(this.node_id())
            .is_some_and(|(_, method)| method.constructor),
        Expression::TemplateLiteral(template) => {
            template.expressions.iter().any(|e| is_fresh_key(e, ctx))
        }
        Expression::BinaryExpression(binary) => {
            is_fresh_key(&binary.left, ctx) || is_fresh_key(&binary.right, ctx)
        }
        Expression::Identifier(ident) => {
            let model = ctx.model();
            is_fresh_counter(key, ctx)
                || model
                    .symbol_of(ident)
                    .and_then(|symbol| model.const_init(symbol))
                    .is_some_and(|init| {
                        !matches!(strip(init), Expression::Identifier(_)) && is_fresh_key(init, ctx)
                    })
        }
        _ => is_fresh_counter(key, ctx),
    }
}

/// `++seq`, `this.seq++`, `seq += 1`, or a `const` bound to one.
fn is_fresh_counter(key: &Expression<'_>, ctx: &RuleContext<'_, '_>) -> bool {
    match strip(key) {
        Expression::UpdateExpression(update) => update.operator == UpdateOperator::Increment,
        Expression::AssignmentExpression(assign) => {
            assign.operator == oxc_ast::ast::AssignmentOperator::Addition
        }
        Expression::Identifier(ident) => {
            let model = ctx.model();
            model
                .symbol_of(ident)
                .and_then(|symbol| model.const_init(symbol))
                .is_some_and(|init| {
                    !matches!(strip(init), Expression::Identifier(_)) && is_fresh_counter(init, ctx)
                })
        }
        _ => false,
    }
}

/// Whether a place is the collection's.
pub(super) fn is_collection_place(collection: &Collection<'_>, place: &Place<'_>) -> bool {
    match collection.place {
        Site::Binding(symbol) => place.same_place(&Place::binding(symbol)),
        Site::Field {
            class,
            class_symbol,
            field,
            ..
        } => {
            place.fields.as_slice() == [field]
                && (place.root == PlaceRoot::This(Some(class))
                    || class_symbol.is_some_and(|s| place.root == PlaceRoot::Symbol(s)))
        }
    }
}

/// A size check that does not cap: `if (cache.size > 200)` drops only the entries that meet a
/// condition (`if (v.until < now) cache.delete(k)` in a loop over it), so with fresh keys the
/// collection grows past the limit. The check, if every removal is such a sweep.
pub(super) fn cap_that_keeps<'a>(
    collection: &Collection<'a>,
    growth: &Use<'a>,
    shrinks: &[&Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let mut cap = None;
    let mut condition = None;
    for shrink in shrinks {
        let (check, test) = conditional_sweep(collection, shrink.node, ctx)?;
        cap.get_or_insert(check);
        condition.get_or_insert(test);
    }
    let (cap, condition) = (cap?, condition?);
    let source = ctx.source_text();
    let text = short_text(source, ctx.nodes().kind(condition).span());
    Some(
        Diagnostic::finding(
            ID,
            severity(collection),
            format!(
                "{} gains an entry {}, and its size check at line {} removes only the entries \
                 for which `{text}` holds: while fresh keys keep coming it grows past the limit, \
                 without bound",
                describe(collection),
                where_it_runs(growth.node, ctx),
                line_of(ctx, cap),
            ),
            label(ctx, growth.node, "grows here"),
        )
        .with_help(
            "when the size check trips, also drop the oldest entries until it is under the \
             limit (or use an LRU such as `lru-cache` with `max` and `ttl`)",
        )
        .with_secondary(
            label(ctx, cap, "the size check: removes only some entries").with_role(Role::Release),
        )
        .with_secondary(declared(ctx, collection)),
    )
}

/// For a removal inside `if (<size check>) { for (… of collection) if (<condition>) remove }`:
/// the size check's node and the condition's.
fn conditional_sweep<'a>(
    collection: &Collection<'a>,
    removal: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> Option<(NodeId, NodeId)> {
    let nodes = ctx.nodes();
    let model = ctx.model();
    let function = model.enclosing_function(removal)?;
    let mut condition = None;
    let mut in_sweep = false;
    for ancestor in nodes.ancestor_ids(removal) {
        if ancestor == function {
            return None;
        }
        match nodes.kind(ancestor) {
            AstKind::IfStatement(s) if !in_sweep => {
                condition.get_or_insert(leaklint_model::ast_util::expr_node_id(&s.test));
            }
            AstKind::ForOfStatement(s) if !in_sweep => {
                if condition.is_none() || !iterates(collection, &s.right, ctx) {
                    return None;
                }
                in_sweep = true;
            }
            AstKind::IfStatement(s)
                if in_sweep
                    && leaklint_model::guards::compares_size(
                        &s.test,
                        &|place| is_collection_place(collection, place),
                        ctx.model(),
                    ) =>
            {
                return Some((ancestor, condition?));
            }
            kind if kind.is_function_like() => return None,
            _ => {}
        }
    }
    None
}

/// Whether a loop's iterable is the collection: `map`, `map.entries()`, `map.keys()`.
fn iterates<'a>(
    collection: &Collection<'a>,
    iterable: &Expression<'a>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let mut expr = strip(iterable);
    if let Expression::CallExpression(call) = expr {
        if let Some(member) = as_member(&call.callee) {
            if matches!(member_name(member), Some("keys" | "entries" | "values")) {
                expr = strip(member.object());
            }
        }
    }
    ctx.model()
        .place(expr)
        .is_some_and(|place| is_collection_place(collection, &place))
}

/// Whether the code of a function reads or writes the collection anywhere.
pub(super) fn mentions(
    collection: &Collection<'_>,
    function: NodeId,
    ctx: &RuleContext<'_, '_>,
) -> bool {
    let model = ctx.model();
    let span = ctx.nodes().kind(function).span();
    match collection.place {
        Site::Binding(symbol) => ctx
            .semantic()
            .scoping()
            .get_resolved_references(symbol)
            .any(|r| span.contains_inclusive(ctx.nodes().kind(r.node_id()).span())),
        Site::Field { .. } => ctx.nodes_within(function).any(|node| {
            model.member_node_place(&node.kind()).is_some_and(|place| {
                place.fields.len() == 1 && is_collection_place(collection, &place)
            })
        }),
    }
}

/// A collection on a constructor's prototype (`X.prototype = { hooks: [] }`): one for every
/// instance. Methods that add through `this.hooks` add to the shared one, and `this.hooks = []`
/// in a teardown gives that instance its own array, leaving the shared one as it was.
pub(super) fn shared_by_instances<'a>(
    collection: &Collection<'a>,
    all: &[Use<'a>],
    ctx: &RuleContext<'a, '_>,
) -> Option<Diagnostic> {
    let Owner::Prototype(class_name) = &collection.owner else {
        return None;
    };
    let model = ctx.model();
    let nodes = ctx.nodes();
    let is_shadowing = |u: &Use<'_>| matches!(nodes.kind(u.node), AstKind::AssignmentExpression(_));
    if all
        .iter()
        .any(|u| u.effect == Effect::Shrink && !is_shadowing(u))
    {
        return None;
    }
    let growth = all
        .iter()
        .find(|u| u.effect == Effect::Grow && !model.runs_at(u.node).is_once())?;
    let shadow = all
        .iter()
        .find(|u| u.effect == Effect::Shrink && is_shadowing(u));
    let field = match collection.place {
        Site::Field { field, .. } => field.to_string(),
        Site::Binding(_) => return None,
    };
    let mut message = format!(
        "`{field}` is declared on `{class_name}.prototype`: one {} shared by every instance. \
         Each instance adds to it {}",
        collection.kind.label(),
        where_it_runs(growth.node, ctx),
    );
    match shadow {
        Some(shadow) => message.push_str(&format!(
            ", and the assignment at line {} gives one instance its own {} instead of emptying \
             the shared one: what every instance added stays for as long as the page or process \
             runs",
            line_of(ctx, shadow.node),
            collection.kind.label()
        )),
        None => message.push_str(
            ", and nothing removes an entry: what every instance added stays for as long as \
             the page or process runs",
        ),
    }
    let mut diagnostic = Diagnostic::finding(
        ID,
        severity(collection),
        message,
        label(ctx, growth.node, "adds to the shared one"),
    )
    .with_help(
        "create it per instance in the constructor (`this.hooks = []`), or remove entries in place",
    )
    .with_secondary(
        Label::new(
            byte_span(first_line(ctx.source_text(), collection.declared)),
            "declared on the prototype, shared by every instance",
        )
        .with_role(Role::Holder),
    );
    if let Some(shadow) = shadow {
        diagnostic = diagnostic.with_secondary(
            label(
                ctx,
                shadow.node,
                "shadows it, the shared one keeps its entries",
            )
            .with_role(Role::Release),
        );
    }
    Some(diagnostic)
}

/// Why the entries of a growth keep coming: the evidence a finding for a collection nothing
/// removes from needs.
#[derive(Debug, Clone, Copy)]
pub(super) enum Open {
    /// It runs on every request.
    PerRequest,
    /// Its function is called on every request, at this call.
    ThroughCall(NodeId),
    /// An append: every call adds one.
    Append,
    /// A key no later call repeats (a sequence number, the clock, a random id).
    Fresh,
    /// A key from input: an id, a user, a URL, a token (named so).
    Input,
}

impl Open {
    /// How the entries are keyed, for messages: "" or ", keyed by an id from input".
    pub(super) fn describe(self) -> &'static str {
        match self {
            Open::Fresh => ", under a key no later call repeats",
            Open::Input => ", keyed by input (an id, a user, a URL or a token)",
            _ => "",
        }
    }
}

/// The evidence that a growth's entries keep coming, if the file shows any. A key from a
/// parameter of code that runs per call may come from a small set (selectors, template names,
/// algorithm names): without one of these, the file does not say.
pub(super) fn open_keys(
    collection: &Collection<'_>,
    growth: &Use<'_>,
    ctx: &RuleContext<'_, '_>,
) -> Option<Open> {
    let model = ctx.model();
    if growth
        .key
        .is_some_and(|key| literal_at_every_call(key, growth.node, ctx))
    {
        return None;
    }
    if model.runs_at(growth.node) == leaklint_model::FunctionRuns::PerRequest {
        return Some(Open::PerRequest);
    }
    // `registerColor(id, …)`, `defineRule(name, …)`: what a registration adds is named by the
    // code that registers it, once each, however its parameters are named.
    let registration =
        leaklint_model::guards::named_like(growth.node, model, super::REGISTRATION_NAMES);
    let Some(key) = growth.key else {
        // `if (!list.find((i) => i.type === t)) list.push({ type: t, … })`: a set keyed by what
        // the lookup compares, not an append.
        return (!registration && !deduplicated(collection, growth.node, ctx))
            .then_some(Open::Append);
    };
    if is_fresh_key(key, ctx) {
        return Some(Open::Fresh);
    }
    if names_input(key, ctx, 0, registration) {
        return Some(Open::Input);
    }
    // A method of an instance the file keeps, called from a request handler.
    let function = model.enclosing_function(growth.node)?;
    model.called_per_request(function).map(Open::ThroughCall)
}

/// Names that say a value comes from an open set: ids, users, addresses, URLs, tokens. Not the
/// ids of the program's own modules and chunks (a bundler's `moduleId`), a set the code defines.
fn is_input_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("module") || lower.starts_with("chunk") {
        return false;
    }
    name.ends_with("Id")
        || name.ends_with("ID")
        || name.ends_with("Ids")
        || name.ends_with("_id")
        || matches!(
            lower.as_str(),
            "id" | "uid"
                | "uuid"
                | "guid"
                | "token"
                | "sessionid"
                | "user"
                | "username"
                | "userid"
                | "login"
                | "email"
                | "ip"
                | "ipaddress"
                | "remoteaddress"
                | "url"
                | "uri"
                | "href"
                | "query"
                | "term"
                | "searchterm"
                | "phone"
        )
        || lower.ends_with("url")
        || lower.ends_with("email")
        || lower.ends_with("token")
}

/// Whether a key is built from a value the caller hands in and that is named as input:
/// `userId`, `` `${userId}:${deviceId}` ``, `job.data.customerId` for a parameter `job`. An id
/// the function reads from elsewhere (a loop over a response, a node it looked up) names an
/// entity the code already has, often one of a bounded set.
///
/// In a registration (`registerColor(id)`), a bare id names what the code registers; only a
/// user's, a session's, a client's or a request's (`userId`, `sessionToken`) is input.
fn names_input(
    key: &Expression<'_>,
    ctx: &RuleContext<'_, '_>,
    depth: u8,
    registration: bool,
) -> bool {
    if depth > 3 {
        return false;
    }
    let model = ctx.model();
    let handed_in = |ident: &oxc_ast::ast::IdentifierReference<'_>| {
        model
            .symbol_of(ident)
            .is_some_and(|symbol| leaklint_model::parameter_owner(ctx.semantic(), symbol).is_some())
    };
    let is_input = |name: &str| is_input_name(name) && (!registration || names_a_principal(name));
    let node = leaklint_model::ast_util::expr_node_id(key);
    ctx.subtree(node).any(|n| match n.kind() {
        AstKind::IdentifierReference(ident) => {
            (is_input(ident.name.as_str()) && handed_in(ident))
                // `const key = job.data.customerId`
                || model
                    .symbol_of(ident)
                    .and_then(|symbol| model.const_init(symbol))
                    .is_some_and(|init| {
                        !matches!(strip(init), Expression::Identifier(_))
                            && names_input(init, ctx, depth + 1, registration)
                    })
        }
        AstKind::StaticMemberExpression(member) => {
            is_input(member.property.name.as_str())
                && matches!(root_object(&member.object), Some(Expression::Identifier(root)) if handed_in(root))
        }
        _ => false,
    })
}

/// Names of who or what sends requests: users, sessions, devices, clients, connections,
/// tenants, addresses.
fn names_a_principal(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "user", "session", "token", "device", "client", "socket", "conn", "request", "tenant",
        "account", "customer", "email", "ip", "url", "uri",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// The innermost object of a member chain: `job` for `job.data.customerId`.
fn root_object<'e, 'a>(mut expr: &'e Expression<'a>) -> Option<&'e Expression<'a>> {
    loop {
        match strip(expr) {
            Expression::StaticMemberExpression(member) => expr = &member.object,
            Expression::ComputedMemberExpression(member) => expr = &member.object,
            other => return Some(other),
        }
    }
}

/// Whether an append is guarded by a lookup in the same collection: inside `if` whose test
/// looks it up (`!list.includes(x)`) or reads a binding made by one (`let hit = list.find(…);
/// if (!hit) list.push(…)`).
fn deduplicated<'a>(
    collection: &Collection<'_>,
    growth: NodeId,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    let model = ctx.model();
    let nodes = ctx.nodes();
    for ancestor in nodes.ancestor_ids(growth) {
        let test = match nodes.kind(ancestor) {
            AstKind::IfStatement(s) => &s.test,
            kind if kind.is_function_like() => return false,
            _ => continue,
        };
        let node = leaklint_model::ast_util::expr_node_id(test);
        let found = ctx.subtree(node).any(|n| match n.kind() {
            AstKind::CallExpression(call) => lookup_call(call, collection, ctx),
            AstKind::IdentifierReference(ident) => model
                .symbol_of(ident)
                .and_then(|symbol| {
                    let declaration = ctx.semantic().scoping().symbol_declaration(symbol);
                    match nodes.kind(declaration) {
                        AstKind::VariableDeclarator(d) => d.init.as_ref(),
                        _ => None,
                    }
                })
                .is_some_and(|init| lookup_result(init, collection, ctx)),
            _ => false,
        });
        if found {
            return true;
        }
    }
    false
}

/// A lookup in the collection, or a field of what it finds (`list.find(…)?.agents`).
fn lookup_result<'a>(
    expr: &Expression<'a>,
    collection: &Collection<'_>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    match strip(expr) {
        Expression::CallExpression(call) => lookup_call(call, collection, ctx),
        Expression::ChainExpression(chain) => match &chain.expression {
            oxc_ast::ast::ChainElement::CallExpression(call) => lookup_call(call, collection, ctx),
            element => element
                .as_member_expression()
                .is_some_and(|member| lookup_result(member.object(), collection, ctx)),
        },
        other => {
            as_member(other).is_some_and(|member| lookup_result(member.object(), collection, ctx))
        }
    }
}

fn lookup_call<'a>(
    call: &oxc_ast::ast::CallExpression<'a>,
    collection: &Collection<'_>,
    ctx: &RuleContext<'a, '_>,
) -> bool {
    matches!(
        call.callee_name(),
        Some("find" | "findIndex" | "some" | "includes" | "indexOf")
    ) && as_member(&call.callee)
        .and_then(|m| ctx.model().place(m.object()))
        .is_some_and(|place| is_collection_place(collection, &place))
}

/// Whether a key is a parameter of the growing function that every call of it in the file
/// passes a literal for (`matchesRoute(req.path, '/login')`): one entry per literal, however
/// often it runs.
fn literal_at_every_call(key: &Expression<'_>, growth: NodeId, ctx: &RuleContext<'_, '_>) -> bool {
    let model = ctx.model();
    let Expression::Identifier(ident) = strip(key) else {
        return false;
    };
    let Some(symbol) = model.symbol_of(ident) else {
        return false;
    };
    let Some(function) = model.enclosing_function(growth) else {
        return false;
    };
    if leaklint_model::parameter_owner(ctx.semantic(), symbol) != Some(function) {
        return false;
    }
    let Some(index) = model.parameter_index(symbol) else {
        return false;
    };
    let calls = model.calls_of(function);
    !calls.is_empty()
        && calls.iter().all(|&call| {
            matches!(ctx.nodes().kind(call), AstKind::CallExpression(call)
            if matches!(
                leaklint_model::ast_util::argument(call, index).map(strip),
                Some(Expression::StringLiteral(_) | Expression::NumericLiteral(_))
            ))
        })
}
