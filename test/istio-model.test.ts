// The mesh model against Istio's own specification tables: pilot/pkg/security/authn/policy_applier_test.go
// TestComposePeerAuthentication (effective mTLS), the injection webhook selectors (membership), Service -> targetPort
// and DestinationRule host resolution.
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/model/graph.js';
import {
  effectiveMtls,
  inboundCaptured,
  membership,
  nameList,
  portMtls,
  principalTargets,
  resolveHost,
  resolvePort,
  serviceTargetPorts,
  type MeshSettings,
} from '../src/model/istio/index.js';
import type { Workload } from '../src/model/resource.js';
import { parseSource } from '../src/parse/source.js';

const MESH: MeshSettings = { rootNamespace: 'istio-system', assumeInjected: false };

function graphOf(text: string): Graph {
  return Graph.fromFiles([parseSource('test.yaml', text)]);
}

function pa(name: string, namespace: string, spec: string, created?: string): string {
  return `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
${created ? `  creationTimestamp: "${created}"\n` : ''}spec: ${spec}
`;
}

const POD = `---
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: foo
  labels: { app: foo, version: v1 }
spec:
  serviceAccountName: foo
  containers:
    - name: app
      image: app:1
      ports: [{ name: http, containerPort: 80 }, { containerPort: 90 }, { containerPort: 100 }]
`;

