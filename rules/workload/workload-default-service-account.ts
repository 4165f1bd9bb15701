import { defineRule, yaml } from '../../src/engine/rule.js';
import { str } from '../../src/model/values.js';

export default defineRule({
  id: 'workload-default-service-account',
  title: 'Workloads must run under their own service account',
  severity: 'warning',
  securitySeverity: 5.0,
  tags: ['security', 'identity', 'mesh', 'rbac'],
  description: `In a mesh the service account **is** the workload's identity: Istio issues the SPIFFE certificate
\`spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>\`, and AuthorizationPolicy principals and Linkerd
MeshTLSAuthentication identities match on it. Every workload that runs as \`default\` shares one identity with all the
others in its namespace, so identity-based policies cannot tell them apart: allowing one allows them all, and an
attacker in any of them inherits every permission granted to \`default\`, including RBAC bindings made to it.

Reported when the pod spec has no \`serviceAccountName\` (nor the deprecated \`serviceAccount\`), or names \`default\`.`,
  remediation:
    'Create a ServiceAccount for the workload and set `serviceAccountName` in its pod spec (with `automountServiceAccountToken: false` when it does not call the Kubernetes API).',
  references: ['https://istio.io/latest/docs/concepts/security/#istio-identity'],
  messages: {
    missing:
      "{{resource}} runs as the namespace's default service account, an identity shared with every other such workload: set serviceAccountName to a dedicated ServiceAccount.",
    explicitDefault:
      '{{resource}} names the default service account, an identity shared with every other such workload: set serviceAccountName to a dedicated ServiceAccount.',
  },
  examples: {
    invalid: {
      'no-service-account-name': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec: # expect: workload-default-service-account @5-9
              containers:
                - name: app
                  image: nginx:1.27
      `,
      'explicit-default': yaml`
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          template:
            spec:
              serviceAccountName: default # expect: workload-default-service-account @7-34
              containers:
                - name: migrate
                  image: migrate:4.17
      `,
    },
    valid: {
      'dedicated-service-account': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: web
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              serviceAccountName: web
              containers:
                - name: app
                  image: nginx:1.27
      `,
    },
  },
  check({ graph, report }) {
    for (const workload of graph.workloads) {
      const spec = workload.pod.spec;
      const field =
        spec.serviceAccountName !== undefined || spec.serviceAccount === undefined
          ? 'serviceAccountName'
          : 'serviceAccount';
      const name = str(spec[field]);
      if (name && name !== 'default') continue;
      report({
        resource: workload,
        path: [...workload.pod.specPath, field],
        messageId: name === 'default' ? 'explicitDefault' : 'missing',
      });
    }
  },
});
