// Writes a synthetic repository of about N resources (namespaces with workloads, services, service accounts and
// mesh policies that select them) for the scaling figures of npm run bench.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function generateRepo(dir, resources) {
  const perNamespace = 50; // 1 Namespace + 10 x (Deployment, Service, ServiceAccount, PeerAuthentication, AuthorizationPolicy) - 1
  const namespaces = Math.max(1, Math.round(resources / perNamespace));
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio-injection: enabled\n`];
    for (let a = 0; a < 10; a++) {
      const app = `app-${a}`;
      docs.push(
        `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  template:\n    metadata:\n      labels: {app: ${app}}\n    spec:\n      serviceAccountName: ${app}\n      containers:\n        - name: main\n          image: registry.example.com/${app}:1.${a}\n          ports:\n            - {name: http, containerPort: 8080}\n          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}\n          resources: {limits: {cpu: 500m, memory: 256Mi}}\n`,
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector: {app: ${app}}\n  ports:\n    - {name: http, port: 80, targetPort: http}\n`,
        `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  mtls: {mode: ${a % 3 === 0 ? 'PERMISSIVE' : 'STRICT'}}\n`,
        `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  rules:\n    - from:\n        - source:\n            principals: ["cluster.local/ns/${ns}/sa/app-${(a + 1) % 10}"]\n`,
      );
    }
    const sub = join(dir, `ns-${Math.floor(n / 100)}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${ns}.yaml`), docs.join('---\n'));
  }
  return namespaces * perNamespace + namespaces;
}
