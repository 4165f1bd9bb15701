// Kustomize roots and Helm output as a scan sees them: built objects linted, located where each value was
// written, one graph per deployable root, notices for what is not applied; rendered Helm output located in its
// templates and unrendered charts reported in every summary.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { formatJson } from '../src/report/json.js';
import { formatSarif } from '../src/report/sarif.js';
import { formatText } from '../src/report/text.js';
import { jobSummary } from '../src/report/job-summary.js';
import { followKeys } from '../src/helm/rendered.js';
import { PINNED, tempRepo } from './helpers.js';
import { appDeployment } from './kustomize-helpers.js';

const BASE = {
  'base/kustomization.yaml': 'resources:\n  - app.yaml\n',
  'base/app.yaml': appDeployment({
    pod: ['serviceAccountName: app'],
    container: [
      `image: ${PINNED}`,
      'securityContext:',
      '  readOnlyRootFilesystem: true',
      '  capabilities: { drop: [ALL] }',
      '  allowPrivilegeEscalation: false',
    ],
    after: ['securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }'],
  }),
};

const PRIVILEGED_PATCH = appDeployment({ container: ['securityContext:', '  privileged: true'] });

const summary = (findings: readonly { file: string; range: { startLine: number }; ruleId: string }[]) =>
  findings.map((f) => `${f.file}:${f.range.startLine} ${f.ruleId}`).sort();

describe('kustomize in a scan', () => {
  it('lints the built objects: a base line built by two overlays is one finding naming both', async () => {
    const dir = tempRepo({
      ...BASE,
      'dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../base\n',
      'prod/kustomization.yaml': 'namespace: prod\nresources:\n  - ../base\n',
    });
    const result = await scan({ cwd: dir });
    expect(summary(result.findings)).toEqual(['base/app.yaml:10 container-no-limits']);
    const [finding] = result.findings;
    expect(finding.message).toContain('(built by dev, prod)');
    expect(finding.related.map((r) => `${r.file}:${r.range.startLine} ${r.message}`)).toEqual([
      'dev/kustomization.yaml:1 built by dev',
      'prod/kustomization.yaml:1 built by prod',
    ]);
  });

  it('reads the overlay namespace, and locates a patched value in the patch', async () => {
    const dir = tempRepo({
      ...BASE,
      'prod/kustomization.yaml': 'namespace: prod\nresources:\n  - ../base\npatches:\n  - path: privileged.yaml\n',
      'prod/privileged.yaml': PRIVILEGED_PATCH,
    });
    const result = await scan({ cwd: dir });
    const privileged = result.findings.find((f) => f.ruleId === 'container-privileged');
    expect(privileged?.file).toBe('prod/privileged.yaml');
    expect(privileged?.range.startLine).toBe(11);
    expect(privileged?.resource).toMatchObject({ kind: 'Deployment', namespace: 'prod', name: 'app' });
  });

  it('never lints a patch fragment as a whole object (it does with kustomize disabled)', async () => {
    const files = {
      ...BASE,
      'base/app.yaml': BASE['base/app.yaml'].replace(
        '            allowPrivilegeEscalation: false\n',
        '            allowPrivilegeEscalation: false\n          resources: { limits: { cpu: 100m, memory: 64Mi } }\n',
      ),
      'prod/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - path: replicas.yaml\n',
      'prod/replicas.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: MODE\n              value: prod\n',
    };
    expect((await scan({ cwd: tempRepo(files) })).findings).toEqual([]);
    const plain = await scan({
      cwd: tempRepo({
        ...files,
        '.meshlint.yaml': 'kustomize:\n  enabled: false\nrules:\n  networkpolicy-no-default-deny: off\n',
      }),
    });
    expect(summary(plain.findings).filter((f) => f.startsWith('prod/replicas.yaml'))).not.toEqual([]);
  });

  it("gives each deployable root its own graph: one cluster's policy does not cover another's workloads", async () => {
    const namespace =
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio-injection: enabled\n';
    const strict =
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICT\n';
    const dir = tempRepo({
      ...BASE,
      'base/kustomization.yaml': 'namespace: shop\nresources:\n  - app.yaml\n  - namespace.yaml\n',
      'base/namespace.yaml': namespace,
      'eu/kustomization.yaml': 'resources:\n  - ../base\n  - strict.yaml\n',
      'eu/strict.yaml': strict,
      'us/kustomization.yaml': 'resources:\n  - ../base\n',
    });
    const mtls = (await scan({ cwd: dir })).findings.filter((f) => f.ruleId === 'mtls-not-strict');
    expect(mtls).toHaveLength(1);
    expect(mtls[0].message).toContain('(built by us)');
  });

  it('says what it does not apply: unsupported fields and remote resources are counted notices', async () => {
    const dir = tempRepo({
      ...BASE,
      'prod/kustomization.yaml':
        'resources:\n  - ../base\n  - https://github.com/example/repo//deploy?ref=v1\nreplacements:\n  - source: { kind: Deployment, name: app }\n',
    });
    const result = await scan({ cwd: dir });
    const notices = result.notices.filter((n) => n.kind === 'kustomize').map((n) => n.message);
    expect(notices).toEqual([
      expect.stringContaining('kustomize field "replacements" is not supported'),
      expect.stringContaining('remote resource "https://github.com/example/repo//deploy?ref=v1" is not fetched'),
    ]);
    expect(formatText(result, { color: false })).toMatch(/scanned\); 2 notices\n/);
  });

  it('falls back to plain files, with a notice, when a kustomization cannot be built', async () => {
    const dir = tempRepo({ ...BASE, 'prod/kustomization.yaml': 'resources:\n  - ../base\n  - missing.yaml\n' });
    const result = await scan({ cwd: dir });
    expect(result.notices.map((n) => n.message)).toContainEqual(
      expect.stringMatching(
        /^kustomization prod could not be built \(resource missing.yaml .*does not exist\): its files are linted as plain manifests$/,
      ),
    );
    expect(summary(result.findings)).toContain('base/app.yaml:10 container-no-limits');
  });
});

