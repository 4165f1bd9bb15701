// Custom rules as data: operators, paths, targets and views, located findings, configuration errors, the folder
// limits, and the same treatment as built-in rules (severity, suppressions, baselines, formats, --list-rules,
// --explain, test-rules).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { scan } from '../src/scan.js';
import { parseConfig } from '../src/engine/config.js';
import { parsePath } from '../src/custom-rules/paths.js';
import { OPERATORS } from '../src/custom-rules/conditions.js';
import { PLACEHOLDERS } from '../src/custom-rules/compile.js';
import { globMatch, VIEWS } from '../src/custom-rules/targets.js';
import { RULES } from '../rules/index.js';
import { runCli, tempRepo } from './helpers.js';
import { actualFindings, expectedFindings } from './expect.js';

const BASE = {
  id: 'test-custom',
  severity: 'error',
  title: 'Test rule',
  message: '{{target}}: {{path}} is {{value}}.',
  description: 'Test.',
  remediation: 'Fix it.',
};

type Definition = Record<string, unknown>;

function configText(rules: Definition[], extra: Record<string, unknown> = {}): string {
  return stringify({
    rules: { 'networkpolicy-no-default-deny': 'off' },
    ...extra,
    customRules: rules.map((r) => ({ ...BASE, ...r })),
  });
}

/** Scans the files with one custom rule; returns its findings as `file:line:col message`. */
async function findings(rule: Definition, files: Record<string, string>): Promise<string[]> {
  const cwd = tempRepo({ ...files, '.meshlint.yaml': configText([rule]) });
  const result = await scan({ cwd });
  return result.findings
    .filter((f) => f.ruleId === 'test-custom' && !f.suppression)
    .map((f) => `${f.file}:${f.range.startLine}:${f.range.startColumn} ${f.message}`);
}

/** Findings of the custom rule must be exactly the `# expect: test-custom` markers. */
async function expectMarked(rule: Definition, files: Record<string, string>): Promise<void> {
  const cwd = tempRepo({ ...files, '.meshlint.yaml': configText([rule]) });
  const result = await scan({ cwd });
  const expected = Object.entries(files).flatMap(([file, text]) => expectedFindings(file, text, 'test-custom'));
  expect(actualFindings(result.findings, 'test-custom')).toEqual(expected);
}

