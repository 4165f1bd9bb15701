// `meshlint --lsp`: the Language Server Protocol over standard input and output. Open YAML and JSON documents are
// linted as they are typed, against the workspace folder's graph (as --context does); quick fixes are the rules'
// own fixes and a suppression comment; hover explains the rule. The protocol lives here; the workspace model in
// workspace.ts; what a finding becomes in the editor in diagnostics.ts.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/run.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { codeActionsFor, hoverFor, toDiagnostic } from './diagnostics.js';
import { Workspace } from './workspace.js';
import { appendAll } from '../arrays.js';

export interface LanguageServerOptions {
  readonly cwd: string;
  readonly workerUrl?: URL;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
}

/** After the last edit, how long to wait before every open document is linted again (with the kept graph). */
const REFRESH_DELAY_MS = 400;
/** ... and before they are linted on a graph built afresh (every index rebuilt: the longer pause it needs). */
const REBUILD_DELAY_MS = 3000;

/** Runs until the client says exit; resolves to the process exit code. */
export function runLanguageServer(options: LanguageServerOptions): Promise<number> {
  const connection = createConnection(
    new StreamMessageReader(options.input ?? process.stdin),
    new StreamMessageWriter(options.output ?? process.stdout),
  );
  const server = new MeshlintServer(connection, options);
  server.listen();
  return new Promise((resolve) => {
    connection.onExit(() => resolve(server.shutdownRequested ? 0 : 1));
  });
}

class MeshlintServer {
  readonly #connection: Connection;
  readonly #documents = new TextDocuments(TextDocument);
  readonly #options: LanguageServerOptions;
  #workspace?: Workspace;
  #ready?: Promise<void>;
  /** The findings last published, by document URI (code actions and hover answer from them). */
  readonly #findings = new Map<string, readonly Finding[]>();
  #refreshTimer?: NodeJS.Timeout;
  #rebuildTimer?: NodeJS.Timeout;
  #configUris = new Set<string>();
  #watching = false;
  shutdownRequested = false;

