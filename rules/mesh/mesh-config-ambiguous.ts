import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  meshConfigFile,
  meshConfigName,
  meshConfigSite,
  meshConfigs,
  meshSetting,
  type MeshConfigSource,
} from '../../src/model/istio/index.js';

export default defineRule({
  id: 'mesh-config-ambiguous',
  title: "Keep one Istio mesh config per control plane, and meshlint's settings in line with it",
  severity: 'warning',
  securitySeverity: 4.0,
  tags: ['security', 'istio'],
  description: `Istio's mesh-wide settings (MeshConfig, istio/api \`mesh/v1alpha1/config.proto\`) decide how every other policy reads:
\`rootNamespace\` is where PeerAuthentication, AuthorizationPolicy and DestinationRule apply mesh-wide, and
\`enableAutoMtls\` whether clients use mTLS without a DestinationRule. istiod reads one of them per control plane: the
\`mesh\` key of the ConfigMap \`istio\` (or \`istio-<revision>\`) in its namespace (\`pkg/config/mesh/kubemesh/watcher.go\`),
which the istiod chart renders from \`.Values.meshConfig\` (values files, a Flux HelmRelease's \`spec.values\`, an Argo CD
Application's \`helm.valuesObject\` or \`helm.values\`, a Sail Operator Istio's \`spec.values\`) and the IstioOperator from
\`spec.meshConfig\`. meshlint reads them where the repository holds them and applies what they say; it does not merge
them, because the cluster does not either: whichever was applied last is the one in force. So:

- Two mesh configs of the same revision (a ConfigMap and an IstioOperator, or two values files) that set
  \`enableAutoMtls\` or \`rootNamespace\` to different values are reported on the later one (warning): only one of them can
  be what istiod runs. Two root namespaces are reported whatever the revision, since the mesh rules apply one; meshlint
  then keeps the configured (or default) root namespace.
- A \`.meshlint.yaml\` that sets \`mesh.rootNamespace\` wins over the repository's mesh config (an explicit setting is the
  user's decision); when the mesh config says another root namespace, a note says so on the mesh config.
- A Helm values file (a file whose name says \`values\`) with a top-level \`meshConfig:\` that meshlint cannot tie to the
  istiod chart (no Chart.yaml of istiod or istio-discovery next to it, and neither its name nor its folder says
  istiod) is not applied, and a note says so: the chart that reads it is unknown, and guessing would apply settings
  that may govern nothing.

A \`mesh\` text that is not valid YAML is a \`parse-error\` inside the block scalar: istiod refuses it and keeps the
last config it read ("failed to read mesh config from ConfigMap"), or its defaults on a first start.`,
  remediation:
    'Keep one source of the mesh config per control plane (the IstioOperator or Helm values that render the ConfigMap), make `.meshlint.yaml` `mesh.rootNamespace` agree with it or remove it, and name values files for the chart that reads them.',
  references: [
    'https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/',
    'https://istio.io/latest/docs/setup/additional-setup/customize-installation/',
  ],
  messages: {
    disagree:
      '{{resource}} sets {{key}}: {{value}}, but {{other}} sets {{otherValue}}{{scope}}: only one of them is in force. Keep one mesh config, or make them agree.',
    configDisagrees:
      '{{resource}} sets rootNamespace: {{value}}, but .meshlint.yaml sets mesh.rootNamespace: {{configured}}, which meshlint applies. Make them agree, or remove mesh.rootNamespace from .meshlint.yaml to follow the mesh config.',
    valuesNotApplied:
      '{{resource}} holds meshConfig, but meshlint does not apply it: {{reason}}. If istiod reads it, name it for the istiod chart (istiod-values.yaml).',
  },
  examples: {
    invalid: {
      'configmap-and-operator-disagree': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: istio, namespace: istio-system }
        data:
          mesh: |-
            enableAutoMtls: true
        ---
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig:
            enableAutoMtls: true
            rootNamespace: istio-config
        ---
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: old-control-plane, namespace: istio-system }
        spec:
          meshConfig:
            rootNamespace: mesh-root # expect: mesh-config-ambiguous @5-29
      `,
      'configuration-names-another-root-namespace': {
        '.meshlint.yaml': yaml`
          mesh:
            rootNamespace: istio-config
        `,
        'istiod-values.yaml': yaml`
          meshConfig:
            rootNamespace: istio-system # expect: mesh-config-ambiguous @3-30
        `,
      },
      'values-file-of-an-unknown-chart': {
        'values.yaml': yaml`
          meshConfig: # expect: mesh-config-ambiguous @1-11
            enableAutoMtls: false
        `,
      },
    },
    valid: {
      'revisions-may-differ': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: istio, namespace: istio-system }
        data:
          mesh: |-
            enableAutoMtls: true
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: istio-canary, namespace: istio-system }
        data:
          mesh: |-
            enableAutoMtls: false
      `,
    },
  },
  check({ graph, settings, report }) {
    const { sources, unapplied } = meshConfigs(graph);
    for (const key of ['enableAutoMtls', 'rootNamespace'] as const) {
      const first = new Map<string, { source: MeshConfigSource; value: string }>();
      for (const source of sources) {
        const written = meshSetting(source, key);
        if (written === undefined || written === null || typeof written === 'object') continue;
        const value = String(written);
        // The mesh rules apply one root namespace, whatever the revision.
        const scope = key === 'rootNamespace' ? '*' : source.revision;
        const seen = first.get(scope);
        if (!seen) {
          first.set(scope, { source, value });
          continue;
        }
        if (seen.value === value) continue;
        report({
          ...meshConfigSite(source, key),
          messageId: 'disagree',
          data: {
            key,
            value,
            other:
              meshConfigFile(seen.source) === meshConfigFile(source)
                ? meshConfigName(seen.source)
                : `${meshConfigName(seen.source)} (${meshConfigFile(seen.source)})`,
            otherValue: seen.value,
            scope:
              key === 'rootNamespace' && seen.source.revision !== source.revision
                ? ' (meshlint applies one root namespace to every revision)'
                : '',
          },
          related:
            'resource' in seen.source.site
              ? [
                  {
                    resource: seen.source.site.resource,
                    path: [...seen.source.base, key],
                    message: `${key}: ${seen.value} here`,
                  },
                ]
              : [],
        });
      }
    }
    if (settings.mesh.rootNamespaceConfigured) {
      for (const source of sources) {
        const value = meshSetting(source, 'rootNamespace');
        if (typeof value !== 'string' || value === settings.mesh.rootNamespace) continue;
        report({
          ...meshConfigSite(source, 'rootNamespace'),
          messageId: 'configDisagrees',
          severity: 'note',
          data: { value, configured: settings.mesh.rootNamespace },
        });
      }
    }
    for (const { document, reason } of unapplied)
      report({ document, path: ['meshConfig'], messageId: 'valuesNotApplied', severity: 'note', data: { reason } });
  },
});
