//! The listener and timer protocols, the guards that make code run once, and what callbacks
//! keep alive, each asked about the calls of a snippet.

use oxc_ast::{ast::CallExpression, AstKind};
use oxc_semantic::NodeId;

use crate::{
    ast_util::{as_member, member_name},
    captures::{retained_by_callback, Retained},
    guards::{is_guarded, replaced_earlier_in_function},
    protocols::{
        is_clear_function, is_removed, is_timer_function, removals_that_miss, signal_fate,
        Registration, SignalFate,
    },
    tests::with_model,
    LifetimeModel, ModelSettings,
};

/// Each call whose callee is `method` (`bus.on`) or named `method` (`setInterval`), with its
/// node, in source order.
fn calls<'m, 'a>(
    model: &'m LifetimeModel<'_, 'a>,
    method: &'m str,
) -> impl Iterator<Item = (NodeId, &'a CallExpression<'a>)> + 'm {
    model
        .semantic()
        .nodes()
        .iter()
        .filter_map(move |node| match node.kind() {
            AstKind::CallExpression(call) => {
                let name = match as_member(&call.callee) {
                    Some(member) => member_name(member),
                    None => crate::ast_util::callee_name(call),
                };
                (name == Some(method)).then_some((node.id(), call))
            }
            _ => None,
        })
}

fn model_of<R>(source: &str, f: impl FnOnce(&LifetimeModel<'_, '_>) -> R) -> R {
    with_model(source, "a.js", &ModelSettings::default(), f)
}

