//! The model on its own: each snippet marks the places to ask about with calls to `here()`
//! (how often does this run?) and `probe(x)` (how long does `x` live?).

use oxc_allocator::Allocator;
use oxc_ast::{ast::Expression, AstKind};
use oxc_parser::Parser;
use oxc_semantic::{NodeId, SemanticBuilder};
use oxc_span::{GetSpan, SourceType};

use crate::Field;

use crate::{ast_util::callee_name, FunctionRuns, LifetimeModel, ModelSettings, ValueLifetime};

pub(crate) fn with_model<R>(
    source: &str,
    path: &str,
    settings: &ModelSettings,
    f: impl FnOnce(&LifetimeModel<'_, '_>) -> R,
) -> R {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .build(&parsed.program)
        .semantic;
    let model = LifetimeModel::build(&semantic, settings);
    f(&model)
}

/// (runs, why) at each `here()` call, in source order.
fn runs_at_markers(source: &str, path: &str) -> Vec<(FunctionRuns, Option<String>)> {
    runs_with(source, path, &ModelSettings::default())
}

fn runs_with(
    source: &str,
    path: &str,
    settings: &ModelSettings,
) -> Vec<(FunctionRuns, Option<String>)> {
    with_model(source, path, settings, |model| {
        at_markers(model, |node| {
            (
                model.runs_at(node),
                model.request_context(node).map(str::to_string),
            )
        })
    })
}

/// `ask` at each `here()` call, in source order.
fn at_markers<R>(model: &LifetimeModel<'_, '_>, ask: impl Fn(NodeId) -> R) -> Vec<R> {
    model
        .semantic()
        .nodes()
        .iter()
        .filter(|node| {
            matches!(node.kind(), AstKind::CallExpression(call) if callee_name(call) == Some("here"))
        })
        .map(|node| ask(node.id()))
        .collect()
}

/// Lifetime of the argument of each `probe(x)` call, in source order.
fn lifetimes_at_probes(source: &str) -> Vec<ValueLifetime> {
    with_model(source, "a.js", &ModelSettings::default(), |model| {
        model
            .semantic()
            .nodes()
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) if callee_name(call) == Some("probe") => {
                    let arg: &Expression = call.arguments[0].as_expression().unwrap();
                    Some(model.expression_lifetime(arg))
                }
                _ => None,
            })
            .collect()
    })
}

use FunctionRuns::{Once, PerCall, PerRequest};

fn runs(results: &[(FunctionRuns, Option<String>)]) -> Vec<FunctionRuns> {
    results.iter().map(|r| r.0).collect()
}

#[test]
fn top_level_startup_and_repeated_callbacks() {
    let src = r"
        here();
        async function main() { here(); }
        main();
        (() => { here(); })();
        setInterval(() => { here(); }, 1000);
        server.listen(3000, () => { here(); });
        process.on('SIGTERM', () => { here(); });
        emitter.on('data', () => { here(); });
    ";
    assert_eq!(
        runs(&runs_at_markers(src, "a.js")),
        [Once, Once, Once, PerCall, Once, Once, PerCall]
    );
}

#[test]
fn a_function_passed_around_is_not_start_up_code() {
    let src = r"
        function tick() { here(); }
        tick();
        emitter.on('data', tick);
    ";
    assert_eq!(runs(&runs_at_markers(src, "a.js")), [PerCall]);
}

#[test]
fn express_routes_middleware_and_router_chains() {
    let src = r"
        app.post('/join-room', (req, res) => { here(); });
        router.get('/users/:id', auth, async function (req, res) { here(); });
        app.use((req, res, next) => { here(); });
        router.route('/book').put((req, res) => { here(); });
        app.use((err, req, res, next) => { here(); });
        cache.get('key', (value) => { here(); });
    ";
    let results = runs_at_markers(src, "a.js");
    assert_eq!(
        runs(&results),
        [PerRequest, PerRequest, PerRequest, PerRequest, PerRequest, PerCall]
    );
    assert_eq!(
        results[0].1.as_deref(),
        Some("the Express handler for POST /join-room")
    );
    assert_eq!(
        results[2].1.as_deref(),
        Some("the Express middleware registered with `app.use`")
    );
}

#[test]
fn koa_fastify_and_hapi() {
    let src = r"
        app.use(async (ctx, next) => { here(); });
        router.get('/items', async (ctx) => { here(); });
        fastify.get('/health', async (request, reply) => { here(); });
        fastify.route({ method: 'POST', url: '/upload', handler: async (request, reply) => { here(); } });
        fastify.addHook('onRequest', async (request, reply) => { here(); });
        fastify.addHook('onClose', async (instance) => { here(); });
        server.route([{ method: 'GET', path: '/a', options: { handler: (request, h) => { here(); } } }]);
    ";
    let results = runs_at_markers(src, "a.mjs");
    assert_eq!(
        runs(&results),
        [PerRequest, PerRequest, PerRequest, PerRequest, PerRequest, PerCall, PerRequest]
    );
    assert_eq!(
        results[0].1.as_deref(),
        Some("the Koa middleware registered with `app.use`")
    );
    assert_eq!(
        results[2].1.as_deref(),
        Some("the Fastify handler for GET /health")
    );
    assert_eq!(
        results[3].1.as_deref(),
        Some("the route handler for POST /upload")
    );
    assert_eq!(
        results[6].1.as_deref(),
        Some("the route handler for GET /a")
    );
}