describe('Helm', () => {
  it('locates findings of rendered output (stdin) in the templates its # Source: comments name', async () => {
    const cwd = 'fixtures/helm-rendered';
    const text = readFileSync(`${cwd}/rendered/web.yaml`, 'utf8');
    const result = await scan({ cwd, stdin: { text, filename: '<stdin>' }, configPath: false });
    expect(summary(result.findings)).toEqual([
      'charts/web/templates/deployment.yaml:1 container-privileged',
      'charts/web/templates/deployment.yaml:20 container-mutable-image',
      'charts/web/templates/deployment.yaml:26 container-no-limits',
      'charts/web/templates/deployment.yaml:4 networkpolicy-no-default-deny',
    ]);
    // A key the template writes through toYaml cannot be followed there: the first line, with the rendered path.
    expect(result.findings.find((f) => f.ruleId === 'container-privileged')?.message).toMatch(
      /\(rendered path spec\.template\.spec\.containers\[0\]\.securityContext\.privileged\)$/,
    );
  });

  it('reports an unrendered chart in the summary line, JSON, SARIF and the job summary, never as "no problems"', async () => {
    const dir = tempRepo({
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'chart/templates/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
    });
    const result = await scan({ cwd: dir });
    expect(result.findings).toEqual([]);
    expect(result.notices).toEqual([expect.objectContaining({ file: 'chart/Chart.yaml', kind: 'helm-chart' })]);
    expect(formatText(result, { color: false })).toContain(
      'no problems in what was linted (2 files, 0 resources scanned); 1 Helm chart not linted: render it with helm template',
    );
    expect(JSON.parse(formatJson(result)).notices).toEqual([
      expect.objectContaining({ kind: 'helm-chart', file: 'chart/Chart.yaml' }),
    ]);
    expect(
      JSON.parse(formatSarif(result, { cwd: dir })).runs[0].invocations[0].toolExecutionNotifications[0],
    ).toMatchObject({ level: 'warning', descriptor: { id: 'meshlint/helm-chart' } });
    const status = jobSummary(result)[1];
    expect(status).toMatchObject({ kind: 'paragraph' });
    expect((status as { html: string }).html).toContain('1 Helm chart not linted: render it with helm template');
    const silent = await scan({
      cwd: tempRepo({
        'chart/Chart.yaml': 'apiVersion: v2\nname: web\n',
        '.meshlint.yaml': 'helm:\n  charts: ignore\n',
      }),
    });
    expect(silent.notices).toEqual([]);
  });

  it('follows key paths through a template by indentation', () => {
    const template = [
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: {{ .Chart.Name }}',
      '          image: x',
      '        - name: sidecar',
      '          securityContext:',
      '            {{- toYaml .Values.sc | nindent 12 }}',
      '',
    ].join('\n');
    expect(followKeys(template, ['spec', 'template', 'spec', 'containers', 1, 'securityContext'])).toEqual({
      line: 7,
      column: 10,
    });
    expect(followKeys(template, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({
      line: 5,
      column: 10,
    });
    expect(followKeys(template, ['spec', 'template', 'spec', 'containers', 1, 'image'])).toBeUndefined();
    expect(
      followKeys(template, ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'privileged']),
    ).toBeUndefined();
  });
});
