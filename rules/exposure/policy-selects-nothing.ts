import { defineRule, yaml } from '../../src/engine/rule.js';
import { type Graph, groupBy } from '../../src/model/graph.js';
import { istioResources, policyScope, selectedWorkloads, type MeshSettings } from '../../src/model/istio/index.js';
import { linkerdResources } from '../../src/model/linkerd/index.js';
import { describe, isWorkload, type Resource, type Workload } from '../../src/model/resource.js';
import { LabelIndex, labelsSelector } from '../../src/model/kubernetes/selectors.js';
import { arr, get, strMap, type Path } from '../../src/model/values.js';

interface Selection {
  readonly resource: Resource;
  /** Where the selector is, relative to the resource. */
  readonly path: Path;
  /** The equality part of the selector (matchLabels), for the message and the nearest label. */
  readonly labels: Readonly<Record<string, string>>;
  /** The workloads the selector could match (its namespace's; every namespace's for Istio's root namespace). */
  readonly candidates: readonly Workload[];
  /** Those it matches. */
  readonly selected: readonly Workload[];
}

const LABEL_LENGTH_LIMIT = 317; // a qualified key (253 + "/" + 63) is the longest label key Kubernetes accepts

/**
 * Edit distance, bounded in input size so it stays cheap on hostile manifests; `below`: the caller wants it only when
 * smaller, so a larger one is given as `below` as soon as it is certain (the length difference, or a row's least).
 */
function distance(a: string, b: string, below = Number.MAX_SAFE_INTEGER): number {
  if (a.length > LABEL_LENGTH_LIMIT || b.length > LABEL_LENGTH_LIMIT) return Number.MAX_SAFE_INTEGER;
  if (Math.abs(a.length - b.length) >= below) return below;
  let [previous, current] = DISTANCE_ROWS;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const code = a.charCodeAt(i - 1);
    current[0] = i;
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const replace = previous[j - 1] + (code === b.charCodeAt(j - 1) ? 0 : 1);
      const remove = previous[j] + 1;
      const insert = current[j - 1] + 1;
      const cell = Math.min(replace, remove, insert);
      current[j] = cell;
      if (cell < least) least = cell;
    }
    if (least >= below) return below;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/** distance's two rows, reused: labels are at most LABEL_LENGTH_LIMIT long. */
const DISTANCE_ROWS = [new Uint16Array(LABEL_LENGTH_LIMIT + 1), new Uint16Array(LABEL_LENGTH_LIMIT + 1)];

/** The labels the candidate workloads carry: each `key=value` once (with the first workload carrying it), and by key. */
interface CandidateLabels {
  readonly distinct: readonly { readonly label: string; readonly workload: Workload }[];
  readonly valuesByKey: ReadonlyMap<string, ReadonlySet<string>>;
}

/** How many of the candidates' distinct labels a finding compares with its selector: a bounded cost per finding. */
const MAX_COMPARED_LABELS = 256;

function candidateLabels(graph: Graph, candidates: readonly Workload[]): CandidateLabels {
  // Once per candidate list (a namespace's workloads), not per policy that selects nothing there.
  return graph.memoFor('policy-selects-nothing:candidateLabels', candidates, () => {
    const distinct: { label: string; workload: Workload }[] = [];
    const valuesByKey = new Map<string, Set<string>>();
    for (const w of candidates) {
      for (const [k, v] of Object.entries(w.pod.labels)) {
        let values = valuesByKey.get(k);
        if (!values) valuesByKey.set(k, (values = new Set()));
        if (values.has(v)) continue;
        values.add(v);
        distinct.push({ label: `${k}=${v}`, workload: w });
      }
    }
    return { distinct, valuesByKey };
  });
}

/** The workload label closest to one of the selector's pairs that no candidate carries (key=value compared as text). */
function nearestLabel(graph: Graph, selection: Selection): { label: string; workload: Workload } | undefined {
  const { distinct, valuesByKey } = candidateLabels(graph, selection.candidates);
  const missing = Object.entries(selection.labels).filter(([k, v]) => !valuesByKey.get(k)?.has(v));
  let best: { label: string; workload: Workload; score: number } | undefined;
  for (const [key, value] of missing) {
    const wanted = `${key}=${value}`;
    for (let i = 0; i < distinct.length && i < MAX_COMPARED_LABELS; i++) {
      const { label, workload } = distinct[i];
      const score = distance(wanted, label, best?.score);
      if (!best || score < best.score) best = { label, workload, score };
    }
  }
  return best && { label: best.label, workload: best.workload };
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(', ') : 'its label expressions';
}

function emptySelector(selector: unknown): boolean {
  return (
    Object.keys(strMap(get(selector, 'matchLabels'))).length === 0 &&
    arr(get(selector, 'matchExpressions')).length === 0
  );
}

