//! `leaklint lsp` end to end: the built binary, spoken to over stdin/stdout.

#[path = "support/lsp_client.rs"]
mod lsp_client;
#[path = "support/service_source.rs"]
mod service_source;

use std::path::{Path, PathBuf};

use lsp_client::{apply_edits, file_uri, Client};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");

const LEAKY: &str = "const express = require('express');
const app = express();

app.get('/events', (req, res) => {
  setInterval(() => res.write('tick'), 1000);
});
";

const FIXED: &str = "const express = require('express');
const app = express();

app.get('/events', (req, res) => {
  const timer = setInterval(() => res.write('tick'), 1000);
  res.on('close', () => clearInterval(timer));
});
";

/// A plain client: UTF-16 positions, diagnostics pushed, no dynamic registration.
fn plain() -> Value {
    json!({ "textDocument": { "publishDiagnostics": { "relatedInformation": true } } })
}

struct Session {
    client: Client,
    dir: tempfile::TempDir,
}

impl Session {
    fn start(capabilities: Value, options: Value) -> (Self, Value) {
        let dir = tempfile::tempdir().unwrap();
        let mut client = Client::spawn(Path::new(BIN), dir.path());
        let initialized = client.initialize(capabilities, options);
        (Session { client, dir }, initialized)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.path(name))
    }
}

fn items(published: &Value) -> &Vec<Value> {
    published["diagnostics"]
        .as_array()
        .expect("diagnostics array")
}

fn pos(line: u64, character: u64) -> Value {
    json!({ "line": line, "character": character })
}

fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] },
        }),
    );
    response["result"].as_array().expect("code actions").clone()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

#[test]
fn diagnostics_follow_the_buffer_and_the_disable_actions_clear_them() {
    let (mut s, init) = Session::start(plain(), Value::Null);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync");
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push client: no pull"
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "leaklint");

    let uri = s.uri("server.js");
    s.client.open(&uri, "javascript", LEAKY);
    let published = s.client.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    let found = items(&published);
    assert_eq!(found.len(), 1, "{published:#}");
    let d = &found[0];
    assert_eq!(d["range"], json!({ "start": pos(4, 2), "end": pos(4, 13) }));
    assert_eq!(d["severity"], 1, "per-request interval is an error");
    assert_eq!(d["code"], "uncleared-interval");
    assert_eq!(d["source"], "leaklint");
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/leaklint/leaklint/blob/main/rules/uncleared-interval.md"
    );
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("GET /events"), "{message}");
    assert!(message.contains("\nhelp: "), "{message}");

    // Fixed: the diagnostics go away.
    s.client.change(&uri, 2, FIXED);
    let published = s.client.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert!(items(&published).is_empty(), "{published:#}");

    // Stored but never cleared: the secondary label becomes related information.
    let stored = FIXED.replace("  res.on('close', () => clearInterval(timer));\n", "");
    s.client.change(&uri, 3, &stored);
    let published = s.client.diagnostics(&uri);
    let d = items(&published)[0].clone();
    let related = &d["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(related["location"]["range"]["start"], pos(4, 8));
    assert!(related["message"].as_str().unwrap().contains("stored here"));

    // The disable actions, applied as an editor would, silence it.
    s.client.change(&uri, 4, LEAKY);
    let published = s.client.diagnostics(&uri);
    let d = items(&published)[0].clone();
    let actions = code_actions(&mut s.client, &uri, &d);
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let line = titled(&actions, "Disable uncleared-interval for this line");
    assert_eq!(line["kind"], "quickfix");
    assert_eq!(line["diagnostics"][0]["code"], "uncleared-interval");
    let edits = line["edit"]["changes"][uri.as_str()].as_array().unwrap();
    let disabled_line = apply_edits(LEAKY, edits);
    assert!(
        disabled_line
            .contains("  // leaklint-disable-next-line uncleared-interval -- \n  setInterval("),
        "{disabled_line}"
    );
    s.client.change(&uri, 5, &disabled_line);
    assert!(items(&s.client.diagnostics(&uri)).is_empty());

    let file = titled(&actions, "Disable uncleared-interval for this file");
    let edits = file["edit"]["changes"][uri.as_str()].as_array().unwrap();
    let disabled_file = apply_edits(LEAKY, edits);
    assert!(disabled_file.starts_with("/* leaklint-disable uncleared-interval */\n"));
    s.client.change(&uri, 6, &disabled_file);
    assert!(items(&s.client.diagnostics(&uri)).is_empty());

    // Closing the document clears what was shown for it.
    s.client.change(&uri, 7, LEAKY);
    assert_eq!(items(&s.client.diagnostics(&uri)).len(), 1);
    s.client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(items(&s.client.diagnostics(&uri)).is_empty());
}

