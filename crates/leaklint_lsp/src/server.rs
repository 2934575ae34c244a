//! The server: one thread owns every document and answers every message; linting runs on a
//! pool of analysis threads, so that a 20,000-line file never delays an answer. Results of an
//! older version of a document, or of an older configuration, are dropped.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use crossbeam_channel::{select, Receiver, Sender};
use leaklint_diagnostics::LineIndex;
use leaklint_linter::{discovery, ConfigResolver, FileSetup, LintOptions};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    notification::{self as notif, Notification as _},
    request::{self as req, Request as _},
    CodeActionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FullDocumentDiagnosticReport, MessageType, PublishDiagnosticsParams,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
    UnchangedDocumentDiagnosticReport, Uri,
};
use serde_json::Value;

use crate::{
    actions,
    convert::{self, Encoding, Text},
    transport::{Incoming, Outgoing},
};

/// How long typing must pause before a document is linted again (push mode, `onType`).
const DEBOUNCE: Duration = Duration::from_millis(50);

/// When documents are linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// As the text changes (debounced).
    OnType,
    /// When the document is opened and saved.
    OnSave,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Settings {
    enable: bool,
    run: Run,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enable: true,
            run: Run::OnType,
        }
    }
}

impl Settings {
    /// Reads `{ "enable": bool, "run": "onType" | "onSave" }`, or the same object under a
    /// `leaklint` key; keys that are absent or of the wrong type keep their current value.
    fn updated(self, value: &Value) -> Self {
        let value = value.get("leaklint").unwrap_or(value);
        let mut next = self;
        if let Some(enable) = value.get("enable").and_then(Value::as_bool) {
            next.enable = enable;
        }
        match value.get("run").and_then(Value::as_str) {
            Some("onType") => next.run = Run::OnType,
            Some("onSave") => next.run = Run::OnSave,
            _ => {}
        }
        next
    }
}

/// What the client can do, read from `initialize`.
#[derive(Debug, Default, Clone, Copy)]
struct Client {
    /// It asks for diagnostics (`textDocument/diagnostic`) rather than being sent them.
    pull: bool,
    /// It takes `workspace/diagnostic/refresh`.
    refresh: bool,
    document_changes: bool,
    watch_files: bool,
    configuration: bool,
}

/// One lint of one document version.
struct Linted {
    uri: Uri,
    version: i32,
    generation: u64,
    diagnostics: Vec<lsp_types::Diagnostic>,
}

struct Document {
    /// The file, or a made-up name (`untitled.ts`) that gives the language.
    path: PathBuf,
    /// Whether `path` is a real file (configuration is looked up from it).
    on_disk: bool,
    text: Arc<str>,
    index: Option<Arc<LineIndex>>,
    version: i32,
    /// The latest result of the current configuration, maybe of an older version.
    linted: Option<Linted>,
    /// The version and generation last sent to be linted.
    scheduled: Option<(i32, u64)>,
    /// Tell a pulling client to ask again once the lint under way finishes (after a save).
    refresh_when_linted: bool,
}

impl Document {
    fn index(&mut self) -> Arc<LineIndex> {
        self.index
            .get_or_insert_with(|| Arc::new(LineIndex::new(&self.text)))
            .clone()
    }

    fn result_id(&self, linted: &Linted) -> String {
        format!("{}:{}", linted.generation, linted.version)
    }
}

/// A `textDocument/diagnostic` request waiting for a lint to finish.
struct Waiting {
    id: RequestId,
    uri: Uri,
    previous_result_id: Option<String>,
}

enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

pub struct Server {
    out: Sender<Outgoing>,
    phase: Phase,
    encoding: Encoding,
    client: Client,
    settings: Settings,
    folders: Vec<PathBuf>,
    documents: HashMap<Uri, Document>,
    resolver: ConfigResolver,
    /// Bumped when configuration or settings change: results of older generations are stale.
    generation: u64,
    /// Push mode: documents to lint once typing pauses.
    debounced: HashMap<Uri, Instant>,
    waiting: Vec<Waiting>,
    pool: rayon::ThreadPool,
    results_in: Sender<Linted>,
    results: Receiver<Linted>,
    next_id: i32,
    /// Our `workspace/configuration` request awaiting its answer.
    configuration_request: Option<RequestId>,
    /// Configuration errors already shown, so that each is shown once.
    shown_errors: Vec<String>,
}

