// secret-hardcoded on objects a kustomization builds: a secret written in a base, a patch or a generator is found in
// every build that outputs it and located where it was written (the base line, the patch line, the generator's entry
// in the kustomization, a literal's value), one finding per place that names every build reaching it. Work that skips
// or reuses walks of built objects must keep all of this.
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import type { Finding } from '../src/engine/run.js';
import { PINNED, QUIET_CONFIG, tempRepo } from './helpers.js';
import { appDeployment } from './kustomize-helpers.js';

/** The Deployment with these `env` entries (unindented: list items of `env:`), and a pinned image unless a patch. */
const deployment = (env: readonly string[], image = true) =>
  appDeployment({ container: [...(image ? [`image: ${PINNED}`] : []), 'env:', ...env] });

const BASE_PASSWORD = 'nr3yBdGBL#EPH1';
const PATCH_KEY = 'sk_live_aF1LlqsajAIxNKu8iS2G8NPR';
const LITERAL_TOKEN = 'Q2xvdWRUb2tlbjQ5Mzg';
const FILE_PASSWORD = 'Tr0ub4dor&3x';

const FILES = {
  'base/kustomization.yaml': 'resources:\n  - app.yaml\n',
  'base/app.yaml': deployment(['  - name: DB_PASSWORD', `    value: ${BASE_PASSWORD}`]),
  'dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../base\n',
  'prod/kustomization.yaml': [
    'namespace: prod',
    'resources:',
    '  - ../base',
    'patches:',
    '  - path: token.yaml',
    'configMapGenerator:',
    '  - name: settings',
    '    literals:',
    `      - api_token=${LITERAL_TOKEN}`,
    '    files:',
    '      - app.properties',
    '',
  ].join('\n'),
  'prod/token.yaml': deployment(['  - name: STRIPE_KEY', `    value: ${PATCH_KEY}`], false),
  'prod/app.properties': `db.url=jdbc:postgresql://db:5432/shop\ndb.password=${FILE_PASSWORD}\n`,
};

/** file:line:column-endColumn of `text` in a fixture file (its first occurrence), as a finding's range reads. */
function at(file: keyof typeof FILES, text: string, length = text.length): string {
  const source = FILES[file];
  const offset = source.indexOf(text);
  if (offset < 0) throw new Error(`${text} is not in ${file}`);
  const before = source.slice(0, offset).split('\n');
  const column = before[before.length - 1].length + 1;
  return `${file}:${before.length}:${column}-${column + length}`;
}

const where = (f: Finding) =>
  `${f.file}:${f.range.startLine}:${f.range.startColumn}-${f.range.endColumn} ${f.message.slice(f.message.lastIndexOf('(built by'))}`;

describe('secret-hardcoded on built objects', () => {
  it('finds a base, patch and generator secret in each build and locates it where it was written', async () => {
    const result = await scan({ cwd: tempRepo(FILES) });
    const found = result.findings.filter((f) => f.ruleId === 'secret-hardcoded');
    expect(found.map(where).sort()).toEqual(
      [
        // The base's value, built by both overlays: one finding, naming both.
        `${at('base/app.yaml', BASE_PASSWORD)} (built by dev, prod)`,
        // A generator's literal: at the value's characters in the literal (after `api_token=`).
        `${at('prod/kustomization.yaml', LITERAL_TOKEN)} (built by prod)`,
        // The patch's value, at its own line in the patch.
        `${at('prod/token.yaml', PATCH_KEY)} (built by prod)`,
        // A generator's file: at the entry that names it (the file's text is not a manifest of its own).
        `${at('prod/kustomization.yaml', 'app.properties')} (built by prod)`,
      ].sort(),
    );
    const messages = found.map((f) => f.message);
    // The first build's object names it; the other build is named in "(built by ...)" and a related location.
    expect(messages.filter((m) => m.includes('"DB_PASSWORD"'))).toEqual([
      expect.stringMatching(/^Deployment dev\/app sets "DB_PASSWORD"/),
    ]);
    expect(messages.some((m) => m.includes('"api_token"'))).toBe(true);
    expect(messages.some((m) => m.includes('"db.password" in the text of "app.properties"'))).toBe(true);
    expect(new Set(found.map((f) => f.fingerprint)).size).toBe(found.length);
  });

  it('gives a built secret one fingerprint whichever builds reach it; a plain file keeps its own', async () => {
    const passwords = async (files: Record<string, string>) =>
      (await scan({ cwd: tempRepo(files) })).findings
        .filter((f) => f.ruleId === 'secret-hardcoded' && f.message.includes('"DB_PASSWORD"'))
        .map((f) => f.fingerprint);
    const { 'dev/kustomization.yaml': _dev, ...prodOnly } = FILES;
    const both = await passwords(FILES);
    expect(both).toHaveLength(1);
    expect(await passwords(prodOnly)).toEqual(both);
    // The same file linted as a plain manifest: its fingerprint is the one main 919a6a4 gave (baselines and SARIF
    // partialFingerprints of plain files must not move).
    const plain = await passwords({ ...FILES, '.meshlint.yaml': `${QUIET_CONFIG}kustomize: { enabled: false }\n` });
    expect(plain).toEqual(['7235e50056629da3e6ad4acfccdf42b8']);
  });
});
