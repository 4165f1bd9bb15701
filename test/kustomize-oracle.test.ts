// The oracle: every kustomization under fixtures/ is built by meshlint and by `kubectl kustomize` (kustomize v5),
// and the objects must be equal (as objects: key order and document order aside).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { buildForComparison } from './kustomize-helpers.js';

const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const roots = readdirSync('fixtures', { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].includes(e.name))
  .map((e) => dirname(join(e.parentPath, e.name)))
  .filter((dir) => !isComponent(dir))
  .sort();

function isComponent(dir: string): boolean {
  const text = readdirSync(dir).find((n) => n.startsWith('kustomization')) ?? 'Kustomization';
  return /^kind:\s*Component\s*$/m.test(execFileSync('cat', [join(dir, text)]).toString());
}

function byIdentity(objects: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const object of objects) {
    const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
    out[`${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = object;
  }
  return out;
}

describe('kustomize builds equal kubectl kustomize', () => {
  it('fixtures hold about a dozen kustomizations', () => {
    expect(roots.length).toBeGreaterThanOrEqual(10);
  });

  it.skipIf(!kubectl).each(roots)('%s', (dir) => {
    let output: string;
    try {
      output = execFileSync('kubectl', ['kustomize', dir], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      // kustomize refuses it (a missing file, say): so must meshlint (and it then lints the files as they are).
      expect(() => buildForComparison(resolve(dir))).toThrow();
      return;
    }
    const expected = parseSource('kubectl.yaml', output)
      .documents.map((d) => d.value)
      .filter((v) => v !== null && v !== undefined);
    const actual = buildForComparison(resolve(dir));
    expect(byIdentity(actual)).toEqual(byIdentity(expected));
  });

  it.runIf(!kubectl)('is skipped: kubectl is not on PATH (kubectl kustomize is the oracle)', () => {
    console.warn('kustomize oracle skipped: kubectl is not on PATH');
    expect(kubectl).toBe(false);
  });
});
