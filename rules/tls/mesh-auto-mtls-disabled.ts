import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  istioResources,
  meshConfigSite,
  meshConfigs,
  meshSetting,
  membership,
  nameList,
  resolveHost,
  serviceWorkloads,
  workloadRevision,
  type MeshSettings,
} from '../../src/model/istio/index.js';
import type { Graph } from '../../src/model/graph.js';
import type { Resource } from '../../src/model/resource.js';
import { arr, get, isObj } from '../../src/model/values.js';

export default defineRule({
  id: 'mesh-auto-mtls-disabled',
  title: 'Do not turn off Istio auto mTLS without ISTIO_MUTUAL DestinationRules',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'istio', 'mtls', 'encryption'],
  description: `\`enableAutoMtls\` is a mesh-wide setting (MeshConfig, istio/api \`mesh/v1alpha1/config.proto\`): "If set to true,
and a given service does not have a corresponding DestinationRule configured, or its DestinationRule does not have
ClientTLSSettings specified, Istio configures client side TLS configuration appropriately." It is on by default
(\`pkg/config/mesh/mesh.go\` \`DefaultMeshConfig\`: \`EnableAutoMtls: true\`). With \`enableAutoMtls: false\`, istiod gives a
client sidecar no TLS toward a service unless a DestinationRule sets \`tls\` (\`pilot/pkg/networking/core/cluster_tls.go\`
\`buildUpstreamTLSSettings\`: without a DestinationRule TLS setting, no TLS when \`!autoMTLS\`): every call to a service
without an ISTIO_MUTUAL DestinationRule leaves the client in **plaintext**. A STRICT server resets it; a PERMISSIVE one
accepts it without encryption and without a peer identity, so principal- and namespace-based AuthorizationPolicies
no longer match and DENY rules on principals are bypassed.

meshlint reads the mesh config where the repository holds it: the \`mesh\` key of the ConfigMap \`istio\` (or
\`istio-<revision>\`) in the control plane's namespace (istio-system, a namespace with an istiod Deployment, or a
ConfigMap the istiod chart labelled \`operator.istio.io/component: Pilot\`), which istiod reads
(\`pkg/config/mesh/kubemesh/watcher.go\`) and the istiod chart renders from \`.Values.meshConfig\`
(\`manifests/charts/istio-control/istio-discovery/templates/configmap.yaml\`); an IstioOperator's \`spec.meshConfig\`; a
Sail Operator Istio's \`spec.values.meshConfig\`; the \`meshConfig:\` of the istiod chart's values (a values file next to
a Chart.yaml named istiod or istio-discovery, or one whose name or folder says istiod, such as \`istiod-values.yaml\`);
and the values a Flux HelmRelease (\`spec.values\`) or an Argo CD Application (\`helm.valuesObject\`, else the
\`helm.values\` string) gives the istiod chart. The finding is reported on the setting and names the Services of the
repository whose workloads have a sidecar of that revision (\`istio.io/rev\`) and that no DestinationRule without
\`workloadSelector\` in their namespace or the root namespace puts in \`tls.mode: ISTIO_MUTUAL\` (at the top level and on
every port-level entry: a port entry without \`tls\` does not inherit it). When every such Service is covered, or a root
namespace DestinationRule for \`*\`-style hosts covers them all, nothing is reported. Ambient workloads are not named:
ztunnel encrypts their traffic whatever this setting says.`,
  remediation:
    'Remove `enableAutoMtls: false` (auto mTLS is on by default), or give every mesh service a DestinationRule with `trafficPolicy.tls.mode: ISTIO_MUTUAL` (one in the root namespace for host `*.local` covers the mesh).',
  references: [
    'https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig',
    'https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#auto-mutual-tls',
  ],
  messages: {
    plaintext:
      '{{resource}} sets enableAutoMtls: false: client sidecars call {{services}} in plaintext (STRICT servers reset such calls, PERMISSIVE ones take them without encryption or identity), since no DestinationRule sets tls.mode ISTIO_MUTUAL for them. Remove the setting (auto mTLS is on by default) or add such DestinationRules.',
    plaintextAnywhere:
      '{{resource}} sets enableAutoMtls: false: client sidecars call every service without a DestinationRule in tls.mode ISTIO_MUTUAL in plaintext. Remove the setting (auto mTLS is on by default) or add a root-namespace DestinationRule for *.local with tls.mode: ISTIO_MUTUAL.',
  },
  examples: {
    invalid: {
      'configmap-turns-auto-mtls-off': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: istio, namespace: istio-system }
        data:
          mesh: |-
            rootNamespace: istio-system
            enableAutoMtls: false # expect: mesh-auto-mtls-disabled @5-26
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop, labels: { istio-injection: enabled } }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web, namespace: shop }
        spec: { selector: { app: web }, ports: [{ port: 80 }] }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec: { containers: [{ name: web, image: web:1.0 }] }
      `,
      'istio-operator-turns-auto-mtls-off': yaml`
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig:
            enableAutoMtls: false # expect: mesh-auto-mtls-disabled @5-26
      `,
    },
    valid: {
      'auto-mtls-on': yaml`
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig:
            enableAutoMtls: true
      `,
      'mesh-wide-istio-mutual-destination-rule': yaml`
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig:
            enableAutoMtls: false
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: mesh-mtls, namespace: istio-system }
        spec:
          host: "*.local"
          trafficPolicy:
            tls: { mode: ISTIO_MUTUAL }
      `,
    },
  },
  check({ graph, settings, report }) {
    for (const source of meshConfigs(graph).sources) {
      if (meshSetting(source, 'enableAutoMtls') !== false) continue;
      const exposed = plaintextServices(graph.whole, settings.mesh, source.revision);
      if (exposed?.length === 0) continue;
      report({
        ...meshConfigSite(source, 'enableAutoMtls'),
        messageId: exposed ? 'plaintext' : 'plaintextAnywhere',
        data: { services: nameList(exposed ?? []) },
      });
    }
  },
});

const MESH_DOMAIN = '.svc.cluster.local';

/**
 * Services with sidecar workloads of the revision that no ISTIO_MUTUAL DestinationRule covers; undefined when the
 * repository holds none to name (every service of the mesh is then exposed, unless a mesh-wide rule covers them).
 */
function plaintextServices(graph: Graph, mesh: MeshSettings, revision: string): readonly Resource[] | undefined {
  const covered = new Set<Resource>();
  let meshWide = false;
  for (const dr of istioResources(graph, 'DestinationRule')) {
    if (get(dr.body, 'spec', 'workloadSelector') !== undefined || !istioMutualEverywhere(dr)) continue;
    const host = get(dr.body, 'spec', 'host');
    if (typeof host !== 'string') continue;
    // `*`, `*.local`, `*.cluster.local`, `*.svc.cluster.local` in the root namespace: every service of the mesh.
    if (
      dr.namespace === mesh.rootNamespace &&
      (host === '*' || (host.startsWith('*.') && MESH_DOMAIN.endsWith(host.slice(1))))
    )
      meshWide = true;
    for (const s of resolveHost(graph, host, dr.namespace).services)
      if (s.namespace === dr.namespace || dr.namespace === mesh.rootNamespace) covered.add(s);
  }
  if (meshWide) return [];
  const meshed = graph.ofKind('Service', '').filter((s) =>
    serviceWorkloads(graph, s).some((w) => {
      const m = membership(graph, mesh, w);
      return m.dataplane === 'sidecar' && !m.gateway && workloadRevision(graph, w.namespace, w.pod.labels) === revision;
    }),
  );
  if (meshed.length === 0) return undefined;
  return meshed.filter((s) => !covered.has(s));
}

/** ISTIO_MUTUAL at the top level, and on every port-level entry (an entry without tls does not inherit it). */
function istioMutualEverywhere(dr: Resource): boolean {
  const policy = get(dr.body, 'spec', 'trafficPolicy');
  if (get(policy, 'tls', 'mode') !== 'ISTIO_MUTUAL') return false;
  return arr(get(policy, 'portLevelSettings')).every((p) => isObj(p) && get(p, 'tls', 'mode') === 'ISTIO_MUTUAL');
}
