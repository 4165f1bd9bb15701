// Writes synthetic repositories for the scaling figures of npm run bench:
// - generateRepo: about N resources, namespaces of 10 apps (workloads, services, service accounts and mesh policies
//   that select them);
// - generateWorkloads: W apps (Deployment, Service, ServiceAccount, PeerAuthentication, AuthorizationPolicy each), all
//   in one namespace or spread over namespaces of 50 apps, so that per-namespace indexes are tested both ways;
// - generateDocuments: D small Deployments, in one file or spread over files of 100 documents each;
// - generateDeckRoutes, generateEnvoyClusters: one large decK file, one large Envoy bootstrap (YAML, or JSON on one
//   line as tools write it).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

function appDocuments(ns, a, peer) {
  const app = `app-${a}`;
  return [
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n`,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  template:\n    metadata:\n      labels: {app: ${app}, tier: backend}\n    spec:\n      serviceAccountName: ${app}\n      containers:\n        - name: main\n          image: registry.example.com/${app}:1.${a % 10}\n          ports:\n            - {name: http, containerPort: 8080}\n          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}\n          resources: {limits: {cpu: 500m, memory: 256Mi}}\n`,
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector: {app: ${app}}\n  ports:\n    - {name: http, port: 80, targetPort: http}\n`,
    `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  mtls: {mode: ${a % 3 === 0 ? 'PERMISSIVE' : 'STRICT'}}\n`,
    `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: ${app}}\n  rules:\n    - from:\n        - source:\n            principals: ["cluster.local/ns/${ns}/sa/app-${peer}"]\n`,
  ];
}

const namespaceDocument = (ns) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio-injection: enabled\n`;

export function generateRepo(dir, resources) {
  const perNamespace = 50; // 1 Namespace + 10 x (Deployment, Service, ServiceAccount, PeerAuthentication, AuthorizationPolicy) - 1
  const namespaces = Math.max(1, Math.round(resources / perNamespace));
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    const docs = [namespaceDocument(ns)];
    for (let a = 0; a < 10; a++) docs.push(...appDocuments(ns, a, (a + 1) % 10));
    const sub = join(dir, `ns-${Math.floor(n / 100)}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${ns}.yaml`), docs.join('---\n'));
  }
  return namespaces * perNamespace + namespaces;
}

/** W apps in one namespace (`spread` false) or in namespaces of 50 apps; one file per 50 apps either way. */
export function generateWorkloads(dir, workloads, spread) {
  const perFile = 50;
  let resources = 0;
  for (let start = 0; start < workloads; start += perFile) {
    const ns = spread ? `team-${start / perFile}` : 'shared';
    const docs = start === 0 || spread ? [namespaceDocument(ns)] : [];
    for (let a = start; a < Math.min(workloads, start + perFile); a++) {
      const groupStart = spread ? start : 0;
      const groupSize = spread ? perFile : workloads;
      docs.push(...appDocuments(ns, a, groupStart + ((a - groupStart + 1) % groupSize)));
    }
    resources += docs.length;
    const sub = join(dir, `part-${Math.floor(start / (perFile * 100))}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `apps-${start / perFile}.yaml`), docs.join('---\n'));
  }
  return resources;
}

/** D Deployments (every one with a finding or two), in one file (`oneFile`) or in files of 100 documents. */
export function generateDocuments(dir, documents, oneFile) {
  const perFile = oneFile ? documents : 100;
  for (let start = 0; start < documents; start += perFile) {
    const docs = [];
    for (let d = start; d < Math.min(documents, start + perFile); d++) {
      docs.push(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${d}\n  namespace: ns-${d % 40}\nspec:\n  selector:\n    matchLabels: {app: web-${d}}\n  template:\n    metadata:\n      labels: {app: web-${d}}\n    spec:\n      containers:\n        - name: main\n          image: nginx\n          securityContext: {privileged: ${d % 2 === 0}}\n`,
      );
    }
    const sub = join(dir, `part-${Math.floor(start / 10_000)}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `docs-${start / perFile}.yaml`), docs.join('---\n'));
  }
  return documents;
}

/** One decK file of R routes: services of 10 routes each, a plugin on every tenth route and one global plugin. */
export function generateDeckRoutes(dir, routes) {
  const lines = [
    '_format_version: "3.0"',
    'plugins:',
    '  - name: rate-limiting',
    '    config: {minute: 100}',
    'services:',
  ];
  for (let start = 0; start < routes; start += 10) {
    const s = start / 10;
    lines.push(`  - name: svc-${s}`, `    url: http://svc-${s}.default.svc:8080`, '    routes:');
    for (let r = start; r < Math.min(routes, start + 10); r++) {
      lines.push(`      - name: route-${r}`, `        paths: ["/r${r}"]`);
      if (r % 10 === 0) lines.push('        plugins:', '          - name: key-auth');
    }
  }
  writeFileSync(join(dir, 'kong.yaml'), `${lines.join('\n')}\n`);
  return routes;
}

/** One Envoy bootstrap of C static clusters behind one listener. */
export function generateEnvoyClusters(dir, clusters) {
  const lines = [
    'static_resources:',
    '  listeners:',
    '    - name: ingress',
    '      address: {socket_address: {address: 0.0.0.0, port_value: 8080}}',
    '      filter_chains:',
    '        - filters:',
    '            - name: envoy.filters.network.tcp_proxy',
    '              typed_config:',
    '                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
    '                stat_prefix: ingress',
    '                cluster: cluster-0',
    '  clusters:',
  ];
  for (let c = 0; c < clusters; c++)
    lines.push(
      `    - name: cluster-${c}`,
      '      type: STRICT_DNS',
      '      load_assignment:',
      `        cluster_name: cluster-${c}`,
      `        endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: backend-${c}, port_value: 80}}}}]}]`,
    );
  writeFileSync(join(dir, 'envoy.yaml'), `${lines.join('\n')}\n`);
  return clusters;
}

/** The same bootstrap as generateEnvoyClusters, written as JSON on one line (envoy.json). */
export function generateEnvoyClustersJson(dir, clusters) {
  generateEnvoyClusters(dir, clusters);
  const yaml = join(dir, 'envoy.yaml');
  writeFileSync(join(dir, 'envoy.json'), JSON.stringify(parse(readFileSync(yaml, 'utf8'))));
  rmSync(yaml);
  return clusters;
}