  constructor(connection: Connection, options: LanguageServerOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  listen(): void {
    const c = this.#connection;
    c.onInitialize((params) => this.#initialize(params));
    c.onInitialized(() => {
      if (this.#watching) {
        void c.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{yaml,yml,json}' }, { globPattern: '**/.meshlint.{yaml,yml}' }],
        });
      }
    });
    c.onShutdown(() => {
      this.shutdownRequested = true;
      clearTimeout(this.#refreshTimer);
      clearTimeout(this.#rebuildTimer);
    });
    this.#documents.onDidOpen(({ document }) => this.#guard(this.#edited(document)));
    this.#documents.onDidChangeContent(({ document }) => this.#guard(this.#edited(document)));
    this.#documents.onDidClose(({ document }) => this.#guard(this.#closed(document)));
    c.onDidChangeWatchedFiles(({ changes }) => this.#guard(this.#watched(changes)));
    c.onCodeAction(({ textDocument, range, context }) => {
      const document = this.#documents.get(textDocument.uri);
      if (!document) return [];
      const findings = this.#findings.get(textDocument.uri) ?? [];
      const actions: CodeAction[] = [];
      for (const diagnostic of context.diagnostics) {
        const finding = findings.find(
          (f) => f.fingerprint === (diagnostic.data as { fingerprint?: string } | undefined)?.fingerprint,
        );
        if (finding) appendAll(actions, codeActionsFor(document, finding, diagnostic));
      }
      if (context.diagnostics.length === 0) {
        // Asked for a range without diagnostics (a lightbulb menu): the findings that overlap it.
        for (const f of findings) {
          if (f.suppression || !overlaps(f, range)) continue;
          appendAll(actions, codeActionsFor(document, f, toDiagnostic(f, this.#workspace!)));
        }
      }
      return actions;
    });
    c.onHover(({ textDocument, position }) => {
      const findings = this.#findings.get(textDocument.uri) ?? [];
      return hoverFor(findings, position, this.#workspace?.rules ?? []);
    });
    this.#documents.listen(c);
    c.listen();
  }

  /** A failure is logged to the client and the server carries on (the next edit starts afresh). */
  #guard(work: Promise<void>): void {
    work.catch((error: unknown) => {
      this.#connection.console.error(
        `${TOOL_NAME}: internal error: ${(error as Error)?.stack ?? error}. Please report it.`,
      );
    });
  }

  async #watched(changes: readonly { uri: string }[]): Promise<void> {
    const workspace = await this.#load();
    let config = false;
    for (const change of changes) {
      const path = pathOf(change.uri);
      if (!path) continue;
      if (workspace.isConfigFile(path)) config = true;
      else workspace.diskChanged(path);
    }
    if (config) await this.#reloadConfig();
    this.#scheduleRefresh(0);
  }

  #initialize(params: InitializeParams): InitializeResult {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const root = (folder && pathOf(folder)) ?? params.rootPath ?? this.#options.cwd;
    this.#workspace = new Workspace({ root, workerUrl: this.#options.workerUrl });
    this.#watching = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    // Parsing the workspace starts now; documents opened meanwhile wait for it.
    this.#ready = this.#workspace.load().catch((error: unknown) => {
      this.#connection.console.error(
        `${TOOL_NAME}: could not read the workspace: ${(error as Error)?.message ?? error}`,
      );
    });
    void this.#ready.then(() => this.#publishConfigProblem());
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
      },
      serverInfo: { name: TOOL_NAME, version: VERSION },
    };
  }

  async #load(): Promise<Workspace> {
    await this.#ready;
    return this.#workspace!;
  }

  async #edited(document: TextDocument): Promise<void> {
    const workspace = await this.#load();
    const path = pathOf(document.uri);
    // The version may have moved on while the workspace loaded: lint only the newest text.
    if (!path || this.#documents.get(document.uri)?.version !== document.version) return;
    if (workspace.isConfigFile(path)) return; // read from disk when saved (didChangeWatchedFiles)
    if (!workspace.setText(path, document.getText())) return;
    this.#publish(document.uri, workspace.lint([path]).findings, document.version);
    this.#scheduleRefresh(REFRESH_DELAY_MS);
  }

  async #closed(document: TextDocument): Promise<void> {
    const workspace = await this.#load();
    const path = pathOf(document.uri);
    if (path) workspace.setText(path, undefined);
    this.#findings.delete(document.uri);
    void this.#connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    this.#scheduleRefresh(REFRESH_DELAY_MS);
  }

  /**
   * An edit can change findings in other open documents (a PeerAuthentication decides a workload's mode): once the
   * edits pause, every open document is linted again. The indexes kept across edits are a shortcut (exact as far as
   * the model reads the graph through its accessors: see docs/architecture.md); after a longer pause the open
   * documents are linted on a graph built afresh, which does not rely on it.
   */
  #scheduleRefresh(delay: number): void {
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#rebuildTimer);
    this.#refreshTimer = setTimeout(() => this.#guard(this.#refresh(false)), delay);
    this.#rebuildTimer = setTimeout(() => this.#guard(this.#refresh(true)), Math.max(delay, REBUILD_DELAY_MS));
  }

  async #refresh(afresh: boolean): Promise<void> {
    const workspace = await this.#load();
    if (afresh) workspace.rebuild();
    const open = this.#documents.all().filter((d) => {
      const path = pathOf(d.uri);
      return path !== undefined && workspace.file(path) !== undefined;
    });
    if (open.length === 0) return;
    const result = workspace.lint(open.map((d) => pathOf(d.uri)!));
    const byFile = new Map<string, Finding[]>();
    for (const f of result.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    for (const d of open) {
      const findings = byFile.get(workspace.file(pathOf(d.uri)!)!.path) ?? [];
      if (!sameFindings(this.#findings.get(d.uri), findings)) this.#publish(d.uri, findings, d.version);
    }
  }

  async #reloadConfig(): Promise<void> {
    const workspace = await this.#load();
    workspace.reloadConfig();
    // `ignore` may have changed what the workspace holds.
    this.#ready = workspace.load();
    await this.#ready;
    this.#publishConfigProblem();
    for (const d of this.#documents.all()) {
      const path = pathOf(d.uri);
      if (path && !workspace.isConfigFile(path)) workspace.setText(path, d.getText());
      if (path && !workspace.file(path) && this.#findings.has(d.uri)) this.#publish(d.uri, [], d.version);
    }
  }

  /** An invalid .meshlint.yaml (or custom rule file) is shown on the file itself (the defaults apply meanwhile). */
  #publishConfigProblem(): void {
    const workspace = this.#workspace!;
    const byUri = new Map<string, Diagnostic[]>();
    for (const problem of workspace.configErrors) {
      const uri = pathToFileURL(problem.file).href;
      const position = { line: problem.line - 1, character: problem.column - 1 };
      const diagnostic: Diagnostic = {
        range: { start: position, end: { line: position.line, character: position.character + 1 } },
        severity: 1,
        source: TOOL_NAME,
        message: `${problem.message} (the defaults apply until this is fixed)`,
      };
      byUri.set(uri, [...(byUri.get(uri) ?? []), diagnostic]);
    }
    for (const uri of this.#configUris)
      if (!byUri.has(uri)) void this.#connection.sendDiagnostics({ uri, diagnostics: [] });
    this.#configUris = new Set(byUri.keys());
    for (const [uri, diagnostics] of byUri) void this.#connection.sendDiagnostics({ uri, diagnostics });
  }

  #publish(uri: string, findings: readonly Finding[], version: number): void {
    this.#findings.set(uri, findings);
    const diagnostics = findings.filter((f) => !f.suppression).map((f) => toDiagnostic(f, this.#workspace!));
    void this.#connection.sendDiagnostics({ uri, version, diagnostics });
  }
}

function pathOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function overlaps(
  f: Finding,
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
): boolean {
  const startLine = f.range.startLine - 1;
  const endLine = f.range.endLine - 1;
  return !(endLine < range.start.line || startLine > range.end.line);
}

function sameFindings(a: readonly Finding[] | undefined, b: readonly Finding[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every(
    (f, i) =>
      f.fingerprint === b[i].fingerprint &&
      f.message === b[i].message &&
      f.severity === b[i].severity &&
      JSON.stringify(f.range) === JSON.stringify(b[i].range),
  );
}