#[test]
fn removals_match_listeners_by_identity() {
    let src = r"
        const bus = require('./bus');
        function onX() {}
        class View {
            a() { bus.on('x', onX); }
            b() { bus.off('x', onX); }
            c() { bus.on('y', this.f.bind(this)); }
            d() { bus.off('y', this.f.bind(this)); }
            e() { bus.on('z', () => 1); }
            g() { other.on('q', onX); }
            h() { other.removeAllListeners(); }
            i() { bus.on('w', onX); }
            j() { bus.off('w', onY); }
        }
        function onY() {}
    ";
    model_of(src, |model| {
        let found: Vec<(bool, usize)> = calls(model, "on")
            .map(|(_, call)| {
                let registration = Registration::of(call).unwrap();
                (
                    is_removed(&registration, model),
                    removals_that_miss(&registration, model).len(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (true, 0),  // the same function, by symbol
                (false, 1), // `bind` makes a new function each time
                (false, 0), // never removed, nothing meant for it
                (true, 0),  // removeAllListeners()
                (false, 1), // another function for the same event
            ]
        );
    });
}

#[test]
fn namespaces_and_handlerless_off_remove_every_listener_they_name() {
    let src = r"
        const EVENTS = { open: 'lgOpen' };
        const NS = '.pan';
        const $win = $(window);
        $win.on('resize.lg.zoom', a);           // off('.lg.zoom')
        $win.on(EVENTS.open + '.zoom', a);      // off('.zoom')
        $win.on(`scroll.lg.${kind}`, a);        // off('scroll')
        $win.on('keydown.lg', a);               // off('.lg.zoom') needs both namespaces
        $win.on('touchstart.pan touchend.x', a); // off(NS) takes only the first
        $win.on('blur', a);                     // off('blur')
        function teardown() {
            $win.off('.lg.zoom');
            $win.off('.zoom');
            $win.off('scroll');
            $win.off(NS);
            $win.off('blur');
            ctx.removeListener('x');            // a Node emitter needs the listener
        }
        function onX() {}
        const ctx = require('./ctx');
        ctx.on('x', onX);
        const hub = { records: [], client: connect() };
        function attach(event, handler) {
            hub.records.push({ event, handler });
            hub.client.on(event, handler);
        }
        function detach() {
            hub.records = hub.records.filter((r) => { hub.client.removeListener(r.event, r.handler); return false; });
        }
    ";
    model_of(src, |model| {
        let removed: Vec<bool> = calls(model, "on")
            .map(|(_, call)| is_removed(&Registration::of(call).unwrap(), model))
            .collect();
        assert_eq!(removed, [true, true, true, false, false, true, false, true]);
    });
}

#[test]
fn a_listener_kept_in_a_map_is_removed_by_reading_it_back() {
    let src = r"
        const bus = require('./bus');
        const handlers = new Map();
        function bind(key) { const fn = () => 1; bus.on('tick', fn); handlers.set(key, fn); }
        function unbind(key) { bus.off('tick', handlers.get(key)); handlers.delete(key); }
        function bindLoose(key) { const fn = () => 2; bus.on('tock', fn); }
        function unbindLoose(key) { bus.off('tock', handlers.get(key)); }
    ";
    model_of(src, |model| {
        let removed: Vec<bool> = calls(model, "on")
            .map(|(_, call)| is_removed(&Registration::of(call).unwrap(), model))
            .collect();
        // The second listener is never kept, so nothing read back can be it.
        assert_eq!(removed, [true, false]);
    });
}

#[test]
fn a_removal_is_meant_for_the_listener_made_from_what_it_names() {
    let src = r"
        class Popup {
            open() { this.renderer.on('render', this.onRender.bind(this)); }
            show() { this.renderer.on('render', () => this.count++); }
            close() { this.renderer.off('render', this.onRender); }
            onRender() {}
        }
    ";
    model_of(src, |model| {
        let misses: Vec<usize> = calls(model, "on")
            .map(|(_, call)| removals_that_miss(&Registration::of(call).unwrap(), model).len())
            .collect();
        // `off` names `this.onRender`, whose bound copy `open()` adds: it misses that one, and
        // was never meant for the arrow `show()` adds.
        assert_eq!(misses, [1, 0]);
    });
}

#[test]
fn a_latch_on_a_required_module_guards_what_it_encloses() {
    let src = r"
        function update() {
            if (require('host').watching == null) {
                require('host').watching = true;
                require('sc').on('changed', f);
            }
            if (require('host').other == null) {
                require('elsewhere').other = true;
                require('sc').on('moved', f);
            }
        }
    ";
    model_of(src, |model| {
        let guarded: Vec<bool> = calls(model, "on")
            .map(|(id, _)| is_guarded(id, model))
            .collect();
        // The second sets the field on another module: no latch.
        assert_eq!(guarded, [true, false]);
    });
}

#[test]
fn once_listeners_are_released_only_by_events_that_fire() {
    let src = r"
        conn.once('data', f);
        conn.once('close', f);
        process.once('SIGTERM', f);
        el.addEventListener('load', f, { once: true });
        el.addEventListener('load', f);
    ";
    model_of(src, |model| {
        let once: Vec<bool> = ["once", "addEventListener"]
            .iter()
            .flat_map(|method| calls(model, method))
            .map(|(_, call)| Registration::of(call).unwrap().is_once())
            .collect();
        assert_eq!(once, [true, false, false, true, false]);
    });
}

#[test]
fn a_signal_releases_only_when_its_controller_is_aborted() {
    let src = r"
        function a(el) {
            const never = new AbortController();
            el.addEventListener('x', f, { signal: never.signal });
        }
        function b(el) {
            const c = new AbortController();
            el.addEventListener('x', f, { signal: c.signal });
            el.addEventListener('close', () => c.abort());
        }
        function d(el, req) { el.addEventListener('x', f, { signal: req.signal }); }
    ";
    model_of(src, |model| {
        let fates: Vec<bool> = calls(model, "addEventListener")
            .filter_map(|(_, call)| Registration::of(call)?.signal())
            .map(|signal| matches!(signal_fate(signal, model), SignalFate::NeverAborted))
            .collect();
        assert_eq!(fates, [true, false, false]);
    });
}

#[test]
fn timer_functions_are_recognised_by_symbol() {
    let src = r"
        import { setInterval as every, clearInterval as stop } from 'timers';
        import * as timers from 'node:timers';
        import { setInterval as later } from 'timers/promises';
        every(f, 10);
        timers.setInterval(f, 10);
        window.setInterval(f, 10);
        setInterval(f, 10);
        later(10);
        stop(h);
        function local() { const setInterval = make(); setInterval(f, 10); }
    ";
    with_model(src, "a.mjs", &ModelSettings::default(), |model| {
        let found: Vec<bool> = model
            .semantic()
            .nodes()
            .iter()
            .filter_map(|node| match node.kind() {
                AstKind::CallExpression(call) => Some(call),
                _ => None,
            })
            .filter(|call| !matches!(crate::ast_util::callee_name(call), Some("make")))
            .map(|call| {
                is_timer_function(&call.callee, "setInterval", model)
                    || is_clear_function(&call.callee, model)
            })
            .collect();
        assert_eq!(found, [true, true, true, true, false, true, false]);
    });
}

#[test]
fn install_guards_and_earlier_replacements_are_seen() {
    let src = r"
        let installed = false;
        function install() {
            if (installed) return;
            installed = true;
            process.on('exit', f);
        }
        function unguarded() {
            if (ready) return;
            process.on('exit', f);
        }
        function spawnIt() { child = spawn(); child.on('exit', f); }
        function maybe() { if (!child) child = spawn(); child.on('exit', f); }
    ";
    model_of(src, |model| {
        let ons: Vec<(NodeId, &CallExpression<'_>)> = calls(model, "on").collect();
        assert!(is_guarded(ons[0].0, model));
        assert!(!is_guarded(ons[1].0, model), "the guard is never set");
        let receiver = |i: usize| as_member(&ons[i].1.callee).unwrap().object();
        assert!(replaced_earlier_in_function(receiver(2), ons[2].0, model));
        assert!(
            !replaced_earlier_in_function(receiver(3), ons[3].0, model),
            "replaced on one path only"
        );
    });
}

#[test]
fn callbacks_keep_what_they_capture() {
    let src = r"
        const shared = new Map();
        function handler(req, res) {
            setInterval(() => { shared.get(req.id); res.write('.'); }, 10);
            setInterval(tick, 10);
            setInterval(() => shared.clear(), 10);
        }
    ";
    model_of(src, |model| {
        let retained: Vec<String> = calls(model, "setInterval")
            .map(
                |(_, call)| match retained_by_callback(call.arguments[0].as_expression(), model) {
                    Retained::Captures(names) => names.join(","),
                    Retained::Callback(name) => format!("callback {name}"),
                    Retained::Nothing => "nothing".to_string(),
                },
            )
            .collect();
        assert_eq!(retained, ["req,res", "callback tick", "nothing"]);
    });
}

#[test]
fn clients_kept_by_instances_and_the_methods_that_close_them() {
    let src = r"
        import { MongoClient } from 'mongodb';
        import Redis from 'ioredis';
        import { Queue } from 'bullmq';
        class Store {
            constructor(uri) { this.uri = uri; this.client = null; this.cache = new Redis(); }
            async open() { this.client = await MongoClient.connect(this.uri); }
            async close() { await this.client.close(); }
        }
        class Registry {
            constructor() { this.queues = new Map(); }
            get(name) {
                let q = this.queues.get(name);
                if (!q) { q = new Queue(name); this.queues.set(name, q); }
                return q;
            }
            async close() { for (const q of this.queues.values()) await q.close(); }
        }
        function handler() { return new Store('mongodb://db'); }
        process.on('message', handler);
        const local = new Map();
    ";
    with_model(src, "a.mjs", &ModelSettings::default(), |model| {
        let openers: Vec<NodeId> = model
            .semantic()
            .nodes()
            .iter()
            .filter(|node| crate::protocols::opened_client(node.id(), model).is_some())
            .map(|node| node.id())
            .collect();
        let found: Vec<(&str, &str)> = openers
            .iter()
            .map(|&id| crate::protocols::opened_client(id, model).unwrap())
            .collect();
        assert_eq!(
            found,
            [
                ("ioredis", "default"),
                ("mongodb", "MongoClient.connect"),
                ("bullmq", "Queue")
            ]
        );
        let kept: Vec<(bool, Option<&str>)> = openers
            .iter()
            .map(|&id| {
                let (class, place) = model.kept_in_field(id).unwrap();
                (
                    place.entry,
                    model.closer_of(class, &place).and_then(|m| m.name),
                )
            })
            .collect();
        assert_eq!(
            kept,
            [(false, None), (false, Some("close")), (true, Some("close"))],
            "the Redis client is never closed; the Mongo client and the queues are"
        );
        let (class, _) = model.kept_in_field(openers[1]).unwrap();
        let (_, why) = model.made_again(class).expect("made in a listener");
        assert!(why.contains("registered as a listener"), "{why}");
        assert_eq!(model.class_label(class), "`Store`");
    });
}
