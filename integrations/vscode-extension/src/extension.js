// Starts `meshlint --lsp` for the workspace: its own meshlint (node_modules/meshlint) when it has one, so that the
// editor and CI agree, else the copy bundled with this extension (server/meshlint.cjs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

let client;

/** The meshlint bundle to run: the setting, the workspace's, or the bundled one. */
export function serverPath(context, settings = vscode.workspace.getConfiguration('meshlint')) {
  const configured = settings.get('path');
  if (configured) return configured;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    // A meshlint older than its CommonJS executable has only meshlint.mjs.
    for (const name of ['meshlint.cjs', 'meshlint.mjs']) {
      const local = join(folder.uri.fsPath, 'node_modules', 'meshlint', 'dist', name);
      if (existsSync(local)) return local;
    }
  }
  return context.asAbsolutePath(join('server', 'meshlint.cjs'));
}

export async function activate(context) {
  const settings = vscode.workspace.getConfiguration('meshlint');
  const node = settings.get('nodePath') || process.execPath;
  // VS Code's own binary runs scripts as Node when asked to.
  const env = settings.get('nodePath') ? process.env : { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const run = { command: node, args: [serverPath(context, settings), '--lsp'], options: { env } };
  client = new LanguageClient(
    'meshlint',
    'meshlint',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
      ],
    },
  );
  await client.start();
  context.subscriptions.push({ dispose: () => client?.stop() });
}

export async function deactivate() {
  await client?.stop();
  client = undefined;
}
