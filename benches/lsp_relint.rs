//! Re-linting a 5,000-line file after an edit, through `leaklint lsp` as an editor drives it:
//! change one line (full text sync), pull the diagnostics, time from sending the change to the
//! answer. Prints p50/p95/max over the runs. `cargo bench --bench lsp_relint [-- RUNS]`.

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;
#[path = "../tests/support/service_source.rs"]
mod service_source;

use std::{path::Path, time::Instant};

use lsp_client::{file_uri, Client};
use serde_json::{json, Value};

const WARM_UP: usize = 20;

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.js");
    let source = service_source::service_source(5_000);
    std::fs::write(&path, &source).unwrap();
    let uri = file_uri(&path);

    let mut client = Client::spawn(Path::new(env!("CARGO_BIN_EXE_leaklint")), dir.path());
    let capabilities = json!({ "textDocument": { "diagnostic": {} } });
    client.initialize(capabilities, Value::Null);
    client.open(&uri, "javascript", &source);

    // The edit: a line in the middle of the file alternates between two texts, so every
    // version differs from the one before.
    let target = "  stats50.misses += 1;";
    assert!(source.contains(target));
    let mut times = Vec::with_capacity(runs);
    let mut findings = 0;
    for run in 0..WARM_UP + runs {
        let edited = source.replace(target, &format!("  stats50.misses += {};", run % 2 + 1));
        let started = Instant::now();
        client.change(&uri, run as i64 + 2, &edited);
        let response = client.request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        );
        let elapsed = started.elapsed();
        findings = response["result"]["items"].as_array().map_or(0, Vec::len);
        if run >= WARM_UP {
            times.push(elapsed);
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "re-lint after an edit, {} lines, {findings} findings, {runs} runs: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (target p95 <= 20 ms)",
        source.lines().count(),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*times.last().unwrap()),
    );
}
