// Not a test: compares meshlint's kustomize builds with `kubectl kustomize` for every kustomization under a
// directory (default ../shared/corpus). npx tsx scripts/kustomize-oracle-corpus.ts [dir]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseSource } from '../src/parse/source.js';
import { buildForComparison } from '../test/kustomize-helpers.js';

const root = resolve(process.argv[2] ?? '../shared/corpus');
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].includes(e.name))
  .map((e) => join(e.parentPath, e.name))
  .sort();
const key = (o: unknown) => {
  const v = o as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  return `${v?.apiVersion}/${v?.kind}/${v?.metadata?.namespace ?? ''}/${v?.metadata?.name}`;
};
const tally: Record<string, number> = {};
const count = (what: string) => (tally[what] = (tally[what] ?? 0) + 1);
const details: string[] = [];
for (const file of files) {
  const dir = dirname(file);
  if (/^kind:\s*Component\s*$/m.test(readFileSync(file, 'utf8'))) {
    count('component (not buildable alone)');
    continue;
  }
  let expected: string | undefined;
  try {
    expected = execFileSync('kubectl', ['kustomize', dir], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
      maxBuffer: 1 << 30,
    }).toString();
  } catch {
    expected = undefined;
  }
  let actual: unknown[] | undefined;
  let error = '';
  try {
    actual = buildForComparison(dir);
  } catch (e) {
    error = String((e as Error).message).slice(0, 150);
  }
  if (expected === undefined) {
    count(actual ? 'kubectl fails, meshlint builds (with notices)' : 'both fail');
    continue;
  }
  if (!actual) {
    count('meshlint fails');
    details.push(`meshlint fails ${dir}: ${error}`);
    continue;
  }
  const want = Object.fromEntries(
    parseSource('k', expected)
      .documents.map((d) => d.value)
      .filter(Boolean)
      .map((v) => [key(v), v]),
  );
  const got = Object.fromEntries(actual.map((v) => [key(v), v]));
  if (isDeepStrictEqual(want, got)) {
    count('equal');
    continue;
  }
  count('differ');
  details.push(
    `differ ${dir}: ${Object.keys(want)
      .filter((k) => !isDeepStrictEqual(want[k], got[k]))
      .slice(0, 3)
      .join(', ')}`,
  );
}
console.log(JSON.stringify(tally));
console.log(details.join('\n'));