#[test]
fn versioned_edits_when_the_client_takes_document_changes() {
    let capabilities = json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } });
    let (mut s, _) = Session::start(capabilities, Value::Null);
    let uri = s.uri("a.js");
    s.client.open(&uri, "javascript", LEAKY);
    let d = items(&s.client.diagnostics(&uri))[0].clone();
    let actions = code_actions(&mut s.client, &uri, &d);
    let change =
        &titled(&actions, "Disable uncleared-interval for this line")["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({ "uri": uri, "version": 1 }));
    assert_eq!(change["edits"].as_array().unwrap().len(), 1);
}

#[test]
fn positions_are_utf16_units_or_utf8_bytes_on_emoji_and_crlf_lines() {
    let text = "// 😀 status stream\r\nconst app = require('express')();\r\napp.get('/s', (req, res) => { const s = '😀é'; setInterval(() => res.write(s), 1000); });\r\n";
    let line = text.split("\r\n").nth(2).unwrap();
    let before = &line[..line.find("setInterval").unwrap()];
    let utf16 = before.encode_utf16().count() as u64;
    let utf8 = before.len() as u64;
    assert_ne!(utf16, utf8);

    let (mut s, init) = Session::start(plain(), Value::Null);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    let uri = s.uri("emoji.js");
    s.client.open(&uri, "javascript", text);
    let d = items(&s.client.diagnostics(&uri))[0].clone();
    assert_eq!(d["range"]["start"], pos(2, utf16));
    assert_eq!(
        d["range"]["end"],
        pos(2, utf16 + "setInterval".len() as u64)
    );

    let offers_utf8 = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    let (mut s, init) = Session::start(offers_utf8, Value::Null);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    let uri = s.uri("emoji.js");
    s.client.open(&uri, "javascript", text);
    let d = items(&s.client.diagnostics(&uri))[0].clone();
    assert_eq!(d["range"]["start"], pos(2, utf8));
}

#[test]
fn a_syntax_error_is_a_parse_diagnostic() {
    let (mut s, _) = Session::start(plain(), Value::Null);
    let uri = s.uri("broken.ts");
    s.client.open(&uri, "typescript", "const x: number = ;\n");
    let found = items(&s.client.diagnostics(&uri)).clone();
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|d| d["code"] == "parse-error" && d["severity"] == 1));
    assert_eq!(found[0]["range"]["start"], pos(0, 18));
    // No disable action for a syntax error.
    assert!(code_actions(&mut s.client, &uri, &found[0]).is_empty());
}

#[test]
fn configuration_changes_are_watched_and_republished() {
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    });
    let (mut s, _) = Session::start(capabilities, Value::Null);
    let registration = s.client.wait_for("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registered["registerOptions"]["watchers"][0]["globPattern"],
        "**/.leaklintrc.json"
    );

    std::fs::create_dir(s.path("src")).unwrap();
    let uri = s.uri("src/server.js");
    s.client.open(&uri, "javascript", LEAKY);
    assert_eq!(items(&s.client.diagnostics(&uri)).len(), 1);

    let config = s.path(".leaklintrc.json");
    let changed = |client: &mut Client, kind: u8| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&config), "type": kind }] }),
        );
    };
    std::fs::write(&config, r#"{ "rules": { "uncleared-interval": "off" } }"#).unwrap();
    changed(&mut s.client, 1);
    assert!(items(&s.client.diagnostics(&uri)).is_empty());

    std::fs::write(&config, r#"{ "rules": { "uncleared-interval": "warn" } }"#).unwrap();
    changed(&mut s.client, 2);
    let d = items(&s.client.diagnostics(&uri))[0].clone();
    assert_eq!(d["severity"], 2, "configured severity");

    std::fs::write(&config, "{ \"rules\": {\n  \"no-such-rule\": \"error\" } }").unwrap();
    changed(&mut s.client, 2);
    let d = items(&s.client.diagnostics(&uri))[0].clone();
    assert_eq!(d["code"], "config-error");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains(".leaklintrc.json:2:"), "{message}");
    assert!(message.contains("no-such-rule"), "{message}");
    let shown = s
        .client
        .wait_for("showMessage", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);

    std::fs::remove_file(&config).unwrap();
    changed(&mut s.client, 3);
    assert_eq!(
        items(&s.client.diagnostics(&uri))[0]["code"],
        "uncleared-interval"
    );

    // Ignored files show nothing.
    std::fs::write(&config, r#"{ "ignorePatterns": ["src/"] }"#).unwrap();
    changed(&mut s.client, 1);
    assert!(items(&s.client.diagnostics(&uri)).is_empty());
}

#[test]
fn settings_switch_linting_off_and_on() {
    let (mut s, _) = Session::start(plain(), json!({ "enable": false }));
    let uri = s.uri("a.js");
    s.client.open(&uri, "javascript", LEAKY);
    // Disabled: the first diagnostics come only once it is enabled.
    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leaklint": { "enable": true } } }),
    );
    assert_eq!(items(&s.client.diagnostics(&uri)).len(), 1);
    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leaklint": { "enable": false } } }),
    );
    assert!(items(&s.client.diagnostics(&uri)).is_empty());
}