#[test]
fn servers_and_connections() {
    let src = r"
        const http = require('http');
        http.createServer((req, res) => { here(); });
        io.on('connection', (socket) => {
          here();
          socket.on('message', (msg) => { here(); });
        });
        wss.on('connection', function (ws) { here(); });
        server.on('request', onRequest);
        function onRequest(q, s) { here(); }
    ";
    let results = runs_at_markers(src, "a.cjs");
    assert!(results.iter().all(|r| r.0 == PerRequest), "{results:?}");
    assert_eq!(
        results[1].1.as_deref(),
        Some("the 'connection' handler on `io`")
    );
}

#[test]
fn called_from_a_handler_means_per_request() {
    let src = r"
        function audit(user) { here(); }
        const remember = (x) => { here(); };
        function unrelated() { here(); }
        app.get('/me', (req, res) => { audit(req.user); remember(1); });
        unrelated();
    ";
    let results = runs_at_markers(src, "a.js");
    assert_eq!(runs(&results), [PerRequest, PerRequest, Once]);
    assert_eq!(
        results[0].1.as_deref(),
        Some("`audit`, called from the Express handler for GET /me")
    );
}

#[test]
fn nestjs_methods_and_this_calls() {
    let src = r"
        @Controller('rooms')
        export class RoomsController {
          @Post(':id/join')
          join(@Param('id') id: string) { here(); this.track(id); }
          private track(id: string) { here(); }
          helper() { here(); }
        }
    ";
    let results = runs_at_markers(src, "a.ts");
    assert_eq!(runs(&results), [PerRequest, PerRequest, PerCall]);
    assert_eq!(
        results[0].1.as_deref(),
        Some("the NestJS @Post(':id/join') handler")
    );
}

#[test]
fn lambda_and_next_exports() {
    assert_eq!(
        runs(&runs_at_markers(
            "exports.handler = async (event, context) => { here(); };",
            "a.cjs"
        )),
        [PerRequest]
    );
    assert_eq!(
        runs(&runs_at_markers(
            "(exports.handler as any) = async (event: unknown) => { here(); };",
            "a.cts"
        )),
        [PerRequest]
    );
    assert_eq!(
        runs(&runs_at_markers(
            "export const handler = async (event) => { here(); };",
            "a.mjs"
        )),
        [PerRequest]
    );
    assert_eq!(
        runs(&runs_at_markers(
            "export async function GET(request) { here(); }",
            "route.ts"
        )),
        [PerRequest]
    );
    assert_eq!(
        runs(&runs_at_markers(
            "export default function handler(req, res) { here(); }",
            "api.js"
        )),
        [PerRequest]
    );
    assert_eq!(
        runs(&runs_at_markers(
            "export default function Page(props) { here(); }",
            "page.tsx"
        )),
        [PerCall]
    );
}

#[test]
fn configured_registrars() {
    let settings = ModelSettings {
        request_handler_registrars: vec!["bot.command".into(), "registerJob".into()],
        ..ModelSettings::default()
    };
    let src = r"
        bot.command('start', (ctx) => { here(); });
        registerJob((job) => { here(); });
        other.command('x', () => { here(); });
    ";
    let results = runs_with(src, "a.js", &settings);
    assert_eq!(runs(&results), [PerRequest, PerRequest, PerCall]);
    assert_eq!(
        results[0].1.as_deref(),
        Some("the handler registered with `bot.command`")
    );
}

#[test]
fn value_lifetimes() {
    use ValueLifetime::{CallScoped, LongLived, Unknown};
    let src = r"
        import { bus } from './bus';
        const cache = new Map();
        const emitter = require('events');
        probe(process); probe(globalThis); probe(cache); probe(bus); probe(emitter);
        app.get('/x', (req, res) => {
          const local = new Map();
          const alias = cache;
          const cache2 = req.app; // the application outlives the request
          probe(req); probe(req.socket); probe(res); probe(local); probe(alias);
          probe(alias.inner); probe(cache2); probe(this);
        });
        function helper(arg) { probe(arg); }
    ";
    assert_eq!(
        lifetimes_at_probes(src),
        [
            LongLived, LongLived, LongLived, LongLived, LongLived, CallScoped, CallScoped,
            CallScoped, CallScoped, LongLived, LongLived, LongLived, Unknown, Unknown,
        ]
    );
}

#[test]
fn shadowing_is_resolved_by_symbol_not_name() {
    use ValueLifetime::{CallScoped, LongLived};
    let src = r"
        const timers = [];
        probe(timers);
        app.get('/x', (req, res) => {
          const timers = [];
          probe(timers);
        });
    ";
    assert_eq!(lifetimes_at_probes(src), [LongLived, CallScoped]);
}

#[test]
fn field_initializers_run_per_instance_and_one_shot_events_inherit() {
    let src = r"
        class Limiter { reset = here(); static shared = here(); }
        server.on('listening', () => { here(); });
        module.exports = { handler: async (event) => { here(); } };
    ";
    assert_eq!(
        runs(&runs_at_markers(src, "a.cjs")),
        [PerCall, Once, Once, PerRequest]
    );
}

