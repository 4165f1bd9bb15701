import { defineRule, yaml } from '../../src/engine/rule.js';
import { matchesSelector } from '../../src/model/kubernetes/index.js';
import type { Graph } from '../../src/model/graph.js';
import { describe, type Resource, type Workload } from '../../src/model/resource.js';
import {
  autoMtlsDisabledBy,
  destinationRuleTlsBlocks,
  inMesh,
  istioResources,
  meshConfigName,
  membership,
  nameList,
  resolveHost,
  serviceWorkloads,
  type MeshSettings,
} from '../../src/model/istio/index.js';
import { get, isObj, str } from '../../src/model/values.js';

export default defineRule({
  id: 'mtls-destination-rule-plaintext',
  title: 'DestinationRules must not turn off Istio mutual TLS toward mesh workloads',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'istio', 'mtls', 'encryption'],
  description: `Istio's auto mTLS makes client sidecars use ISTIO_MUTUAL toward injected workloads, but a DestinationRule that
sets \`trafficPolicy.tls\` always wins (\`pilot/pkg/networking/core/cluster_tls.go\` \`buildUpstreamTLSSettings\`). So:

- \`tls.mode: DISABLE\`, or \`tls: {}\` / a \`tls\` block without \`mode\` (DISABLE is the enum's zero value), makes clients send
  **plaintext**: toward a STRICT server the connections are reset (503, "filter_chain_not_found"); toward a PERMISSIVE one
  the traffic silently loses encryption and identity, so principal-based AuthorizationPolicies fail closed and DENY rules
  on principals are bypassed.
- \`SIMPLE\` or \`MUTUAL\` toward a workload with a sidecar originates TLS with non-Istio certificates: the server sidecar
  expects an Istio client certificate and the connection fails (or, with PERMISSIVE, lands without peer identity).

The host is resolved as Istio does: a short name is expanded in the DestinationRule's namespace (\`reviews\` ->
\`reviews.<ns>.svc.cluster.local\`), a name with a dot is taken as written, and \`*\`/\`*.suffix\` match by suffix. The
finding is reported (on the \`tls\` block's mode: top level, \`portLevelSettings\`, and subsets) when the host resolves to a
Service of the repository that selects workloads in the mesh; a subset's block only when the subset's \`labels\` select one
of them, since a subset's traffic reaches only the endpoints carrying its labels (istio/api \`Subset.labels\`: "Labels apply
a filter over the endpoints of a service in the service registry"). Hosts outside the repository (external APIs) are not
reported: TLS origination to them is legitimate. The fix the message names depends on the mesh config (see
\`mesh-auto-mtls-disabled\`): when it sets \`enableAutoMtls: false\`, removing the \`tls\` block leaves clients in
plaintext as well, and only \`ISTIO_MUTUAL\` encrypts.`,
  remediation:
    'Remove the `tls` block (auto mTLS then uses ISTIO_MUTUAL) or set `tls.mode: ISTIO_MUTUAL`; keep SIMPLE/MUTUAL for hosts outside the mesh. When the mesh config sets `enableAutoMtls: false`, only `tls.mode: ISTIO_MUTUAL` encrypts.',
  references: [
    'https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings',
    'https://istio.io/latest/docs/ops/common-problems/network-issues/#503-errors-after-setting-destination-rule',
  ],
  messages: {
    plaintext:
      '{{resource}} sets tls mode {{mode}} toward {{host}}, which reaches mesh workloads ({{workloads}}): clients send plaintext, which STRICT servers reset and PERMISSIVE ones accept without identity. {{fix}}',
    origination:
      '{{resource}} originates {{mode}} TLS toward {{host}}, which reaches workloads in the mesh ({{workloads}}): that replaces Istio mTLS with certificates their proxies do not accept (or, PERMISSIVE, lands without identity). {{fix}}',
  },
  examples: {
    invalid: {
      'disable-and-empty-tls-toward-injected-service': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: reviews, namespace: shop }
        spec:
          selector: { app: reviews }
          ports: [{ port: 80, targetPort: 8080 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: reviews, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: reviews } }
            spec:
              containers: [{ name: reviews, image: reviews:1.0 }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: shop }
        spec:
          host: reviews
          trafficPolicy:
            tls:
              mode: DISABLE # expect: mtls-destination-rule-plaintext @7-20
            portLevelSettings:
              - port: { number: 80 }
                tls: {} # expect: mtls-destination-rule-plaintext @9-12
          subsets:
            - name: v2
              trafficPolicy:
                tls: { mode: SIMPLE } # expect: mtls-destination-rule-plaintext @16-28
      `,
      'disable-while-the-mesh-config-turns-auto-mtls-off': yaml`
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig: { enableAutoMtls: false }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop, labels: { istio-injection: enabled } }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: reviews, namespace: shop }
        spec: { selector: { app: reviews }, ports: [{ port: 80 }] }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: reviews, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: reviews } }
            spec: { containers: [{ name: reviews, image: reviews:1.0 }] }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: shop }
        spec:
          host: reviews
          trafficPolicy:
            tls: { mode: DISABLE } # expect: mtls-destination-rule-plaintext @12-25
      `,
    },
    valid: {
      'istio-mutual-and-external-origination': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: reviews, namespace: shop }
        spec:
          selector: { app: reviews }
          ports: [{ port: 80 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: reviews, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: reviews } }
            spec:
              containers: [{ name: reviews, image: reviews:1.0 }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: shop }
        spec:
          host: reviews.shop.svc.cluster.local
          trafficPolicy:
            tls: { mode: ISTIO_MUTUAL }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: payments-api, namespace: shop }
        spec:
          host: api.payments.example.com
          trafficPolicy:
            tls: { mode: SIMPLE, sni: api.payments.example.com }
      `,
      'subset-whose-labels-select-no-mesh-workload': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: reviews, namespace: shop }
        spec:
          selector: { app: reviews }
          ports: [{ port: 80 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: reviews, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: reviews, version: v1 } }
            spec:
              containers: [{ name: reviews, image: reviews:1.0 }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: reviews, namespace: shop }
        spec:
          host: reviews
          subsets:
            - name: v2
              labels: { version: v2 }
              trafficPolicy:
                tls: { mode: DISABLE }
      `,
      'short-name-resolves-in-the-rule-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: reviews, namespace: shop }
        spec:
          selector: { app: reviews }
          ports: [{ port: 80 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: reviews, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: reviews } }
            spec:
              containers: [{ name: reviews, image: reviews:1.0 }]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: legacy-reviews, namespace: legacy }
        spec:
          host: reviews
          trafficPolicy:
            tls: { mode: DISABLE }
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    // With auto mTLS off, removing the tls block is no fix: only ISTIO_MUTUAL encrypts.
    const autoMtlsOff = autoMtlsDisabledBy(graph);
    for (const dr of istioResources(graph, 'DestinationRule')) {
      const host = str(get(dr.body, 'spec', 'host'));
      if (!host) continue;
      const blocks = destinationRuleTlsBlocks(dr).filter(({ tls }) => {
        const mode = str(tls.mode) ?? 'DISABLE';
        return mode === 'DISABLE' || mode === 'SIMPLE' || mode === 'MUTUAL';
      });
      if (blocks.length === 0) continue;
      const { fqdn, services } = resolveHost(graph, host, dr.namespace);
      const targets = meshTargets(graph, mesh, services);
      if (targets.length === 0) continue;
      for (const { path, tls, subsetLabels } of blocks) {
        const reached = reachedBy(graph, mesh, targets, subsetLabels, host);
        if (!reached) continue;
        const { workloads, related } = reached;
        const mode = str(tls.mode);
        report({
          resource: dr,
          path: mode === undefined ? path : [...path, 'mode'],
          messageId: mode === 'SIMPLE' || mode === 'MUTUAL' ? 'origination' : 'plaintext',
          data: {
            fix: autoMtlsOff
              ? `Set mode: ISTIO_MUTUAL (${meshConfigName(autoMtlsOff)} turns auto mTLS off, so without a tls block clients send plaintext too).`
              : mode === 'SIMPLE' || mode === 'MUTUAL'
                ? 'Use mode: ISTIO_MUTUAL (or remove the tls block).'
                : 'Remove the tls block or set mode: ISTIO_MUTUAL.',
            mode: mode ?? 'DISABLE (the default of a tls block without mode)',
            host: fqdn === host ? host : `${host} (${fqdn})`,
            workloads,
          },
          related: [...related],
        });
      }
    }
  },
});

interface Target {
  readonly service: Resource;
  readonly w: Workload;
}

/** The in-mesh workloads (not gateways) behind some services: once per list of services (one per host). */
function meshTargets(graph: Graph, mesh: MeshSettings, services: readonly Resource[]): readonly Target[] {
  return graph.memoFor('mtls-destination-rule-plaintext:targets', services, () =>
    services.flatMap((s) =>
      serviceWorkloads(graph, s)
        .filter((w) => {
          const m = membership(graph, mesh, w);
          return inMesh(m) && !m.gateway;
        })
        .map((w) => ({ service: s, w })),
    ),
  );
}

/** What a tls block reaches of a host's targets: the workloads named, and related places. */
interface Reached {
  readonly workloads: string;
  readonly related: readonly { readonly resource: Resource; readonly message: string }[];
}

/**
 * The targets a block's subset reaches (all of them without subset labels), once per host's targets and subset: the
 * DestinationRules of one host would each read every target again.
 */
function reachedBy(
  graph: Graph,
  mesh: MeshSettings,
  targets: readonly Target[],
  subsetLabels: unknown,
  host: string,
): Reached | undefined {
  const subset = isObj(subsetLabels) && Object.keys(subsetLabels).length ? subsetLabels : undefined;
  const key = `${host}\0${subset ? JSON.stringify(Object.entries(subset).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : ''}`;
  return graph.memoFor(`mtls-destination-rule-plaintext:reached:${key}`, targets, () =>
    findReached(graph, mesh, targets, subset, host),
  );
}

function findReached(
  graph: Graph,
  mesh: MeshSettings,
  targets: readonly Target[],
  subset: Record<string, unknown> | undefined,
  host: string,
): Reached | undefined {
  const reached = subset ? targets.filter((t) => matchesSelector(t.w.pod.labels, subset)) : targets;
  let found: Reached | undefined;
  if (reached.length > 0) {
    const workloads = [...new Set(reached.map((t) => t.w))];
    found = {
      workloads: nameList(workloads),
      related: [
        ...[...new Set(reached.map((t) => t.service))]
          .slice(0, 5)
          .map((s) => ({ resource: s, message: `${describe(s)} matches host ${host}` })),
        ...workloads.slice(0, 5).map((w) => ({
          resource: w,
          message: `${describe(w)} is in the mesh (${membership(graph, mesh, w).reason})`,
        })),
      ],
    };
  }
  return found;
}
