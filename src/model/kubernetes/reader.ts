// Kubernetes manifests -> typed resources. A document is a manifest when it has a string apiVersion and kind;
// everything else (workflows, compose files, Helm values) is not ours and yields nothing.
import type { DocumentFilter, ParseOptions, SourceDocument, SourceFile } from '../../parse/source.js';
import type { Container, KubernetesResource, PodTemplate, Resource, SourceRef } from '../resource.js';
import { readByNobody } from '../unclaimed.js';
import { arr, get, isObj, obj, str, strMap, type Obj, type Path } from '../values.js';

/**
 * Documents no rule reads and that are large: CustomResourceDefinitions (OpenAPI schemas, most of the bytes of many
 * install manifests; a third of the corpus). Their bodies are lexed but not composed, which saves a third of a large
 * scan's time; the price is that a structural error inside a CRD body is not reported (kubectl rejects such a CRD
 * when it is applied).
 */
const CUSTOM_RESOURCE_DEFINITIONS: DocumentFilter = {
  fields: ['kind', 'apiVersion'],
  test: ({ kind, apiVersion }) =>
    kind === 'CustomResourceDefinition' && (apiVersion ?? '').startsWith('apiextensions.k8s.io/'),
};

/** How the model asks for manifests to be parsed (every file of a scan, on any thread, and embedded configs). */
export const MANIFEST_PARSE_OPTIONS: ParseOptions = { notComposed: CUSTOM_RESOURCE_DEFINITIONS, notKept: readByNobody };

/** Kinds without a namespace. Any other kind without metadata.namespace is in `default`, as kubectl would place it. */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PodSecurityPolicy',
  'CertificateSigningRequest',
  'ClusterIssuer',
  'KongClusterPlugin',
  'GatewayClass',
  'ClusterServingRuntime',
  'ComponentStatus',
]);

/** Where a workload kind keeps its pod template and its pod spec, and the API groups it may come from. */
interface TemplateWhere {
  readonly groups: readonly string[];
  readonly path: Path;
  /** `path` then 'spec': one frozen copy per kind, shared by every pod (a copy per pod was ~180 bytes kept). */
  readonly specPath: Path;
  /** The paths of the first containers of each group (`containers`...) by index, made when first met. */
  readonly containerPaths: Map<string, Path[]>;
}

function templateAt(groups: readonly string[], path: Path): TemplateWhere {
  return { groups, path: Object.freeze(path), specPath: Object.freeze([...path, 'spec']), containerPaths: new Map() };
}

/** Containers up to this index in their list share one frozen path per kind (nearly every pod has one or two). */
const SHARED_CONTAINER_PATHS = 8;

/** Where a container of a pod of this kind is: `specPath`, its group, its index (kept for the run: ~80 bytes each). */
function containerPath(where: TemplateWhere, group: string, index: number): Path {
  // concat makes an array of the exact size (a spread into a literal left ~17 free slots).
  if (index >= SHARED_CONTAINER_PATHS) return where.specPath.concat(group, index);
  let paths = where.containerPaths.get(group);
  if (!paths) where.containerPaths.set(group, (paths = []));
  paths[index] ??= Object.freeze(where.specPath.concat(group, index));
  return paths[index];
}

/** Where each workload kind keeps its pod template, and the API groups it may come from. */
const POD_TEMPLATE_PATHS: Record<string, TemplateWhere> = {
  Pod: templateAt([''], []),
  PodTemplate: templateAt([''], ['template']),
  ReplicationController: templateAt([''], ['spec', 'template']),
  Deployment: templateAt(['apps', 'extensions'], ['spec', 'template']),
  StatefulSet: templateAt(['apps'], ['spec', 'template']),
  DaemonSet: templateAt(['apps', 'extensions'], ['spec', 'template']),
  ReplicaSet: templateAt(['apps', 'extensions'], ['spec', 'template']),
  Job: templateAt(['batch'], ['spec', 'template']),
  CronJob: templateAt(['batch'], ['spec', 'jobTemplate', 'spec', 'template']),
  // OpenShift's DeploymentConfig (also under OpenShift's legacy `v1`) and Argo Rollouts' Rollout create pods from
  // `spec.template` like a Deployment.
  DeploymentConfig: templateAt(['apps.openshift.io', ''], ['spec', 'template']),
  Rollout: templateAt(['argoproj.io'], ['spec', 'template']),
};

/** API groups Kubernetes itself serves (core and *.k8s.io): a workload kind under one of them is Kubernetes's own. */
function isKubernetesGroup(group: string): boolean {
  return (
    group === '' ||
    group === 'apps' ||
    group === 'batch' ||
    group === 'extensions' ||
    group === 'policy' ||
    group.endsWith('.k8s.io')
  );
}

/**
 * A workload kind written under an API group Kubernetes serves but that does not serve this kind (`apps/v1` Pod,
 * `v1` Deployment): the API server answers "no matches for kind". Returns the groups that serve it, else undefined.
 */
export function misplacedWorkloadKind(resource: Resource): { expected: readonly string[] } | undefined {
  if (resource.format !== 'kubernetes') return undefined;
  const where = POD_TEMPLATE_PATHS[resource.kind];
  if (!where || where.groups.includes(resource.group) || !isKubernetesGroup(resource.group)) return undefined;
  if (!where.groups.every(isKubernetesGroup)) return undefined;
  return { expected: where.groups };
}