#[test]
fn import_origins_name_the_right_specifier() {
    let source = "import EventEmitter, { setMaxListeners as raise } from 'node:events';\n\
                  import * as timers from 'timers';\n\
                  const cluster_1 = __importDefault(require('cluster'));\n\
                  probe(EventEmitter); probe(raise); probe(timers); probe(cluster_1);";
    let origins = with_model(source, "a.mjs", &ModelSettings::default(), |model| {
        model
            .semantic()
            .nodes()
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) if callee_name(call) == Some("probe") => {
                    let Some(Expression::Identifier(ident)) = call.arguments[0].as_expression()
                    else {
                        return None;
                    };
                    let origin = model.import_origin(model.symbol_of(ident)?)?;
                    Some((origin.module.to_string(), origin.export.map(str::to_string)))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(
        origins,
        [
            ("node:events".to_string(), None),
            (
                "node:events".to_string(),
                Some("setMaxListeners".to_string())
            ),
            ("timers".to_string(), None),
            ("cluster".to_string(), None),
        ]
    );
}

#[test]
fn access_paths_match_by_symbol_and_class() {
    let source = "const bus = make();\n\
                  class A { m() { probe(this.events); } n() { probe(this.events); } }\n\
                  class B { m() { probe(this.events); } }\n\
                  function f(bus) { probe(bus); }\n\
                  probe(bus); probe(app.locals.bus);";
    with_model(source, "a.js", &ModelSettings::default(), |model| {
        let paths: Vec<_> = model
            .semantic()
            .nodes()
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) if callee_name(call) == Some("probe") => {
                    model.place(call.arguments[0].as_expression()?)
                }
                _ => None,
            })
            .collect();
        assert_eq!(paths.len(), 6);
        assert!(paths[0].same_place(&paths[1]), "same class, same field");
        assert!(!paths[0].same_place(&paths[2]), "another class's field");
        assert!(
            !paths[3].same_place(&paths[4]),
            "a parameter shadowing `bus`"
        );
        assert_eq!(paths[5].fields.len(), 2);
        assert!(matches!(paths[5].root, crate::PlaceRoot::Global("app")));
    });
}

#[test]
fn assignments_through_typescript_wrappers_write_the_place_they_wrap() {
    let source = "let timer: any;\n\
                  class A { t?: any; m() {\n\
                    this.t = 1; this.t! = 2; (this.t as any) = 3; (<any>this.t) = 4;\n\
                    (this.t satisfies unknown) = 5; timer! = 6; ((timer as any)!) = 7;\n\
                    probe(this.t); probe(timer);\n\
                  } }";
    with_model(source, "a.ts", &ModelSettings::default(), |model| {
        let mut written = Vec::new();
        let mut read = Vec::new();
        for node in model.semantic().nodes().iter() {
            match node.kind() {
                AstKind::AssignmentExpression(assign) => {
                    written.push(model.assignment_place(&assign.left).unwrap());
                }
                AstKind::CallExpression(call) if callee_name(call) == Some("probe") => {
                    read.push(model.place(call.arguments[0].as_expression().unwrap()));
                }
                _ => {}
            }
        }
        let [field, binding] = [read[0].as_ref().unwrap(), read[1].as_ref().unwrap()];
        assert_eq!(written.len(), 7);
        for (i, path) in written.iter().enumerate() {
            let expected = if i < 5 { field } else { binding };
            assert!(path.same_place(expected), "assignment {i}");
        }
    });
}

#[test]
fn constructors_run_as_often_as_their_class_is_instantiated() {
    let src = r"
        class Notifier { constructor() { here(); } }
        module.exports = new Notifier();
        class Session { constructor() { here(); } }
        app.get('/s', (req, res) => { const s = new Session(); });
        class Exported { constructor() { here(); } }
        export const make = () => new Exported();
        export class Public { constructor() { here(); } }
    ";
    assert_eq!(
        runs(&runs_at_markers(src, "a.mjs")),
        [Once, PerRequest, PerCall, PerCall]
    );
}

/// The call index and the function facts come from one scan, whichever is asked for first.
#[test]
fn call_index_is_the_same_whichever_query_comes_first() {
    let source = "bus.off('a', f);\nfunction g() { off(); x.removeListener('b', h); }\n\
                  delete cache[key];\nbus.on('a', f);\nconst h = () => { (bus).off('c', f) };\n";
    let ask = |model: &LifetimeModel<'_, '_>| {
        let line = |id| {
            let start = model.semantic().nodes().kind(id).span().start as usize;
            source[..start].matches('\n').count() + 1
        };
        let offs: Vec<usize> = model
            .calls_named("off")
            .iter()
            .map(|&id| line(id))
            .collect();
        let removes: Vec<usize> = model
            .calls_named("removeListener")
            .iter()
            .map(|&id| line(id))
            .collect();
        let deletes: Vec<usize> = model.deletes().iter().map(|&id| line(id)).collect();
        (
            offs,
            removes,
            deletes,
            model.calls_named("clearInterval").len(),
        )
    };
    let expected = (vec![1, 2, 5], vec![2], vec![3], 0);
    let settings = ModelSettings::default();
    assert_eq!(with_model(source, "a.js", &settings, ask), expected);
    // Function facts first: the index is what that same scan built.
    let after_facts = with_model(source, "a.js", &settings, |model| {
        let top = model.semantic().nodes().iter().find(|n| {
            matches!(n.kind(), AstKind::CallExpression(c) if callee_name(c) == Some("removeListener"))
        });
        assert_eq!(model.runs_at(top.unwrap().id()), FunctionRuns::PerCall);
        ask(model)
    });
    assert_eq!(after_facts, expected);
}

#[test]
fn every_indexed_callee_has_its_own_slot() {
    for (slot, name) in crate::INDEXED_CALLEES.iter().enumerate() {
        assert_eq!(crate::functions::indexed_callee(name), Some(slot), "{name}");
    }
    for name in ["emit", "set", "then", "get", "forEach", ""] {
        assert_eq!(crate::functions::indexed_callee(name), None, "{name}");
    }
}

#[test]
#[should_panic(expected = "not in INDEXED_CALLEES")]
fn asking_for_a_callee_that_is_not_indexed_panics() {
    with_model("emit();", "a.js", &ModelSettings::default(), |model| {
        model.calls_named("emit").len()
    });
}

