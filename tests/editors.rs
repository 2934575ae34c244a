//! Clients nobody on the project wrote, against the built `leaklint lsp`.
//!
//! Neovim's built-in LSP client runs headless. `.ci/run` installs Neovim and sets
//! `LEAKLINT_REQUIRE_NVIM=1`, so there the test cannot be skipped; on a machine without
//! `nvim` it says so and passes.

#[path = "support/external_tool.rs"]
mod external_tool;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");

const LEAKY: &str = "const express = require('express');
const app = express();
app.get('/events', (req, res) => {
  setInterval(() => res.write('x'), 1000);
});
";

#[test]
fn neovim_builtin_client_gets_diagnostics_and_the_disable_action() {
    if !external_tool::available("nvim", "LEAKLINT_REQUIRE_NVIM") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.js");
    std::fs::write(&file, LEAKY).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/nvim_client.lua");
    let output = Command::new("nvim")
        .args(["--headless", "-n", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {script}"))
        .env("LEAKLINT_BIN", BIN)
        .env("LEAKLINT_FILE", &file)
        .current_dir(dir.path())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stdout.contains("FAIL"),
        "neovim client failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for step in [
        "ok one diagnostic for the leaky file",
        "ok the disable action is offered",
        "ok the disable comment clears the diagnostic",
        "ok fixing the text clears the diagnostic",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
}
