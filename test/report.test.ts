import { plainFinding } from '../src/engine/message.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { scan } from '../src/scan.js';
import { formatSarif, FINGERPRINT_KEY, sarifChunks } from '../src/report/sarif.js';
import { formatResultChunks, joinedInBatches } from '../src/report/index.js';
import { formatJson, jsonChunks } from '../src/report/json.js';
import { formatCompact } from '../src/report/compact.js';
import { formatText } from '../src/report/text.js';
import { RULES } from '../rules/index.js';
import { tempRepo, PINNED } from './helpers.js';

const sarifSchema = JSON.parse(readFileSync('test/schemas/sarif-schema-2.1.0.json', 'utf8'));
const ajv = new Ajv04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(sarifSchema);

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: ${name}
      hostNetwork: true
      containers:
        - name: app
          image: ${PINNED}
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, capabilities: { drop: [ALL] } }
          resources: { limits: { cpu: 1, memory: 1Gi } }
`;

async function scanRepo(files: Record<string, string>) {
  const cwd = tempRepo(files);
  return { cwd, result: await scan({ cwd }) };
}

describe('SARIF', () => {
  it('validates against the OASIS SARIF 2.1.0 schema, with every finding kind (parse error, related, suppressed)', async () => {
    const { cwd, result } = await scanRepo({
      'deploy/web app.yaml': deployment('web'),
      'broken.yaml': 'a: "x" y\n',
      'suppressed.yaml': `# meshlint-disable container-privileged -- reviewed\n${deployment('agent')}`,
    });
    const log = JSON.parse(formatSarif(result, { cwd }));
    const valid = validateSarif(log);
    expect(JSON.stringify(validateSarif.errors ?? [])).toBe('[]');
    expect(valid).toBe(true);
    expect(log.runs[0].results.length).toBe(result.findings.length);
    expect(log.runs[0].results.some((r: { suppressions?: unknown[] }) => r.suppressions?.length)).toBe(true);
  });

  it('is written in batches of results, exactly JSON.stringify of the whole log, with and without findings', async () => {
    const { cwd, result } = await scanRepo({
      'deploy/web app.yaml': deployment('web'),
      'broken.yaml': 'a: "x" y\n',
      'suppressed.yaml': `# meshlint-disable container-privileged -- reviewed\n${deployment('agent')}`,
    });
    const quiet = { ...result, findings: [], notices: [] };
    for (const shape of [result, quiet]) {
      const text = formatSarif(shape, { cwd });
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      expect(JSON.parse(text).runs[0].results.length).toBe(shape.findings.length);
      // One piece per batch: with batches of one result, one piece per result; any batch size, the same text.
      expect([...sarifChunks(shape, { cwd }, 1)].length).toBe(
        Math.max(1, shape.findings.length) + 2 + (shape.findings.length ? 1 : 0),
      );
      for (const size of [1, 2, 3]) expect([...sarifChunks(shape, { cwd }, size)].join('')).toBe(text);
    }
    expect(result.findings.length).toBeGreaterThan(2);
    const chunks = [...(await formatResultChunks('sarif', result, { color: false, cwd }))];
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('')).toBe(formatSarif(result, { cwd }));
  });

  it('JSON and SARIF are written in pieces small enough for the young generation, whatever the number of findings', async () => {
    const { cwd, result } = await scanRepo({ 'a.yaml': deployment('web') });
    const findings = Array.from({ length: 5000 }, (_, i) => {
      const finding = result.findings[i % result.findings.length];
      return { ...plainFinding(finding), message: `${finding.message} (${i})` };
    });
    const many = { ...result, findings };
    for (const report of [jsonChunks(many), sarifChunks(many, { cwd })]) {
      // (The first piece holds what comes before the findings: for SARIF, the metadata of every rule.)
      const [, ...pieces] = joinedInBatches(report);
      expect(pieces.reduce((sum, piece) => sum + piece.length, 0)).toBeGreaterThan(2 << 20);
      // V8 puts a larger string in its large-object space, which only a full collection frees.
      expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(128 * 1024);
    }
  });

  it('describes every rule that ran, with what GitHub code scanning reads', async () => {
    const { cwd, result } = await scanRepo({ 'a.yaml': deployment('web') });
    const driver = JSON.parse(formatSarif(result, { cwd })).runs[0].tool.driver;
    expect(driver).toMatchObject({
      name: 'meshlint',
      informationUri: expect.stringMatching(/^https:/),
      version: expect.any(String),
    });
    expect(driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(result.rules.map((r) => r.id).sort());
    expect(driver.rules.length).toBe(RULES.length - 1); // all but the one QUIET_CONFIG turns off
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text.length).toBeLessThanOrEqual(1024);
      expect(rule.help.text).toBeTruthy();
      expect(rule.help.markdown).toBeTruthy();
      expect(rule.helpUri).toMatch(new RegExp(`docs/rules/${rule.id}\\.md$`));
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
      expect(rule.properties.tags).toContain('security');
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
      expect(rule.name).not.toBe(rule.id);
    }
  });

  it('gives results a rule index, a repo-relative percent-encoded uri and a full region', async () => {
    const { cwd, result } = await scanRepo({ 'deploy/web app.yaml': deployment('web') });
    const run = JSON.parse(formatSarif(result, { cwd })).runs[0];
    const hostNetwork = run.results.find((r: { ruleId: string }) => r.ruleId === 'container-privileged');
    expect(run.tool.driver.rules[hostNetwork.ruleIndex].id).toBe('container-privileged');
    expect(hostNetwork.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'deploy/web%20app.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 10, startColumn: 7, endLine: 10, endColumn: 24 },
    });
    expect(hostNetwork.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps fingerprints stable when lines are inserted above a finding, and distinct between findings', async () => {
    const before = (await scanRepo({ 'a.yaml': deployment('web') })).result.findings;
    const after = (await scanRepo({ 'a.yaml': `# a comment\n# another\n\n${deployment('web')}` })).result.findings;
    expect(after.map((f) => f.range.startLine)).not.toEqual(before.map((f) => f.range.startLine));
    expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    expect(new Set(before.map((f) => f.fingerprint)).size).toBe(before.length);
  });
});