/**
 * Containers a mesh injects (Istio's proxy and its init containers, Linkerd's proxy and init): present in manifests
 * rendered by `istioctl kube-inject` or `linkerd inject`, configured by the mesh, not by the manifest's author.
 */
const INJECTED_CONTAINERS = new Set([
  'istio-proxy',
  'istio-init',
  'istio-validation',
  'linkerd-proxy',
  'linkerd-init',
  'linkerd-network-validator',
]);

export function isInjectedContainer(container: Container): boolean {
  return INJECTED_CONTAINERS.has(container.name);
}

const CONTAINER_GROUPS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The API group of each apiVersion met (up to MAX_GROUPS of them): one string per group for every resource of every
 * run, not a new one per resource (kept for the run: ~30 bytes each). Copied out of the apiVersion, which is often a
 * slice of a file's text that the cache would otherwise keep alive.
 */
const GROUPS = new Map<string, string>();
const MAX_GROUPS = 256;
function groupOf(apiVersion: string): string {
  let group = GROUPS.get(apiVersion);
  if (group === undefined) {
    group = splitApiVersion(apiVersion).group;
    if (GROUPS.size < MAX_GROUPS) {
      group = Buffer.from(group, 'utf16le').toString('utf16le');
      GROUPS.set(Buffer.from(apiVersion, 'utf16le').toString('utf16le'), group);
    }
  }
  return group;
}

/** Reads one document: a manifest, the items of a `kind: List`, or nothing. */
export function readKubernetes(file: SourceFile, document: SourceDocument): Resource[] | undefined {
  const value = document.value;
  if (!isManifest(value)) return undefined;
  if (value.kind === 'List' || (value.kind.endsWith('List') && Array.isArray(value.items))) {
    const out: Resource[] = [];
    arr(value.items).forEach((item, index) => {
      if (isManifest(item)) out.push(toResource(item, file, document, ['items', index]));
    });
    return out;
  }
  return [toResource(value, file, document, AT_ROOT)];
}

// Paths every resource of a scan may hold: one frozen copy each, not two arrays per resource (kept for the run).
const AT_ROOT: Path = Object.freeze([]);
const AT_NAME: Path = Object.freeze(['metadata', 'name']);
const AT_METADATA: Path = Object.freeze(['metadata']);
const AT_KIND: Path = Object.freeze(['kind']);

function isManifest(value: unknown): value is Obj & { apiVersion: string; kind: string } {
  return isObj(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string' && value.kind !== '';
}

function toResource(
  body: Obj & { apiVersion: string; kind: string },
  file: SourceFile,
  document: SourceDocument,
  base: Path,
): Resource {
  const metadata = obj(body.metadata);
  const group = groupOf(body.apiVersion);
  const kind = body.kind;
  const namespace = CLUSTER_SCOPED.has(kind) ? '' : str(metadata.namespace) || 'default';
  const name = str(metadata.name) ?? str(metadata.generateName) ?? '';
  return new KubernetesObject(
    file,
    document,
    base,
    group,
    kind,
    name,
    namespace,
    strMap(metadata.labels),
    strMap(metadata.annotations),
    body,
    podTemplateOf(kind, group, body),
  );
}

/**
 * A Kubernetes resource: one object that is its own SourceRef, with what follows from its body (format, apiVersion,
 * anchor) on its prototype. A plain object with a SourceRef of its own was 168 bytes per resource kept for the run;
 * this is 112.
 */
class KubernetesObject implements KubernetesResource {
  constructor(
    readonly file: SourceFile,
    readonly document: SourceDocument,
    readonly base: Path,
    readonly group: string,
    readonly kind: string,
    readonly name: string,
    readonly namespace: string,
    readonly labels: Readonly<Record<string, string>>,
    readonly annotations: Readonly<Record<string, string>>,
    readonly body: Obj & { apiVersion: string },
    readonly pod: PodTemplate | undefined,
  ) {}

  get format(): 'kubernetes' {
    return 'kubernetes';
  }
  get apiVersion(): string {
    return this.body.apiVersion;
  }
  get source(): SourceRef {
    return this;
  }
  get anchor(): Path {
    return isObj(this.body.metadata) ? (this.body.metadata.name !== undefined ? AT_NAME : AT_METADATA) : AT_KIND;
  }
}

function podTemplateOf(kind: string, group: string, body: Obj): PodTemplate | undefined {
  const where = POD_TEMPLATE_PATHS[kind];
  if (!where || !where.groups.includes(group)) return undefined;
  const template = where.path.length === 0 ? body : get(body, ...where.path);
  if (!isObj(template)) return undefined;
  const spec = obj(template.spec);
  const specPath = where.specPath;
  const containers: Container[] = [];
  for (const group of CONTAINER_GROUPS) {
    arr(spec[group]).forEach((item, index) => {
      if (!isObj(item)) return;
      containers.push({
        name: str(item.name) ?? `#${index}`,
        group,
        index,
        path: containerPath(where, group, index),
        spec: item,
      });
    });
  }
  const metadata = obj(template.metadata);
  return {
    path: where.path,
    labels: strMap(metadata.labels),
    annotations: strMap(metadata.annotations),
    spec,
    specPath,
    // An exact-size copy: pushing onto `[]` reserves 17 slots (152 bytes) for the usual one container.
    containers: containers.slice(),
  };
}