const pod = (spec: string, name = 'p', extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}spec:\n${spec}`;

describe('operators', () => {
  const ports = pod(
    '  containers:\n    - name: a\n      image: x\n      ports:\n        - containerPort: 8080\n        - containerPort: 80\n',
  );
  const cases: [string, Definition, string[]][] = [
    ['exists (missing: nearest parent)', { path: 'spec.containers[*].resources.limits', exists: true }, ['p.yaml:7:7']],
    ['absent', { path: 'spec.containers[*].image', absent: true }, ['p.yaml:8:7']],
    ['equals', { path: 'spec.containers[*].ports[*].containerPort', equals: 8080 }, ['p.yaml:11:11']],
    ['in', { path: 'spec.containers[*].ports[*].containerPort', in: [80, 443] }, ['p.yaml:10:11']],
    ['notIn', { path: 'spec.containers[*].ports[*].containerPort', notIn: [80] }, ['p.yaml:11:11']],
    ['matches', { path: 'spec.containers[*].image', matches: '^registry\\.' }, ['p.yaml:8:7']],
    ['startsWith', { path: 'spec.containers[name=a].image', startsWith: 'x' }, []],
    ['gte', { path: 'spec.containers[*].ports[*].containerPort', gte: 1024 }, ['p.yaml:11:11']],
    ['lte', { path: 'spec.containers[*].ports[*].containerPort', lte: 1024 }, ['p.yaml:10:11']],
    ['truthy: false on a missing key holds', { path: 'spec.hostNetwork', truthy: false }, []],
    ['truthy on a missing key fails at the parent', { path: 'spec.hostNetwork', truthy: true }, ['p.yaml:5:1']],
    ['quantifier any', { path: 'spec.containers[*].ports[*].containerPort', equals: 80, quantifier: 'any' }, []],
  ];
  it.each(cases)('%s', async (_name, assert, expected) => {
    const got = await findings({ target: { kind: 'Pod' }, assert }, { 'p.yaml': ports });
    expect(got.map((g) => g.split(' ')[0])).toEqual(expected);
  });

  it('combines conditions with all, any and not, and reports the path that failed', async () => {
    const text = pod('  hostNetwork: true\n  containers:\n    - name: a\n      image: x\n');
    expect(
      await findings(
        {
          assert: {
            all: [
              { path: 'spec.hostNetwork', truthy: false },
              { path: 'spec.containers[0].image', equals: 'x' },
            ],
          },
        },
        { 'p.yaml': text },
      ),
    ).toEqual(['p.yaml:6:3 Pod default/p: spec.hostNetwork is true.']);
    expect(
      await findings(
        {
          assert: {
            any: [
              { path: 'spec.dnsPolicy', exists: true },
              { path: 'spec.hostNetwork', truthy: false },
            ],
          },
        },
        { 'p.yaml': text },
      ),
    ).toEqual(['p.yaml:5:1 Pod default/p: spec.dnsPolicy is (none).']);
    expect(
      await findings({ assert: { not: { path: 'spec.containers[*].image', equals: 'x' } } }, { 'p.yaml': text }),
    ).toEqual(['p.yaml:9:7 Pod default/p: spec.containers[0].image is x.']);
  });

  it('checks only the targets that meet `when`', async () => {
    const files = {
      'a.yaml': pod('  hostNetwork: true\n  containers: []\n', 'a', '  labels: { tier: edge }\n'),
      'b.yaml': pod('  hostNetwork: true\n  containers: []\n', 'b'),
    };
    const got = await findings(
      {
        when: { not: { path: 'metadata.labels.tier', equals: 'edge' } },
        assert: { path: 'spec.hostNetwork', truthy: false },
      },
      files,
    );
    expect(got.map((g) => g.split(' ')[0])).toEqual(['b.yaml:6:3']);
  });

  it('matches scalars as text and numbers given as plain strings', async () => {
    const text = pod(
      '  containers:\n    - name: a\n      image: x\n      env:\n        - { name: PORT, value: "8080" }\n',
    );
    expect(
      await findings({ assert: { path: 'spec.containers[0].env[name=PORT].value', lte: 1024 } }, { 'p.yaml': text }),
    ).toHaveLength(1);
    expect(
      await findings(
        { assert: { path: 'spec.containers[0].env[name=PORT].value', matches: '^80' } },
        { 'p.yaml': text },
      ),
    ).toEqual([]);
  });
});

describe('paths', () => {
  it('parses keys, [*], [N], [key=value] and quoted keys', () => {
    expect(parsePath('metadata.labels["app.kubernetes.io/name"]')).toEqual({
      ok: true,
      segments: [
        { kind: 'key', key: 'metadata' },
        { kind: 'key', key: 'labels' },
        { kind: 'key', key: 'app.kubernetes.io/name' },
      ],
    });
    expect(parsePath('spec.containers[name=app].ports[0]')).toMatchObject({
      ok: true,
      segments: [
        {},
        {},
        { kind: 'select', key: 'name', value: 'app' },
        { kind: 'key', key: 'ports' },
        { kind: 'index', index: 0 },
      ],
    });
    expect(parsePath('spec.servers[*].port')).toMatchObject({ ok: true, segments: [{}, {}, { kind: 'every' }, {}] });
    for (const bad of ['a..b', 'a.', 'a[', 'a[]', 'a]b', '']) expect(parsePath(bad).ok, bad).toBe(false);
  });

  it('matches globs whole, * and ? included, without backtracking blow-up', () => {
    const cases: [string, string, boolean][] = [
      ['Gate*', 'Gateway', true],
      ['Gate*', 'VirtualGateway', false],
      ['*Role*', 'ClusterRoleBinding', true],
      ['kube-?', 'kube-a', true],
      ['kube-?', 'kube-ab', false],
      ['*', '', true],
      ['a*b*c', 'axxbyyc', true],
      ['a*b*c', 'axxbyy', false],
      ['networking.istio.io/*', 'networking.istio.io/v1', true],
    ];
    for (const [glob, text, want] of cases) expect(globMatch(glob, text), `${glob} ~ ${text}`).toBe(want);
    const started = performance.now();
    expect(globMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a selector that selects nothing fails `exists` and holds for the other operators', async () => {
    const text = pod('  containers:\n    - name: a\n      image: x\n');
    expect(
      await findings({ assert: { path: 'spec.containers[name=sidecar]', exists: true } }, { 'p.yaml': text }),
    ).toEqual(['p.yaml:6:3 Pod default/p: spec.containers is (none).']);
    expect(
      await findings({ assert: { path: 'spec.containers[name=sidecar].image', startsWith: 'y' } }, { 'p.yaml': text }),
    ).toEqual([]);
  });

  it('locates a finding in a List item and keeps the fingerprint across edits above', async () => {
    const list =
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: { name: a }\n';
    const rule = { target: { kind: 'Namespace' }, assert: { path: 'metadata.labels.owner', exists: true } };
    expect(await findings(rule, { 'l.yaml': list })).toEqual([
      'l.yaml:6:5 Namespace a: metadata.labels.owner is (none).',
    ]);
    const a = await scan({ cwd: tempRepo({ 'l.yaml': list, '.meshlint.yaml': configText([rule]) }) });
    const b = await scan({ cwd: tempRepo({ 'l.yaml': `# moved\n\n${list}`, '.meshlint.yaml': configText([rule]) }) });
    const print = (r: typeof a) => r.findings.filter((f) => f.ruleId === 'test-custom').map((f) => f.fingerprint);
    expect(print(a)).toHaveLength(1);
    expect(print(b)).toEqual(print(a));
  });
});

