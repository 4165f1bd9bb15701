// Mesh membership (sidecar injection, ambient) and a workload's ports, following the injection webhook:
// istio/istio pkg/kube/inject/inject.go injectRequired and
// manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml.
import type { Graph } from '../graph.js';
import type { Container, Workload } from '../resource.js';
import { arr, get, str, type Path } from '../values.js';
import type { MeshSettings } from './resources.js';

export type Dataplane = 'sidecar' | 'ambient' | 'none' | 'unknown';

export interface Membership {
  readonly dataplane: Dataplane;
  /** Why, for messages: 'namespace shop has istio-injection=enabled'. */
  readonly reason: string;
  /** An Istio gateway (router) pod: PeerAuthentication does not apply to its listeners. */
  readonly gateway: boolean;
  /** The namespace is injected (label, or assumed): a pod opt-out there is a bypass. */
  readonly injectedNamespace: boolean;
}

/** Namespaces the injector always skips (pkg/kube/inject/initializer.go IgnoredNamespaces). */
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

const GATEWAY_LABELS = new Set(['ingressgateway', 'egressgateway', 'eastwestgateway']);

export const INJECT = 'sidecar.istio.io/inject';

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The value of sidecar.istio.io/inject on the pod template: the label wins over the (deprecated) annotation. */
export function injectSetting(w: Workload): { value: string; where: 'labels' | 'annotations' } | undefined {
  if (w.pod.labels[INJECT] !== undefined) return { value: w.pod.labels[INJECT], where: 'labels' };
  if (w.pod.annotations[INJECT] !== undefined) return { value: w.pod.annotations[INJECT], where: 'annotations' };
  return undefined;
}

function isGatewayPod(w: Workload): boolean {
  const labels = w.pod.labels;
  if (GATEWAY_LABELS.has(labels.istio ?? '')) return true;
  if (labels['gateway.networking.k8s.io/gateway-name'] || labels['istio.io/gateway-name']) return true;
  if ((w.pod.annotations['inject.istio.io/templates'] ?? '').includes('gateway')) return true;
  return w.pod.containers.some((c) => c.name === 'istio-proxy' && arr(c.spec.args).includes('router'));
}

/** Whether the pod gets a sidecar or is captured by ztunnel, following the injection webhook and istio-cni. */
export function membership(graph: Graph, mesh: MeshSettings, w: Workload): Membership {
  return graph.memoFor('istio:membership', w, () => computeMembership(graph, mesh, w));
}

function computeMembership(graph: Graph, mesh: MeshSettings, w: Workload): Membership {
  const gateway = isGatewayPod(w);
  const ns = graph.namespace(w.namespace);
  const nsLabels = ns?.labels ?? {};
  const injectedNamespace = ns
    ? nsLabels['istio-injection'] === 'enabled' ||
      (nsLabels['istio-injection'] === undefined && nsLabels['istio.io/rev'] !== undefined)
    : mesh.assumeInjected;
  const out = (dataplane: Dataplane, reason: string): Membership => ({ dataplane, reason, gateway, injectedNamespace });
  if (w.pod.spec.hostNetwork === true) return out('none', 'hostNetwork pods are never injected');
  if (IGNORED_NAMESPACES.has(w.namespace)) return out('none', `the injector ignores namespace ${w.namespace}`);
  const inject = injectSetting(w);
  if (inject?.value === 'false') return out('none', `the pod template sets ${INJECT}: "false"`);
  const podMode = w.pod.labels[DATAPLANE_MODE];
  if (podMode === 'ambient') return out('ambient', `the pod is labelled ${DATAPLANE_MODE}=ambient`);
  if (w.pod.containers.some((c) => c.name === 'istio-proxy'))
    return out('sidecar', 'the pod carries an istio-proxy container');
  if (ns) {
    const injection = nsLabels['istio-injection'];
    if (injection !== undefined) {
      return injection === 'enabled'
        ? out('sidecar', `namespace ${w.namespace} has istio-injection=enabled`)
        : out('none', `namespace ${w.namespace} has istio-injection=${injection}`);
    }
    if (nsLabels['istio.io/rev'] !== undefined)
      return out('sidecar', `namespace ${w.namespace} has istio.io/rev=${nsLabels['istio.io/rev']}`);
  }
  // The webhook's object selectors (namespace without injection labels): a sidecar wins over the namespace's ambient
  // mode, since istio-cni does not capture pods that have one (cni/pkg/util/podutil.go podHasSidecar).
  if (w.pod.labels[INJECT] === 'true') return out('sidecar', `the pod is labelled ${INJECT}=true`);
  if (w.pod.labels['istio.io/rev'] !== undefined) return out('sidecar', `the pod is labelled istio.io/rev`);
  if (ns && nsLabels[DATAPLANE_MODE] === 'ambient' && podMode !== 'none')
    return out('ambient', `namespace ${w.namespace} has ${DATAPLANE_MODE}=ambient`);
  if (ns) return out('none', `namespace ${w.namespace} is not labelled for injection`);
  if (mesh.assumeInjected)
    return out('sidecar', 'mesh.assumeInjected is set and the repository has no Namespace object for it');
  return out('unknown', `the repository has no Namespace object for ${w.namespace}`);
}

