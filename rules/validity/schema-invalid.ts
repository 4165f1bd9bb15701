import type { ErrorObject } from 'ajv';
import { defineRule, yaml } from '../../src/engine/rule.js';
import { misplacedWorkloadKind } from '../../src/model/kubernetes/index.js';
import { NETWORKING_GROUP, SECURITY_GROUP, TELEMETRY_GROUP } from '../../src/model/istio/index.js';
import { formatPath, type Path, pathOfPointer } from '../../src/model/values.js';
import { didYouMean } from '../../src/suggest.js';
import { lazyValidator } from '../../src/generated/lazy.js';
import type { LazyValidatorName } from '../../src/generated/validators.js';

/**
 * The `spec` validators by kind and API group: precompiled from schemas/istio/*.json (generated from Istio's CRDs)
 * and loaded on first use, so that scans without Istio resources never load them.
 */
const VALIDATORS: Record<string, { group: string; validator: LazyValidatorName }> = {
  PeerAuthentication: { group: SECURITY_GROUP, validator: 'istioPeerAuthentication' },
  AuthorizationPolicy: { group: SECURITY_GROUP, validator: 'istioAuthorizationPolicy' },
  RequestAuthentication: { group: SECURITY_GROUP, validator: 'istioRequestAuthentication' },
  DestinationRule: { group: NETWORKING_GROUP, validator: 'istioDestinationRule' },
  Gateway: { group: NETWORKING_GROUP, validator: 'istioGateway' },
  Sidecar: { group: NETWORKING_GROUP, validator: 'istioSidecar' },
  Telemetry: { group: TELEMETRY_GROUP, validator: 'istioTelemetry' },
};