#[test]
fn functions_are_named_where_they_are_defined_before_by_their_own_name() {
    let src = r"
        function declared() { here(); }
        const assigned = function own() { here(); };
        const arrow = () => { here(); };
        const table = { property: function inner() { here(); }, short() { here(); } };
        class Service { method() { here(); } }
        [1].map(function callback() { here(); });
        [1].map(() => { here(); });
    ";
    let names = with_model(src, "a.js", &ModelSettings::default(), |model| {
        at_markers(model, |node| {
            let function = model.enclosing_function(node).unwrap();
            model.function(function).unwrap().name.map(str::to_string)
        })
    });
    let expected = [
        Some("declared"),
        Some("assigned"),
        Some("arrow"),
        Some("property"),
        Some("short"),
        Some("method"),
        Some("callback"),
        None,
    ];
    assert_eq!(names, expected.map(|n| n.map(str::to_string)));
}

#[test]
fn a_recursive_function_is_named_once_in_its_reason() {
    let src = r"
        function walk(node) { here(); if (node.next) walk(node.next); }
        function audit(user) { here(); }
        app.get('/tree', (req, res) => { walk(req.body); audit(req.user); });
    ";
    let results = runs_at_markers(src, "a.js");
    assert_eq!(runs(&results), [PerRequest, PerRequest]);
    assert_eq!(
        results[0].1.as_deref(),
        Some("`walk`, called from the Express handler for GET /tree")
    );
    assert_eq!(
        results[1].1.as_deref(),
        Some("`audit`, called from the Express handler for GET /tree")
    );
}

#[test]
fn configured_names_are_found_in_text_by_their_last_part() {
    let settings = ModelSettings {
        acquire_functions: vec!["db.checkout".into()],
        long_lived: vec!["app.locals.events".into()],
        ..ModelSettings::default()
    };
    assert!(settings.mentioned_in("const c = await db.checkout();"));
    assert!(settings.mentioned_in("const { checkout } = db; checkout();"));
    assert!(settings.mentioned_in("events.push(x)"));
    assert!(!settings.mentioned_in("const c = await pool.connect();"));
    assert!(!ModelSettings::default().mentioned_in("db.checkout()"));
    let blank = ModelSettings {
        pools: vec!["db.".into()],
        ..ModelSettings::default()
    };
    assert!(
        !blank.mentioned_in("anything"),
        "an empty last part matches nothing"
    );
}

/// The place of each `here(x)` argument, in source order.
fn paths_at_markers(source: &str) -> Vec<Option<crate::Place<'static>>> {
    places_at_markers(source, |model, arg| model.place(arg))
}

/// What `query` makes of each `here(x)` argument, in source order, with names replaced so that
/// the places outlive the source: their shape is what is compared.
fn places_at_markers(
    source: &str,
    query: impl for<'m, 'a> Fn(
        &'m LifetimeModel<'_, 'a>,
        &'a Expression<'a>,
    ) -> Option<crate::Place<'a>>,
) -> Vec<Option<crate::Place<'static>>> {
    with_model(source, "a.js", &ModelSettings::default(), |model| {
        let nodes = model.semantic().nodes();
        nodes
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) if callee_name(call) == Some("here") => {
                    call.arguments[0].as_expression()
                }
                _ => None,
            })
            .map(|arg| query(model, arg).map(|place| owned(&place)))
            .collect()
    })
}

fn owned(place: &crate::Place<'_>) -> crate::Place<'static> {
    crate::Place {
        root: match place.root {
            crate::PlaceRoot::Global(_) => crate::PlaceRoot::Global("global"),
            crate::PlaceRoot::Symbol(s) => crate::PlaceRoot::Symbol(s),
            crate::PlaceRoot::This(o) => crate::PlaceRoot::This(o),
            crate::PlaceRoot::AnyObject => crate::PlaceRoot::AnyObject,
        },
        fields: place
            .fields
            .iter()
            .map(|f| match f {
                crate::Field::Public(_) => crate::Field::Public("f"),
                crate::Field::Private(_) => crate::Field::Private("f"),
            })
            .collect(),
        entry: place.entry,
    }
}

/// The place a loop variable or `const` alias named by each `here(x)` reads from.
fn sources_at_markers(source: &str) -> Vec<Option<crate::Place<'static>>> {
    places_at_markers(source, |model, arg| {
        let Expression::Identifier(ident) = arg else {
            return None;
        };
        let symbol = model.symbol_of(ident)?;
        model
            .loop_source(symbol)
            .or_else(|| model.alias_source(symbol))
    })
}

#[test]
fn entries_of_collections_are_places_of_their_own() {
    let src = r"
        const timers = new Map();
        function a(id) { here(timers[id]); here(timers.get(id)); here(timers); }
        function b(id) { here(timers.pop()); here(conns[id].timer); }
    ";
    let entries = places_at_markers(src, |model, arg| model.place_or_entry(arg));
    let place = |i: usize| entries[i].clone().unwrap();
    assert!(
        place(0).entry && place(0).same_place(&place(1)),
        "{entries:?}"
    );
    assert!(!place(2).entry && !place(2).same_place(&place(0)));
    assert!(place(3).same_place(&place(0)), "pop() takes an entry");
    assert_eq!(entries[4], None, "a field of an entry is not followed");
    // Writing an entry does not replace the collection.
    assert!(place(0).holds(&place(1)) && !place(0).holds(&place(2)));
    // Strict places leave entries out.
    let strict = paths_at_markers(src);
    assert_eq!(strict[0], None);
    assert!(strict[2].is_some());
}