impl Server {
    pub fn new(out: Sender<Outgoing>, threads: usize) -> Self {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .stack_size(leaklint_linter::ANALYSIS_STACK_SIZE)
            .thread_name(|i| format!("leaklint-lint-{i}"))
            .build()
            .expect("analysis threads");
        let (results_in, results) = crossbeam_channel::unbounded();
        Self {
            out,
            phase: Phase::Uninitialized,
            encoding: Encoding::Utf16,
            client: Client::default(),
            settings: Settings::default(),
            folders: Vec::new(),
            documents: HashMap::new(),
            resolver: ConfigResolver::default(),
            generation: 0,
            debounced: HashMap::new(),
            waiting: Vec::new(),
            pool,
            results_in,
            results,
            next_id: 0,
            configuration_request: None,
            shown_errors: Vec::new(),
        }
    }

    /// Serves until `exit` or the end of input. Returns the process exit code: 0 after
    /// `shutdown` then `exit`, 1 otherwise (as the specification asks).
    pub fn run(mut self, incoming: &Receiver<Incoming>) -> i32 {
        loop {
            let deadline = self.debounced.values().min().copied();
            let timer = match deadline {
                Some(at) => crossbeam_channel::at(at),
                None => crossbeam_channel::never(),
            };
            select! {
                recv(incoming) -> message => match message {
                    Ok(message) => {
                        if let Some(code) = self.handle(message) {
                            return code;
                        }
                    }
                    // The client went away without `exit`.
                    Err(_) => return i32::from(!matches!(self.phase, Phase::ShuttingDown)),
                },
                recv(self.results) -> linted => {
                    if let Ok(linted) = linted {
                        self.finished(linted);
                    }
                }
                recv(timer) -> _ => self.lint_due(),
            }
        }
    }

    fn handle(&mut self, incoming: Incoming) -> Option<i32> {
        match incoming {
            Incoming::Malformed {
                id,
                code,
                message,
                respond,
            } => {
                self.log(
                    MessageType::WARNING,
                    format!("ignored a malformed message: {message}"),
                );
                if respond {
                    match id {
                        Some(id) => self.send(Response::new_err(id, code as i32, message)),
                        None => {
                            let _ = self.out.send(Outgoing::ErrorWithoutId { code, message });
                        }
                    }
                }
                None
            }
            Incoming::Message(Message::Request(request)) => {
                self.request(request);
                None
            }
            Incoming::Message(Message::Notification(notification)) => {
                self.notification(notification)
            }
            Incoming::Message(Message::Response(response)) => {
                self.response(response);
                None
            }
        }
    }

    // ---- requests ------------------------------------------------------------------------

    fn request(&mut self, request: Request) {
        match self.phase {
            Phase::Uninitialized if request.method != req::Initialize::METHOD => {
                return self.error(
                    request.id,
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized".into(),
                );
            }
            Phase::Running if request.method == req::Initialize::METHOD => {
                return self.error(
                    request.id,
                    ErrorCode::InvalidRequest,
                    "the server is already initialized".into(),
                );
            }
            Phase::ShuttingDown => {
                return self.error(
                    request.id,
                    ErrorCode::InvalidRequest,
                    "the server is shutting down".into(),
                );
            }
            _ => {}
        }
        let id = request.id.clone();
        match request.method.as_str() {
            req::Initialize::METHOD => {
                let result = self.initialize(&request.params);
                self.send(Response::new_ok(id, result));
            }
            req::Shutdown::METHOD => {
                self.phase = Phase::ShuttingDown;
                for waiting in std::mem::take(&mut self.waiting) {
                    self.error(
                        waiting.id,
                        ErrorCode::RequestCanceled,
                        "the server is shutting down".into(),
                    );
                }
                self.send(Response::new_ok(id, Value::Null));
            }
            req::CodeActionRequest::METHOD => match parse::<CodeActionParams>(request.params) {
                Ok(params) => {
                    let actions = self.code_actions(&params);
                    self.send(Response::new_ok(id, actions));
                }
                Err(message) => self.error(id, ErrorCode::InvalidParams, message),
            },
            req::DocumentDiagnosticRequest::METHOD => {
                match parse::<DocumentDiagnosticParams>(request.params) {
                    Ok(params) => self.pull(id, params),
                    Err(message) => self.error(id, ErrorCode::InvalidParams, message),
                }
            }
            method => self.error(
                id,
                ErrorCode::MethodNotFound,
                format!("leaklint does not handle {method}"),
            ),
        }
    }