#[test]
fn on_save_mode_lints_on_open_and_save_only() {
    let (mut s, _) = Session::start(plain(), json!({ "run": "onSave" }));
    let uri = s.uri("a.js");
    s.client.open(&uri, "javascript", LEAKY);
    assert_eq!(s.client.diagnostics(&uri)["version"], 1);
    s.client.change(&uri, 2, FIXED);
    // Long past the debounce of typing: nothing is published for version 2.
    std::thread::sleep(std::time::Duration::from_millis(400));
    s.client.change(&uri, 3, LEAKY);
    s.client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let published = s.client.diagnostics(&uri);
    assert_eq!(published["version"], 3, "{published:#}");
    assert_eq!(items(&published).len(), 1);
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let capabilities =
        json!({ "textDocument": { "diagnostic": { "dynamicRegistration": false } } });
    let (mut s, init) = Session::start(capabilities, Value::Null);
    let provider = &init["result"]["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["identifier"], "leaklint");
    assert_eq!(provider["interFileDependencies"], false);

    let uri = s.uri("a.js");
    s.client.open(&uri, "javascript", LEAKY);
    let pull = |client: &mut Client, previous: Option<&Value>| {
        let mut params = json!({ "textDocument": { "uri": uri } });
        if let Some(previous) = previous {
            params["previousResultId"] = previous.clone();
        }
        client.request("textDocument/diagnostic", params)["result"].clone()
    };
    let report = pull(&mut s.client, None);
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    assert_eq!(report["items"][0]["code"], "uncleared-interval");
    let result_id = report["resultId"].clone();
    assert!(result_id.is_string());

    let again = pull(&mut s.client, Some(&result_id));
    assert_eq!(again, json!({ "kind": "unchanged", "resultId": result_id }));

    s.client.change(&uri, 2, FIXED);
    let fixed = pull(&mut s.client, Some(&result_id));
    assert_eq!(fixed["kind"], "full");
    assert!(fixed["items"].as_array().unwrap().is_empty());

    // A pulling client is never pushed diagnostics as well.
    let pushed = s
        .client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    assert_eq!(pushed, 0);
}

#[test]
fn a_large_file_does_not_hold_up_other_requests() {
    let (mut s, _) = Session::start(plain(), Value::Null);
    let mut big = String::from("const express = require('express');\nconst app = express();\n");
    for i in 0..4_000 {
        big.push_str(&format!(
            "app.get('/r{i}', (req, res) => {{\n  const seen = new Map();\n  seen.set(req.id, Date.now());\n  res.json({{ ok: seen.size }});\n}});\n"
        ));
    }
    big.push_str("app.get('/late', (req, res) => { setInterval(() => res.write('x'), 10); });\n");
    assert!(big.lines().count() >= 20_000);
    let big_uri = s.uri("big.js");
    let small_uri = s.uri("small.js");
    s.client.open(&small_uri, "javascript", "const x = 1;\n");
    s.client.diagnostics(&small_uri);

    s.client.open(&big_uri, "javascript", &big);
    let id = s.client.start_request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": small_uri },
            "range": { "start": pos(0, 0), "end": pos(0, 1) },
            "context": { "diagnostics": [] },
        }),
    );
    // The answer comes first; the big file's diagnostics after it.
    let first = s.client.wait_for("response or diagnostics", |m| {
        m["id"] == json!(id) || m["params"]["uri"] == big_uri.as_str()
    });
    assert_eq!(first["id"], json!(id), "{first:#}");
    let published = s.client.diagnostics(&big_uri);
    assert_eq!(items(&published).len(), 1);
    assert_eq!(items(&published)[0]["range"]["start"]["line"], 20_002);
}

