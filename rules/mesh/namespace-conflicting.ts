import { defineRule, yaml } from '../../src/engine/rule.js';
import { groupBy } from '../../src/model/graph.js';
import type { Resource } from '../../src/model/resource.js';

/** Annotations that decide mesh membership or policy on a Namespace (labels all count). */
const MESH_ANNOTATION = /^(linkerd\.io\/|config\.linkerd\.io\/|sidecar\.istio\.io\/|traffic\.sidecar\.istio\.io\/)/;

/** The labels and mesh annotations of a Namespace as one comparable text, sorted. */
function meshIdentity(ns: Resource): string {
  const labels = Object.entries(ns.labels).map(([k, v]) => `label ${k}=${v}`);
  const annotations = Object.entries(ns.annotations)
    .filter(([k]) => MESH_ANNOTATION.test(k))
    .map(([k, v]) => `annotation ${k}=${v}`);
  return [...labels, ...annotations].sort().join('\n');
}

function differences(a: Resource, b: Resource): string {
  const left = new Set(meshIdentity(a).split('\n').filter(Boolean));
  const right = new Set(meshIdentity(b).split('\n').filter(Boolean));
  const only = (x: Set<string>, y: Set<string>) => [...x].filter((e) => !y.has(e));
  const here = only(left, right);
  const there = only(right, left);
  return `here ${here.length ? here.join(', ') : 'nothing else'}; there ${there.length ? there.join(', ') : 'nothing else'}`;
}

export default defineRule({
  id: 'namespace-conflicting',
  title: 'Declare each Namespace once, or with the same labels everywhere',
  severity: 'warning',
  securitySeverity: 4.0,
  tags: ['security', 'kubernetes', 'istio', 'linkerd'],
  description: `A Namespace's labels and annotations decide whether its pods join the mesh (\`istio-injection\`, \`istio.io/rev\`,
\`istio.io/dataplane-mode\`, \`linkerd.io/inject\`; istio/istio \`pkg/kube/inject/inject.go\`, linkerd/linkerd2 proxy
injector), and Pod Security admission levels (\`pod-security.kubernetes.io/*\`). When a repository declares one
Namespace twice with different labels, the cluster ends up with whichever manifest was applied last (\`kubectl apply\`
replaces the labels the previous apply set), so the mesh membership of every workload in it depends on the order of a
deployment pipeline; often one copy is a stale leftover. meshlint reads one of them (the last one it reads, in path
order) for membership; this rule says so instead of choosing silently.

Reported once per duplicate, on every copy after the first, when the labels or the mesh annotations
(\`linkerd.io/*\`, \`config.linkerd.io/*\`, \`sidecar.istio.io/*\`, \`traffic.sidecar.istio.io/*\`) differ; identical copies
are not reported.`,
  remediation:
    'Keep one Namespace manifest (or make the copies agree) so that the labels that decide injection and admission do not depend on the order of applies.',
  references: [
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/',
    'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/',
  ],
  messages: {
    conflicting:
      'Namespace {{name}} is also declared in {{other}} with other labels ({{differences}}): the cluster keeps whichever is applied last, and with it the mesh membership of its workloads. Keep one declaration.',
  },
  examples: {
    invalid: {
      'base-and-leftover': {
        'base/namespace.yaml': yaml`
          apiVersion: v1
          kind: Namespace
          metadata:
            name: shop
            labels: { istio-injection: enabled }
        `,
        'legacy/namespace.yaml': yaml`
          apiVersion: v1
          kind: Namespace
          metadata:
            name: shop # expect: namespace-conflicting @3-13
            labels: { team: web }
        `,
      },
    },
    valid: {
      'identical-copies-and-other-annotations': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
          annotations: { owner: web-team }
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
      `,
    },
  },
  check({ graph, report }) {
    // Copies are found in the whole workspace; only the graph's own (one file in an editor) are reported.
    const judged = new Set(graph.ofKind('Namespace', ''));
    for (const [, copies] of groupBy(
      graph.whole.ofKind('Namespace', '').filter((n) => n.name),
      (n) => n.name,
    )) {
      if (copies.length < 2) continue;
      const first = copies[0];
      for (const copy of copies.slice(1)) {
        if (!judged.has(copy)) continue;
        if (meshIdentity(copy) === meshIdentity(first)) continue;
        const where = first.source.file === copy.source.file ? 'this file' : first.source.file.path;
        report({
          resource: copy,
          messageId: 'conflicting',
          data: { name: copy.name, other: where, differences: differences(copy, first) },
          related: [{ resource: first, message: `Namespace ${first.name} declared here` }],
        });
      }
    }
  },
});