#[test]
fn a_named_class_static_side_is_the_class_binding() {
    let src = r"
        class Poller {
            static start() { here(this.timer); }
            run() { here(this.timer); here(this.state); here(this.state.timer); }
        }
        here(Poller.timer);
    ";
    let paths = paths_at_markers(src);
    let place = |i: usize| paths[i].clone().unwrap();
    assert!(place(0).same_place(&place(4)), "{paths:?}");
    assert!(!place(0).same_place(&place(1)));
    assert!(place(2).holds(&place(3)) && place(2).is_prefix_of(&place(3)));
    assert!(!place(3).holds(&place(2)));
}

#[test]
fn loop_variables_and_aliases_read_the_entries_they_come_from() {
    let src = r"
        const timers = new Map();
        const list = [];
        for (const t of timers.values()) here(t);
        for (const t of Object.values(list)) here(t);
        list.forEach((t) => here(t));
        function stop(id) { const t = timers.get(id); here(t); here(timers[id]); }
        function plain(x) { here(x); }
    ";
    let sources = sources_at_markers(src);
    let entries = places_at_markers(src, |model, arg| model.place_or_entry(arg));
    let source = |i: usize| sources[i].clone().unwrap();
    assert!(source(0).entry, "{sources:?}");
    assert!(source(0).same_place(&entries[4].clone().unwrap()));
    assert!(
        source(1).same_place(&source(2)),
        "Object.values and forEach read one list"
    );
    assert!(!source(1).same_place(&source(0)));
    assert!(
        source(3).same_place(&entries[4].clone().unwrap()),
        "const t = timers.get(id)"
    );
    assert_eq!(sources[5], None, "a parameter comes from anywhere");
}

#[test]
fn fields_of_unknown_objects_are_any_objects() {
    let src = r"
        class Client { start() { here(this.timer); here(this.#t); } #t; }
        function stop(conn) { here(conn.timer); here(conn); }
        function onClose() { here(this.timer); }
        const shared = {}; here(shared.timer);
    ";
    let any = places_at_markers(src, |model, arg| {
        model.place(arg).map(|p| model.of_any_object(p))
    });
    let place = |i: usize| any[i].clone().unwrap();
    assert_eq!(place(2).root, crate::PlaceRoot::AnyObject, "{any:?}");
    assert!(
        place(2).same_place(&place(0)),
        "a parameter's field may be the instance's"
    );
    assert_eq!(place(3).root, place(3).root);
    assert!(
        !matches!(place(3).root, crate::PlaceRoot::AnyObject),
        "a binding itself stays"
    );
    assert!(matches!(place(4).root, crate::PlaceRoot::AnyObject));
    assert!(
        !matches!(place(1).root, crate::PlaceRoot::AnyObject),
        "private fields stay"
    );
    assert!(
        !matches!(place(5).root, crate::PlaceRoot::AnyObject),
        "a module's object stays"
    );
}

#[test]
fn an_alias_of_this_is_the_same_place_as_this() {
    let src = r"
        const picker = {
            start() { var _this = this; here(_this.loop); },
            stop() { here(this.loop); },
        };
        function Client() { const self = this; here(self.timer); }
        Client.prototype.close = function () { here(this.timer); };
        const other = { run() { let me = this; me = picker; here(me.loop); } };
    ";
    let paths = paths_at_markers(src);
    let place = |i: usize| paths[i].clone().unwrap();
    assert!(place(0).same_place(&place(1)), "{paths:?}");
    assert!(place(0).is_this());
    // A plain function's `this` may be any object's, through an alias too.
    assert!(place(2).same_place(&place(3)) && place(2).is_this());
    // Reassigned, it is a variable like any other.
    assert!(!place(4).is_this());
    assert!(!place(4).same_place(&place(1)));
}

/// (class node's first line text, method name, constructor?) of the instance owner at each
/// `here()`, in source order.
fn owners_at_markers(source: &str, path: &str) -> Vec<Option<(String, Option<String>, bool)>> {
    with_model(source, path, &ModelSettings::default(), |model| {
        at_markers(model, |node| {
            model.instance_owner(node).map(|(class, method)| {
                let text = model
                    .semantic()
                    .nodes()
                    .kind(class.node)
                    .span()
                    .source_text(source);
                (
                    text.lines().next().unwrap_or_default().trim().to_string(),
                    method.name.map(str::to_string),
                    method.constructor,
                )
            })
        })
    })
}

#[test]
fn instance_owners_are_classes_and_constructor_functions() {
    let src = r"
        class Feed {
            constructor(bus) { here(); }
            start() { setTimeout(() => { here(); }, 1); }
            onData = () => { here(); };
            static make() { here(); }
        }
        function Hub(pubsub) { this.pubsub = pubsub; here(); this.ping = function () { here(); }; }
        Hub.prototype.attach = function (client) { client.on('x', function () { here(); }); };
        function Sensor(gateway) {}
        Sensor.prototype = { open() { here(); } };
        function plain() { here(); }
    ";
    let owners = owners_at_markers(src, "a.js");
    let owner = |class: &str, method: Option<&str>, constructor: bool| {
        Some((class.to_string(), method.map(str::to_string), constructor))
    };
    assert_eq!(
        owners,
        [
            owner("class Feed {", Some("constructor"), true),
            owner("class Feed {", Some("start"), false),
            owner("class Feed {", Some("onData"), false),
            None,
            owner(
                "function Hub(pubsub) { this.pubsub = pubsub; here(); this.ping = function () { here(); }; }",
                None,
                true
            ),
            owner(
                "function Hub(pubsub) { this.pubsub = pubsub; here(); this.ping = function () { here(); }; }",
                Some("ping"),
                false
            ),
            owner(
                "function Hub(pubsub) { this.pubsub = pubsub; here(); this.ping = function () { here(); }; }",
                Some("attach"),
                false
            ),
            owner("function Sensor(gateway) {}", Some("open"), false),
            None,
        ]
    );
}

#[test]
fn teardowns_creations_and_what_an_instance_is_handed() {
    let src = r"
        import { EventEmitter } from 'events';
        const shared = new EventEmitter();
        class Transport {
            constructor(private readonly sub: Sub, link: Link) {
                this.link = link;
                this.bus = new EventEmitter();
                here();
            }
            close() {}
            [Symbol.dispose]() {}
            leave() {}
        }
        function open() { return new Transport(a, b); }
        new Transport(c, d);
    ";
    let settings = ModelSettings {
        teardown_methods: vec!["leave".into()],
        ..ModelSettings::default()
    };
    with_model(src, "a.ts", &settings, |model| {
        let marker = at_markers(model, |node| node)[0];
        let (class, _) = model.instance_owner(marker).unwrap();
        let names: Vec<_> = model.teardowns(class).iter().map(|m| m.name).collect();
        assert_eq!(names, [Some("close"), Some("dispose"), Some("leave")]);
        assert_eq!(model.creations(class).len(), 2);
        let this_field = |name: &'static str| {
            crate::Place::field(
                crate::PlaceRoot::This(Some(class.node)),
                crate::Field::Public(name),
            )
        };
        let handed = |name| model.outside_instance(class, &this_field(name));
        assert!(matches!(handed("sub"), Some(crate::Outside::HandedIn(_))));
        assert!(matches!(handed("link"), Some(crate::Outside::HandedIn(_))));
        assert_eq!(handed("bus"), None, "made by the instance");
        assert_eq!(
            model.outside_instance(
                class,
                &crate::Place::root(crate::PlaceRoot::Global("process"))
            ),
            Some(crate::Outside::Global)
        );
        let shared = model
            .semantic()
            .scoping()
            .symbol_ids()
            .find(|&s| model.semantic().scoping().symbol_name(s) == "shared")
            .unwrap();
        assert_eq!(
            model.outside_instance(class, &crate::Place::binding(shared)),
            Some(crate::Outside::Shared)
        );
    });
}

#[test]
fn a_constructor_parameter_stands_for_what_every_creation_passes() {
    let src = r"
        function Memory(gateway) { here(); }
        class Gateway {
            open() { port.on('open', () => { this.memory = new Memory(this); }); }
            reopen() { this.memory = new Memory(this); }
        }
        function Other(x) { here(); }
        new Other(a);
        new Other(b);
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let markers = at_markers(model, |node| node);
        let (memory, _) = model.instance_owner(markers[0]).unwrap();
        let path = model.constructor_argument(memory, 0).unwrap();
        assert!(matches!(path.root, crate::PlaceRoot::This(Some(_))) && path.fields.is_empty());
        assert!(
            model.constructor_argument(memory, 1).is_none(),
            "nothing passed"
        );
        let (other, _) = model.instance_owner(markers[1]).unwrap();
        assert!(
            model.constructor_argument(other, 0).is_none(),
            "they differ"
        );
    });
}

