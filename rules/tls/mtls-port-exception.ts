import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import { describe, type Workload } from '../../src/model/resource.js';
import type { Path } from '../../src/model/values.js';
import {
  peerAuthentications,
  peerAuthWorkloads,
  probePorts,
  serviceTargetPorts,
  workloadPorts,
} from '../../src/model/istio/index.js';

export default defineRule({
  id: 'mtls-port-exception',
  title: 'Do not carve plaintext ports out of STRICT mutual TLS',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'istio', 'mtls', 'encryption'],
  description: `A workload PeerAuthentication's \`portLevelMtls\` overrides the mode for one port: an entry with PERMISSIVE
or DISABLE opens that port to plaintext callers without identity, even when the mesh and the namespace are STRICT. It is
the easiest way to leave a hole in STRICT mTLS that nobody sees (the workload still "is STRICT").

Istio keys \`portLevelMtls\` by the **container (target) port**, not the Service port
(\`pilot/pkg/networking/core/listener_inbound.go\` \`authnBuilder.ForPort(cc.port.TargetPort)\`; istio/api PR #3075 after
istio/istio#49098), and honours it even for ports no Service declares. The finding sits on the entry's \`mode\` and names
the workloads and containers of the repository that serve the port.

Only the port-level entries of workload policies (with a selector, outside the root namespace) take effect; entries on
other policies are reported by \`mtls-policy-ineffective\`. An UNSET entry inherits and is not reported. When the port is
used only by the kubelet's probes (and no Service targets it), the finding is a warning: Istio rewrites HTTP probes to
the agent by default (\`sidecar.istio.io/rewriteAppHTTPProbers\`), so the exception is usually unnecessary.`,
  remediation:
    'Remove the `portLevelMtls` entry (or set it to STRICT); if a non-mesh client needs the port, bring the client into the mesh or expose the port through an ingress gateway instead.',
  references: [
    'https://istio.io/latest/docs/reference/config/security/peer_authentication/',
    'https://github.com/istio/istio/issues/49098',
  ],
  messages: {
    exception:
      '{{resource}} sets port {{port}} to {{mode}}: plaintext callers without identity reach {{servers}} on that port. Remove the portLevelMtls entry or set it to STRICT.',
    probeOnly:
      '{{resource}} sets port {{port}} to {{mode}}, a port only probes use ({{servers}}): Istio rewrites HTTP probes already, so remove the portLevelMtls entry.',
  },
  examples: {
    invalid: {
      'permissive-metrics-port-under-strict': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: STRICT }
          portLevelMtls:
            9090:
              mode: PERMISSIVE # expect: mtls-port-exception @7-23
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: web:1.0
                  ports: [{ containerPort: 8080 }, { name: metrics, containerPort: 9090 }]
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web-metrics, namespace: shop }
        spec:
          selector: { app: web }
          ports: [{ port: 9090, targetPort: metrics }]
      `,
      'disable-on-a-probe-port': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          portLevelMtls:
            "8081": { mode: DISABLE } # expect: mtls-port-exception @15-28
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: web:1.0
                  readinessProbe: { httpGet: { path: /ready, port: 8081 } }
      `,
    },
    valid: {
      'strict-and-unset-port-entries': yaml`
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: { name: web, namespace: shop }
        spec:
          selector: { matchLabels: { app: web } }
          mtls: { mode: PERMISSIVE }
          portLevelMtls:
            8080: { mode: STRICT }
            9090: { mode: UNSET }
            9091: {}
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    for (const p of peerAuthentications(graph, mesh)) {
      if (p.scope !== 'workload') continue;
      const workloads = peerAuthWorkloads(graph, p);
      for (const entry of p.ports) {
        if (entry.mode !== 'PERMISSIVE' && entry.mode !== 'DISABLE') continue;
        const { servers, serverCount, related, probed, served } = portServers(graph, workloads, entry.number);
        const probeOnly = probed && !served;
        report({
          resource: p.resource,
          path: entry.mode !== undefined ? [...entry.path, 'mode'] : entry.path,
          messageId: probeOnly ? 'probeOnly' : 'exception',
          // Without the entry the port takes the workload's mode, as the message advises.
          ...(entry.mode === 'DISABLE'
            ? {
                fix: {
                  title: `Remove the portLevelMtls entry for port ${entry.key}`,
                  changes: [{ remove: entry.path }],
                },
              }
            : {}),
          severity: probeOnly ? 'warning' : undefined,
          data: {
            port: entry.key,
            mode: entry.mode,
            servers: serverCount
              ? servers.join(', ') + (serverCount > servers.length ? ` (+${serverCount - servers.length} more)` : '')
              : 'the workloads it selects',
          },
          related: [...related],
        });
      }
    }
  },
});

/** Who serves a port among a selection's workloads: the first 4 servers named, their count, 10 related places. */
interface PortServers {
  readonly servers: readonly string[];
  readonly serverCount: number;
  readonly related: readonly { readonly resource: Workload; readonly path: Path; readonly message: string }[];
  /** Some workload probes the port. */
  readonly probed: boolean;
  /** Some Service targets the port. */
  readonly served: boolean;
}

const NO_SERVERS: PortServers = { servers: [], serverCount: 0, related: [], probed: false, served: false };

/**
 * The servers of a port among the selected workloads, once per selection and port: policies with the same selector
 * (and the same port exception) share one list of workloads, which each would read again.
 */
function portServers(graph: Graph, workloads: readonly Workload[], port: number | undefined): PortServers {
  if (port === undefined) return NO_SERVERS;
  return graph.memoFor(`mtls-port-exception:portServers:${port}`, workloads, () =>
    findPortServers(graph, workloads, port),
  );
}

function findPortServers(graph: Graph, workloads: readonly Workload[], port: number): PortServers {
  const servers: string[] = [];
  const related: PortServers['related'][number][] = [];
  let serverCount = 0;
  let probed = false;
  let served = false;
  const name = (server: string) => {
    if (servers.length < 4) servers.push(server);
    serverCount++;
  };
  const relate = (place: PortServers['related'][number]) => {
    if (related.length < 10) related.push(place);
  };
  for (const w of workloads) {
    const declared = workloadPorts(w).filter((wp) => wp.number === port);
    for (const wp of declared) {
      name(`container "${wp.container.name}" of ${describe(w)}`);
      relate({
        resource: w,
        path: wp.path,
        message: `${describe(w)} serves port ${port} in container "${wp.container.name}"`,
      });
    }
    if (probePorts(w).has(port)) {
      probed = true;
      if (declared.length === 0) {
        name(`probes of ${describe(w)}`);
        relate({ resource: w, path: w.pod.specPath, message: `${describe(w)} probes port ${port}` });
      }
    }
    if (serviceTargetPorts(graph, w).has(port)) served = true;
  }
  return { servers, serverCount, related, probed, served };
}
