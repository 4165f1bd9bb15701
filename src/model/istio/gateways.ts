// Istio Gateways, the gateway pods they configure, and the EnvoyFilters that add HTTP filters to those pods.
// Sources: istio/api networking/v1alpha3/gateway.proto (`selector`: pods in all namespaces unless istiod runs with
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE) and envoy_filter.proto (`workloadSelector`: omitted, every workload of the
// namespace; in the root namespace, workloads of every namespace; `targetRefs`: a Gateway API Gateway of the same
// namespace, whose pods carry gateway.networking.k8s.io/gateway-name; `match.context` GATEWAY or ANY for gateways).
import { typed } from '../envoy/fields.js';
import type { Graph } from '../graph.js';
import type { Resource, Workload } from '../resource.js';
import { arr, get, isObj, type Path, str, strMap } from '../values.js';
import { type MeshSettings, NETWORKING_GROUP } from './resources.js';

/** The pods a Gateway's `selector` picks, in every namespace (istiod's default scope). */
export function gatewayWorkloads(graph: Graph, gateway: Resource): readonly Workload[] {
  const selector = strMap(get(gateway.body, 'spec', 'selector'));
  return Object.keys(selector).length === 0 ? [] : graph.whole.workloadsWithLabels(selector);
}

/** A patch of an EnvoyFilter that adds (or keeps) an HTTP filter of one of these extensions on gateway listeners. */
export interface GatewayFilterPatch {
  readonly envoyFilter: Resource;
  readonly extension: string;
  readonly path: Path;
}

const GATEWAY_CONTEXTS = new Set(['GATEWAY', 'ANY']);

/** HTTP_FILTER patches (not REMOVE) in context GATEWAY or ANY (the default) whose filter is one of `extensions`. */
export function gatewayHttpFilterPatches(
  envoyFilter: Resource,
  extensions: { has(extension: string): boolean },
): readonly GatewayFilterPatch[] {
  const out: GatewayFilterPatch[] = [];
  arr(get(envoyFilter.body, 'spec', 'configPatches')).forEach((patch, index) => {
    if (str(get(patch, 'applyTo')) !== 'HTTP_FILTER') return;
    if (!GATEWAY_CONTEXTS.has(str(get(patch, 'match', 'context')) ?? 'ANY')) return;
    if (str(get(patch, 'patch', 'operation')) === 'REMOVE') return;
    const path = ['spec', 'configPatches', index, 'patch', 'value'];
    const value = get(patch, 'patch', 'value');
    if (!isObj(value)) return;
    const { extension } = typed({ value, path }, 'http');
    if (extensions.has(extension)) out.push({ envoyFilter, extension, path });
  });
  return out;
}

export function envoyFilters(graph: Graph): readonly Resource[] {
  return graph.whole.ofKind('EnvoyFilter', NETWORKING_GROUP);
}

/** Whether an EnvoyFilter reaches a workload: its namespace (or the root namespace) and its selector or targetRefs. */
export function envoyFilterApplies(envoyFilter: Resource, w: Workload, mesh: MeshSettings): boolean {
  const root = envoyFilter.namespace === mesh.rootNamespace;
  if (!root && envoyFilter.namespace !== w.namespace) return false;
  const targetRefs = arr(get(envoyFilter.body, 'spec', 'targetRefs'));
  if (targetRefs.length > 0) {
    return targetRefs.some(
      (ref) =>
        str(get(ref, 'kind')) === 'Gateway' &&
        str(get(ref, 'group')) === 'gateway.networking.k8s.io' &&
        envoyFilter.namespace === w.namespace &&
        w.pod.labels['gateway.networking.k8s.io/gateway-name'] === str(get(ref, 'name')),
    );
  }
  const labels = strMap(get(envoyFilter.body, 'spec', 'workloadSelector', 'labels'));
  return Object.entries(labels).every(([k, v]) => w.pod.labels[k] === v);
}

/**
 * Whether an EnvoyFilter reaches the pods of a Gateway the repository does not hold: it applies mesh-wide (root
 * namespace, no selector), or its workloadSelector asks for no more than the Gateway's selector does (the gateway
 * pods' namespace is unknown, so any namespace is taken to be theirs: the doubt goes to the author).
 */
export function envoyFilterCoversSelector(envoyFilter: Resource, gateway: Resource, mesh: MeshSettings): boolean {
  if (arr(get(envoyFilter.body, 'spec', 'targetRefs')).length > 0) return false;
  const selector = strMap(get(gateway.body, 'spec', 'selector'));
  const labels = Object.entries(strMap(get(envoyFilter.body, 'spec', 'workloadSelector', 'labels')));
  // Without a selector: every workload of its namespace, taken to hold the Gateway's pods when it is the Gateway's.
  if (labels.length === 0)
    return envoyFilter.namespace === mesh.rootNamespace || envoyFilter.namespace === gateway.namespace;
  return labels.every(([k, v]) => selector[k] === v);
}
