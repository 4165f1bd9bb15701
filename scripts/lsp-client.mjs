// A language client as an editor is one: spawns `meshlint --lsp` (the bundle), speaks JSON-RPC over its standard
// input and output, and records every publishDiagnostics. Used by test/lsp.test.ts and by npm run bench.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

export function fileUri(path) {
  return pathToFileURL(path).href;
}

export async function startClient({ bin, root, watch = true }) {
  const child = spawn(process.execPath, [resolve(bin), '--lsp'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot start ${bin} --lsp in ${root}: ${error.message}`)));
  });
  await spawned;
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  /** uri -> every publication in order, each { version, diagnostics, at } (at: performance.now() on arrival). */
  const published = new Map();
  const waiters = new Set();
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    const list = published.get(params.uri) ?? [];
    list.push({ version: params.version, diagnostics: params.diagnostics, at: performance.now() });
    published.set(params.uri, list);
    for (const waiter of [...waiters]) waiter();
  });
  const registrations = [];
  connection.onRequest('client/registerCapability', (params) => {
    registrations.push(...params.registrations);
    return null;
  });
  connection.onNotification('window/logMessage', () => {});
  connection.listen();
  const initialized = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: fileUri(root),
    workspaceFolders: [{ uri: fileUri(root), name: 'workspace' }],
    capabilities: {
      workspace: { didChangeWatchedFiles: { dynamicRegistration: watch } },
      textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
    },
  });
  await connection.sendNotification('initialized', {});

  const versions = new Map();
  const texts = new Map();
  const client = {
    connection,
    pid: child.pid,
    initialized,
    registrations,
    published,
    get stderr() {
      return stderr;
    },
    /** The latest publication for a URI, or undefined. */
    latest(uri) {
      const list = published.get(uri);
      return list?.[list.length - 1];
    },
    /** Resolves with the first publication (counting from `after`) that satisfies the predicate. */
    waitFor(uri, predicate = () => true, { after = 0, timeoutMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const list = published.get(uri) ?? [];
          for (let i = after; i < list.length; i++) {
            if (predicate(list[i])) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(list[i]);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${stderr.slice(0, 500)}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    count(uri) {
      return published.get(uri)?.length ?? 0;
    },
    async open(path, text, languageId = path.endsWith('.json') ? 'json' : 'yaml') {
      const uri = fileUri(path);
      versions.set(uri, 1);
      texts.set(uri, text);
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId, version: 1, text },
      });
      return uri;
    },
    /** Replaces the whole text (a full-content change) and returns the new version. */
    async change(uri, text) {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      texts.set(uri, text);
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
      return version;
    },
    text(uri) {
      return texts.get(uri);
    },
    async close(uri) {
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    async stop() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      const code = await new Promise((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.on('exit', (c) => resolve(c));
        setTimeout(() => child.kill(), 5000).unref();
      });
      connection.dispose();
      return code;
    },
  };
  return client;
}

/** Applies a WorkspaceEdit's edits for one URI to a text (positions are 0-based line/character, UTF-16). */
export function applyTextEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = ({ line, character }) => (line < lineStarts.length ? lineStarts[line] + character : text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