describe('targets', () => {
  it('filters by apiVersion and kind globs, namespaces (a Namespace by its name), excluded namespaces and labels', async () => {
    const files = {
      'g.yaml': [
        'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: a, namespace: shop }  # expect: test-custom @1-9',
        'apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: { name: b, namespace: edge }',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: c, namespace: shop }',
        'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: d, namespace: shop, labels: { exempt: "yes" } }',
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: e, namespace: shop }',
      ].join('\n---\n'),
    };
    const target = {
      apiVersion: 'networking.istio.io/*',
      kind: 'Gate*',
      excludeNamespaces: ['edge'],
      labels: { matchExpressions: [{ key: 'exempt', operator: 'DoesNotExist' }] },
    };
    await expectMarked({ target, assert: { path: 'metadata.annotations', exists: true } }, files);
    const namespaces = {
      'n.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata: { name: team-a }  # expect: test-custom @1-9\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: kube-system }\n',
    };
    await expectMarked(
      { target: { kind: 'Namespace', namespaces: 'team-*' }, assert: { path: 'metadata.labels', exists: true } },
      namespaces,
    );
  });

  it('container view: every container of every workload kind, with the pod securityContext inherited', async () => {
    const files = {
      'w.yaml': `apiVersion: batch/v1
kind: CronJob
metadata: { name: c }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext:
            runAsNonRoot: false  # expect: test-custom @13-32
          initContainers:
            - name: init
              image: x
          containers:
            - name: main
              image: x
              securityContext:
                runAsNonRoot: true
            - name: other
              image: x
              securityContext:
                runAsNonRoot: false  # expect: test-custom @17-36
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec:
  template:
    spec:
      containers:
        - name: bare  # expect: test-custom @11-21
          image: x
`,
    };
    await expectMarked(
      { target: { view: 'container' }, assert: { path: 'securityContext.runAsNonRoot', truthy: true } },
      files,
    );
    const got = await findings(
      {
        target: { view: 'container', kind: 'CronJob' },
        assert: { path: 'pod.hostNetwork', truthy: true },
        message: '{{target}}',
      },
      files,
    );
    expect(got.map((g) => g.slice(g.indexOf(' ') + 1))).toEqual([
      'container init of CronJob default/c',
      'container main of CronJob default/c',
      'container other of CronJob default/c',
    ]);
  });

  it('workload view: effective mTLS from PeerAuthentications at every scope', async () => {
    const files = {
      'm.yaml': `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio-injection: enabled } }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: legacy, namespace: shop }
spec:
  selector: { matchLabels: { app: legacy } }
  mtls: { mode: PERMISSIVE }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { template: { metadata: { labels: { app: web } }, spec: { containers: [] } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: legacy, namespace: shop }  # expect: test-custom @13-25
spec: { template: { metadata: { labels: { app: legacy } }, spec: { containers: [] } } }
`,
    };
    await expectMarked(
      {
        target: { view: 'workload' },
        when: { path: 'mesh.dataplane', in: ['sidecar', 'ambient'] },
        assert: { path: 'mtls.mode', equals: 'STRICT' },
      },
      files,
    );
  });

  it('authorizationPolicy, kongRoute and envoyListener views', async () => {
    const authz = {
      'a.yaml':
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: a, namespace: shop }\nspec:  # expect: test-custom @1-5\n  rules: [{}]\n',
    };
    await expectMarked(
      { target: { view: 'authorizationPolicy' }, assert: { path: 'action', in: ['DENY', 'CUSTOM'] } },
      authz,
    );
    const kong = {
      'kong.yaml': `_format_version: "3.0"
plugins:
  - name: key-auth
services:
  - name: s
    url: http://s.shop.svc:80
    routes:
      - name: open  # expect: test-custom @9-19
        paths: [/open]
      - name: closed
        paths: [/closed]
        plugins:
          - name: rate-limiting
            config: { minute: 10 }
`,
    };
    await expectMarked(
      { target: { view: 'kongRoute' }, assert: { path: 'plugins[*]', equals: 'rate-limiting', quantifier: 'any' } },
      kong,
    );
    const envoy = {
      'envoy.yaml': `static_resources:
  listeners:
    - name: public
      address:
        socket_address: { address: 0.0.0.0, port_value: 8080 }  # expect: test-custom @27-43
      filter_chains:
        - filters: []
    - name: local
      address:
        socket_address: { address: 127.0.0.1, port_value: 9000 }
      filter_chains:
        - filters: []
`,
    };
    await expectMarked(
      { target: { view: 'envoyListener' }, assert: { path: 'addresses[*].scope', equals: 'loopback' } },
      envoy,
    );
  });
});

