import { defineRule, yaml } from '../../src/engine/rule.js';
import { describe, type Workload } from '../../src/model/resource.js';
import { arr, get } from '../../src/model/values.js';
import {
  authorizationPolicies,
  effectiveMtls,
  inboundCaptured,
  inMesh,
  membership,
  MTLS_CONDITION_KEYS,
  policiesFor,
  portMtls,
  requiresMtlsByDeny,
  selectedWorkloads,
  sourceValues,
  workloadPorts,
  type MeshSettings,
  type PeerAuthentication,
} from '../../src/model/istio/index.js';
import type { Graph } from '../../src/model/graph.js';

const POSITIVE = ['principals', 'namespaces', 'serviceAccounts'];
const NEGATIVE = ['notPrincipals', 'notNamespaces', 'notServiceAccounts'];

interface Weak {
  readonly workload: Workload;
  readonly port?: number;
  readonly mode: string;
  readonly policy?: PeerAuthentication;
}

export default defineRule({
  id: 'authz-requires-mtls',
  title: 'Identity-based authorization needs STRICT mutual TLS',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'istio', 'authorization', 'mtls'],
  description: `\`principals\`, \`namespaces\`, \`serviceAccounts\` (and their \`not\` forms, and \`when\` keys
\`source.principal\`, \`source.namespace\`, \`source.serviceAccount\`, \`source.trustDomain\`) are read from the peer's mTLS
certificate. On plaintext they never match (Istio concepts "Dependency on mutual TLS"; advisory ISTIO-SECURITY-2021-004:
"These mTLS-only fields will never match when the traffic is plain text ... and the request might be allowed
unexpectedly"). So, on a port whose effective mTLS mode is PERMISSIVE or DISABLE:

| policy | plaintext request |
|---|---|
| ALLOW with \`principals\`/\`namespaces\` | never matches: the rule silently fails closed for clients outside the mesh |
| ALLOW with \`notPrincipals\`/\`notNamespaces\` | matches: **allowed** |
| DENY with \`principals\`/\`namespaces\` | never matches: **not denied** (the deny is bypassed) |
| DENY with \`notPrincipals\`/\`notNamespaces\` | matches: denied (this is the "require mTLS" pattern; not reported) |

meshlint computes the effective mode of every container port of every in-mesh workload the policy applies to (the
PeerAuthentication precedence of \`mtls-not-strict\`, plus the winning workload policy's \`portLevelMtls\`), and treats a
port excluded from sidecar capture as plaintext too. When every rule that uses identity fields names its ports
(\`to.operation.ports\`, which are container ports), only those ports are considered. A workload covered by a DENY policy whose rule is only
\`from: [{source: {notPrincipals: ["*"]}}]\` already rejects plaintext and is not reported. The finding is on the first
identity field of the policy, with the workloads and the deciding PeerAuthentication as related locations.`,
  remediation:
    'Make the workloads STRICT (a PeerAuthentication with `mtls.mode: STRICT`, no PERMISSIVE/DISABLE port exceptions, no excluded inbound ports), or add a DENY policy with `notPrincipals: ["*"]` for them.',
  references: [
    'https://istio.io/latest/docs/concepts/security/#dependency-on-mutual-tls',
    'https://istio.io/latest/news/security/istio-security-2021-004/',
  ],
  messages: {
    failClosed:
      '{{resource}} allows by peer identity, but {{where}} accepts plaintext ({{mode}}{{decided}}): plaintext requests carry no identity, so they are silently denied and the policy only holds by accident. Make the workloads STRICT.',
    bypass:
      '{{resource}} ({{action}}) relies on {{field}}, but {{where}} accepts plaintext ({{mode}}{{decided}}): plaintext requests carry no identity and get past this rule. Make the workloads STRICT, or add DENY notPrincipals: ["*"].',
  },
  examples: {
    invalid: {
      'deny-by-principal-on-a-permissive-workload': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: block-batch, namespace: shop }
        spec:
          action: DENY
          rules:
            - from:
                - source:
                    namespaces: ["batch"] # expect: authz-requires-mtls @26-33
      `,
      'allow-by-principal-with-a-permissive-port': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: STRICT }
          portLevelMtls:
            9090: { mode: PERMISSIVE }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          rules:
            - from:
                - source:
                    principals: ["cluster.local/ns/shop/sa/frontend"] # expect: authz-requires-mtls @26-61
      `,
    },
    valid: {
      'rule-limited-to-a-strict-port': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: STRICT }
          portLevelMtls:
            9090: { mode: PERMISSIVE }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          action: DENY
          rules:
            - from: [{ source: { namespaces: ["batch"] } }]
              to: [{ operation: { ports: ["8080"] } }]
      `,
      'strict-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: shop }
        spec:
          mtls: { mode: STRICT }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from: [{ source: { principals: ["cluster.local/ns/shop/sa/frontend"] } }]
      `,
      'deny-not-principals-star-rejects-plaintext': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: require-mtls, namespace: shop }
        spec:
          action: DENY
          rules:
            - from: [{ source: { notPrincipals: ["*"] } }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from: [{ source: { principals: ["cluster.local/ns/shop/sa/frontend"] } }]
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    const remembered: Remembered = { weakPorts: new Map() };
    for (const policy of authorizationPolicies(graph)) {
      if ((policy.action !== 'ALLOW' && policy.action !== 'DENY') || policy.dryRun) continue;
      const values = sourceValues(policy, [...POSITIVE, ...NEGATIVE], MTLS_CONDITION_KEYS);
      const positive = values.filter(
        (v) => POSITIVE.includes(v.field) || MTLS_CONDITION_KEYS.includes(v.field as never),
      );
      const negative = values.filter((v) => NEGATIVE.includes(v.field) || v.field.startsWith('not source.'));
      const risky = policy.action === 'ALLOW' ? [...negative, ...positive] : positive;
      if (risky.length === 0) continue;
      // When every rule that uses identity fields names its ports (to.operation.ports, container ports), only those count.
      const riskyRules = new Set(risky.map((v) => v.ruleIndex));
      const rulePorts = [...riskyRules].map((i) =>
        arr(get(policy.rules?.[i], 'to')).flatMap((t) => arr(get(t, 'operation', 'ports')).map(Number)),
      );
      const onlyPorts = rulePorts.every((ports) => ports.length > 0) ? new Set(rulePorts.flat()) : undefined;
      const found = weakPorts(graph, mesh, selectedWorkloads(graph, mesh, policy), onlyPorts, remembered);
      if (found === undefined) continue;
      const { first, count, workloads, policies } = found;
      const where =
        first.port === undefined ? describe(first.workload) : `port ${first.port} of ${describe(first.workload)}`;
      const others = count > 1 ? ` and ${count - 1} more` : '';
      const decided = first.policy
        ? `, decided by ${describe(first.policy.resource)}`
        : first.mode === 'PERMISSIVE'
          ? ", Istio's default"
          : '';
      const failClosed = policy.action === 'ALLOW' && negative.length === 0;
      const target = failClosed ? positive[0] : policy.action === 'ALLOW' ? negative[0] : positive[0];
      report({
        resource: policy.resource,
        path: target.path,
        messageId: failClosed ? 'failClosed' : 'bypass',
        data: { where: where + others, mode: first.mode, decided, action: policy.action, field: target.field },
        related: [
          ...workloads.map((w) => ({ resource: w, message: `${describe(w)} is selected by this policy` })),
          ...policies.map((p) => ({
            resource: p.resource,
            path: p.modePath,
            message: `${describe(p.resource)} decides a non-STRICT mode`,
          })),
        ],
      });
    }
  },
});

