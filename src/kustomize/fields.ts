// Where kustomize's built-in transformers write: its field specs (labels and selectors, annotations, name
// references), as in kustomize's builtinpluginconsts, reduced to what a build of ordinary manifests touches.
import { splitApiVersion } from '../model/kubernetes/reader.js';
import { isMapNode, isNode, originOf, put, type Origin } from './traced.js';

export interface FieldSpec {
  readonly path: string;
  readonly kind?: string;
  readonly group?: string;
  readonly version?: string;
  readonly create?: boolean;
}

const TEMPLATE_KINDS: readonly Omit<FieldSpec, 'path'>[] = [
  { kind: 'ReplicationController', version: 'v1' },
  { kind: 'Deployment' },
  { kind: 'ReplicaSet' },
  { kind: 'DaemonSet' },
  { kind: 'StatefulSet', group: 'apps' },
  { kind: 'Job', group: 'batch' },
];

/** metadata labels and the labels of pod templates (`labels` with includeTemplates). */
export const METADATA_LABELS: readonly FieldSpec[] = [
  { path: 'metadata/labels', create: true },
  ...TEMPLATE_KINDS.map((k) => ({ ...k, path: 'spec/template/metadata/labels', create: true })),
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/jobTemplate/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
];

const AFFINITY = ['podAffinity', 'podAntiAffinity'].flatMap((a) => [
  `spec/template/spec/affinity/${a}/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels`,
  `spec/template/spec/affinity/${a}/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels`,
]);

/** commonLabels (and `labels` with includeSelectors): metadata, templates and selectors. */
export const COMMON_LABELS: readonly FieldSpec[] = [
  { path: 'spec/selector', create: true, version: 'v1', kind: 'Service' },
  { path: 'spec/selector', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'Deployment' },
  ...['Deployment', 'StatefulSet'].flatMap((kind) =>
    [...AFFINITY, 'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels'].map((path) => ({
      path,
      create: false,
      group: 'apps',
      kind,
    })),
  ),
  { path: 'spec/selector/matchLabels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'DaemonSet' },
  { path: 'spec/selector/matchLabels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/selector/matchLabels', create: false, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', create: false, group: 'batch', kind: 'CronJob' },
  { path: 'spec/selector/matchLabels', create: false, group: 'policy', kind: 'PodDisruptionBudget' },
  { path: 'spec/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  {
    path: 'spec/ingress/from/podSelector/matchLabels',
    create: false,
    group: 'networking.k8s.io',
    kind: 'NetworkPolicy',
  },
  { path: 'spec/egress/to/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  ...METADATA_LABELS,
];

export const COMMON_ANNOTATIONS: readonly FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  ...TEMPLATE_KINDS.map((k) => ({ ...k, path: 'spec/template/metadata/annotations', create: true })),
  { path: 'spec/jobTemplate/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
];

export function specApplies(spec: Omit<FieldSpec, 'path'>, object: Record<string, unknown>): boolean {
  const { group, version } = splitApiVersion(typeof object.apiVersion === 'string' ? object.apiVersion : '');
  if (spec.kind !== undefined && spec.kind !== object.kind) return false;
  if (spec.group !== undefined && spec.group !== group) return false;
  if (spec.version !== undefined && spec.version !== version) return false;
  return true;
}

/**
 * Calls `apply` on every map the spec's path reaches (lists on the way are walked item by item, as kustomize
 * does); with `create`, missing maps on the way are created with `origin`.
 */
export function visitMaps(
  object: Record<string, unknown>,
  spec: FieldSpec,
  origin: Origin,
  apply: (map: Record<string, unknown>) => void,
): void {
  if (!specApplies(spec, object)) return;
  const segments = spec.path.split('/');
  const walk = (node: unknown, i: number): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, i);
      return;
    }
    if (!isMapNode(node)) return;
    if (i === segments.length) {
      apply(node);
      return;
    }
    const segment = segments[i].replace(/\[\]$/, '');
    let next = node[segment];
    if (next === undefined || next === null) {
      if (!spec.create || segments[i].endsWith('[]')) return;
      next = {};
      put(node, segment, next, origin);
    }
    walk(next, i + 1);
  };
  walk(object, 0);
}

/** Calls `apply` with each scalar field the path reaches (name references); it returns the replacement or undefined. */
export function visitScalars(
  object: unknown,
  segments: readonly string[],
  apply: (value: string) => string | undefined,
): void {
  const walk = (node: unknown, i: number): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, i);
      return;
    }
    if (!isMapNode(node) || i >= segments.length) return;
    const key = segments[i];
    const next = node[key];
    if (i === segments.length - 1) {
      if (typeof next === 'string') {
        const replaced = apply(next);
        if (replaced !== undefined && replaced !== next) put(node, key, replaced, originOf(node, key));
      }
      return;
    }
    if (isNode(next)) walk(next, i + 1);
  };
  walk(object, 0);
}