describe('configuration errors (exit 2, file, line and key)', () => {
  const errorOf = (text: string) => {
    try {
      parseConfig(text, RULES, '.meshlint.yaml', '.');
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };
  const item = (rule: Definition) => configText([rule]);

  it('names unknown keys with a suggestion, wrong values, missing fields', () => {
    expect(errorOf(item({ sevrity: 'error', assert: { path: 'a', exists: true } }))).toMatch(
      /^\.meshlint\.yaml:\d+:5: custom rule "test-custom": unknown key "sevrity" in the rule \(did you mean "severity"\?\)/,
    );
    expect(errorOf(item({ severity: 'fatal', assert: { path: 'a', exists: true } }))).toMatch(
      /^\.meshlint\.yaml:5:5: custom rule "test-custom": severity must be one of "error", "warning", "note"\.$/,
    );
    expect(errorOf(item({ id: 'Bad_Id', assert: { path: 'a', exists: true } }))).toMatch(
      /custom rule "Bad_Id": id must match pattern/,
    );
  });

  it('rejects a pattern RE2 cannot run in linear time, at its key', () => {
    const text = item({ assert: { path: 'metadata.name', matches: '^(?!kube-).*' } });
    const line = text.split('\n').findIndex((l) => l.includes('matches:')) + 1;
    expect(errorOf(text)).toMatch(
      new RegExp(`^\\.meshlint\\.yaml:${line}:\\d+: custom rule "test-custom": invalid regular expression`),
    );
  });

  it('rejects bad paths, two operators, unknown placeholders, built-in and duplicate ids', () => {
    expect(errorOf(item({ assert: { path: 'a..b', exists: true } }))).toMatch(/invalid path "a\.\.b"/);
    expect(errorOf(item({ assert: { path: 'a', exists: true, equals: 1 } }))).toMatch(
      /exactly one of all, any, not or an operator; this one has exists and equals/,
    );
    expect(errorOf(item({ assert: { exists: true } }))).toMatch(/the operator "exists" needs a "path"/);
    expect(errorOf(item({ message: '{{resorce}}', assert: { path: 'a', exists: true } }))).toMatch(
      /unknown placeholder \{\{resorce\}\} \(did you mean "resource"\?\)/,
    );
    expect(errorOf(item({ id: 'container-privileged', assert: { path: 'a', exists: true } }))).toMatch(
      /is the id of a built-in rule/,
    );
    expect(
      errorOf(configText([{ assert: { path: 'a', exists: true } }, { assert: { path: 'b', exists: true } }])),
    ).toMatch(/"test-custom" is already defined in \.meshlint\.yaml/);
  });

  it('knows custom ids in rules: severities, with a suggestion for a typo', () => {
    const ok = parseConfig(
      `${configText([{ assert: { path: 'a', exists: true } }])}`.replace(
        'networkpolicy-no-default-deny: off',
        'networkpolicy-no-default-deny: off\n  test-custom: note',
      ),
      RULES,
      '.meshlint.yaml',
      '.',
    );
    expect(ok.rules.get('test-custom')).toEqual({ severity: 'note' });
    expect(
      errorOf(
        configText([{ assert: { path: 'a', exists: true } }]).replace(
          'networkpolicy-no-default-deny: off',
          'test-custon: note',
        ),
      ),
    ).toMatch(/unknown rule "test-custon" \(did you mean "test-custom"\?\)/);
  });

  it('reads customRulesDir only inside the configuration folder: no .., no escaping symbolic link', async () => {
    const rule = stringify({ ...BASE, assert: { path: 'metadata.name', exists: true } });
    const outside = tempRepo({ 'evil.yaml': rule });
    const up = tempRepo({ '.meshlint.yaml': `customRulesDir: ../${outside.split('/').pop()}\n` });
    expect((await runCli(['--list-rules'], up)).stderr).toMatch(
      /\.meshlint\.yaml:1:1: customRulesDir must be a folder inside the configuration's folder/,
    );
    const linked = tempRepo({
      '.meshlint.yaml': 'customRulesDir: rules\n',
      'rules/ok.yaml': rule.replace('test-custom', 'test-ok'),
    });
    symlinkSync(join(outside, 'evil.yaml'), join(linked, 'rules', 'evil.yaml'));
    const result = await runCli(['--list-rules'], linked);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /rules\/evil\.yaml is a symbolic link that leaves the configuration's folder; refused/,
    );
    const dirLink = tempRepo({ '.meshlint.yaml': 'customRulesDir: rules\n' });
    symlinkSync(outside, join(dirLink, 'rules'));
    expect((await runCli(['.'], dirLink)).code).toBe(2);
  });

  it('locates errors inside a rule file, and the scan exits 2', async () => {
    const cwd = tempRepo({
      '.meshlint.yaml': 'customRulesDir: policy\n',
      'policy/a.yaml': stringify({ ...BASE, assert: { path: 'x', matches: '(a' } }),
    });
    const result = await runCli(['.'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /configuration error: policy\/a\.yaml:\d+:\d+: custom rule "test-custom": invalid regular expression \/\(a\//,
    );
  });
});

describe('custom rules are rules like the built-in ones', () => {
  const rule = {
    id: 'test-custom',
    target: { kind: 'Pod' },
    assert: { path: 'spec.hostNetwork', truthy: false },
    references: ['https://wiki.example/policy'],
  };
  const hostNetwork = pod('  hostNetwork: true\n  containers: []\n');

  it('takes configured severities and turns off', async () => {
    const cwd = tempRepo({
      'p.yaml': hostNetwork,
      '.meshlint.yaml': configText([rule]).replace(
        'networkpolicy-no-default-deny: off',
        'networkpolicy-no-default-deny: off\n  test-custom: warning',
      ),
    });
    expect((await scan({ cwd })).findings.filter((f) => f.ruleId === 'test-custom').map((f) => f.severity)).toEqual([
      'warning',
    ]);
    const off = tempRepo({
      'p.yaml': hostNetwork,
      '.meshlint.yaml': configText([rule]).replace(
        'networkpolicy-no-default-deny: off',
        'networkpolicy-no-default-deny: off\n  test-custom: "off"',
      ),
    });
    expect((await scan({ cwd: off })).findings.filter((f) => f.ruleId === 'test-custom')).toEqual([]);
  });

  it('is suppressed by comments and by the meshlint.io/ignore annotation', async () => {
    const comment = pod(
      '  # meshlint-disable-next-line test-custom -- lab cluster\n  hostNetwork: true\n  containers: []\n',
    );
    const annotated = pod(
      '  hostNetwork: true\n  containers: []\n',
      'p',
      '  annotations: { meshlint.io/ignore: test-custom }\n',
    );
    for (const text of [comment, annotated]) {
      const result = await scan({ cwd: tempRepo({ 'p.yaml': text, '.meshlint.yaml': configText([rule]) }) });
      const mine = result.findings.filter((f) => f.ruleId === 'test-custom');
      expect(mine).toHaveLength(1);
      expect(mine[0].suppression).toBeDefined();
      expect(result.findings.filter((f) => f.ruleId === 'suppression-unknown-rule')).toEqual([]);
    }
  });

  it('is listed, explained, in SARIF rule metadata, every format and baselines', async () => {
    const cwd = tempRepo({ 'p.yaml': hostNetwork, '.meshlint.yaml': configText([rule]) });
    expect((await runCli(['--list-rules'], cwd)).stdout).toMatch(
      /^test-custom +error +Test rule {2}\(custom: \.meshlint\.yaml\)$/m,
    );
    const explained = await runCli(['--explain', 'test-custom'], cwd);
    expect(explained.stdout).toMatch(/^# test-custom\n\n\*\*Test rule\.\*\*/m);
    expect(explained.stdout).toContain('https://wiki.example/policy');
    const sarif = JSON.parse((await runCli(['-f', 'sarif', '.'], cwd)).stdout);
    const meta = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'test-custom');
    expect(meta).toMatchObject({
      shortDescription: { text: 'Test rule' },
      helpUri: 'https://wiki.example/policy',
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '7.0' },
    });
    expect(
      sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'test-custom').locations[0].physicalLocation
        .region.startLine,
    ).toBe(6);
    for (const format of ['text', 'compact', 'json', 'github', 'gitlab', 'html']) {
      const out = await runCli(['-f', format, '.'], cwd);
      expect(out.code, format).toBe(1);
      expect(out.stdout, format).toContain('test-custom');
      // Links go to the rule's own reference, never to a bundled page it does not have.
      if (format === 'text' || format === 'html') expect(out.stdout, format).toContain('https://wiki.example/policy');
      expect(out.stdout, format).not.toContain('docs/rules/test-custom.md');
    }
    await runCli(['--write-baseline', 'base.json', '.'], cwd);
    const again = await runCli(['-f', 'compact', '--baseline', 'base.json', '.'], cwd);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('test-custom');
  });

  it('is selected by --rule and --disable-rule, and shown by --print-config', async () => {
    const cwd = tempRepo({ 'p.yaml': hostNetwork, '.meshlint.yaml': configText([rule]) });
    const only = await runCli(['-f', 'compact', '--rule', 'test-custom', '.'], cwd);
    expect(only.stderr).toBe('');
    expect(
      only.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^.*\[(.*)\]$/, '$1')),
    ).toEqual(['test-custom']);
    expect((await runCli(['-f', 'compact', '--disable-rule', 'test-custom', '.'], cwd)).stdout).not.toContain(
      '[test-custom]',
    );
    expect((await runCli(['--rule', 'test-custon', '.'], cwd)).stderr).toMatch(
      /unknown rule "test-custon" \(did you mean "test-custom"\?\)/,
    );
    const printed = JSON.parse((await runCli(['--print-config', 'p.yaml'], cwd)).stdout);
    expect(printed.rules['test-custom']).toEqual({ severity: 'error' });
  });

  it('hides values that look like secrets in {{value}}', async () => {
    const text = pod(
      '  containers:\n    - name: a\n      image: x\n      env:\n        - name: API_TOKEN\n          value: Zx8Kq2Lm9Vb4Nc7Hd1Jf6Tr3Yw5Pe0Ua\n',
    );
    const got = await findings(
      { assert: { path: 'spec.containers[*].env[*].value', absent: true } },
      { 'p.yaml': text },
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('(hidden)');
    expect(got[0]).not.toContain('Zx8Kq2');
    const weak = pod(
      '  containers:\n    - name: a\n      image: x\n      env:\n        - name: DB_PASSWORD\n          value: hunter2\n        - name: LOG_LEVEL\n          value: debug\n',
    );
    const shown = await findings(
      { assert: { path: 'spec.containers[*].env[*].value', absent: true } },
      { 'p.yaml': weak },
    );
    expect(shown.map((f) => f.split(' is ')[1])).toEqual(['(hidden).', 'debug.']);
  });

  it('invalidates --cache when a definition changes', async () => {
    const cwd = tempRepo({ 'p.yaml': hostNetwork, '.meshlint.yaml': configText([rule]) });
    expect((await runCli(['-f', 'compact', '--cache', '.'], cwd)).stdout).toContain('[test-custom]');
    writeFileSync(
      join(cwd, '.meshlint.yaml'),
      configText([{ ...rule, assert: { path: 'spec.hostNetwork', truthy: true } }]),
    );
    expect((await runCli(['-f', 'compact', '--cache', '.'], cwd)).stdout).not.toContain('[test-custom]');
  });
});

