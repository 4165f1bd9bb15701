// The VS Code extension: `vsce package` (@vscode/vsce) builds the .vsix; what it holds activates on YAML, finds the
// workspace's meshlint or falls back to its bundled copy, and that copy runs as a language server.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageExtension } from '../scripts/package-vscode.mjs';
import { startClient } from '../scripts/lsp-client.mjs';

let vsix: string;
let unpacked: string;

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'meshlint-vsix-'));
  vsix = await packageExtension(out);
  unpacked = join(out, 'unpacked');
  mkdirSync(unpacked);
  unzip(readFileSync(vsix), unpacked);
}, 300_000);

/** Extracts a zip file (a .vsix is one): stored and deflated entries, as vsce writes them. */
function unzip(zip: Buffer, into: string): void {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + compressed);
    const path = join(into, name);
    mkdirSync(dirname(path), { recursive: true });
    if (!name.endsWith('/')) writeFileSync(path, method === 8 ? inflateRawSync(raw) : raw);
    at += 46 + nameLength + extra + comment;
  }
}

/** Loads the packaged extension with a stand-in for the `vscode` module (only what serverPath reads). */
function loadExtension(workspaceFolders: string[], settings: Record<string, string> = {}) {
  const require = createRequire(import.meta.url);
  const Module = require('node:module');
  const entry = join(unpacked, 'extension/dist/extension.js');
  // The language client extends and reads many vscode classes when it loads: any other name is a class too.
  const anything = (): unknown =>
    new Proxy(class {}, { get: (target, key) => (key in target ? (target as never)[key] : anything()) });
  const known = {
    workspace: {
      workspaceFolders: workspaceFolders.map((fsPath) => ({ uri: { fsPath } })),
      getConfiguration: () => ({ get: (k: string) => settings[k] ?? '' }),
    },
    version: '1.91.0',
  };
  const vscode = new Proxy(known, { get: (target, key) => (key in target ? (target as never)[key] : anything()) });
  const original = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : original.call(this, request, ...rest);
  };
  try {
    delete require.cache[entry];
    return { extension: require(entry), vscode };
  } finally {
    Module._load = original;
  }
}

describe('the VS Code extension', () => {
  it('is packaged by vsce with its client, and activates on YAML', () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'extension/package.json'), 'utf8'));
    expect(manifest.activationEvents).toContain('onLanguage:yaml');
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(readFileSync(join(unpacked, 'extension.vsixmanifest'), 'utf8')).toContain('Id="meshlint"');
    expect(readFileSync(join(unpacked, 'extension/LICENSE.txt'), 'utf8')).toBe(readFileSync('LICENSE', 'utf8'));
    // The bundled server is the committed bundle.
    expect(readFileSync(join(unpacked, 'extension/server/meshlint.cjs'))).toEqual(readFileSync('dist/meshlint.cjs'));
  });

  it("runs the workspace's meshlint when it has one, else its bundled copy, unless told otherwise", () => {
    const context = { asAbsolutePath: (p: string) => join(unpacked, 'extension', p) };
    const withLocal = mkdtempSync(join(tmpdir(), 'meshlint-ws-'));
    const local = join(withLocal, 'node_modules/meshlint/dist/meshlint.cjs');
    mkdirSync(join(withLocal, 'node_modules/meshlint/dist'), { recursive: true });
    writeFileSync(local, '');
    writeFileSync(join(withLocal, 'node_modules/meshlint/dist/meshlint.mjs'), '');
    const without = mkdtempSync(join(tmpdir(), 'meshlint-ws-'));
    expect(loadExtension([without, withLocal]).extension.serverPath(context)).toBe(local);
    expect(loadExtension([without]).extension.serverPath(context)).toBe(
      join(unpacked, 'extension/server/meshlint.cjs'),
    );
    // A meshlint older than its CommonJS executable has only dist/meshlint.mjs.
    const older = mkdtempSync(join(tmpdir(), 'meshlint-ws-'));
    mkdirSync(join(older, 'node_modules/meshlint/dist'), { recursive: true });
    writeFileSync(join(older, 'node_modules/meshlint/dist/meshlint.mjs'), '');
    expect(loadExtension([older]).extension.serverPath(context)).toBe(
      join(older, 'node_modules/meshlint/dist/meshlint.mjs'),
    );
    const settings = { get: (k: string) => (k === 'path' ? '/opt/meshlint.mjs' : '') };
    expect(loadExtension([withLocal]).extension.serverPath(context, settings)).toBe('/opt/meshlint.mjs');
  });

  it('bundles a server that answers as a language server', async () => {
    const root = mkdtempSync(join(tmpdir(), 'meshlint-ws-'));
    const client = await startClient({ bin: join(unpacked, 'extension/server/meshlint.cjs'), root });
    const uri = await client.open(
      join(root, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n',
    );
    const published = await client.waitFor(uri);
    expect(published.diagnostics.map((d: { code: string }) => d.code)).toContain('container-privileged');
    expect(await client.stop()).toBe(0);
  });
});
