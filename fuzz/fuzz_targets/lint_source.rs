//! Source text → diagnostics → every report format, the way the CLI runs it: on a thread with
//! the CLI's analysis stack, every rule on, unused directives reported. A panic anywhere (caught
//! by the engine and turned into an `internal-error`) or a crash is a bug.
//!
//! The first byte picks the file type, the rest is the file.
//!
//! Run it with `-O` and overflow checks (see the README): cargo-fuzz's default build turns on
//! every crate's debug assertions, and oxc_parser 0.146 has one that a `#__PURE__` comment
//! before a labelled statement trips (`tests/data/fuzz-regressions`). libFuzzer's panic hook
//! aborts on any panic, even one the engine catches, so the fuzzer would stop there every time.

#![no_main]

use std::{
    path::Path,
    sync::{mpsc, Mutex, OnceLock},
    thread,
};

use leaklint_diagnostics::{engine_ids, FileReport, Severity, Totals};
use leaklint_linter::{lint_source, FileConfig, LintOptions, ANALYSIS_STACK_SIZE};
use leaklint_report::{render, Format, ReportOptions};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "fuzz.js", "fuzz.mjs", "fuzz.cjs", "fuzz.jsx", "fuzz.ts", "fuzz.mts", "fuzz.cts", "fuzz.tsx",
];

type Job = (String, &'static str, mpsc::Sender<FileReport>);

/// One worker with the CLI's stack size, reused across inputs.
fn worker() -> &'static Mutex<mpsc::Sender<Job>> {
    static WORKER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (send, receive) = mpsc::channel::<Job>();
        thread::Builder::new()
            .stack_size(ANALYSIS_STACK_SIZE)
            .spawn(move || {
                let config = FileConfig::defaults();
                let options = LintOptions {
                    unused_directives: Some(Severity::Warning),
                    ..LintOptions::default()
                };
                for (text, name, reply) in receive {
                    let report = lint_source(Path::new(name), text, &config, options);
                    let _ = reply.send(report);
                }
            })
            .expect("worker thread");
        Mutex::new(send)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let name = NAMES[usize::from(kind) % NAMES.len()];
    let (reply, answer) = mpsc::channel();
    worker()
        .lock()
        .unwrap()
        .send((text.to_string(), name, reply))
        .unwrap();
    let report = answer.recv().expect("the worker answers");
    if let Some(internal) = report
        .diagnostics
        .iter()
        .find(|d| d.rule == engine_ids::INTERNAL_ERROR)
    {
        panic!("{}", internal.message);
    }
    let reports = [report];
    let totals = Totals::of(&reports, 1);
    let options = ReportOptions {
        color: false,
        cwd: Path::new("/"),
        tool_version: "0.0.0",
        elapsed_ms: 0,
        sarif_category: None,
    };
    for format in [Format::Pretty, Format::Json, Format::Sarif, Format::Github] {
        render(format, &reports, &totals, &options);
    }
});