describe('meshlint test-rules', () => {
  it('runs the examples of fixtures/custom-rules (inline and folder rules) and passes', async () => {
    const result = await runCli(['test-rules', 'fixtures/custom-rules'], process.cwd());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^3 custom rules, 10 examples: 10 passed, 0 failed$/m);
    for (const id of ['corp-registry-only', 'namespace-owner-label', 'gateway-port-80-edge-only'])
      expect(result.stdout).toContain(`${id} (`);
  });

  it('exits 1 when an example fails, saying which finding is missing or extra', async () => {
    const broken = {
      ...BASE,
      assert: { path: 'spec.hostNetwork', truthy: false },
      examples: {
        invalid: {
          'marker-on-the-wrong-line':
            'apiVersion: v1\nkind: Pod\nmetadata: { name: p }  # expect: test-custom @1-9\nspec:\n  hostNetwork: true\n',
        },
        valid: { quiet: 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  hostNetwork: true\n' },
      },
    };
    const cwd = tempRepo({});
    mkdirSync(join(cwd, 'policy'));
    writeFileSync(join(cwd, 'policy', 'r.yaml'), stringify(broken));
    const result = await runCli(['test-rules', 'policy'], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  invalid "marker-on-the-wrong-line"');
    expect(result.stdout).toContain('expected, not reported: example.yaml:3 test-custom @1-9');
    expect(result.stdout).toContain('reported, not expected: example.yaml:5 test-custom');
    expect(result.stdout).toContain('FAIL  valid "quiet"');
    expect(result.stdout).toMatch(/1 custom rule, 2 examples: 0 passed, 2 failed/);
  });

  it('exits 2 without custom rules or with an invalid one', async () => {
    expect((await runCli(['test-rules', '.'], tempRepo({}))).code).toBe(2);
    expect((await runCli(['test-rules', 'nowhere'], tempRepo({}))).code).toBe(2);
    const invalid = tempRepo({ 'policy/r.yaml': 'id: x\n' });
    const result = await runCli(['test-rules', 'policy'], invalid);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/policy\/r\.yaml:1:1: custom rule "x": id must match pattern/);
  });

  it('keeps rule files out of the scan (they are configuration, like .meshlint.yaml)', async () => {
    const result = await scan({ cwd: 'fixtures/custom-rules', paths: ['.'], configPath: '.meshlint.yaml' });
    expect(result.config.custom.files.length).toBe(2);
    expect(new Set(result.findings.map((f) => f.file))).toEqual(new Set(['gateways.yaml', 'workloads.yaml']));
    expect(readFileSync('fixtures/custom-rules/rules/corp-registry-only.yaml', 'utf8')).toContain(
      '# expect: corp-registry-only',
    );
  });
});

describe('the published schema and the documentation', () => {
  const schema = JSON.parse(readFileSync('schemas/custom-rule.schema.json', 'utf8'));
  const docs = readFileSync('docs/custom-rules.md', 'utf8');

  it('ship in the package and name the views and operators the engine knows', () => {
    expect(JSON.parse(readFileSync('package.json', 'utf8')).files).toContain('schemas');
    expect(schema.definitions.target.properties.view.enum).toEqual([...VIEWS]);
    expect(
      Object.keys(schema.definitions.condition.properties).filter(
        (k) => !['all', 'any', 'not', 'path', 'quantifier'].includes(k),
      ),
    ).toEqual([...OPERATORS]);
    for (const word of [...VIEWS, ...OPERATORS, ...PLACEHOLDERS.map((p) => `{{${p}}}`)])
      expect(docs, word).toContain(`\`${word}`);
  });
});
