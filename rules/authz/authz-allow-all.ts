import { defineRule, yaml } from '../../src/engine/rule.js';
import { authorizationPolicies, isEmptyRule } from '../../src/model/istio/index.js';
import { arr, get, isObj, str } from '../../src/model/values.js';

export default defineRule({
  id: 'authz-allow-all',
  title: 'ALLOW rules must say who is allowed',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'istio', 'authorization'],
  description: `In an Istio AuthorizationPolicy a rule matches when all of its \`from\`, \`to\` and \`when\` match, and an absent
field matches anything: "An empty rule is always matched" (istio/api \`security/v1beta1/authorization_policy.proto\`).
So an ALLOW policy with \`rules: [{}]\` allows every request from every source to its workloads (to the whole mesh in the
root namespace), and undoes the default deny that any ALLOW policy on a workload otherwise brings.

A rule with \`to\` or \`when\` but no \`from\` allows those operations to **any** caller, authenticated or not: a warning,
since it may be deliberate (a public health endpoint) but is often a forgotten \`from\` (conditions on \`source.*\` keys
count as a source).

Not reported: \`spec: {}\` and an ALLOW policy without \`rules\`, which are the opposite, **allow-nothing** ("If not set,
the match will never occur"; \`pilot/pkg/security/authz/builder/builder.go\` \`rbacPolicyMatchNever\`), the standard
default-deny; DENY, AUDIT and CUSTOM policies; dry-run policies (\`istio.io/dry-run: "true"\`, not enforced).`,
  remediation:
    'Give the rule a `from` with the principals or namespaces that need access (and narrow `to` to the operations they need); to deny by default use `spec: {}` instead of `rules: [{}]`.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/authorization-policy/',
    'https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns',
  ],
  messages: {
    emptyRule:
      '{{resource}} has an empty ALLOW rule, which matches every request from every source{{scope}}: add a from with the principals that need access (use spec: {} to deny everything).',
    noSource:
      '{{resource}} allows {{what}} from any source, authenticated or not: add a from with the principals or namespaces that need it.',
  },
  examples: {
    invalid: {
      'empty-rule-allows-everything': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: allow-all, namespace: istio-system }
        spec:
          action: ALLOW
          rules:
            - {} # expect: authz-allow-all @7-9
      `,
      'operation-without-source': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: admin, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          rules:
            - to: # expect: authz-allow-all @7-9
                - operation: { paths: ["/admin/*"] }
      `,
    },
    valid: {
      'spec-empty-is-deny-all': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: allow-nothing, namespace: shop }
        spec: {}
      `,
      'deny-everything-and-sourced-allow': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: lockdown, namespace: shop }
        spec:
          action: DENY
          rules: [{}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from: [{ source: { principals: ["cluster.local/ns/shop/sa/frontend"] } }]
              to: [{ operation: { methods: ["GET"] } }]
            - when: [{ key: source.namespace, values: ["shop"] }]
      `,
    },
  },
  check({ graph, settings, report }) {
    for (const policy of authorizationPolicies(graph)) {
      if (policy.action !== 'ALLOW' || policy.dryRun) continue;
      (policy.rules ?? []).forEach((rule, i) => {
        if (!isObj(rule)) return;
        if (isEmptyRule(rule)) {
          const scope =
            policy.resource.namespace === settings.mesh.rootNamespace && !policy.selector ? ' in the whole mesh' : '';
          report({ resource: policy.resource, path: ['spec', 'rules', i], messageId: 'emptyRule', data: { scope } });
          return;
        }
        if (rule.from !== undefined) return;
        const sourced = arr(rule.when).some(
          (c) =>
            (str(get(c, 'key')) ?? '').startsWith('source.') || (str(get(c, 'key')) ?? '').startsWith('request.auth.'),
        );
        if (sourced) return;
        const what = rule.to !== undefined ? 'the operations of this rule' : 'requests meeting these conditions';
        report({
          resource: policy.resource,
          path: ['spec', 'rules', i, rule.to !== undefined ? 'to' : 'when'],
          target: 'key',
          messageId: 'noSource',
          data: { what },
          severity: 'warning',
        });
      });
    }
  },
});