#[test]
fn a_function_runs_again_when_it_is_registered_handed_out_or_a_hook() {
    let src = r"
        function onClick() { here(); }
        document.addEventListener('click', onClick);
        function helper() { here(); }
        function caller() { helper(); }
        export const api = { caller };
        function startup() { here(); }
        if (a) startup(); else startup();
        class Ticker {
            begin = () => { here(); };
            componentDidUpdate() { this.begin(); }
            lonely() { here(); }
        }
        function decorate() { here(); }
        decorate.timer = 1;
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let found: Vec<Option<(String, &str)>> = at_markers(model, |node| {
            let function = model.enclosing_function(node).unwrap();
            model
                .runs_again(function)
                .map(|again| (again.name, again.evidence.why()))
        });
        assert_eq!(
            found,
            [
                Some(("onClick".to_string(), "registered as a listener")),
                Some(("caller".to_string(), "handed out for others to call")),
                None,
                Some((
                    "componentDidUpdate".to_string(),
                    "a framework hook that runs on every update"
                )),
                None,
                None,
            ]
        );
    });
}

#[test]
fn lifecycle_hooks_are_known_by_import_and_by_method_name() {
    let src = r"
        import { onMounted as mounted, onBeforeMount } from 'vue';
        import { onMounted as other } from './not-vue';
        mounted(() => { here(); });
        onBeforeMount(() => { setTimeout(() => here(), 1); });
        other(() => { here(); });
        class Clock { componentDidMount() { here(); } componentWillUnmount() { here(); } }
        const page = { mounted() { here(); } };
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let hooks = at_markers(model, |node| model.lifecycle_hook(node));
        use crate::Stage::*;
        assert_eq!(
            hooks,
            [
                Some(("onMounted", Mounted)),
                Some(("onBeforeMount", BeforeMount)),
                None,
                Some(("componentDidMount", Mounted)),
                Some(("componentWillUnmount", BeforeUnmount)),
                Some(("mounted", Mounted)),
            ]
        );
    });
}

