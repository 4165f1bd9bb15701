import { defineRule, yaml } from '../../src/engine/rule.js';
import { describe } from '../../src/model/resource.js';
import {
  authorizationPolicies,
  namespaceIdentities,
  parsePrincipal,
  sourceValues,
} from '../../src/model/istio/index.js';
import { linkerdResources, meshTlsIdentities } from '../../src/model/linkerd/index.js';
import type { Graph } from '../../src/model/graph.js';
import type { Resource } from '../../src/model/resource.js';
import { arr, get, str, type Path } from '../../src/model/values.js';

export default defineRule({
  id: 'authz-unknown-principal',
  title: 'Principals must name service accounts that exist',
  severity: 'warning',
  securitySeverity: 5.0,
  tags: ['security', 'istio', 'authorization', 'identity'],
  description: `An Istio principal is the SPIFFE identity \`<trust-domain>/ns/<namespace>/sa/<service-account>\` of the caller's
certificate, i.e. its Kubernetes ServiceAccount. A principal naming a service account that does not exist matches nobody:
an ALLOW rule then denies the caller it was written for (and someone "fixes" it with a wildcard), a DENY rule denies
nothing, and whoever later creates a ServiceAccount with that name inherits the access.

Reported for \`principals\`/\`notPrincipals\` (and \`when\` \`source.principal\` values) of the exact form
\`<td>/ns/N/sa/S\`, and for \`serviceAccounts\` (\`N/S\`, or \`S\` in the policy's namespace), when the repository holds
namespace N's ServiceAccounts or workloads and none of them is S. The known names are the ServiceAccount objects, the
workloads' \`serviceAccountName\` and \`default\`. Namespaces the repository does not show are not judged.

Linkerd's identities are the same ServiceAccounts, written \`<sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>\` in a
\`MeshTLSAuthentication\`'s \`identities\`, or as \`identityRefs\` of kind ServiceAccount (namespace defaulting to the
resource's): they are checked the same way.`,
  remediation:
    'Correct the principal to the service account the caller runs under (`serviceAccountName` of its pod template), or create that ServiceAccount and run the caller under it.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source',
    'https://istio.io/latest/docs/concepts/security/#istio-identity',
  ],
  messages: {
    linkerdUnknown:
      '{{resource}} names service account "{{sa}}" of namespace {{namespace}}, but the repository\'s {{namespace}} has only {{known}}: it matches nobody. Correct it to the client\'s serviceAccountName.',
    unknown:
      '{{resource}} names service account "{{sa}}" of namespace {{namespace}} ({{value}}), but the repository\'s {{namespace}} has only {{known}}: it matches nobody. Correct it to the caller\'s serviceAccountName.',
  },
  examples: {
    invalid: {
      'typo-in-service-account': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata: { name: frontend, namespace: shop }
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from:
                - source:
                    principals:
                      - cluster.local/ns/shop/sa/frontend
                      - cluster.local/ns/shop/sa/fronted # expect: authz-unknown-principal @17-49
                - source:
                    serviceAccounts: ["shop/checkout"] # expect: authz-unknown-principal @31-46
      `,
      'linkerd-identity-and-ref': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata: { name: web, namespace: emojivoto }
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: MeshTLSAuthentication
        metadata: { name: voting-clients, namespace: emojivoto }
        spec:
          identities:
            - web.emojivoto.serviceaccount.identity.linkerd.cluster.local
            - vote-bot.emojivoto.serviceaccount.identity.linkerd.cluster.local # expect: authz-unknown-principal @7-71
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: MeshTLSAuthentication
        metadata: { name: web-clients, namespace: emojivoto }
        spec:
          identityRefs:
            - kind: ServiceAccount
              name: ingress # expect: authz-unknown-principal @13-20
      `,
    },
    valid: {
      'workload-service-account-and-unknown-namespace': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: checkout, namespace: shop }
        spec:
          template:
            spec:
              serviceAccountName: checkout
              containers: [{ name: checkout, image: checkout:1.0 }]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: web, namespace: shop }
        spec:
          rules:
            - from:
                - source:
                    principals:
                      - cluster.local/ns/shop/sa/checkout
                      - cluster.local/ns/shop/sa/default
                      - cluster.local/ns/payments/sa/api
      `,
    },
  },
  check({ graph, report }) {
    // Sorted once per namespace: a namespace of many identities may have many unknown principals.
    const sorted = new Map<string, readonly string[]>();
    const sortedNames = (namespace: string, names: ReadonlySet<string>) => {
      let list = sorted.get(namespace);
      if (!list) sorted.set(namespace, (list = [...names].sort()));
      return list;
    };
    checkLinkerd(graph, (resource, path, namespace, sa) => {
      const ids = namespaceIdentities(graph, namespace);
      if (!ids.known || ids.names.has(sa)) return;
      const names = sortedNames(namespace, ids.names);
      report({
        resource,
        path,
        target: 'value',
        messageId: 'linkerdUnknown',
        data: { sa, namespace, known: names.slice(0, 6).join(', ') + (names.length > 6 ? ', ...' : '') },
      });
    });
    for (const policy of authorizationPolicies(graph)) {
      for (const v of sourceValues(
        policy,
        ['principals', 'notPrincipals', 'serviceAccounts', 'notServiceAccounts'],
        ['source.principal'],
      )) {
        let namespace: string;
        let sa: string;
        if (v.field.includes('erviceAccounts')) {
          if (v.value.includes('*')) continue;
          const parts = v.value.split('/');
          if (parts.length > 2) continue;
          [namespace, sa] = parts.length === 2 ? [parts[0], parts[1]] : [policy.resource.namespace, parts[0]];
        } else {
          const p = parsePrincipal(v.value);
          if (!p) continue;
          ({ namespace, serviceAccount: sa } = p);
        }
        const ids = namespaceIdentities(graph, namespace);
        if (!ids.known || ids.names.has(sa)) continue;
        const names = sortedNames(namespace, ids.names);
        const related = [];
        for (let i = 0; i < names.length && related.length < 3; i++) {
          const account = graph.find('ServiceAccount', namespace, names[i]);
          if (account) related.push(account);
        }
        report({
          resource: policy.resource,
          path: v.path,
          target: 'value',
          messageId: 'unknown',
          data: {
            sa,
            namespace,
            value: v.value,
            known: names.slice(0, 6).join(', ') + (names.length > 6 ? ', ...' : ''),
          },
          related: related.map((r) => ({ resource: r, message: `${describe(r)} exists` })),
        });
      }
    }
  },
});

/** Linkerd MeshTLSAuthentication identities and ServiceAccount identityRefs, as (namespace, service account). */
function checkLinkerd(
  graph: Graph,
  visit: (resource: Resource, path: Path, namespace: string, sa: string) => void,
): void {
  for (const auth of linkerdResources(graph, 'MeshTLSAuthentication')) {
    for (const { value, index } of meshTlsIdentities(auth)) {
      const m = /^([^.*]+)\.([^.*]+)\.serviceaccount\.identity\./.exec(value);
      if (m) visit(auth, ['spec', 'identities', index], m[2], m[1]);
    }
    arr(get(auth.body, 'spec', 'identityRefs')).forEach((ref, index) => {
      const name = str(get(ref, 'name'));
      if (str(get(ref, 'kind')) !== 'ServiceAccount' || !name || name === '*') return;
      visit(auth, ['spec', 'identityRefs', index, 'name'], str(get(ref, 'namespace')) ?? auth.namespace, name);
    });
  }
}