describe('JSON, compact and text', () => {
  it('JSON written in pieces is exactly JSON.stringify with an indent of 2, with and without findings and notices', async () => {
    const { result } = await scanRepo({
      'deploy/web app.yaml': deployment('web'),
      'broken.yaml': 'a: "x" y\n',
      'suppressed.yaml': `# meshlint-disable container-privileged -- reviewed\n${deployment('agent')}`,
    });
    const noisy = { ...result, notices: [{ message: 'a "quoted"\nmessage', file: 'x.yaml', notLinted: true }] };
    const quiet = { ...result, findings: [], notices: [] };
    for (const shape of [result, noisy, quiet]) {
      const text = formatJson(shape);
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      // One piece per batch: with batches of one finding, one piece per finding; any batch size, the same text.
      expect([...jsonChunks(shape, 1)].length).toBe(shape.findings.length + shape.notices.length + 5);
      for (const size of [1, 2, 3]) expect([...jsonChunks(shape, size)].join('')).toBe(text);
    }
    expect(JSON.parse(formatJson(noisy)).notices).toEqual([
      { file: 'x.yaml', message: 'a "quoted"\nmessage', kind: null, notLinted: true },
    ]);
    expect(JSON.parse(formatJson(result)).findings.length).toBeGreaterThan(2);
  });

  it('JSON has the documented stable shape', async () => {
    const { result } = await scanRepo({ 'a.yaml': deployment('web') });
    const json = JSON.parse(formatJson(result));
    expect(Object.keys(json)).toEqual(['formatVersion', 'tool', 'summary', 'findings', 'notices']);
    expect(json.summary).toMatchObject({ files: 1, resources: 1, errors: 1, warnings: 0, notes: 0, suppressed: 0 });
    expect(json.findings[0]).toEqual({
      ruleId: 'container-privileged',
      severity: 'error',
      message: expect.stringContaining('Deployment shop/web'),
      file: 'a.yaml',
      line: 10,
      column: 7,
      endLine: 10,
      endColumn: 24,
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      path: 'spec.template.spec.hostNetwork',
      related: [],
      fingerprint: expect.any(String),
      suppression: null,
    });
  });

  it('compact prints one gcc-style line per active finding', async () => {
    const { result } = await scanRepo({ 'a.yaml': deployment('web') });
    expect(formatCompact(result)).toMatch(
      /^a\.yaml:10:7: error: Deployment shop\/web sets hostNetwork: true.* \[container-privileged\]\n$/,
    );
  });

  it('text colours only when asked to', async () => {
    const { result } = await scanRepo({ 'a.yaml': deployment('web') });
    expect(formatText(result, { color: false })).not.toMatch(/\x1b\[/);
    expect(formatText(result, { color: true })).toMatch(/\x1b\[31m/);
    expect(formatText(result, { color: false })).toMatch(/✖ 1 problem \(1 error, 0 warnings, 0 notes\)/);
  });
});
