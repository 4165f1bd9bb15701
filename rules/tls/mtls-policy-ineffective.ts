import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Report } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import { describe, type Resource, type Workload } from '../../src/model/resource.js';
import type { Path } from '../../src/model/values.js';
import {
  distinctByName,
  effectiveMtls,
  peerAuthentications,
  resolvePort,
  scopeWorkloadsKnown,
  servicePorts,
  workloadPorts,
  workloadServices,
  type PeerAuthentication,
} from '../../src/model/istio/index.js';

/** How many competing policies a finding names in its message, and how many it gives as related locations. */
const MAX_NAMED = 6;
const MAX_RELATED = 10;

type Id = 'portLevelWithoutSelector' | 'selectorInRoot' | 'selectsNothing' | 'servicePortKey' | 'competing';

export default defineRule({
  id: 'mtls-policy-ineffective',
  title: 'PeerAuthentication policies must take effect as written',
  severity: 'warning',
  securitySeverity: 6.0,
  tags: ['security', 'istio', 'mtls', 'correctness'],
  description: `Several PeerAuthentication mistakes are accepted by \`kubectl apply\` (or only logged by istiod) and leave the
protection their author meant to add silently absent. Each follows istiod's code
(\`pilot/pkg/security/authn/policy_applier.go\` \`ComposePeerAuthentication\`, \`pilot/pkg/model/authentication.go\`):

- **\`portLevelMtls\` on a policy without selector**: "mesh/namespace peer authentication cannot have port level mTLS"
  (webhook validation; CRD CEL "portLevelMtls requires selector"): the policy is rejected.
- **A selector policy in the root namespace** (\`mesh.rootNamespace\`, default istio-system) is ignored: it is neither
  mesh-wide nor workload-specific (the API notes "PeerAuthentication policies with workload selectors are ignored when
  deployed in the root namespace").
- **A selector that matches no workload**, reported only when the repository holds workloads of that namespace.
- **A \`portLevelMtls\` key that is a Service port** rather than the container port it maps to: Istio compares the key with
  the target (container) port, so the entry does nothing (istio/istio#49098: \`8000: STRICT\` keyed on the Service port
  let plaintext through). The message names the container port to use.
- **Several policies at one scope for one workload** (two namespace-wide policies, two mesh-wide ones, or two workload
  policies selecting the same pod): Istio keeps the oldest by \`creationTimestamp\` and ignores the others entirely,
  including their port-level settings. Manifests do not carry the creation time, so which one wins depends on the order
  they were applied in; the finding is on every competing policy.`,
  remediation:
    'Give mesh- and namespace-wide policies no `portLevelMtls`; move workload policies out of the root namespace; fix the selector so that it matches the pod labels; key `portLevelMtls` by the container port; keep one policy per scope and workload.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
    'https://istio.io/latest/docs/concepts/security/#peer-authentication',
    'https://github.com/istio/istio/issues/49098',
  ],
  messages: {
    portLevelWithoutSelector:
      '{{resource}} has portLevelMtls but no selector: Istio rejects port-level mTLS on mesh- and namespace-wide policies. Move the port entries to a policy with spec.selector.',
    selectorInRoot:
      "{{resource}} has a selector but lives in the root namespace {{root}}, where Istio ignores selector policies: move it to the workloads' namespace, or drop the selector to make it mesh-wide.",
    selectsNothing:
      '{{resource}} selects {{labels}}, which no workload of namespace {{namespace}} carries: the policy applies to nothing. Fix spec.selector.matchLabels to the pod template labels.',
    servicePortKey:
      '{{resource}} keys portLevelMtls by {{port}}, the port of Service {{service}}; Istio matches the container port, {{target}}, so this entry does nothing. Use {{target}} as the key.',
    competing:
      '{{resource}} competes with {{others}} as the {{scope}} policy for {{what}}: Istio applies only the oldest and ignores the others entirely. Keep one policy per scope.',
  },
  examples: {
    invalid: {
      'port-level-without-selector-and-selector-in-root': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: shop }
        spec:
          mtls: { mode: STRICT }
          portLevelMtls: # expect: mtls-policy-ineffective @3-16
            8080: { mode: PERMISSIVE }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: gateways, namespace: istio-system }
        spec:
          selector: # expect: mtls-policy-ineffective @3-11
            matchLabels: { istio: ingressgateway }
          mtls: { mode: STRICT }
      `,
      'service-port-instead-of-container-port': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: PERMISSIVE }
          portLevelMtls:
            80: { mode: STRICT } # expect: mtls-policy-ineffective @5-7
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web, namespace: shop }
        spec:
          selector: { app: web }
          ports: [{ port: 80, targetPort: http }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ name: http, containerPort: 8080 }] }]
      `,
      'selector-typo-and-competing-policies': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web-typo, namespace: shop }
        spec:
          selector: # expect: mtls-policy-ineffective @3-11
            matchLabels: { app: webb }
          mtls: { mode: STRICT }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: strict # expect: mtls-policy-ineffective @3-15
          namespace: shop
        spec:
          mtls: { mode: STRICT }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: permissive # expect: mtls-policy-ineffective @3-19
          namespace: shop
        spec:
          mtls: { mode: PERMISSIVE }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
    },
    valid: {
      'container-port-key-on-a-workload-policy': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          portLevelMtls:
            8080: { mode: STRICT }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web, namespace: shop }
        spec:
          selector: { app: web }
          ports: [{ port: 80, targetPort: 8080 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
      `,
      'selector-in-a-namespace-the-repo-does-not-hold': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: api, namespace: payments }
        spec:
          selector: { matchLabels: { app: api } }
          mtls: { mode: STRICT }
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    const policies = peerAuthentications(graph, mesh);
    for (const p of policies) {
      if (p.scope !== 'workload' && p.ports.length > 0) {
        report({
          resource: p.resource,
          path: ['spec', 'portLevelMtls'],
          target: 'key',
          messageId: 'portLevelWithoutSelector',
        });
      }
      if (p.scope === 'ignored') {
        report({
          resource: p.resource,
          path: ['spec', 'selector'],
          target: 'key',
          messageId: 'selectorInRoot',
          data: { root: mesh.rootNamespace },
        });
        continue;
      }
      if (p.scope !== 'workload') continue;
      const selected = graph.selectWorkloads(p.resource.namespace, p.selector);
      if (selected.length === 0) {
        if (scopeWorkloadsKnown(graph, mesh, p.resource)) {
          const labels = Object.entries(p.selector!)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ');
          report({
            resource: p.resource,
            path: ['spec', 'selector'],
            target: 'key',
            messageId: 'selectsNothing',
            data: { labels, namespace: p.resource.namespace },
          });
        }
        continue;
      }
      for (const entry of p.ports) {
        if (entry.number === undefined) continue;
        const finding = servicePortMistake(graph, selected, entry.number);
        if (finding) {
          report({
            resource: p.resource,
            path: entry.path,
            target: 'key',
            messageId: 'servicePortKey',
            data: {
              port: entry.key,
              service: describe(finding.service).replace(/^Service /, ''),
              target: finding.target,
            },
            related: [
              {
                resource: finding.service,
                path: finding.path,
                message: `Service port ${entry.number} targets container port ${finding.target}`,
              },
            ],
          });
        }
      }
    }
    // Competing policies, once per policy: selector-less ones per namespace, workload ones per selected workload.
    const reported = new Set<PeerAuthentication>();
    const competing = (list: readonly PeerAuthentication[], scope: string, what: string) => {
      for (const p of list) {
        if (reported.has(p)) continue;
        reported.add(p);
        // The first others only: every policy of a scope competes with every other, and naming all of them in each
        // finding would grow the report (and this loop) with the square of the policies.
        const others = list
          .slice(0, MAX_RELATED + 1)
          .filter((o) => o !== p)
          .slice(0, MAX_RELATED);
        const named = others.slice(0, MAX_NAMED).map((o) => describe(o.resource));
        const unnamed = list.length - 1 - named.length;
        const r: Report<Id> = {
          resource: p.resource,
          messageId: 'competing',
          data: { others: named.join(', ') + (unnamed > 0 ? ` (+${unnamed} more)` : ''), scope, what },
          related: others.map((o) => ({
            resource: o.resource,
            message: `${describe(o.resource)} competes at the same scope`,
          })),
        };
        report(r);
      }
    };
    const wide = new Map<string, PeerAuthentication[]>();
    for (const p of policies) {
      if (p.scope !== 'mesh' && p.scope !== 'namespace') continue;
      const list = wide.get(p.resource.namespace) ?? [];
      list.push(p);
      wide.set(p.resource.namespace, list);
    }
    for (const [namespace, all] of wide) {
      const list = distinctByName(all);
      if (list.length < 2) continue;
      const isMesh = list[0].scope === 'mesh';
      competing(list, isMesh ? 'mesh-wide' : 'namespace-wide', isMesh ? 'the whole mesh' : `namespace ${namespace}`);
    }
    // Workloads selected by the same competing policies share their list (effectiveMtls): it is read once.
    const read = new Set<readonly PeerAuthentication[]>();
    for (const w of graph.workloads) {
      for (const conflict of effectiveMtls(graph, mesh, w).conflicts) {
        if (conflict.scope !== 'workload' || read.has(conflict.policies)) continue;
        read.add(conflict.policies);
        competing(conflict.policies, 'workload', describe(w));
      }
    }
  },
});

type PortMistake = { readonly service: Resource; readonly path: Path; readonly target: number };

/**
 * A key that no selected workload serves as a container port, but that is a Service port targeting another one.
 * Once per selection and key: policies with the same selector share one list of workloads.
 */
function servicePortMistake(graph: Graph, selected: readonly Workload[], key: number): PortMistake | undefined {
  return graph.memoFor(`mtls-policy-ineffective:portMistake:${key}`, selected, () =>
    findServicePortMistake(graph, selected, key),
  );
}

function findServicePortMistake(graph: Graph, selected: readonly Workload[], key: number): PortMistake | undefined {
  if (selected.some((w) => workloadPorts(w).some((p) => p.number === key))) return undefined;
  for (const w of selected) {
    for (const service of workloadServices(graph, w)) {
      for (const sp of servicePorts(service)) {
        if (sp.port !== key) continue;
        const target = resolvePort(w, sp.targetPort);
        if (target !== undefined && target !== key) return { service, path: [...sp.path, 'port'], target };
      }
    }
  }
  return undefined;
}
