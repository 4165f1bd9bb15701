import { defineRule, yaml } from '../../src/engine/rule.js';
import { istioResources, policyScope } from '../../src/model/istio/index.js';
import { arr, get } from '../../src/model/values.js';

export default defineRule({
  id: 'telemetry-disabled',
  title: 'Do not turn off tracing or access logs for a namespace or the mesh',
  severity: 'warning',
  securitySeverity: 4.0,
  tags: ['security', 'istio', 'observability', 'logging'],
  description: `Access logs and traces are what an incident responder reconstructs an intrusion from: which identity called
which service, when, with what result. An Istio \`Telemetry\` resource without a selector applies to its whole namespace
(to the whole mesh in the root namespace, \`mesh.rootNamespace\`), so \`accessLogging[].disabled: true\`,
\`tracing[].disableSpanReporting: true\` or \`tracing[].randomSamplingPercentage: 0\` there switches that visibility off for
every workload at once (istio/api \`telemetry/v1alpha1/telemetry.proto\`; OWASP A09 "Security Logging and Monitoring
Failures").

Only selector-less (namespace- or mesh-wide) Telemetry resources are reported; silencing one noisy workload with a
selector or \`targetRefs\` is a local decision and stays quiet.`,
  remediation:
    'Remove the `disabled`/`disableSpanReporting` override (or lower the sampling rate instead of zeroing it), or scope it to the one workload that needs it with `selector`.',
  references: [
    'https://istio.io/latest/docs/reference/config/telemetry/',
    'https://istio.io/latest/docs/tasks/observability/telemetry/',
  ],
  messages: {
    accessLogging:
      '{{resource}} disables access logging for {{scope}}: requests leave no trace to investigate an incident with. Remove disabled: true (or scope it with a selector).',
    tracing: '{{resource}} turns off tracing for {{scope}} ({{how}}): remove it, or scope it with a selector.',
  },
  examples: {
    invalid: {
      'mesh-wide-logging-and-tracing-off': yaml`
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: { name: mesh-default, namespace: istio-system }
        spec:
          accessLogging:
            - providers: [{ name: envoy }]
              disabled: true # expect: telemetry-disabled @7-21
          tracing:
            - disableSpanReporting: true # expect: telemetry-disabled @7-33
            - randomSamplingPercentage: 0 # expect: telemetry-disabled @7-34
      `,
    },
    valid: {
      'one-noisy-workload': yaml`
        apiVersion: telemetry.istio.io/v1alpha1
        kind: Telemetry
        metadata: { name: healthcheck, namespace: shop }
        spec:
          selector: { matchLabels: { app: healthcheck } }
          accessLogging:
            - disabled: true
      `,
    },
  },
  check({ graph, settings, report }) {
    for (const telemetry of istioResources(graph, 'Telemetry')) {
      const scope = policyScope(telemetry);
      if (scope.selector || scope.targetRefs) continue;
      const where =
        telemetry.namespace === settings.mesh.rootNamespace ? 'the whole mesh' : `namespace ${telemetry.namespace}`;
      arr(get(telemetry.body, 'spec', 'accessLogging')).forEach((entry, i) => {
        if (get(entry, 'disabled') === true)
          report({
            resource: telemetry,
            path: ['spec', 'accessLogging', i, 'disabled'],
            messageId: 'accessLogging',
            data: { scope: where },
          });
      });
      arr(get(telemetry.body, 'spec', 'tracing')).forEach((entry, i) => {
        if (get(entry, 'disableSpanReporting') === true) {
          report({
            resource: telemetry,
            path: ['spec', 'tracing', i, 'disableSpanReporting'],
            messageId: 'tracing',
            data: { scope: where, how: 'disableSpanReporting: true' },
          });
        } else if (get(entry, 'randomSamplingPercentage') === 0) {
          report({
            resource: telemetry,
            path: ['spec', 'tracing', i, 'randomSamplingPercentage'],
            messageId: 'tracing',
            data: { scope: where, how: 'randomSamplingPercentage: 0' },
          });
        }
      });
    }
  },
});
