// Linkerd's typed views (policy.linkerd.io): Server, ServerAuthorization, AuthorizationPolicy, MeshTLSAuthentication,
// NetworkAuthentication, and the proxy annotations. Semantics: linkerd.io/2/reference/authorization-policy
// (linkerd/website linkerd.io/content/2-edge/reference/authorization-policy.md) and linkerd/linkerd2 pkg/k8s/labels.go.
import type { Graph } from '../graph.js';
import type { Resource, Workload } from '../resource.js';
import { arr, get, str } from '../values.js';

export const POLICY_GROUP = 'policy.linkerd.io';

export type LinkerdKind =
  | 'Server'
  | 'ServerAuthorization'
  | 'AuthorizationPolicy'
  | 'MeshTLSAuthentication'
  | 'NetworkAuthentication'
  | 'HTTPRoute';

export function linkerdResources(graph: Graph, kind: LinkerdKind): readonly Resource[] {
  return graph.ofKind(kind, POLICY_GROUP);
}

/** Pod-template (or namespace) annotations that bypass the proxy entirely: no mTLS, no policy. */
export const SKIP_PORT_ANNOTATIONS = [
  'config.linkerd.io/skip-inbound-ports',
  'config.linkerd.io/skip-outbound-ports',
] as const;
export const DEFAULT_INBOUND_POLICY = 'config.linkerd.io/default-inbound-policy';

/** MeshTLSAuthentication identities as written (`*`, `*.ns.serviceaccount.identity.linkerd.cluster.local`, exact). */
export function meshTlsIdentities(resource: Resource): { value: string; index: number }[] {
  return arr(get(resource.body, 'spec', 'identities')).flatMap((v, index) =>
    typeof v === 'string' ? [{ value: v, index }] : [],
  );
}

/** Server -> the workloads whose pod labels its podSelector matches (in its namespace). */
export function serverWorkloads(graph: Graph, server: Resource): readonly Workload[] {
  const selector = get(server.body, 'spec', 'podSelector');
  return selector === undefined ? [] : graph.selectWorkloads(server.namespace, selector);
}

/** Whether a workload is Linkerd-injected by its own pod template or its namespace's annotation. */
export function linkerdInjected(graph: Graph, w: Workload): boolean {
  const own = w.pod.annotations['linkerd.io/inject'];
  if (own !== undefined) return own === 'enabled' || own === 'ingress';
  const ns = graph.namespace(w.namespace);
  const nsValue = ns && str(ns.annotations['linkerd.io/inject']);
  return nsValue === 'enabled';
}
