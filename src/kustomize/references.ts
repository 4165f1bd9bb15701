// Fields that name another object (kustomize's nameReference config): when a build renames the object (prefix,
// suffix, hash), the reference follows. Pod-spec references are listed once and placed under every workload kind.

export interface Reference {
  /** Kind of the object named. */
  readonly kind: string;
  /** Kind of the object holding the reference. */
  readonly referrer: string;
  readonly path: readonly string[];
}

const POD_SPEC_AT: Readonly<Record<string, string>> = {
  Pod: 'spec',
  PodTemplate: 'template/spec',
  ReplicationController: 'spec/template/spec',
  Deployment: 'spec/template/spec',
  ReplicaSet: 'spec/template/spec',
  DaemonSet: 'spec/template/spec',
  StatefulSet: 'spec/template/spec',
  Job: 'spec/template/spec',
  CronJob: 'spec/jobTemplate/spec/template/spec',
};

const IN_POD_SPEC: readonly [string, string][] = [
  ['ConfigMap', 'volumes/configMap/name'],
  ['ConfigMap', 'containers/env/valueFrom/configMapKeyRef/name'],
  ['ConfigMap', 'initContainers/env/valueFrom/configMapKeyRef/name'],
  ['ConfigMap', 'containers/envFrom/configMapRef/name'],
  ['ConfigMap', 'initContainers/envFrom/configMapRef/name'],
  ['ConfigMap', 'volumes/projected/sources/configMap/name'],
  ['Secret', 'volumes/secret/secretName'],
  ['Secret', 'containers/env/valueFrom/secretKeyRef/name'],
  ['Secret', 'initContainers/env/valueFrom/secretKeyRef/name'],
  ['Secret', 'containers/envFrom/secretRef/name'],
  ['Secret', 'initContainers/envFrom/secretRef/name'],
  ['Secret', 'imagePullSecrets/name'],
  ['Secret', 'volumes/projected/sources/secret/name'],
  ['ServiceAccount', 'serviceAccountName'],
  ['PersistentVolumeClaim', 'volumes/persistentVolumeClaim/claimName'],
  ['PriorityClass', 'priorityClassName'],
];

const OTHERS: readonly [string, string, string][] = [
  ['Deployment', 'HorizontalPodAutoscaler', 'spec/scaleTargetRef/name'],
  ['StatefulSet', 'HorizontalPodAutoscaler', 'spec/scaleTargetRef/name'],
  ['Secret', 'Ingress', 'spec/tls/secretName'],
  ['Secret', 'ServiceAccount', 'imagePullSecrets/name'],
  ['Service', 'StatefulSet', 'spec/serviceName'],
  ['Service', 'Ingress', 'spec/rules/http/paths/backend/service/name'],
  ['Service', 'Ingress', 'spec/defaultBackend/service/name'],
  ['Service', 'HTTPRoute', 'spec/rules/backendRefs/name'],
  ['Role', 'RoleBinding', 'roleRef/name'],
  ['ClusterRole', 'RoleBinding', 'roleRef/name'],
  ['ClusterRole', 'ClusterRoleBinding', 'roleRef/name'],
  ['PersistentVolume', 'PersistentVolumeClaim', 'spec/volumeName'],
  ['StorageClass', 'PersistentVolumeClaim', 'spec/storageClassName'],
];

export const REFERENCES: readonly Reference[] = [
  ...Object.entries(POD_SPEC_AT).flatMap(([referrer, at]) =>
    IN_POD_SPEC.map(([kind, path]) => ({ kind, referrer, path: `${at}/${path}`.split('/') })),
  ),
  ...OTHERS.map(([kind, referrer, path]) => ({ kind, referrer, path: path.split('/') })),
];
