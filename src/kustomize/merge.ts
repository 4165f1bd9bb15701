// Strategic merge, as kustomize applies it (kyaml's merge2): maps merge key by key, `null` deletes a key, lists of
// the built-in kinds merge by their patch merge key (the `patchMergeKey` tags of the Kubernetes API types) and are
// replaced otherwise, lists of other kinds (custom resources) are replaced, `$patch: delete` and
// `$patch: replace` work on maps and list items. Origins follow: what the patch sets remembers the patch.
import { clone, isMapNode, itemsOf, list, originOf, put, remove, removeBy } from './traced.js';

type Map = Record<string, unknown>;

/** API groups whose kinds kustomize knows the OpenAPI schema of (lists without a merge key there are replaced). */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'extensions',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'policy',
  'autoscaling',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
]);

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The patch merge key of a list of a built-in kind (by field, and for `ports` by what holds it); null: replaced. */
function builtInMergeKey(field: string, parents: readonly string[], kind: string): string | null {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'imagePullSecrets':
    case 'env':
    case 'resourceClaims':
    case 'schedulingGates':
    case 'webhooks':
      return 'name';
    case 'hostAliases':
      return 'ip';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
      return 'type';
    case 'ports':
      if (CONTAINER_LISTS.has(parents[parents.length - 1] ?? '')) return 'containerPort';
      if (kind === 'Service' && parents.length === 1 && parents[0] === 'spec') return 'port';
      return null;
    default:
      return null;
  }
}

export interface MergeContext {
  readonly kind: string;
  readonly group: string;
}

/**
 * Merges `patch` into `target` (a resource body, changed in place). Returns false when the patch deletes the
 * whole object (`$patch: delete` at the top).
 */
export function strategicMerge(target: Map, patch: Map, context: MergeContext): boolean {
  if (patch.$patch === 'delete') return false;
  mergeMap(target, patch, context, []);
  return true;
}

function mergeMap(target: Map, patch: Map, context: MergeContext, fields: string[]): void {
  if (patch.$patch === 'replace') {
    for (const key of Object.keys(target)) remove(target, key);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key.startsWith('$setElementOrder/') || key === '$retainKeys') continue;
    const origin = originOf(patch, key);
    if (value === null) {
      removeBy(target, key, origin);
      continue;
    }
    const current = target[key];
    if (isMapNode(value)) {
      if (value.$patch === 'delete') {
        removeBy(target, key, origin);
        continue;
      }
      if (isMapNode(current) && value.$patch !== 'replace') {
        mergeMap(current, value, context, [...fields, key]);
      } else {
        const copy = clone(value);
        stripDirectives(copy);
        put(target, key, copy, origin);
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (Array.isArray(current)) {
        put(target, key, mergeList(current, value, context, [...fields, key]), originOf(target, key));
      } else {
        const copy = clone(value);
        const merged = mergeList([], copy, context, [...fields, key]);
        put(target, key, merged, origin);
      }
      continue;
    }
    // The same value again (a patch naming its target): it stays where it was first written.
    if (current !== value) put(target, key, value, origin);
  }
}

function mergeKeyOf(context: MergeContext, fields: string[]): string | null {
  // Lists of other kinds (custom resources, whose schema kustomize does not have) are replaced, not merged.
  if (!BUILT_IN_GROUPS.has(context.group)) return null;
  return builtInMergeKey(fields[fields.length - 1], fields.slice(0, -1), context.kind);
}

function mergeList(target: unknown[], patch: unknown[], context: MergeContext, fields: string[]): unknown[] {
  const replaceAll = patch.some(
    (item) => isMapNode(item) && item.$patch === 'replace' && Object.keys(item).length === 1,
  );
  const patchItems = itemsOf(patch).filter(
    ({ value }) => !(isMapNode(value) && value.$patch === 'replace' && Object.keys(value).length === 1),
  );
  const key = replaceAll ? null : mergeKeyOf(context, fields);
  if (key === null) {
    // Not merged: the patch's list replaces the target's.
    return list(
      patchItems
        .filter(({ value }) => !(isMapNode(value) && value.$patch === 'delete'))
        .map(({ value, origin }) => {
          const copy = clone(value);
          if (isMapNode(copy)) stripDirectives(copy);
          return { value: copy, origin };
        }),
    );
  }
  // kustomize merges with kyaml's "prepend" direction: the patch's items first (in its order), then the target's
  // items the patch does not name.
  const remaining = itemsOf(target);
  const result: typeof remaining = [];
  const take = (value: Map) => {
    const at = remaining.findIndex((item) => isMapNode(item.value) && sameKey(item.value[key], value[key]));
    return at >= 0 ? remaining.splice(at, 1)[0] : undefined;
  };
  for (const { value, origin } of patchItems) {
    if (!isMapNode(value)) {
      result.push({ value: clone(value), origin });
      continue;
    }
    const existing = take(value);
    if (value.$patch === 'delete') continue;
    if (existing && value.$patch !== 'replace') {
      mergeMap(existing.value as Map, value, context, fields);
      result.push(existing);
    } else {
      const copy = clone(value);
      stripDirectives(copy);
      result.push({ value: copy, origin: existing?.origin ?? origin });
    }
  }
  result.push(...remaining);
  return list(result);
}

function sameKey(a: unknown, b: unknown): boolean {
  return a !== undefined && String(a) === String(b);
}

/** A patch's own value copied into the target: its `$patch` markers and nulls mean nothing there. */
function stripDirectives(node: Map): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === '$patch' || key.startsWith('$setElementOrder/') || key === '$retainKeys' || value === null)
      remove(node, key);
    else if (isMapNode(value)) stripDirectives(value);
    else if (Array.isArray(value)) {
      const kept = itemsOf(value).filter(({ value: item }) => !(isMapNode(item) && item.$patch === 'delete'));
      if (kept.length !== value.length) put(node, key, list(kept), originOf(node, key));
      for (const item of kept) if (isMapNode(item.value)) stripDirectives(item.value);
    }
  }
}
