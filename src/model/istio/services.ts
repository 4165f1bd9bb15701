// Service -> workload and targetPort edges, and DestinationRule host resolution (short names in the rule's namespace).
import type { Graph } from '../graph.js';
import type { Resource, Workload } from '../resource.js';
import { arr, get, str, strMap, type Path } from '../values.js';
import { portNumber, resolvePort } from './membership.js';

export interface ServicePort {
  readonly port: number;
  readonly targetPort: unknown;
  readonly name?: string;
  readonly path: Path;
}

export function servicePorts(service: Resource): readonly ServicePort[] {
  const out: ServicePort[] = [];
  arr(get(service.body, 'spec', 'ports')).forEach((p, i) => {
    const port = portNumber(get(p, 'port'));
    if (port !== undefined)
      out.push({
        port,
        targetPort: get(p, 'targetPort') ?? port,
        name: str(get(p, 'name')),
        path: ['spec', 'ports', i],
      });
  });
  return out;
}

/** Service -> the workloads its selector picks (a Service without selector selects none). */
export function serviceWorkloads(graph: Graph, service: Resource): readonly Workload[] {
  const index = graph.memo('istio:serviceWorkloads', (g) => {
    const map = new Map<Resource, readonly Workload[]>();
    for (const s of g.ofKind('Service', '')) {
      const selector = strMap(get(s.body, 'spec', 'selector'));
      map.set(s, Object.keys(selector).length ? g.selectWorkloads(s.namespace, selector) : []);
    }
    return map;
  });
  return index.get(service) ?? [];
}

/** Workload -> the Services that select it. */
export function workloadServices(graph: Graph, w: Workload): readonly Resource[] {
  const index = graph.memo('istio:workloadServices', (g) => {
    const map = new Map<Workload, Resource[]>();
    for (const s of g.ofKind('Service', '')) {
      for (const sw of serviceWorkloads(g, s)) {
        const list = map.get(sw);
        if (list) list.push(s);
        else map.set(sw, [s]);
      }
    }
    return map;
  });
  return index.get(w) ?? [];
}

/** Container port numbers that some Service of the workload targets. */
export function serviceTargetPorts(graph: Graph, w: Workload): Map<number, { service: Resource; port: ServicePort }> {
  const out = new Map<number, { service: Resource; port: ServicePort }>();
  for (const service of workloadServices(graph, w)) {
    for (const sp of servicePorts(service)) {
      const target = resolvePort(w, sp.targetPort);
      if (target !== undefined && !out.has(target)) out.set(target, { service, port: sp });
    }
  }
  return out;
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/** `name.namespace.svc.cluster.local` -> Service. */
function servicesByHost(graph: Graph): Map<string, Resource> {
  return graph.memo(
    'istio:servicesByHost',
    (g) => new Map(g.ofKind('Service', '').map((s) => [`${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`, s])),
  );
}

/**
 * Resolves a DestinationRule/VirtualService host to the Services of the repo. Short names (no dot) are expanded
 * in the resource's namespace (pilot/pkg/model ResolveShortnameToFQDN: `reviews` -> reviews.<ns>.svc.cluster.local;
 * a name with a dot such as `reviews.prod` is taken as fully qualified and is not expanded); `*` and `*.suffix`
 * wildcards match by suffix.
 */
export function resolveHost(
  graph: Graph,
  host: string,
  namespace: string,
): { fqdn: string; services: readonly Resource[] } {
  const fqdn = host === '*' || host.includes('.') ? host : `${host}.${namespace}.${CLUSTER_DOMAIN}`;
  // Once per host, one list: rules of one host (DestinationRules of a wildcard) read the same services, and may derive
  // what they need from the list once.
  const services = graph.memo(`istio:servicesOfHost:${fqdn}`, (g) => {
    const byHost = servicesByHost(g);
    if (fqdn === '*') return [...byHost.values()];
    if (fqdn.startsWith('*')) {
      const suffix = fqdn.slice(1);
      return [...byHost.entries()].filter(([h]) => h.endsWith(suffix)).map(([, s]) => s);
    }
    const s = byHost.get(fqdn.toLowerCase());
    return s ? [s] : [];
  });
  return { fqdn, services };
}