function workload(graph: Graph, name = 'app'): Workload {
  const w = graph.workloads.find((x) => x.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
}

function mode(text: string): string {
  const graph = graphOf(POD + text);
  return effectiveMtls(graph, MESH, workload(graph)).mode;
}

describe('effective mTLS (TestComposePeerAuthentication)', () => {
  it('no config: PERMISSIVE', () => expect(mode('')).toBe('PERMISSIVE'));
  it('mesh only: STRICT', () =>
    expect(mode(pa('default', 'istio-system', '{ mtls: { mode: STRICT } }'))).toBe('STRICT'));
  it('mesh STRICT, namespace PERMISSIVE: PERMISSIVE', () =>
    expect(
      mode(
        pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') +
          pa('default', 'foo', '{ mtls: { mode: PERMISSIVE } }'),
      ),
    ).toBe('PERMISSIVE'));
  it('a selector policy in the root namespace is ignored', () =>
    expect(
      mode(pa('default', 'istio-system', '{ selector: { matchLabels: { app: foo } }, mtls: { mode: STRICT } }')),
    ).toBe('PERMISSIVE'));
  it('workload vs namespace, both {}: PERMISSIVE', () =>
    expect(mode(pa('default', 'foo', '{}') + pa('wl', 'foo', '{ selector: { matchLabels: { app: foo } } }'))).toBe(
      'PERMISSIVE',
    ));
  it('mesh DISABLE, workload PERMISSIVE: PERMISSIVE', () =>
    expect(
      mode(
        pa('default', 'istio-system', '{ mtls: { mode: DISABLE } }') +
          pa('wl', 'foo', '{ selector: { matchLabels: { app: foo } }, mtls: { mode: PERMISSIVE } }'),
      ),
    ).toBe('PERMISSIVE'));
  it('inheritance: mesh UNSET is PERMISSIVE', () =>
    expect(mode(pa('default', 'istio-system', '{ mtls: { mode: UNSET } }'))).toBe('PERMISSIVE'));
  it('inheritance: mesh STRICT to namespace UNSET to workload without mtls', () =>
    expect(
      mode(
        pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') +
          pa('default', 'foo', '{ mtls: { mode: UNSET } }') +
          pa('wl', 'foo', '{ selector: { matchLabels: { app: foo } } }'),
      ),
    ).toBe('STRICT'));
  it('several workload policies: the oldest wins, and the tie is reported', () => {
    const text =
      POD +
      pa('now', 'foo', '{ selector: { matchLabels: { app: foo } }, mtls: { mode: DISABLE } }', '2024-01-01T00:00:01Z') +
      pa(
        'second-ago',
        'foo',
        '{ selector: { matchLabels: { app: foo } }, mtls: { mode: PERMISSIVE } }',
        '2024-01-01T00:00:00Z',
      );
    const graph = graphOf(text);
    const e = effectiveMtls(graph, MESH, workload(graph));
    expect(e.mode).toBe('PERMISSIVE');
    expect(e.conflicts).toEqual([]);
    const undated = graphOf(
      POD +
        pa('b', 'foo', '{ selector: { matchLabels: { app: foo } }, mtls: { mode: STRICT } }') +
        pa('a', 'foo', '{ selector: { matchLabels: { version: v1 } }, mtls: { mode: DISABLE } }'),
    );
    const u = effectiveMtls(undated, MESH, workload(undated));
    expect(u.conflicts.map((c) => c.scope)).toEqual(['workload']);
    expect(u.mode).toBe('DISABLE'); // creation order unknown: name order, as istiod for equal timestamps
  });
  it('port level: 80 DISABLE, 90 UNSET and 100 {} inherit the resolved workload mode', () => {
    const graph = graphOf(
      POD +
        pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') +
        pa(
          'wl',
          'foo',
          '{ selector: { matchLabels: { app: foo } }, mtls: { mode: UNSET }, portLevelMtls: { 80: { mode: DISABLE }, 90: { mode: UNSET }, 100: {} } }',
        ),
    );
    const e = effectiveMtls(graph, MESH, workload(graph));
    expect([80, 90, 100, 8080].map((p) => portMtls(e, p).mode)).toEqual(['DISABLE', 'STRICT', 'STRICT', 'STRICT']);
  });
  it('ambient: DISABLE acts as PERMISSIVE', () => {
    const graph = graphOf(
      POD.replace('labels: { app: foo, version: v1 }', 'labels: { app: foo, istio.io/dataplane-mode: ambient }') +
        pa('default', 'foo', '{ mtls: { mode: DISABLE } }'),
    );
    expect(effectiveMtls(graph, MESH, workload(graph)).mode).toBe('PERMISSIVE');
  });
  it('another root namespace from the settings', () => {
    const graph = graphOf(POD + pa('default', 'mesh-root', '{ mtls: { mode: STRICT } }'));
    expect(effectiveMtls(graph, { rootNamespace: 'mesh-root', assumeInjected: false }, workload(graph)).mode).toBe(
      'STRICT',
    );
  });
});

describe('mesh membership', () => {
  const ns = (labels: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: foo\n  labels: ${labels}\n`;
  const dataplane = (text: string, mesh = MESH) => {
    const graph = graphOf(text);
    return membership(graph, mesh, workload(graph)).dataplane;
  };
  it('namespace istio-injection=enabled injects; disabled wins over the pod label', () => {
    expect(dataplane(ns('{ istio-injection: enabled }') + POD)).toBe('sidecar');
    expect(
      dataplane(ns('{ istio-injection: disabled }') + POD.replace('version: v1', 'sidecar.istio.io/inject: "true"')),
    ).toBe('none');
  });
  it('istio.io/rev injects; the pod opt-out and hostNetwork do not get a sidecar', () => {
    expect(dataplane(ns('{ istio.io/rev: canary }') + POD)).toBe('sidecar');
    expect(
      dataplane(ns('{ istio.io/rev: canary }') + POD.replace('version: v1', 'sidecar.istio.io/inject: "false"')),
    ).toBe('none');
    expect(
      dataplane(
        ns('{ istio-injection: enabled }') + POD.replace('  containers:', '  hostNetwork: true\n  containers:'),
      ),
    ).toBe('none');
  });
  it('ambient by namespace or pod label, unless the pod says none', () => {
    expect(dataplane(ns('{ istio.io/dataplane-mode: ambient }') + POD)).toBe('ambient');
    expect(
      dataplane(
        ns('{ istio.io/dataplane-mode: ambient }') + POD.replace('version: v1', 'istio.io/dataplane-mode: none'),
      ),
    ).toBe('none');
    expect(
      dataplane(
        ns('{ istio.io/dataplane-mode: ambient }') + POD.replace('version: v1', 'sidecar.istio.io/inject: "true"'),
      ),
    ).toBe('sidecar');
  });
  it('without a Namespace object: unknown, or injected with mesh.assumeInjected', () => {
    expect(dataplane(POD)).toBe('unknown');
    expect(dataplane(POD, { ...MESH, assumeInjected: true })).toBe('sidecar');
    expect(dataplane(ns('{}') + POD, { ...MESH, assumeInjected: true })).toBe('none');
  });
});

describe('ports, Services, hosts, principals', () => {
  const graph = graphOf(
    POD.replace('annotations', 'x') +
      `---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: foo }
spec:
  selector: { app: foo }
  ports: [{ port: 8000, targetPort: http }, { port: 9000 }]
`,
  );
  const w = workload(graph);
  it('resolves named target ports to container ports', () => {
    expect(resolvePort(w, 'http')).toBe(80);
    expect([...serviceTargetPorts(graph, w).keys()]).toEqual([80, 9000]);
  });
  it('expands short DestinationRule hosts in the rule namespace only', () => {
    expect(resolveHost(graph, 'web', 'foo').services.map((s) => s.name)).toEqual(['web']);
    expect(resolveHost(graph, 'web', 'bar').services).toEqual([]);
    expect(resolveHost(graph, 'web.foo', 'bar').services).toEqual([]);
    expect(resolveHost(graph, '*.foo.svc.cluster.local', 'bar').services.map((s) => s.name)).toEqual(['web']);
  });
  it('maps a principal to its workloads', () => {
    expect(principalTargets(graph, 'foo', 'foo').workloads.map((x) => x.name)).toEqual(['app']);
    expect(principalTargets(graph, 'foo', 'other').workloads).toEqual([]);
  });
  it('reads inbound capture annotations', () => {
    const g = graphOf(
      POD.replace(
        '  labels: { app: foo, version: v1 }',
        '  labels: { app: foo }\n  annotations: { traffic.sidecar.istio.io/excludeInboundPorts: "90" }',
      ),
    );
    const x = workload(g);
    expect([80, 90].map((p) => inboundCaptured(x, p))).toEqual([true, false]);
  });
});

describe('nameList', () => {
  const deployment = (name: string, file: string) =>
    Graph.fromFiles([
      parseSource(file, `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: default }\n`),
    ]).resources[0];

  it('names a resource the graph holds several times once, and counts only distinct names as more', () => {
    const copies = [deployment('guestbook-ui', 'a.yaml'), deployment('guestbook-ui', 'b.yaml')];
    expect(nameList(copies)).toBe('Deployment default/guestbook-ui');
    const many = ['a', 'b', 'c', 'd', 'd', 'e'].map((n, i) => deployment(n, `${i}.yaml`));
    expect(nameList(many)).toBe('Deployment default/a, Deployment default/b, Deployment default/c (+2 more)');
  });
});
