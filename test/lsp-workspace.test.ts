// The language server's shortcut must give the answers of a full scan: a file linted alone against the kept
// workspace graph (FocusedGraph), and after edits that keep indexes between graphs (WorkspaceGraph), has exactly
// the findings a full lint of the same texts gives it. Checked on every fixture folder, file by file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/engine/run.js';
import { Workspace } from '../src/lsp/workspace.js';

const root = 'fixtures';
const units = readdirSync(root)
  .filter((name) => !name.startsWith('_') && statSync(join(root, name)).isDirectory())
  .sort();

const key = (f: Finding) =>
  `${f.ruleId} ${f.file}:${f.range.startLine}:${f.range.startColumn}-${f.range.endLine}:${f.range.endColumn} ${f.severity} ${f.message} ${f.suppression?.via ?? ''} ${f.related.map((r) => `${r.file}:${r.range.startLine}`).join(',')}`;

async function workspace(dir: string, texts: ReadonlyMap<string, string> = new Map()): Promise<Workspace> {
  const config = join(dir, '.meshlint.yaml');
  const ws = new Workspace({ root: dir, configPath: existsSync(config) ? resolve(config) : false });
  await ws.load();
  for (const [path, text] of texts) ws.setText(path, text);
  ws.rebuild();
  return ws;
}

function byFile(findings: readonly Finding[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const f of findings) map.set(f.file, [...(map.get(f.file) ?? []), key(f)]);
  return map;
}

describe.each(units)('fixtures/%s in the language server', (unit) => {
  const dir = resolve(root, unit);

  it('lints each file alone exactly as the whole workspace lints it', async () => {
    const ws = await workspace(dir);
    const full = byFile(ws.lintAll().findings);
    expect(ws.files.length).toBeGreaterThan(0);
    for (const file of ws.files) {
      const alone = ws.lint([ws.absolutePath(file.path)]).findings.map(key);
      expect(alone, file.path).toEqual(full.get(file.path) ?? []);
    }
  });

  it('after emptying any one file, every other file has the findings a fresh workspace gives it', async () => {
    const ws = await workspace(dir);
    const paths = ws.files.map((f) => ws.absolutePath(f.path));
    for (const emptied of paths) {
      // Warm every index, edit, then ask with the indexes the edit let the workspace keep.
      ws.rebuild();
      ws.lint(paths);
      ws.setText(emptied, '');
      const kept = byFile(ws.lint(paths).findings);
      const fresh = byFile((await workspace(dir, new Map([[emptied, '']]))).lintAll().findings);
      for (const path of paths) {
        const shown = ws.file(path)!.path;
        expect(kept.get(shown) ?? [], `${shown} after emptying ${emptied}`).toEqual(fresh.get(shown) ?? []);
      }
      ws.setText(emptied, undefined); // back to the disk's bytes
    }
  });
});

it('keeps the indexes an edit cannot have changed, and rebuilds those it can', async () => {
  const dir = resolve(root, 'mesh-mtls');
  const ws = await workspace(dir);
  ws.lint(ws.files.map((f) => ws.absolutePath(f.path)));
  expect(ws.indexes).toEqual(
    expect.arrayContaining(['istio:peerAuthentications', 'istio:effectiveMtls', 'istio:membership']),
  );
  // A Secret is read by none of these.
  ws.setText(join(dir, 'added-secret.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: shop\n');
  expect(ws.indexes).toEqual(
    expect.arrayContaining(['istio:peerAuthentications', 'istio:effectiveMtls', 'istio:membership']),
  );
  // A PeerAuthentication changes the policies and every workload's mode, not whether a workload is in the mesh.
  ws.setText(
    join(dir, 'added-policy.yaml'),
    'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: x\n  namespace: shop\nspec:\n  mtls:\n    mode: DISABLE\n',
  );
  expect(ws.indexes).not.toContain('istio:peerAuthentications');
  expect(ws.indexes).not.toContain('istio:effectiveMtls');
  expect(ws.indexes).toContain('istio:membership');
});

it('rebuilds what a label selector answered when a workload of that namespace changes, and only then', async () => {
  const dir = resolve(root, 'mesh-mtls');
  const ws = await workspace(dir);
  ws.lint(ws.files.map((f) => ws.absolutePath(f.path)));
  expect(ws.indexes).toContain('istio:peerAuthCandidates');
  // A workload in another namespace: the shop policies select the same workloads.
  ws.setText(
    join(dir, 'added-elsewhere.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: y\n  namespace: elsewhere\nspec:\n  template:\n    metadata:\n      labels: { app: catalog }\n    spec:\n      containers: [{ name: c, image: nginx }]\n',
  );
  expect(ws.indexes).toContain('istio:peerAuthCandidates');
  // A workload in shop that the `app: catalog` policy selects.
  ws.setText(
    join(dir, 'added-workload.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: { app: catalog }\n    spec:\n      containers: [{ name: c, image: nginx }]\n',
  );
  expect(ws.indexes).not.toContain('istio:peerAuthCandidates');
});