/** Subjects come from the graph being judged; workloads, Services and other objects from the whole (one file in an editor). */
function* selections(graph: Graph, mesh: MeshSettings): Generator<Selection> {
  const whole = graph.whole;
  for (const np of graph.ofKind('NetworkPolicy', 'networking.k8s.io')) {
    const selector = get(np.body, 'spec', 'podSelector');
    // An empty (or absent) podSelector selects every pod of the namespace.
    if (emptySelector(selector)) continue;
    yield {
      resource: np,
      path: ['spec', 'podSelector'],
      labels: strMap(get(selector, 'matchLabels')),
      candidates: whole.workloadsIn(np.namespace),
      selected: whole.selectWorkloads(np.namespace, selector),
    };
  }
  for (const kind of ['AuthorizationPolicy', 'RequestAuthentication'] as const) {
    for (const resource of istioResources(graph, kind)) {
      const scope = policyScope(resource);
      if (scope.targetRefs || !scope.selector) continue;
      const candidates =
        resource.namespace === mesh.rootNamespace ? whole.workloads : whole.workloadsIn(resource.namespace);
      yield {
        resource,
        path: ['spec', 'selector'],
        labels: scope.selector,
        candidates,
        selected: selectedWorkloads(whole, mesh, scope),
      };
    }
  }
  for (const server of linkerdResources(graph, 'Server')) {
    const selector = get(server.body, 'spec', 'podSelector');
    if (emptySelector(selector)) continue;
    yield {
      resource: server,
      path: ['spec', 'podSelector'],
      labels: strMap(get(selector, 'matchLabels')),
      candidates: whole.workloadsIn(server.namespace),
      selected: whole.selectWorkloads(server.namespace, selector),
    };
  }
}

const POLICY_KINDS = new Set([
  'NetworkPolicy',
  'AuthorizationPolicy',
  'RequestAuthentication',
  'PeerAuthentication',
  'Server',
]);

/**
 * Pods with these labels exist outside the repository's workloads: a Service of the namespace selects labels that agree
 * with them, or another object (an operator's custom resource: a Prometheus, an Alertmanager) carries them all.
 */
function podsHeldElsewhere(focused: Graph, selection: Selection, rootScope: boolean): boolean {
  const graph = focused.whole;
  const labels = Object.entries(selection.labels);
  if (labels.length === 0) return false;
  const { services, others } = labelledElsewhere(graph, rootScope ? undefined : selection.resource.namespace);
  // A Service agrees when it shares a key and every shared key has the same value: it holds one of the pairs.
  const agrees = (other: Readonly<Record<string, string>>) =>
    labels.some(([k]) => k in other) && labels.every(([k, v]) => !(k in other) || other[k] === v);
  for (const [k, v] of labels)
    if (services.select(labelsSelector({ [k]: v })).some((selector) => agrees(selector))) return true;
  return others.select(labelsSelector(selection.labels)).length > 0;
}

/**
 * The Services' selectors and the labels of the other objects (neither workloads, policies nor Services) of a
 * namespace, or of every namespace, indexed by label once: not read again for each policy that selects nothing.
 */
function labelledElsewhere(
  graph: Graph,
  namespace: string | undefined,
): { readonly services: LabelIndex<Readonly<Record<string, string>>>; readonly others: LabelIndex<Resource> } {
  return graph.memo(`policy-selects-nothing:elsewhere:${namespace ?? '*'}`, (g) => {
    const services =
      namespace === undefined
        ? g.ofKind('Service', '')
        : g.inNamespace('Service', namespace).filter((r) => r.group === '');
    const byNamespace = g.memo('policy-selects-nothing:others', (h) =>
      groupBy(
        h.resources.filter(
          (r) => r.format === 'kubernetes' && !isWorkload(r) && !POLICY_KINDS.has(r.kind) && r.kind !== 'Service',
        ),
        (r) => r.namespace,
      ),
    );
    const others = namespace === undefined ? [...byNamespace.values()].flat() : (byNamespace.get(namespace) ?? []);
    return {
      services: new LabelIndex(
        services.map((s) => strMap(get(s.body, 'spec', 'selector'))),
        (selector) => selector,
      ),
      others: new LabelIndex(others, (r) => r.labels),
    };
  });
}

