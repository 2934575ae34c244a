import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  type DocumentSelector,
  type ErrorHandler,
  type Executable,
  type LanguageClientOptions,
} from 'vscode-languageclient/node';

import {
  type ServerLocation,
  describeLocation,
  locateServer,
  resolveExecutable,
} from './serverPath';

/** The settings section; also the client id, so `leaklint.trace.server` is picked up. */
const SECTION = 'leaklint';
const NAME = 'leaklint';

const LANGUAGES = ['javascript', 'javascriptreact', 'typescript', 'typescriptreact'] as const;
const SCHEMES = ['file', 'untitled'] as const;

const DOCUMENT_SELECTOR: DocumentSelector = LANGUAGES.flatMap((language) =>
  SCHEMES.map((scheme) => ({ language, scheme })),
);

const INSTALL_HINT =
  'Install leaklint with `cargo install --git https://github.com/leaklint/leaklint` ' +
  '(or `cargo install --path .` in a leaklint checkout), ' +
  'or set the leaklint.path setting to the leaklint binary.';

type RunMode = 'onType' | 'onSave';

/** What the server receives as `initializationOptions`. */
interface InitializationOptions {
  enable: boolean;
  run: RunMode;
}

let output: vscode.OutputChannel | undefined;
let client: LanguageClient | undefined;
/** Starts and stops run one after the other, never interleaved. */
let queue: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

function log(message: string): void {
  output?.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readInitializationOptions(config: vscode.WorkspaceConfiguration): InitializationOptions {
  const run = config.get<string>('run', 'onType');
  return {
    enable: config.get<boolean>('enable', true),
    run: run === 'onSave' ? 'onSave' : 'onType',
  };
}

/** The first workspace folder, when it is on disk. */
function workspaceRoot(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder !== undefined && folder.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

async function showStartError(detail: string): Promise<void> {
  const openSettings = 'Open Settings';
  const showOutput = 'Show Output';
  const choice = await vscode.window.showErrorMessage(
    `Could not start the leaklint language server: ${detail}. ${INSTALL_HINT}`,
    openSettings,
    showOutput,
  );
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'leaklint.path');
  } else if (choice === showOutput) {
    output?.show(true);
  }
}

async function startClient(): Promise<void> {
  if (output === undefined) {
    return;
  }
  const config = vscode.workspace.getConfiguration(SECTION);
  const configuredPath = config.get<string>('path', '');
  const location: ServerLocation = locateServer(configuredPath, workspaceRoot());
  const command = resolveExecutable(location);
  if (command === undefined) {
    const detail = describeLocation(location);
    log(`Could not start the server: ${detail}.`);
    void showStartError(detail);
    return;
  }

  // No `transport` here: with `TransportKind.stdio` the client would append `--stdio` to the
  // arguments. Without it, the client still talks to the server over stdin/stdout.
  const server: Executable = { command, args: ['lsp'] };

  // A server that dies before it has answered `initialize` (say, a leaklint too old to have the
  // `lsp` command) is not restarted over and over: it is reported once, with the install hint.
  // Once running, crashes are handled as usual (restarted, up to 4 times in 3 minutes).
  let usual: ErrorHandler | undefined;
  const errorHandler: ErrorHandler = {
    error: (error, message, count) => {
      if (!next.isRunning()) {
        return { action: ErrorAction.Continue, handled: true };
      }
      usual ??= next.createDefaultErrorHandler();
      return usual.error(error, message, count);
    },
    closed: () => {
      if (!next.isRunning()) {
        if (next === client) {
          void showStartError(
            `"${command} lsp" exited before the language server started (what it printed is in the leaklint output)`,
          );
        }
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      usual ??= next.createDefaultErrorHandler();
      return usual.closed();
    },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    initializationOptions: readInitializationOptions(config),
    // Sends `workspace/didChangeConfiguration` with `{ settings: { leaklint: { ... } } }` when
    // any leaklint setting changes. The server watches `.leaklintrc.json` itself.
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        didChangeConfiguration: (sections, send) => {
          // When `leaklint.path` changed, this client is about to be replaced and the new server
          // gets the settings at `initialize`: sending to this one would race its shutdown.
          const pathNow = vscode.workspace.getConfiguration(SECTION).get<string>('path', '');
          if (next !== client || !next.isRunning() || pathNow !== configuredPath) {
            return Promise.resolve();
          }
          return send(sections);
        },
      },
    },
    errorHandler,
    initializationFailedHandler: (error) => {
      log(`The server failed to initialize: ${errorText(error)}`);
      return false;
    },
    outputChannel: output,
  };

  const next: LanguageClient = new LanguageClient(
    SECTION,
    NAME,
    { run: server, debug: server },
    clientOptions,
  );
  client = next;
  log(`Starting ${command} lsp`);
  try {
    await next.start();
  } catch (error) {
    log(`Could not start the server ${command}: ${errorText(error)}`);
    // The client rejects with a plain string when the process could not be spawned at all.
    // (A process that started and then exited is reported by `errorHandler.closed`.)
    if (typeof error === 'string') {
      void showStartError(`"${command}" could not be run (${error})`);
    }
  }
}

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) {
    return;
  }
  try {
    await current.dispose();
  } catch (error) {
    // A client that never got running cannot be stopped; disposing it is still right.
    log(`Stopping the server: ${errorText(error)}`);
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(NAME);
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('leaklint.restart', () => enqueue(restartClient)),
    vscode.commands.registerCommand('leaklint.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // `enable` and `run` reach the running server through `synchronize`; a new binary needs a
      // new process.
      if (event.affectsConfiguration(`${SECTION}.path`)) {
        void enqueue(restartClient);
      }
    }),
  );
  await enqueue(startClient);
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}
