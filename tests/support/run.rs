//! Running the built binary from the end-to-end tests, the one way every test file does it.

use std::{
    path::Path,
    process::{Command, Output},
};

use serde_json::Value;

/// Runs `leaklint args` in `dir`, with `env` set and colour left to the output's own choice.
/// Being killed by a signal (a stack overflow, an abort) fails the test on the spot.
pub fn leaklint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leaklint"));
    command.args(args).current_dir(dir).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.code().is_some(),
        "leaklint was killed by a signal: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The JSON report on standard output.
pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// Writes `content` to `dir/name`, making the directories on the way.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}
