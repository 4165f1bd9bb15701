// Fifty custom rules of the kinds platform teams write (every view, every operator, filtered and unfiltered
// targets), for measuring what custom rules add to a scan: npm run bench, or
//   node scripts/bench-custom-rules.mjs [count] [quiet] > /tmp/50-rules.yaml && meshlint -c /tmp/50-rules.yaml <dir>
// `quiet`: each assertion is evaluated in full, then met by an alternative that always holds, so the rules report
// nothing: what evaluating them costs, apart from what reporting and locating their findings costs.
import { stringify } from 'yaml';

const TEMPLATES = [
  { target: { view: 'container' }, assert: { path: 'image', startsWith: 'registry.corp.example/' } },
  { target: { view: 'container' }, assert: { path: 'securityContext.runAsNonRoot', truthy: true } },
  {
    target: { view: 'container' },
    assert: {
      all: [
        { path: 'resources.limits.memory', exists: true },
        { path: 'resources.requests.cpu', exists: true },
      ],
    },
  },
  { target: { view: 'container' }, assert: { path: 'env[*].name', matches: '^[A-Z][A-Z0-9_]*$' } },
  {
    target: { view: 'container', kind: ['Deployment', 'StatefulSet'] },
    assert: { path: 'ports[*].containerPort', gte: 1024 },
  },
  {
    target: { kind: 'Namespace', excludeNamespaces: ['kube-*', 'default'] },
    assert: { path: 'metadata.labels.owner', matches: '^[a-z][a-z0-9-]*$' },
  },
  { target: {}, assert: { path: 'metadata.labels["app.kubernetes.io/name"]', exists: true } },
  {
    target: { apiVersion: 'networking.istio.io/*', kind: 'Gateway', excludeNamespaces: 'edge' },
    assert: { path: 'spec.servers[*].port.number', notIn: [80] },
  },
  { target: { kind: 'Service' }, assert: { not: { path: 'spec.type', in: ['NodePort', 'LoadBalancer'] } } },
  {
    target: { view: 'workload' },
    when: { path: 'mesh.dataplane', in: ['sidecar', 'ambient'] },
    assert: { path: 'mtls.mode', equals: 'STRICT' },
  },
  {
    target: { view: 'authorizationPolicy' },
    assert: {
      any: [
        { path: 'action', equals: 'DENY' },
        { path: 'spec.rules[*].from', exists: true },
      ],
    },
  },
  {
    target: { view: 'kongRoute' },
    assert: { path: 'plugins[*]', in: ['rate-limiting', 'rate-limiting-advanced'], quantifier: 'any' },
  },
  { target: { view: 'envoyListener' }, assert: { path: 'chains[*].transport', equals: 'tls' } },
  {
    target: {
      kind: 'Deployment',
      labels: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'web'] }] },
    },
    assert: { path: 'spec.replicas', gte: 2 },
  },
  { target: { view: 'container' }, assert: { path: 'imagePullPolicy', notIn: ['Never'] } },
  { target: { kind: 'Ingress' }, assert: { path: 'spec.tls', exists: true } },
  { target: { kind: '*Role*' }, assert: { not: { path: 'rules[*].verbs[*]', equals: '*', quantifier: 'any' } } },
];

const ALWAYS = { path: 'meshlint-bench-never-set', truthy: false };

export function benchCustomRules(count = 50, quiet = false) {
  return Array.from({ length: count }, (_, i) =>
    withQuiet(quiet, {
      id: `bench-rule-${i + 1}`,
      severity: ['error', 'warning', 'note'][i % 3],
      title: `Bench rule ${i + 1}`,
      message: '{{target}}: {{path}} is {{value}}.',
      description: 'A rule of the benchmark set.',
      remediation: 'None.',
      ...TEMPLATES[i % TEMPLATES.length],
    }),
  );
}

function withQuiet(quiet, rule) {
  return quiet ? { ...rule, assert: { any: [rule.assert, ALWAYS] } } : rule;
}

export function benchConfig(count = 50, quiet = false) {
  return stringify({ customRules: benchCustomRules(count, quiet) }, { aliasDuplicateObjects: false });
}

if (import.meta.url === `file://${process.argv[1]}`)
  process.stdout.write(benchConfig(Number(process.argv[2] ?? 50), process.argv[3] === 'quiet'));