export function inMesh(m: Membership): boolean {
  return m.dataplane === 'sidecar' || m.dataplane === 'ambient';
}

export interface WorkloadPort {
  readonly number: number;
  readonly name?: string;
  readonly container: Container;
  /** Path of the port entry, relative to the workload. */
  readonly path: Path;
}

export function portNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** Container ports the app containers declare (init containers serve no traffic; native sidecars are skipped too). */
export function workloadPorts(w: Workload): readonly WorkloadPort[] {
  const out: WorkloadPort[] = [];
  for (const container of w.pod.containers) {
    if (container.group !== 'containers' || container.name === 'istio-proxy') continue;
    arr(container.spec.ports).forEach((p, i) => {
      const number = portNumber(get(p, 'containerPort'));
      if (number !== undefined)
        out.push({
          number,
          name: str(get(p, 'name')),
          container,
          path: [...container.path, 'ports', i, 'containerPort'],
        });
    });
  }
  return out;
}

/** Resolves a port reference (number, or a named container port) against the workload. */
export function resolvePort(w: Workload, ref: unknown): number | undefined {
  const n = portNumber(ref);
  if (n !== undefined) return n;
  const name = str(ref);
  return name === undefined ? undefined : workloadPorts(w).find((p) => p.name === name)?.number;
}

/** Ports used by liveness/readiness/startup probes. */
export function probePorts(w: Workload): Set<number> {
  const out = new Set<number>();
  for (const c of w.pod.containers) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      for (const kind of ['httpGet', 'tcpSocket', 'grpc']) {
        const port = resolvePort(w, get(c.spec, probe, kind, 'port'));
        if (port !== undefined) out.add(port);
      }
    }
  }
  return out;
}

/** Istio's own ports, always excluded from inbound capture by the injector (15090, 15021 and the status port 15020). */
export const ISTIO_PORTS = new Set([15020, 15021, 15090]);

export function portList(value: string | undefined): number[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => portNumber(s.trim()))
    .filter((n): n is number => n !== undefined);
}

/** Whether inbound traffic to the port reaches the sidecar (traffic.sidecar.istio.io/include|excludeInboundPorts). */
export function inboundCaptured(w: Workload, port: number): boolean {
  const a = w.pod.annotations;
  const include = a['traffic.sidecar.istio.io/includeInboundPorts'];
  if (include !== undefined && include.trim() !== '*') {
    if (!portList(include).includes(port)) return false;
  }
  return !portList(a['traffic.sidecar.istio.io/excludeInboundPorts']).includes(port);
}