/** The plaintext ports of a selection: the first, how many, and the first workloads and deciding policies involved. */
interface WeakPorts {
  readonly first: Weak;
  readonly count: number;
  /** The first 5 workloads with a plaintext port. */
  readonly workloads: readonly Workload[];
  /** The first 3 policies that decide a non-STRICT mode for them. */
  readonly policies: readonly PeerAuthentication[];
}

/**
 * The ports of the selected in-mesh workloads whose effective mode is not STRICT (of `onlyPorts` when the policy's
 * rules name them); undefined when there is none. Once per selection and ports: the policies of a namespace without
 * a selector all select its one list of workloads, and each would read every workload's ports again.
 */
function weakPorts(
  graph: Graph,
  mesh: MeshSettings,
  selected: readonly Workload[],
  onlyPorts: ReadonlySet<number> | undefined,
  remembered: Remembered,
): WeakPorts | undefined {
  const ports = onlyPorts ? [...onlyPorts].sort((a, b) => a - b).join(',') : '*';
  let bySelection = remembered.weakPorts.get(ports);
  if (!bySelection) remembered.weakPorts.set(ports, (bySelection = new Map()));
  if (bySelection.has(selected)) return bySelection.get(selected);
  const weak: Weak[] = [];
  for (const w of selected) {
    const m = membership(graph, mesh, w);
    if (!inMesh(m) || m.gateway) continue;
    const policies = policiesFor(graph, mesh, w);
    // Workloads of the same policies share their list, and come one after another: the last verdict is kept (a table
    // of every list met kept the heap of a 50,000-resource scan 6 MB higher).
    if (remembered.lastPolicies !== policies) {
      remembered.lastPolicies = policies;
      remembered.lastDenies = policies.some(requiresMtlsByDeny);
    }
    if (remembered.lastDenies) continue;
    const e = effectiveMtls(graph, mesh, w);
    const ports = [...new Set(workloadPorts(w).map((p) => p.number))].filter((p) => !onlyPorts || onlyPorts.has(p));
    if (ports.length === 0 && !onlyPorts && e.mode !== 'STRICT')
      weak.push({ workload: w, mode: e.mode, policy: e.decidedBy });
    for (const port of ports) {
      if (m.dataplane === 'sidecar' && !inboundCaptured(w, port)) {
        weak.push({ workload: w, port, mode: 'not captured by the sidecar' });
        continue;
      }
      const pm = portMtls(e, port);
      if (pm.mode !== 'STRICT') weak.push({ workload: w, port, mode: pm.mode, policy: pm.decidedBy });
    }
  }
  const found =
    weak.length === 0
      ? undefined
      : {
          first: weak[0],
          count: weak.length,
          workloads: [...new Set(weak.map((x) => x.workload))].slice(0, 5),
          policies: [...new Set(weak.flatMap((x) => (x.policy ? [x.policy] : [])))].slice(0, 3),
        };
  bySelection.set(selected, found);
  return found;
}

/** What this check keeps while it runs (not for the graph's life: a large scan's selections are many). */
interface Remembered {
  /** By port set, then selection. */
  readonly weakPorts: Map<string, Map<readonly Workload[], WeakPorts | undefined>>;
  /** The last list of policies read, and whether one of them denies plaintext. */
  lastPolicies?: readonly unknown[];
  lastDenies?: boolean;
}
