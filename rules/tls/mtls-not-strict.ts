import { defineRule, yaml } from '../../src/engine/rule.js';
import { describe, type Workload } from '../../src/model/resource.js';
import {
  effectiveMtls,
  inMesh,
  membership,
  nameList,
  peerAuthentications,
  peerAuthWorkloads,
} from '../../src/model/istio/index.js';

export default defineRule({
  id: 'mtls-not-strict',
  title: 'Workloads in the mesh must only accept mutual TLS',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'istio', 'mtls', 'encryption', 'identity'],
  description: `Istio's sidecars accept plaintext **and** mTLS by default (PERMISSIVE): a workload is only protected from
unauthenticated, unencrypted callers (any pod of the cluster, a compromised node, anything that reaches the pod IP) when
its effective PeerAuthentication mode is STRICT. Without a peer identity, AuthorizationPolicies on principals or
namespaces cannot hold either.

meshlint computes the effective mode of every in-mesh workload the way istiod does
(\`pilot/pkg/security/authn/policy_applier.go\` \`ComposePeerAuthentication\`): the mesh-wide policy (root namespace,
\`mesh.rootNamespace\`, no selector), then the namespace policy (no selector), then the workload policy (selector, not
in the root namespace) each override the previous one unless their mode is UNSET or \`mtls\` is absent (which
inherits); nothing at all means PERMISSIVE; a selector policy in the root namespace is ignored. In ambient mode
DISABLE is not supported and behaves as PERMISSIVE.

Two kinds of findings:
- a PeerAuthentication whose top-level mode is PERMISSIVE or DISABLE (at its \`mode\`), unless every workload of the
  repository it covers is known to be outside the mesh;
- an in-mesh workload (namespace \`istio-injection=enabled\` or \`istio.io/rev\`, pod label
  \`sidecar.istio.io/inject: "true"\`, ambient \`istio.io/dataplane-mode\`, or \`mesh.assumeInjected\` for
  repositories without Namespace objects) whose effective mode is not STRICT, with the deciding policy as related
  location. Gateway pods are skipped (PeerAuthentication does not govern gateway listeners), so are hostNetwork pods
  and pods that opt out (never injected; \`sidecar-bypass\` reports the opt-out).

A workload that is STRICT except for a \`portLevelMtls\` exception is reported by \`mtls-port-exception\`, not here.`,
  remediation:
    'Add a mesh-wide `PeerAuthentication` with `spec.mtls.mode: STRICT` in the root namespace (istio-system), and change PERMISSIVE/DISABLE namespace or workload policies to STRICT (or UNSET, to inherit) once every client is in the mesh.',
  references: [
    'https://istio.io/latest/docs/concepts/security/#peer-authentication',
    'https://github.com/istio/istio/blob/master/pilot/pkg/security/authn/policy_applier.go',
    'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
  ],
  messages: {
    policy:
      '{{resource}} sets mTLS mode {{mode}} for {{scope}}: those workloads accept plaintext from any caller, without identity. Set spec.mtls.mode to STRICT (PERMISSIVE only while migrating clients into the mesh).',
    workload:
      '{{resource}} is in the mesh ({{reason}}) but its effective mTLS mode is {{mode}}, decided by {{policy}}: it accepts plaintext without identity. Make that policy STRICT, or add a STRICT PeerAuthentication selecting this workload.',
    workloadDefault:
      "{{resource}} is in the mesh ({{reason}}) but no PeerAuthentication sets a mode for it, so Istio's default PERMISSIVE applies and plaintext is accepted: add a STRICT PeerAuthentication for the mesh (in {{root}}) or for namespace {{namespace}}.",
  },
  examples: {
    invalid: {
      'injected-namespace-without-any-policy': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web # expect: mtls-not-strict @3-12
          namespace: shop
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
      `,
      'namespace-permissive-overrides-mesh-strict': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: istio-system }
        spec:
          mtls: { mode: STRICT }
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: shop }
        spec:
          mtls:
            mode: PERMISSIVE # expect: mtls-not-strict @11-21
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio.io/rev: canary }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web # expect: mtls-not-strict @3-12
          namespace: shop
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
    },
    valid: {
      'unset-inherits-mesh-strict': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: istio-system }
        spec:
          mtls: { mode: STRICT }
        ---
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: UNSET }
        ---
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
              containers: [{ name: web, image: web:1.0 }]
      `,
      'not-in-the-mesh-hostnetwork-and-uninjected-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: batch
          labels: { istio-injection: disabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: report, namespace: batch }
        spec:
          template:
            metadata: { labels: { sidecar.istio.io/inject: "true" } }
            spec:
              containers: [{ name: report, image: report:1.0 }]
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: node-agent, namespace: shop }
        spec:
          template:
            spec:
              hostNetwork: true
              containers: [{ name: agent, image: agent:1.0 }]
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    // Kept for this check only (not the graph's life): the lists of a large scan are many.
    const coverage = new Map<readonly Workload[], { meshed: readonly Workload[]; outsideMesh: boolean }>();
    for (const p of peerAuthentications(graph, mesh)) {
      if (p.scope === 'ignored' || (p.mode !== 'PERMISSIVE' && p.mode !== 'DISABLE')) continue;
      // Policies of the same scope cover one list of workloads (every mesh-wide one the whole mesh): read once.
      const covered = peerAuthWorkloads(graph, p);
      let known = coverage.get(covered);
      if (!known) {
        const meshed = covered.filter((w) => inMesh(membership(graph, mesh, w)));
        const outsideMesh =
          covered.length > 0 &&
          meshed.length === 0 &&
          covered.every((w) => membership(graph, mesh, w).dataplane === 'none');
        coverage.set(covered, (known = { meshed, outsideMesh }));
      }
      const { meshed, outsideMesh } = known;
      if (outsideMesh) continue;
      const scope =
        p.scope === 'mesh'
          ? 'the whole mesh'
          : p.scope === 'namespace'
            ? `namespace ${p.resource.namespace}`
            : meshed.length
              ? nameList(meshed)
              : 'the workloads it selects';
      report({
        resource: p.resource,
        path: p.modePath,
        target: 'value',
        messageId: 'policy',
        data: { mode: p.mode, scope },
        fix: { title: 'Set spec.mtls.mode: STRICT', changes: [{ set: p.modePath, value: 'STRICT' }] },
        related: meshed.slice(0, 10).map((w) => ({ resource: w, message: `${describe(w)} is covered by this policy` })),
      });
    }
    for (const w of graph.workloads) {
      const m = membership(graph, mesh, w);
      if (!inMesh(m) || m.gateway) continue;
      const e = effectiveMtls(graph, mesh, w);
      if (e.mode === 'STRICT') continue;
      if (e.decidedBy) {
        report({
          resource: w,
          messageId: 'workload',
          data: { reason: m.reason, mode: e.mode, policy: describe(e.decidedBy.resource) },
          related: [
            {
              resource: e.decidedBy.resource,
              path: e.decidedBy.modePath,
              message: `${describe(e.decidedBy.resource)} decides mode ${e.mode}`,
            },
          ],
        });
      } else {
        report({
          resource: w,
          messageId: 'workloadDefault',
          data: { reason: m.reason, root: mesh.rootNamespace, namespace: w.namespace },
        });
      }
    }
  },
});
