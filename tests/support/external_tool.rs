//! End-to-end tests that need a program from outside Rust (Neovim, pre-commit).

use std::process::Command;

/// Whether `program` can be run. When `require_var` is `1` (CI sets it after installing the
/// program) its absence fails the test; otherwise the test is skipped with a message.
pub fn available(program: &str, require_var: &str) -> bool {
    let runs = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        let required = std::env::var_os(require_var).is_some_and(|v| v == "1");
        assert!(!required, "{require_var}=1 but `{program}` cannot be run");
        eprintln!("skipped: `{program}` is not installed");
    }
    runs
}