#[test]
fn test_blocks_run_once_as_the_file_loads() {
    let src = r"
        describe('cache', () => {
            here();
            beforeEach(() => { here(); });
            it('grows', async () => { here(); });
        });
        import { test } from 'vitest';
        test('works', () => { here(); });
        export function runLater(it) { it('x', () => { here(); }); }
    ";
    let runs: Vec<FunctionRuns> = runs_at_markers(src, "a.test.mjs")
        .into_iter()
        .map(|(runs, _)| runs)
        .collect();
    assert_eq!(runs[..4], [FunctionRuns::Once; 4], "{runs:?}");
    assert_ne!(
        runs[4],
        FunctionRuns::Once,
        "a parameter named `it` is not the runner's"
    );
}

#[test]
fn code_inside_test_blocks_is_known() {
    let src = r"
        describe('suite', () => { const seen = []; beforeEach(() => seen.push(here())); });
        function helper(test) { test('x', () => here()); }
        here();
    ";
    let inside = with_model(src, "a.js", &ModelSettings::default(), |model| {
        at_markers(model, |node| model.in_test_block(node))
    });
    assert_eq!(inside, [true, false, false]);
}

#[test]
fn functions_a_teardown_reaches_through_methods_and_its_own_events() {
    let src = r"
        class Room {
          constructor() { this.events.once('dispose', () => this.#dispose()); }
          disconnect() { this.events.emit('dispose'); this.leave(); }
          leave() { this.other.emit('dispose'); }
          #dispose() { here(); }
          unrelated() {}
        }
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let dispose = model
            .enclosing_function(at_markers(model, |node| node)[0])
            .unwrap();
        let symbol = model
            .semantic()
            .scoping()
            .symbol_ids()
            .find(|&s| model.semantic().scoping().symbol_name(s) == "Room")
            .unwrap();
        let class = model.class_of_symbol(symbol).unwrap();
        let disconnect = model
            .methods(class)
            .into_iter()
            .find(|m| m.name == Some("disconnect"))
            .unwrap();
        let reached = model.reached_from(class, disconnect.function);
        // disconnect, leave, the 'dispose' listener, and #dispose through it.
        assert_eq!(reached.len(), 4, "{reached:?}");
        assert!(reached.contains(&dispose));
        let leave = model
            .methods(class)
            .into_iter()
            .find(|m| m.name == Some("leave"))
            .unwrap();
        assert!(
            !model.reached_from(class, leave.function).contains(&dispose),
            "another emitter's 'dispose' is not the instance's"
        );
    });
}

#[test]
fn private_fields_and_parts_made_with_an_ended_owner() {
    let src = r"
        class Sweeper { #a; private b = 1; protected c = 2; d = 3; constructor(private e: number, f: number) {} }
        class Conn { cache = new Sweeper(1, 2); close() {} }
        class Pool { constructor() { this.s = new Sweeper(1, 2); } }
    ";
    with_model(src, "a.ts", &ModelSettings::default(), |model| {
        let class = |name: &str| {
            let symbol = model
                .semantic()
                .scoping()
                .symbol_ids()
                .find(|&s| model.semantic().scoping().symbol_name(s) == name)
                .unwrap();
            model.class_of_symbol(symbol).unwrap()
        };
        let sweeper = class("Sweeper");
        let private: Vec<bool> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|&name| {
                let field = if name == "a" {
                    Field::Private(name)
                } else {
                    Field::Public(name)
                };
                model.is_private_field(sweeper, field)
            })
            .collect();
        assert_eq!(private, [true, true, true, false, true, false]);
        let (_, whole) = model
            .made_with_ended_owner(sweeper)
            .expect("made in `Conn`'s field initializer, and `Conn` can be closed");
        assert_eq!(whole, class("Conn"), "not `Pool`, which has no end");
    });
}

#[test]
fn calls_of_a_closure_a_factory_returns() {
    let src = r"
        function memo(fn) { const cache = new Map(); return (k) => { here(); return fn(k); }; }
        const lookup = memo(geo);
        lookup(1); lookup(2);
        let other = memo(geo); other = null;
        memo(geo)(3);
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let closure = model
            .enclosing_function(at_markers(model, |node| node)[0])
            .unwrap();
        assert_eq!(
            model.calls_of_returned(closure).len(),
            2,
            "the calls of `lookup`, not of a reassigned binding"
        );
    });
}

#[test]
fn calls_of_a_method_through_instances_kept_in_a_const() {
    let src = r"
        class Cache { put(k, v) { here(); } get(k) {} }
        const rates = new Cache();
        let swapped = new Cache(); swapped = null;
        rates.put(1, 2); rates.get(1); rates.put(3, 4);
        swapped.put(5, 6);
        other.put(7, 8);
        function use(c) { c.put(1, 1); }
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let put = model
            .enclosing_function(at_markers(model, |node| node)[0])
            .unwrap();
        assert_eq!(
            model.calls_through_instances(put).len(),
            2,
            "the two `rates.put` calls: not a reassigned binding's, another object's or a \
             parameter's"
        );
    });
}

#[test]
fn calls_of_a_function_by_binding_and_of_a_method_through_this_aliases() {
    let src = r"
        function greet(name) { return name; }
        greet('a'); const g = greet; greet('b');
        function Hub() {}
        Hub.prototype.attach = function (c) { const self = this; c.on('m', () => self.send(c)); this.send(c); };
        Hub.prototype.send = function (c) { here(); };
        other.send(1);
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let named = |name: &str| {
            model
                .named_functions()
                .iter()
                .find(|(_, n)| *n == name)
                .map(|(id, _)| *id)
                .unwrap()
        };
        assert_eq!(model.calls_of(named("greet")).len(), 2, "`g` is no call");
        let send = model
            .enclosing_function(at_markers(model, |node| node)[0])
            .unwrap();
        assert_eq!(
            model.calls_of(send).len(),
            2,
            "`self.send` and `this.send`, not `other.send`"
        );
    });
}