#[test]
fn malformed_input_and_unknown_methods_get_errors_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::spawn(Path::new(BIN), dir.path());

    // Before initialize.
    let early = client.request("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    client.initialize(plain(), Value::Null);

    // A header that is not one, then a body that is not JSON.
    client.send_raw(b"Content-Length: lots\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let parse_error = client.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    // JSON that is not JSON-RPC.
    client.send(&json!({ "jsonrpc": "2.0", "id": 41, "params": [] }));
    let invalid = client.response(41);
    assert_eq!(invalid["error"]["code"], -32600);
    // Unknown methods: requests fail, notifications are ignored.
    let unknown = client.request("leaklint/teleport", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let dollar = client.request("$/unknownRequest", json!({}));
    assert_eq!(dollar["error"]["code"], -32601);
    client.notify("$/unknownNotification", json!({}));
    client.notify("workspace/somethingNew", json!({ "x": 1 }));
    // Bad parameters to a known method.
    let bad = client.request("textDocument/codeAction", json!({ "textDocument": 5 }));
    assert_eq!(bad["error"]["code"], -32602);
    client.notify("textDocument/didOpen", json!({ "textDocument": "nope" }));

    // Still serving.
    let uri = file_uri(&dir.path().join("a.js"));
    client.open(&uri, "javascript", LEAKY);
    assert_eq!(items(&client.diagnostics(&uri)).len(), 1);
    let second_initialize = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(second_initialize["error"]["code"], -32600);
}

#[test]
fn shutdown_then_exit_ends_with_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::spawn(Path::new(BIN), dir.path());
    client.initialize(plain(), Value::Null);
    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    assert!(shutdown.get("error").is_none());
    let after = client.request("textDocument/diagnostic", json!({}));
    assert_eq!(after["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_or_lost_input_ends_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::spawn(Path::new(BIN), dir.path());
    client.initialize(plain(), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    let mut client = Client::spawn(Path::new(BIN), dir.path());
    client.initialize(plain(), Value::Null);
    client.close_input();
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn the_server_reports_what_the_command_line_reports() {
    let (mut s, _) = Session::start(plain(), Value::Null);
    let source = service_source::service_source(5_000);
    let path = s.path("service.js");
    std::fs::write(&path, &source).unwrap();

    let output = std::process::Command::new(BIN)
        .args(["-f", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut from_cli: Vec<(u64, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap() - 1,
                d["column"].as_u64().unwrap() - 1,
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    let uri = s.uri("service.js");
    s.client.open(&uri, "javascript", &source);
    let published = s.client.diagnostics(&uri);
    let mut from_server: Vec<(u64, u64, String)> = items(&published)
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    from_cli.sort();
    from_server.sort();
    assert!(from_cli.len() > 100, "the generated service has findings");
    assert_eq!(from_server, from_cli);
}

/// A bundle on one line, 5 MB long, with a leak at its start, middle and end: each is published
/// at its UTF-16 column, far past what fits in 16 bits.
#[test]
fn findings_on_a_five_megabyte_line_are_published_where_they_are() {
    let leak = "app.get('/s', (req, res) => { setInterval(() => res.write('.'), 1000); });";
    let filler = "var a=1;".repeat(320_000);
    let text = format!("{leak}{filler}{leak}{filler}{leak}\n");
    let expected: Vec<u64> = text
        .match_indices("setInterval")
        .map(|(at, _)| at as u64)
        .collect();
    assert!(expected[2] > 5_000_000);

    let (mut s, _) = Session::start(plain(), Value::Null);
    let uri = s.uri("bundle.js");
    s.client.open(&uri, "javascript", &text);
    let published = s.client.diagnostics(&uri);
    let starts: Vec<Value> = items(&published)
        .iter()
        .map(|d| d["range"]["start"].clone())
        .collect();
    let wanted: Vec<Value> = expected.iter().map(|&c| pos(0, c)).collect();
    assert_eq!(starts, wanted);
}