export default defineRule({
  id: 'policy-selects-nothing',
  title: 'A policy selector must match the workloads it is meant to protect',
  severity: 'warning',
  securitySeverity: 5.3,
  tags: ['security', 'kubernetes', 'istio', 'linkerd', 'networkpolicy', 'authorization'],
  description: `A policy applies only to the pods its selector matches, and a selector that matches none is not an error
anywhere: the API server accepts it, and the policy silently protects nothing. Kubernetes: a NetworkPolicy "selects
pods" by \`spec.podSelector\`, and a pod no NetworkPolicy selects stays non-isolated ("By default, pods are
non-isolated; they accept traffic from any source", kubernetes.io/docs/concepts/services-networking/network-policies).
Istio: an AuthorizationPolicy or RequestAuthentication with \`selector.matchLabels\` applies to the workloads of its
namespace (of every namespace from the root namespace) that carry those labels (istio/api
\`type/v1beta1/selector.proto\`, \`pilot/pkg/model/authorization.go\`); matching none, the workloads it was written for get
no authorization or token validation at all. Linkerd: a \`Server\` selects pods by \`podSelector\`; its ports on other pods
fall back to the default inbound policy (linkerd.io/2/reference/authorization-policy).

Real repositories get this wrong by one character: sock-shop's NetworkPolicy selects \`name: cart\` while the pods are
labelled \`name: carts\`. The rule reports a selector only when the repository holds workloads in the policy's namespace
(in any namespace for Istio's root namespace) and none of them matches, and names the nearest \`key=value\` label those
workloads carry (by edit distance, among the first 256 different labels, so that a namespace of thousands of workloads
and stale policies costs each finding the same). Pods the repository does not hold as workloads are not
reported either: when a Service of the namespace selects labels that agree with the policy's, or another object (an
operator's custom resource, such as kube-prometheus's \`Prometheus\`, whose pods the operator creates) carries all of
them, the pods exist elsewhere. An empty selector matches every pod and is not reported; policies with \`targetRefs\` select gateways
and waypoints, not pods, and are not read; PeerAuthentication has its own check in \`mtls-policy-ineffective\`.`,
  remediation:
    'Make the selector equal to the pod template labels of the workloads the policy is for (or remove a policy that is for workloads no longer deployed).',
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
    'https://istio.io/latest/docs/reference/config/type/workload-selector/',
    'https://linkerd.io/2/reference/authorization-policy/',
  ],
  messages: {
    nearest:
      '{{resource}} selects {{labels}}, which no workload of {{scope}} carries: it protects nothing. The nearest label is {{nearest}} ({{workload}}); fix the selector to the pod labels.',
    none: '{{resource}} selects {{labels}}, which no workload of {{scope}} carries: it protects nothing. Fix the selector to the pod labels.',
  },
  examples: {
    invalid: {
      'networkpolicy-selects-cart-pods-are-carts': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: carts-db, namespace: sock-shop }
        spec:
          podSelector: # expect: policy-selects-nothing @3-14
            matchLabels: { name: cart }
          ingress:
            - from: [{ podSelector: { matchLabels: { name: front-end } } }]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: tiers, namespace: sock-shop }
        spec:
          podSelector: # expect: policy-selects-nothing @3-14
            matchExpressions: [{ key: tier, operator: In, values: [backend] }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: carts, namespace: sock-shop }
        spec:
          template:
            metadata: { labels: { name: carts } }
            spec:
              containers: [{ name: carts, image: carts:1.0 }]
      `,
      'istio-and-linkerd-selectors-with-a-typo': yaml`
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: { name: api, namespace: shop }
        spec:
          selector: # expect: policy-selects-nothing @3-11
            matchLabels: { app: apis }
          rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/web"] } }] }]
        ---
        apiVersion: policy.linkerd.io/v1beta3
        kind: Server
        metadata: { name: api-http, namespace: shop }
        spec:
          podSelector: # expect: policy-selects-nothing @3-14
            matchLabels: { app: api-v2 }
          port: http
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: api } }
            spec:
              containers: [{ name: api, image: api:1.0 }]
      `,
    },
    valid: {
      'workloads-of-the-namespace-not-in-the-repository': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: carts-db, namespace: sock-shop }
        spec:
          podSelector: { matchLabels: { name: carts-db } }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: other }
        spec:
          template:
            metadata: { labels: { name: carts-db } }
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
      'pods-an-operator-creates': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: prometheus-k8s, namespace: monitoring }
        spec:
          podSelector: { matchLabels: { app.kubernetes.io/name: prometheus } }
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata:
          name: k8s
          namespace: monitoring
          labels: { app.kubernetes.io/name: prometheus }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: grafana, namespace: monitoring }
        spec:
          template:
            metadata: { labels: { app.kubernetes.io/name: grafana } }
            spec:
              containers: [{ name: grafana, image: grafana:1.0 }]
      `,
      'empty-selector-and-matching-expressions': yaml`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: default-deny, namespace: shop }
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: { name: api, namespace: shop }
        spec:
          podSelector:
            matchExpressions: [{ key: app, operator: In, values: [api, web] }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: api } }
            spec:
              containers: [{ name: api, image: api:1.0 }]
      `,
    },
  },
  check({ graph, settings, report }) {
    for (const selection of selections(graph, settings.mesh)) {
      // What it selects is among the candidates: it selects nothing when that is empty.
      if (selection.candidates.length === 0 || selection.selected.length > 0) continue;
      const rootScope =
        selection.resource.namespace === settings.mesh.rootNamespace &&
        selection.resource.kind !== 'NetworkPolicy' &&
        selection.resource.kind !== 'Server';
      if (podsHeldElsewhere(graph, selection, rootScope)) continue;
      const near = nearestLabel(graph, selection);
      const scope = rootScope ? 'any namespace' : `namespace ${selection.resource.namespace}`;
      report({
        resource: selection.resource,
        path: selection.path,
        target: 'key',
        messageId: near ? 'nearest' : 'none',
        data: {
          labels: labelText(selection.labels),
          scope,
          nearest: near?.label ?? '',
          workload: near ? describe(near.workload) : '',
        },
        related: near
          ? [
              {
                resource: near.workload,
                path: [...near.workload.pod.path, 'metadata', 'labels'],
                message: `${describe(near.workload)} carries ${near.label}`,
              },
            ]
          : undefined,
      });
    }
  },
});
