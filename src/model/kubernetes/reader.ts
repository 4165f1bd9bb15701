// Kubernetes manifests -> typed resources. A document is a manifest when it has a string apiVersion and kind;
// everything else (workflows, compose files, Helm values) is not ours and yields nothing.
import type { DocumentFilter, ParseOptions, SourceDocument, SourceFile } from '../../parse/source.js';
import type { Container, PodTemplate, Resource } from '../resource.js';
import { arr, get, isObj, obj, str, strMap, type Obj, type Path } from '../values.js';

/**
 * Documents no rule reads and that are large: CustomResourceDefinitions (OpenAPI schemas, most of the bytes of many
 * install manifests; a third of the corpus). Their bodies are lexed but not composed, which saves a third of a large
 * scan's time; the price is that a structural error inside a CRD body is not reported (kubectl rejects such a CRD
 * when it is applied).
 */
const CUSTOM_RESOURCE_DEFINITIONS: DocumentFilter = {
  fields: ['kind', 'apiVersion'],
  test: ({ kind, apiVersion }) => kind === 'CustomResourceDefinition' && (apiVersion ?? '').startsWith('apiextensions.k8s.io/'),
};

/** How the model asks for manifests to be parsed (every file of a scan, on any thread, and embedded configs). */
export const MANIFEST_PARSE_OPTIONS: ParseOptions = { notComposed: CUSTOM_RESOURCE_DEFINITIONS };

/** Kinds without a namespace. Any other kind without metadata.namespace is in `default`, as kubectl would place it. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'IngressClass', 'RuntimeClass',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'PodSecurityPolicy', 'CertificateSigningRequest', 'ClusterIssuer',
  'KongClusterPlugin', 'GatewayClass', 'ClusterServingRuntime', 'ComponentStatus',
]);

/** Where each workload kind keeps its pod template, and the API groups it may come from. */
const POD_TEMPLATE_PATHS: Record<string, { groups: readonly string[]; path: Path }> = {
  Pod: { groups: [''], path: [] },
  PodTemplate: { groups: [''], path: ['template'] },
  ReplicationController: { groups: [''], path: ['spec', 'template'] },
  Deployment: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], path: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], path: ['spec', 'template'] },
  Job: { groups: ['batch'], path: ['spec', 'template'] },
  CronJob: { groups: ['batch'], path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

const CONTAINER_GROUPS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Reads one document: a manifest, the items of a `kind: List`, or nothing. */
export function readKubernetes(file: SourceFile, document: SourceDocument): Resource[] | undefined {
  const value = document.value;
  if (!isManifest(value)) return undefined;
  if (value.kind === 'List' || (value.kind.endsWith('List') && Array.isArray(value.items))) {
    const out: Resource[] = [];
    arr(value.items).forEach((item, index) => {
      if (isManifest(item)) out.push(toResource(item, { file, document, base: ['items', index] }));
    });
    return out;
  }
  return [toResource(value, { file, document, base: [] })];
}

function isManifest(value: unknown): value is Obj & { apiVersion: string; kind: string } {
  return isObj(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string' && value.kind !== '';
}

function toResource(body: Obj & { apiVersion: string; kind: string }, source: Resource['source']): Resource {
  const metadata = obj(body.metadata);
  const { group } = splitApiVersion(body.apiVersion);
  const kind = body.kind;
  const namespace = CLUSTER_SCOPED.has(kind) ? '' : str(metadata.namespace) || 'default';
  const name = str(metadata.name) ?? str(metadata.generateName) ?? '';
  const resource: Resource = {
    format: 'kubernetes',
    apiVersion: body.apiVersion,
    group,
    kind,
    name,
    namespace,
    labels: strMap(metadata.labels),
    annotations: strMap(metadata.annotations),
    body,
    source,
    anchor: isObj(body.metadata) ? (metadata.name !== undefined ? ['metadata', 'name'] : ['metadata']) : ['kind'],
    pod: podTemplateOf(kind, group, body),
  };
  return resource;
}

function podTemplateOf(kind: string, group: string, body: Obj): PodTemplate | undefined {
  const where = POD_TEMPLATE_PATHS[kind];
  if (!where || !where.groups.includes(group)) return undefined;
  const template = where.path.length === 0 ? body : get(body, ...where.path);
  if (!isObj(template)) return undefined;
  const spec = obj(template.spec);
  const specPath = [...where.path, 'spec'];
  const containers: Container[] = [];
  for (const group of CONTAINER_GROUPS) {
    arr(spec[group]).forEach((item, index) => {
      if (!isObj(item)) return;
      containers.push({ name: str(item.name) ?? `#${index}`, group, index, path: [...specPath, group, index], spec: item });
    });
  }
  const metadata = obj(template.metadata);
  return {
    path: where.path,
    labels: strMap(metadata.labels),
    annotations: strMap(metadata.annotations),
    spec,
    specPath,
    containers,
  };
}

/** A Kubernetes label selector: matchLabels and matchExpressions; a plain map is read as matchLabels (Service, ReplicationController). */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: unknown): boolean {
  if (!isObj(selector)) return false;
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  const matchLabels = strMap(isLabelSelector ? selector.matchLabels : selector);
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  if (!isLabelSelector) return true;
  for (const expression of arr(selector.matchExpressions)) {
    const key = str(get(expression, 'key'));
    const operator = str(get(expression, 'operator'));
    const values = arr(get(expression, 'values')).map(String);
    if (key === undefined) return false;
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In': if (!has || !values.includes(labels[key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