export default defineRule({
  id: 'schema-invalid',
  title: 'Resources must match their schema',
  severity: 'error',
  securitySeverity: 7.0,
  tags: ['security', 'istio', 'schema', 'correctness'],
  description: `A misspelled field or enum value in an Istio resource does not fail loudly where it matters: the CRD schemas
are structural, so the API server **prunes** unknown fields (\`portLevelMTLS\` simply disappears and the port stays at the
workload mode), and an unknown enum (\`mode: STRICTT\`) makes the API server or istiod reject the resource, so the
PeerAuthentication, AuthorizationPolicy or TLS setting the author wrote **does not exist** in the cluster. A linter that
only reads the intended fields would then trust a protection that is not there.

meshlint validates the \`spec\` of PeerAuthentication, AuthorizationPolicy, RequestAuthentication (security.istio.io),
DestinationRule, Gateway, Sidecar (networking.istio.io) and Telemetry (telemetry.istio.io), all versions, against
schemas generated from Istio's own CRD bundle (istio/istio \`manifests/charts/base/files/crd-all.gen.yaml\`, from
istio/api) by \`scripts/gen-istio-schemas.ts\`, with unknown fields forbidden (except where the CRD preserves them).
The published \`@kubernetes-models/istio\` package was considered: its schemas allow unknown fields and it brings a
runtime of its own, so the schemas are generated instead. The finding names the key or value at its exact location, with
the closest valid name. CEL rules (\`portLevelMtls requires selector\` ...) are left to the semantic rules
(\`mtls-policy-ineffective\`). The validators are precompiled at build time and loaded on first use (src/generated/lazy-validators.cjs), so no schema is compiled when meshlint runs.

**Workload kinds under the wrong API group.** Kubernetes finds a kind through its group and version: \`Pod\` is served
only by the core group (\`apiVersion: v1\`), \`Deployment\`, \`StatefulSet\`, \`DaemonSet\` and \`ReplicaSet\` by
\`apps\`, \`Job\` and \`CronJob\` by \`batch\` (Kubernetes API reference, "Workload Resources"). \`apiVersion: apps/v1\`
with \`kind: Pod\` makes \`kubectl apply\` fail with \`no matches for kind "Pod" in version "apps/v1"\`, so the workload
never runs with the settings the manifest shows; meshlint reports it (and does not judge its containers) instead of
skipping it silently. Only groups Kubernetes serves itself are judged: a \`Job\` of another project's group
(\`batch.volcano.sh\`) is that project's kind.`,
  remediation:
    'Correct the field name or value to the one Istio documents (the message suggests the closest), then check with `kubectl apply --dry-run=server` or `istioctl validate`.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/',
    'https://istio.io/latest/docs/reference/config/networking/',
    'https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning',
  ],
  messages: {
    unknownField:
      '{{resource}} has an unknown field "{{field}}" in {{where}}{{suggestion}}: Istio drops it, so that setting does not exist. Correct the name.',
    badEnum:
      '{{resource}} sets {{where}} to "{{value}}", which is not one of {{allowed}}{{suggestion}}: Istio rejects the resource. Use a valid value.',
    badType: '{{resource}} has {{where}} of the wrong type: it must be {{type}}. Istio rejects the resource.',
    missing: '{{resource}} lacks the required field "{{field}}" in {{where}}: Istio rejects the resource.',
    invalid: '{{resource}} has an invalid {{where}}: {{problem}}.',
    wrongGroup:
      '{{resource}} has apiVersion "{{apiVersion}}", but Kubernetes serves {{kind}} only in {{expected}}: the API server rejects it (no matches for kind "{{kind}}"). Correct the apiVersion.',
  },
  examples: {
    invalid: {
      'misspelled-mode-and-field': yaml`
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata: { name: default, namespace: istio-system }
        spec:
          mtls:
            mode: STRICTT # expect: schema-invalid @11-18
          portLevelMTLS: # expect: schema-invalid @3-16
            8080: { mode: DISABLE }
      `,
      'authorization-and-gateway-mistakes': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          action: allow # expect: schema-invalid @11-16
          rules:
            - from:
                - source:
                    principal: ["cluster.local/ns/shop/sa/frontend"] # expect: schema-invalid @13-22
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          servers:
            - hosts: ["shop.example.com"]
              port:
                name: https
                number: "443" # expect: schema-invalid @17-22
                protocol: HTTPS
              tls: { mode: SIMPLE }
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: db, namespace: shop }
        spec: # expect: schema-invalid @1-5
          trafficPolicy:
            tls: { mode: ISTIO_MUTUAL }
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: { name: mesh, namespace: istio-system }
        spec:
          tracing:
            - randomSamplingPercentage: 150 # expect: schema-invalid @33-36
      `,
      'pod-under-the-apps-group': yaml`
        apiVersion: apps/v1 # expect: schema-invalid @13-20
        kind: Pod
        metadata: { name: web }
        spec:
          containers:
            - { name: app, image: nginx:1.27 }
      `,
    },
    valid: {
      'valid-resources-and-other-kinds': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: default, namespace: istio-system }
        spec:
          mtls: { mode: STRICT }
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["*.example.com"]
              tls: { mode: SIMPLE, credentialName: cert, minProtocolVersion: TLSV1_2 }
        ---
        apiVersion: example.com/v1
        kind: PeerAuthentication
        metadata: { name: not-istio }
        spec:
          anything: goes
        ---
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: { name: another-projects-job }
        spec:
          tasks: []
      `,
    },
  },
  check({ graph, report }) {
    for (const resource of graph.resources) {
      const misplaced = misplacedWorkloadKind(resource);
      if (!misplaced) continue;
      const expected = misplaced.expected.map((group) => (group ? `${group}/*` : 'v1')).join(' or ');
      report({
        resource,
        path: ['apiVersion'],
        target: 'value',
        messageId: 'wrongGroup',
        data: { apiVersion: resource.apiVersion, kind: resource.kind, expected },
      });
    }
    for (const [kind, { group, validator }] of Object.entries(VALIDATORS)) {
      for (const resource of graph.ofKind(kind, group)) {
        const spec = resource.body.spec;
        if (spec === undefined || spec === null) continue;
        const validate = lazyValidator(validator);
        if (validate(spec)) continue;
        const seen = new Set<string>();
        for (const error of validate.errors ?? []) {
          const finding = describeError(error, spec);
          const key = formatPath(finding.path);
          if (seen.has(key)) continue;
          seen.add(key);
          report({
            resource,
            path: ['spec', ...finding.path],
            target: finding.target,
            messageId: finding.messageId,
            data: finding.data,
          });
        }
      }
    }
  },
});

type Finding = {
  path: Path;
  target: 'key' | 'value' | 'pair';
  messageId: 'unknownField' | 'badEnum' | 'badType' | 'missing' | 'invalid';
  data: Record<string, string>;
};

function describeError(error: ErrorObject, spec: unknown): Finding {
  const path = pathOfPointer(spec, error.instancePath);
  const where = path.length ? `spec.${formatPath(path)}` : 'spec';
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: [...path, field],
        target: 'key',
        messageId: 'unknownField',
        data: { field, where, suggestion: didYouMean(field, allowed) },
      };
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const value = typeof error.data === 'string' ? error.data : JSON.stringify(error.data);
      return {
        path,
        target: 'value',
        messageId: 'badEnum',
        data: { where, value, allowed: allowed.join(', '), suggestion: didYouMean(value, allowed) },
      };
    }
    case 'type':
      return {
        path,
        target: 'value',
        messageId: 'badType',
        data: { where, type: String((error.params as { type: string | string[] }).type).replace(',', ' or ') },
      };
    case 'required':
      return {
        path,
        target: 'key',
        messageId: 'missing',
        data: { where, field: String((error.params as { missingProperty: string }).missingProperty) },
      };
    default:
      return { path, target: 'value', messageId: 'invalid', data: { where, problem: error.message ?? error.keyword } };
  }
}
