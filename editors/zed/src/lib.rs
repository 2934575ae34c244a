//! Registers `leaklint lsp` with Zed for JavaScript, TypeScript and TSX. The binary comes from
//! the `lsp.leaklint.binary` setting, else from `PATH`; `lsp.leaklint.initialization_options`
//! and `lsp.leaklint.settings` pass through to the server.

use zed_extension_api::{self as zed, serde_json::Value, settings::LspSettings};

const SERVER: &str = "leaklint";

struct Leaklint;

impl zed::Extension for Leaklint {
    fn new() -> Self {
        Leaklint
    }

    fn language_server_command(
        &mut self,
        _id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which(SERVER))
            .ok_or_else(|| {
                "leaklint is not on PATH: install it (`cargo install --git \
                 https://github.com/leaklint/leaklint`) or set lsp.leaklint.binary.path"
                    .to_string()
            })?;
        let args = binary
            .and_then(|b| b.arguments)
            .unwrap_or_else(|| vec!["lsp".to_string()]);
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings)
            .map(|settings| zed::serde_json::json!({ "leaklint": settings })))
    }
}

zed::register_extension!(Leaklint);
