// A generated kustomize repository for npm run bench: `bases` bases (a Deployment, a Service, a ConfigMap
// generator) with dev, staging and prod overlays each (namespace, prefix, labels, image tag, a strategic-merge
// patch, replicas); and, for comparison, the same built objects written as plain manifests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OVERLAYS = [
  { name: 'dev', replicas: 1, tag: '1.0.0-dev' },
  { name: 'staging', replicas: 2, tag: '1.0.0-rc' },
  { name: 'prod', replicas: 6, tag: '1.0.0' },
];

function write(path, text) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

function deployment(name, { namespace, labels, image, replicas, logLevel, config }) {
  const labelLines = (indent) =>
    Object.entries(labels)
      .map(([k, v]) => `${' '.repeat(indent)}${k}: ${v}`)
      .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}${Object.keys(labels).length > 1 ? `  labels:\n${labelLines(4)}\n` : ''}spec:
${replicas ? `  replicas: ${replicas}\n` : ''}  selector:
    matchLabels:
${labelLines(6)}
  template:
    metadata:
      labels:
${labelLines(8)}
    spec:
      serviceAccountName: default
      containers:
        - name: app
          image: ${image}
          env:
            - name: LOG_LEVEL
              value: ${logLevel}
          envFrom:
            - configMapRef:
                name: ${config}
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
          resources:
            limits: { cpu: 500m, memory: 256Mi }
`;
}

function service(name, { namespace, labels }) {
  const labelLines = (indent) =>
    Object.entries(labels)
      .map(([k, v]) => `${' '.repeat(indent)}${k}: ${v}`)
      .join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}${Object.keys(labels).length > 1 ? `  labels:\n${labelLines(4)}\n` : ''}spec:
  selector:
${labelLines(4)}
  ports:
    - port: 80
      targetPort: 8080
`;
}

function configMap(name, namespace, labels) {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
${Object.entries(labels)
  .map(([k, v]) => `    ${k}: ${v}`)
  .join('\n')}
data:
  MODE: server
`;
}

/** Writes the kustomize repository under dir/kustomize and its plain equivalent under dir/plain. */
export function generateKustomizeRepo(dir, bases = 50) {
  for (let b = 0; b < bases; b++) {
    const app = `app${b}`;
    const base = join(dir, 'kustomize', app, 'base');
    write(
      join(base, 'kustomization.yaml'),
      `resources:\n  - deployment.yaml\n  - service.yaml\nconfigMapGenerator:\n  - name: ${app}-config\n    literals:\n      - MODE=server\n`,
    );
    write(
      join(base, 'deployment.yaml'),
      deployment(app, {
        labels: { app },
        image: `registry.example.com/${app}:latest`,
        logLevel: 'info',
        config: `${app}-config`,
      }),
    );
    write(join(base, 'service.yaml'), service(app, { labels: { app } }));
    for (const overlay of OVERLAYS) {
      const namespace = `${app}-${overlay.name}`;
      write(
        join(dir, 'kustomize', app, overlay.name, 'kustomization.yaml'),
        `namespace: ${namespace}
namePrefix: ${overlay.name}-
commonLabels:
  env: ${overlay.name}
resources:
  - ../base
images:
  - name: registry.example.com/${app}
    newTag: ${overlay.tag}
replicas:
  - name: ${app}
    count: ${overlay.replicas}
patches:
  - path: log-level.yaml
`,
      );
      write(
        join(dir, 'kustomize', app, overlay.name, 'log-level.yaml'),
        `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: LOG_LEVEL
              value: ${overlay.name === 'prod' ? 'warn' : 'debug'}
`,
      );
      const labels = { app, env: overlay.name };
      const name = `${overlay.name}-${app}`;
      const config = `${name}-config`;
      write(
        join(dir, 'plain', app, `${overlay.name}.yaml`),
        [
          configMap(config, namespace, { env: overlay.name }),
          service(name, { namespace, labels }),
          deployment(name, {
            namespace,
            labels,
            image: `registry.example.com/${app}:${overlay.tag}`,
            replicas: overlay.replicas,
            logLevel: overlay.name === 'prod' ? 'warn' : 'debug',
            config,
          }),
        ].join('---\n'),
      );
    }
  }
  return { kustomize: join(dir, 'kustomize'), plain: join(dir, 'plain'), roots: bases * OVERLAYS.length };
}