    fn initialize(&mut self, params: &Value) -> Value {
        let capabilities = &params["capabilities"];
        let flag = |pointer: &str| capabilities.pointer(pointer) == Some(&Value::Bool(true));
        self.client = Client {
            pull: capabilities
                .pointer("/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/workspace/diagnostics/refreshSupport"),
            document_changes: flag("/workspace/workspaceEdit/documentChanges"),
            watch_files: flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
            configuration: flag("/workspace/configuration"),
        };
        let offers_utf8 = capabilities
            .pointer("/general/positionEncodings")
            .and_then(Value::as_array)
            .is_some_and(|kinds| kinds.iter().any(|k| k == "utf-8"));
        self.encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        if let Some(options) = params.get("initializationOptions") {
            self.settings = self.settings.updated(options);
        }
        self.folders = workspace_folders(params);
        self.phase = Phase::Running;

        let mut capabilities = serde_json::json!({
            "positionEncoding": self.encoding.kind(),
            "textDocumentSync": {
                "openClose": true,
                "change": lsp_types::TextDocumentSyncKind::FULL,
                "save": { "includeText": false },
            },
            "codeActionProvider": {
                "codeActionKinds": [lsp_types::CodeActionKind::QUICKFIX],
                "resolveProvider": false,
            },
            "workspace": {
                "workspaceFolders": { "supported": true, "changeNotifications": true },
            },
        });
        if self.client.pull {
            capabilities["diagnosticProvider"] = serde_json::json!({
                "identifier": "leaklint",
                "interFileDependencies": false,
                "workspaceDiagnostics": false,
            });
        }
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "leaklint", "version": env!("CARGO_PKG_VERSION") },
        })
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let encoding = self.encoding;
        let document_changes = self.client.document_changes;
        let Some(document) = self.documents.get_mut(uri) else {
            return Vec::new();
        };
        let index = document.index();
        // The client says which diagnostics it shows in the range (positions as it tracks
        // them); without that, our own latest result for this exact version.
        let fallback;
        let diagnostics: &[lsp_types::Diagnostic] = if params.context.diagnostics.is_empty() {
            fallback = document
                .linted
                .as_ref()
                .filter(|l| l.version == document.version)
                .map(|l| {
                    l.diagnostics
                        .iter()
                        .filter(|d| overlaps(d.range, params.range))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            &fallback
        } else {
            &params.context.diagnostics
        };
        let target = actions::Target {
            uri,
            version: document.version,
            text: Text {
                source: &document.text,
                index: &index,
                encoding,
            },
            document_changes,
        };
        actions::disable_actions(&target, diagnostics)
    }

    fn pull(&mut self, id: RequestId, params: DocumentDiagnosticParams) {
        let uri = params.text_document.uri;
        let waiting = Waiting {
            id,
            uri: uri.clone(),
            previous_result_id: params.previous_result_id,
        };
        if !self.settings.enable || !self.documents.contains_key(&uri) {
            return self.answer_pull(waiting);
        }
        if self.fresh_result(&uri) {
            return self.answer_pull(waiting);
        }
        self.waiting.push(waiting);
        self.lint(&uri);
    }

    /// Whether the document's latest result can answer a pull: of the current version when
    /// linting as you type, of any version when linting on save.
    fn fresh_result(&self, uri: &Uri) -> bool {
        let Some(document) = self.documents.get(uri) else {
            return true;
        };
        document.linted.as_ref().is_some_and(|linted| {
            linted.generation == self.generation
                && (self.settings.run == Run::OnSave || linted.version == document.version)
        })
    }

    /// Answers every pull waiting for a document, with what is known of it now.
    fn answer_waiting(&mut self, uri: &Uri) {
        let (ready, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| w.uri == *uri);
        self.waiting = keep;
        for waiting in ready {
            self.answer_pull(waiting);
        }
    }

    fn answer_pull(&mut self, waiting: Waiting) {
        let enable = self.settings.enable;
        let (result_id, items) = match self.documents.get(&waiting.uri) {
            Some(document) if enable => match &document.linted {
                Some(linted) => (Some(document.result_id(linted)), linted.diagnostics.clone()),
                None => (None, Vec::new()),
            },
            _ => (None, Vec::new()),
        };
        let report = if result_id.is_some() && result_id == waiting.previous_result_id {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: result_id.unwrap_or_default(),
                },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
            })
        };
        self.send(Response::new_ok(
            waiting.id,
            DocumentDiagnosticReportResult::Report(report),
        ));
    }

    // ---- notifications -------------------------------------------------------------------

    fn notification(&mut self, notification: Notification) -> Option<i32> {
        if notification.method == notif::Exit::METHOD {
            return Some(i32::from(!matches!(self.phase, Phase::ShuttingDown)));
        }
        if !matches!(self.phase, Phase::Running) {
            // Before `initialize` and after `shutdown`, notifications are dropped.
            return None;
        }
        let method = notification.method.clone();
        let outcome = match method.as_str() {
            notif::Initialized::METHOD => {
                self.initialized();
                Ok(())
            }
            notif::DidOpenTextDocument::METHOD => {
                parse(notification.params).map(|p| self.did_open(p))
            }
            notif::DidChangeTextDocument::METHOD => {
                parse(notification.params).map(|p| self.did_change(p))
            }
            notif::DidSaveTextDocument::METHOD => {
                parse(notification.params).map(|p| self.did_save(p))
            }
            notif::DidCloseTextDocument::METHOD => {
                parse(notification.params).map(|p| self.did_close(p))
            }
            notif::DidChangeWatchedFiles::METHOD => {
                parse(notification.params).map(|p| self.watched_files_changed(&p))
            }
            notif::DidChangeConfiguration::METHOD => {
                self.configuration_changed(&notification.params["settings"]);
                Ok(())
            }
            notif::DidChangeWorkspaceFolders::METHOD => {
                self.folders_changed(&notification.params);
                Ok(())
            }
            // `$/cancelRequest` matters for pulls that wait; other `$/` notifications may be
            // ignored, as may any notification a server does not know.
            notif::Cancel::METHOD => {
                self.cancel(&notification.params["id"]);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(message) = outcome {
            self.log(MessageType::WARNING, format!("ignored {method}: {message}"));
        }
        None
    }

    fn initialized(&mut self) {
        if self.client.watch_files {
            let registration = serde_json::json!({
                "registrations": [{
                    "id": "leaklint-config-files",
                    "method": notif::DidChangeWatchedFiles::METHOD,
                    "registerOptions": {
                        "watchers": [{ "globPattern": format!("**/{}", leaklint_linter::CONFIG_FILE_NAME) }],
                    },
                }],
            });
            self.send_request(req::RegisterCapability::METHOD, registration);
        }
        if self.client.configuration {
            self.ask_configuration();
        }
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let (path, on_disk) = match convert::file_path(&item.uri) {
            Some(path) => (path, true),
            None => (untitled_path(&item.language_id, &self.folders), false),
        };
        let document = Document {
            path,
            on_disk,
            text: Arc::from(item.text),
            index: None,
            version: item.version,
            linted: None,
            scheduled: None,
            refresh_when_linted: false,
        };
        let uri = item.uri;
        self.documents.insert(uri.clone(), document);
        // Configuration files may have changed while no watcher was looking.
        self.resolver = ConfigResolver::default();
        if !self.client.pull {
            self.lint(&uri);
        }
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(document) = self.documents.get_mut(&uri) else {
            return;
        };
        // Full sync: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else {
            return;
        };
        document.text = Arc::from(change.text);
        document.index = None;
        document.version = params.text_document.version;
        if !self.client.pull && self.settings.run == Run::OnType && self.settings.enable {
            self.debounced.insert(uri, Instant::now() + DEBOUNCE);
        }
    }

    fn did_save(&mut self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(document) = self.documents.get_mut(&uri) else {
            return;
        };
        self.resolver = ConfigResolver::default();
        if self.settings.run == Run::OnSave {
            // A fresh result for the saved text; a pulling client is told to ask again.
            document.refresh_when_linted = self.client.pull;
            self.lint(&uri);
        } else if !self.client.pull {
            self.debounced.remove(&uri);
            self.lint(&uri);
        }
    }

    fn did_close(&mut self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.debounced.remove(&uri);
        let was_open = self.documents.remove(&uri).is_some();
        // Pulls waiting for it get what a closed document has: nothing.
        self.answer_waiting(&uri);
        if was_open && !self.client.pull {
            self.publish(uri, Vec::new(), None);
        }
    }

    fn watched_files_changed(&mut self, params: &DidChangeWatchedFilesParams) {
        let touches_config = params.changes.iter().any(|change| {
            convert::file_path(&change.uri).is_some_and(|path| {
                path.file_name()
                    .is_some_and(|name| name == leaklint_linter::CONFIG_FILE_NAME)
            })
        });
        if touches_config {
            self.resolver = ConfigResolver::default();
            self.shown_errors.clear();
            self.relint_all();
        }
    }

    fn configuration_changed(&mut self, settings: &Value) {
        if settings.is_null() || settings.as_object().is_some_and(serde_json::Map::is_empty) {
            // The client expects to be asked (`workspace/configuration`).
            if self.client.configuration {
                self.ask_configuration();
            }
            return;
        }
        self.apply_settings(settings);
    }

    fn apply_settings(&mut self, value: &Value) {
        let next = self.settings.updated(value);
        if next == self.settings {
            return;
        }
        self.settings = next;
        self.relint_all();
    }

    fn folders_changed(&mut self, params: &Value) {
        let uris = |key: &str| -> Vec<PathBuf> {
            params
                .pointer(&format!("/event/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| f["uri"].as_str()?.parse::<Uri>().ok())
                .filter_map(|uri| convert::file_path(&uri))
                .collect()
        };
        let removed = uris("removed");
        self.folders.retain(|f| !removed.contains(f));
        self.folders.extend(uris("added"));
    }

    fn cancel(&mut self, id: &Value) {
        let Ok(id) = serde_json::from_value::<RequestId>(id.clone()) else {
            return;
        };
        if let Some(at) = self.waiting.iter().position(|w| w.id == id) {
            let waiting = self.waiting.remove(at);
            self.error(waiting.id, ErrorCode::RequestCanceled, "canceled".into());
        }
    }

    fn response(&mut self, response: Response) {
        if self.configuration_request.as_ref() == Some(&response.id) {
            self.configuration_request = None;
            if let Ok(Value::Array(sections)) = response.response_result {
                if let Some(section) = sections.first().filter(|s| s.is_object()) {
                    self.apply_settings(section);
                }
            }
        }
        // Other responses (to `client/registerCapability`, `workspace/diagnostic/refresh`)
        // need nothing.
    }

    fn ask_configuration(&mut self) {
        let id = self.send_request(
            req::WorkspaceConfiguration::METHOD,
            serde_json::json!({ "items": [{ "section": "leaklint" }] }),
        );
        self.configuration_request = Some(id);
    }

    // ---- linting -------------------------------------------------------------------------

    /// Everything must be looked at again: configuration or settings changed.
    fn relint_all(&mut self) {
        self.generation += 1;
        self.debounced.clear();
        if self.client.pull {
            if self.client.refresh {
                self.send_request(req::WorkspaceDiagnosticRefresh::METHOD, Value::Null);
            }
            return;
        }
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            if self.settings.enable {
                self.lint(&uri);
            } else {
                self.publish(uri, Vec::new(), None);
            }
        }
    }

    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .debounced
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.debounced.remove(&uri);
            self.lint(&uri);
        }
    }

    /// Lints the document's current version unless that is already under way. Files that are
    /// ignored or governed by a broken configuration get their result at once.
    fn lint(&mut self, uri: &Uri) {
        if !self.settings.enable {
            return;
        }
        let generation = self.generation;
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        let key = (document.version, generation);
        if document.scheduled == Some(key) {
            return;
        }
        document.scheduled = Some(key);
        let path = document.path.clone();
        let text = document.text.clone();
        let version = document.version;

        let setup = if !discovery::is_lintable_name(&path) {
            FileSetup::Ignored
        } else if document.on_disk || !self.folders.is_empty() {
            self.resolver
                .setup(&leaklint_linter::config::absolute(&path))
        } else {
            FileSetup::Lint(leaklint_linter::FileConfig::defaults())
        };
        let config = match setup {
            FileSetup::Lint(config) => config,
            FileSetup::Ignored => {
                return self.finished(Linted {
                    uri: uri.clone(),
                    version,
                    generation,
                    diagnostics: Vec::new(),
                });
            }
            FileSetup::BrokenConfig(error) => {
                let message = format!("leaklint cannot use {error}; this file is not linted");
                if !self.shown_errors.contains(&message) {
                    self.shown_errors.push(message.clone());
                    self.show(MessageType::ERROR, message.clone());
                }
                let diagnostic = lsp_types::Diagnostic {
                    severity: Some(lsp_types::DiagnosticSeverity::ERROR),
                    code: Some(lsp_types::NumberOrString::String("config-error".into())),
                    source: Some("leaklint".into()),
                    message,
                    ..lsp_types::Diagnostic::default()
                };
                return self.finished(Linted {
                    uri: uri.clone(),
                    version,
                    generation,
                    diagnostics: vec![diagnostic],
                });
            }
        };

        let encoding = self.encoding;
        let results = self.results_in.clone();
        let uri = uri.clone();
        self.pool.spawn(move || {
            let report =
                leaklint_linter::lint_source(&path, text.clone(), &config, LintOptions::default());
            let index = report
                .line_index
                .clone()
                .unwrap_or_else(|| Arc::new(LineIndex::new("")));
            let view = Text {
                source: report.source.as_deref().unwrap_or(""),
                index: &index,
                encoding,
            };
            let diagnostics = report
                .diagnostics
                .iter()
                .map(|found| convert::diagnostic(found, &view, &uri))
                .collect();
            let _ = results.send(Linted {
                uri,
                version,
                generation,
                diagnostics,
            });
        });
    }

    fn finished(&mut self, linted: Linted) {
        let uri = linted.uri.clone();
        let Some(document) = self.documents.get_mut(&uri) else {
            return;
        };
        if document.scheduled == Some((linted.version, linted.generation)) {
            document.scheduled = None;
        }
        if linted.generation != self.generation || linted.version != document.version {
            // Stale. A newer lint is due already (debounced or scheduled), unless a pull
            // waits for one.
            if self.waiting.iter().any(|w| w.uri == uri) {
                self.lint(&uri);
            }
            return;
        }
        let version = linted.version;
        let published = (!self.client.pull).then(|| linted.diagnostics.clone());
        document.linted = Some(linted);
        let refresh = std::mem::take(&mut document.refresh_when_linted);
        if let Some(diagnostics) = published {
            self.publish(uri.clone(), diagnostics, Some(version));
        }
        if refresh && self.client.refresh {
            // A pulling client sees a result it did not ask for only when it asks again.
            self.send_request(req::WorkspaceDiagnosticRefresh::METHOD, Value::Null);
        }
        self.answer_waiting(&uri);
    }

    // ---- output --------------------------------------------------------------------------

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            notif::PublishDiagnostics::METHOD.to_string(),
            params,
        ));
    }

    fn send(&self, message: impl Into<Message>) {
        // The writer is gone only when the client is: the reader will see the end of input.
        let _ = self.out.send(Outgoing::Message(message.into()));
    }

    fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(format!("leaklint-{}", self.next_id));
        self.send(Request::new(id.clone(), method.to_string(), params));
        id
    }

    fn error(&self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Response::new_err(id, code as i32, message));
    }

    fn log(&self, kind: MessageType, message: String) {
        self.send(Notification::new(
            notif::LogMessage::METHOD.to_string(),
            lsp_types::LogMessageParams { typ: kind, message },
        ));
    }

    fn show(&self, kind: MessageType, message: String) {
        self.send(Notification::new(
            notif::ShowMessage::METHOD.to_string(),
            lsp_types::ShowMessageParams { typ: kind, message },
        ));
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|e| format!("invalid parameters: {e}"))
}

fn overlaps(a: lsp_types::Range, b: lsp_types::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn workspace_folders(params: &Value) -> Vec<PathBuf> {
    let from_folders = params["workspaceFolders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["uri"].as_str());
    let from_root = params["rootUri"].as_str();
    from_folders
        .chain(from_root)
        .filter_map(|uri| uri.parse::<Uri>().ok())
        .filter_map(|uri| convert::file_path(&uri))
        .fold(Vec::new(), |mut folders, folder| {
            if !folders.contains(&folder) {
                folders.push(folder);
            }
            folders
        })
}

/// A buffer that is not a file yet: its language decides how it parses, and the first
/// workspace folder's configuration applies.
fn untitled_path(language_id: &str, folders: &[PathBuf]) -> PathBuf {
    let extension = match language_id {
        "typescript" => "ts",
        "typescriptreact" => "tsx",
        "javascriptreact" => "jsx",
        _ => "js",
    };
    let name = format!("untitled.{extension}");
    match folders.first() {
        Some(folder) => folder.join(name),
        None => Path::new(&name).to_path_buf(),
    }
}