/// The argument of each `probe(x)` call, asked with `ask`, in source order.
fn at_probes<R>(
    source: &str,
    ask: impl for<'m, 'a> Fn(&LifetimeModel<'m, 'a>, NodeId, &Expression<'a>) -> R,
) -> Vec<R> {
    with_model(source, "a.js", &ModelSettings::default(), |model| {
        model
            .semantic()
            .nodes()
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) if callee_name(call) == Some("probe") => Some(ask(
                    model,
                    node.id(),
                    call.arguments[0].as_expression().unwrap(),
                )),
                _ => None,
            })
            .collect()
    })
}

#[test]
fn values_a_caller_hands_in() {
    let src = r"
        function once(...args) { const event = args[0]; probe(event); }
        function wait(options) { probe(options.event); const [first] = options.list; probe(first); }
        function query(request) { request.id = request.id || next(); probe(request.id); }
        function local() { const event = 'ready'; probe(event); let changing = arguments[0]; changing = 1; probe(changing); }
        function outer(a) { return () => probe(a); }
    ";
    let handed: Vec<bool> = at_probes(src, |model, node, expr| {
        let function = model.enclosing_function(node);
        model.handed_in_by(expr).is_some() && model.handed_in_by(expr) == function
    });
    // A field the function writes itself is its own; `outer`'s parameter is handed to `outer`,
    // not to the arrow that reads it.
    assert_eq!(handed, [true, true, true, false, false, false, false]);
}

#[test]
fn size_checks_bound_what_follows_them() {
    let src = r"
        const active = {}; const queue = []; const other = [];
        function a() { if (Object.keys(active).length > 3) return; probe(active); }
        function b(x) { if (queue.length < 100) { probe(queue); } }
        function c() { if (other.length > 3) return; probe(queue); }
        function d() { probe(active); if (Object.keys(active).length > 3) return; }
    ";
    let checked: Vec<bool> = at_probes(src, |model, node, expr| {
        let place = model.place(expr).unwrap();
        crate::guards::size_checked(node, &|p| p.same_place(&place), model)
    });
    assert_eq!(checked, [true, true, false, false]);
}

#[test]
fn methods_copied_onto_a_prototype_are_the_class_s() {
    let src = r"
        const Stream = function (request, response) { here(); this.t = 1; };
        const api = { close() { here(); }, ping() {} };
        for (const key in api) Stream.prototype[key] = api[key];
        function Poller() {}
        Object.assign(Poller.prototype, { watch() { here(); } });
        const loose = { stop() { here(); } };
        app.get('/x', function (request, response) { here(); });
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let class_of = at_markers(model, |node| {
            let function = model.enclosing_function(node).unwrap();
            model.prototype_class(function)
        });
        let stream = class_of[0].expect("the constructor function");
        assert_eq!(class_of[1], Some(stream), "a method copied by `for…in`");
        assert!(class_of[2].is_some(), "a method added with `Object.assign`");
        assert_ne!(class_of[2], Some(stream));
        assert_eq!(class_of[3], None, "an object literal of its own");
        let runs: Vec<FunctionRuns> = at_markers(model, |node| model.runs_at(node));
        // A constructor taking (request, response) wraps one request; a route handler handles many.
        assert_eq!(runs[0], PerCall);
        assert_eq!(runs[4], PerRequest);
    });
}

#[test]
fn closures_handed_back_to_the_caller() {
    let src = r"
        function a(map, id) { map.set(id, 1); return () => { here(); }; }
        function b(map, id) { const ret = toDisposable(() => { here(); }); return markAsSingleton(ret); }
        function c(map, id, store) { store.add(toDisposable(() => { here(); })); }
        function d(map, id) { return { dispose() { here(); } }; }
        const e = (id) => toDisposable(() => { here(); });
        function f(map, id) { setTimeout(() => { here(); }, 10); }
        function g(map, id) { bus.on('done', () => { here(); }); }
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let handed: Vec<bool> = at_markers(model, |node| {
            model.handed_back(model.enclosing_function(node).unwrap())
        });
        assert_eq!(handed, [true, true, true, true, true, false, false]);
    });
}

#[test]
fn a_method_called_from_a_route_through_a_kept_instance_runs_per_request() {
    let src = r"
        const express = require('express');
        const app = express();
        class OrderService {
            constructor(db) { this.db = db; }
            async update(id) { here(); }
            async audit(id) { here(); }
        }
        const service = new OrderService(pool);
        app.post('/orders/:id', async (req, res) => {
            await service.update(req.params.id);
            res.sendStatus(204);
        });
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let per_request: Vec<bool> = at_markers(model, |node| {
            model
                .called_per_request(model.enclosing_function(node).unwrap())
                .is_some()
        });
        assert_eq!(per_request, [true, false]);
    });
}

#[test]
fn a_method_is_called_through_its_field_on_the_instances() {
    let src = r"
        function Client() {}
        Client.prototype.onClose = function () { here(); };
        class Socket { onEnd() { here(); } }
        const loose = function () { here(); };
    ";
    with_model(src, "a.js", &ModelSettings::default(), |model| {
        let fields: Vec<Option<String>> = at_markers(model, |node| {
            model
                .method_place(model.enclosing_function(node).unwrap())
                .map(|place| place.fields.iter().map(ToString::to_string).collect())
        });
        assert_eq!(
            fields,
            [Some("onClose".to_string()), Some("onEnd".to_string()), None]
        );
    });
}
