import { defineRule, yaml, type RuleContext } from '../../src/engine/rule.js';
import { child, walk } from '../../src/model/envoy/index.js';
import type { Graph } from '../../src/model/graph.js';
import { istioResources } from '../../src/model/istio/index.js';
import type { Resource } from '../../src/model/resource.js';
import { arr, get, str, type Path } from '../../src/model/values.js';

type MessageId = 'istioGatewayMinVersion' | 'istioGatewayMaxVersion' | 'envoyWeak';
type Context = RuleContext<MessageId, undefined>;

const WEAK = new Set(['TLSV1_0', 'TLSV1_1']);

/** Istio Gateway servers: tls.minProtocolVersion (or a maxProtocolVersion cap) below TLS 1.2. */
function checkIstioGateways({ graph, report }: Context): void {
  for (const gateway of istioResources(graph, 'Gateway')) {
    arr(get(gateway.body, 'spec', 'servers')).forEach((server, i) => {
      const tls = get(server, 'tls');
      const min = str(get(tls, 'minProtocolVersion'));
      const max = str(get(tls, 'maxProtocolVersion'));
      const port = String(get(server, 'port', 'number') ?? '?');
      if (min && WEAK.has(min)) {
        report({
          resource: gateway,
          path: ['spec', 'servers', i, 'tls', 'minProtocolVersion'],
          target: 'value',
          messageId: 'istioGatewayMinVersion',
          data: { version: min, port },
        });
      }
      if (max && WEAK.has(max)) {
        report({
          resource: gateway,
          path: ['spec', 'servers', i, 'tls', 'maxProtocolVersion'],
          target: 'value',
          messageId: 'istioGatewayMaxVersion',
          data: { version: max, port },
        });
      }
    });
  }
}

const WEAK_TLS = new Map<string, string>([
  ['TLSv1_0', 'TLSv1_0'],
  ['TLSv1_1', 'TLSv1_1'],
  ['1', 'TLSv1_0'],
  ['2', 'TLSv1_1'],
]);

/** Every resource holding TLS parameters: listeners, clusters, secrets and EnvoyFilter fragments. */
function tlsHolders(graph: Graph): Resource[] {
  return graph.resources.filter((r) => r.format === 'envoy' && r.kind !== 'EnvoyAdmin');
}

/**
 * `tls-weak-version` for Envoy: `tls_minimum_protocol_version` (or `tls_maximum_protocol_version`, which caps the
 * connection below it) set to TLSv1_0 / TLSv1_1, by name or by enum number (TlsParameters.TlsProtocol: 1, 2), in
 * any TlsParameters of a listener, cluster, static secret or EnvoyFilter fragment. data: {field, version}.
 */
export function envoyWeakTlsVersions(
  graph: Graph,
): { resource: Resource; path: Path; data: { field: string; version: string } }[] {
  const out: ReturnType<typeof envoyWeakTlsVersions> = [];
  for (const resource of tlsHolders(graph)) {
    walk({ value: resource.body, path: [] }, (node, key) => {
      if (key !== 'tls_params' && key !== 'tlsParams') return;
      for (const field of ['tls_minimum_protocol_version', 'tls_maximum_protocol_version']) {
        const v = child(node, field);
        const version = v.value === undefined || v.value === null ? undefined : WEAK_TLS.get(String(v.value));
        if (version) out.push({ resource, path: v.path, data: { field: String(v.path.at(-1)), version } });
      }
    });
  }
  return out;
}

/** Envoy TlsParameters (listeners, clusters, secrets, EnvoyFilter fragments): min or max version at TLS 1.0/1.1. */
function checkEnvoy({ graph, report }: Context): void {
  for (const f of envoyWeakTlsVersions(graph)) {
    report({ resource: f.resource, path: f.path, target: 'value', messageId: 'envoyWeak', data: f.data });
  }
}

export default defineRule({
  id: 'tls-weak-version',
  title: 'TLS must not accept versions below 1.2',
  severity: 'error',
  securitySeverity: 7.0,
  tags: ['security', 'tls', 'encryption', 'istio', 'envoy'],
  description: `TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and MD5 in the handshake, lack AEAD cipher suites
and are open to downgrade and padding-oracle attacks (BEAST, POODLE variants). A server that still accepts them lets
an active attacker negotiate the weakest version both sides support.

Istio Gateway: \`servers[].tls.minProtocolVersion\` "By default, it is \`TLSV1_2\`" and "Using TLS protocol versions below
TLSV1_2 has serious security risks" (istio/api \`networking/v1alpha3/gateway.proto\`); the webhook only warns. Reported
on \`minProtocolVersion: TLSV1_0|TLSV1_1\`, and on a \`maxProtocolVersion\` capped at those versions (which forbids
1.2 and 1.3 altogether).

Envoy: \`tls_params.tls_minimum_protocol_version\` (or \`tls_maximum_protocol_version\`, which caps the connection) set
to \`TLSv1_0\`/\`TLSv1_1\`, by name or by enum number (\`TlsParameters.TlsProtocol\`: 1, 2), in any TlsParameters of a
listener, cluster, static secret or EnvoyFilter fragment, snake_case or camelCase. Envoy's server-side default
minimum is TLS 1.2 since 1.22 (\`envoy/extensions/transport_sockets/tls/v3/common.proto\`).`,
  remediation:
    'Set `minProtocolVersion: TLSV1_2` (or remove it: 1.2 is the default) and do not cap `maxProtocolVersion` below TLSV1_2; keep the clients that need TLS 1.0 on a separate, isolated endpoint if they cannot be upgraded.',
  references: [
    'https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSProtocol',
    'https://www.rfc-editor.org/rfc/rfc8996',
  ],
  messages: {
    istioGatewayMinVersion:
      '{{resource}} accepts {{version}} on port {{port}}: TLS below 1.2 is deprecated and downgradable. Set minProtocolVersion: TLSV1_2.',
    istioGatewayMaxVersion:
      '{{resource}} caps TLS at {{version}} on port {{port}}, so clients can never use TLS 1.2 or 1.3: remove maxProtocolVersion or set it to TLSV1_3.',
    envoyWeak:
      '{{resource}} sets {{field}}: {{version}} (TLS 1.0/1.1 are deprecated, RFC 8996): set tls_minimum_protocol_version: TLSv1_2 and do not cap the maximum below it.',
  },
  examples: {
    invalid: {
      'istio-gateway-tls-1-0': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls:
                mode: SIMPLE
                credentialName: shop-cert
                minProtocolVersion: TLSV1_0 # expect: tls-weak-version @29-36
                maxProtocolVersion: TLSV1_1 # expect: tls-weak-version @29-36
      `,
      'envoy-listener-minimum-tls-1-0': yaml`
        static_resources:
          listeners:
            - name: public
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        tls_params:
                          tls_minimum_protocol_version: TLSv1_0 # expect: tls-weak-version @49-56
      `,
    },
    valid: {
      'envoy-cluster-tls-1-2': yaml`
        resources:
          - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
            name: payments
            transportSocket:
              name: envoy.transport_sockets.tls
              typedConfig:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                commonTlsContext:
                  tlsParams: { tlsMinimumProtocolVersion: TLSv1_2 }
      `,
      'istio-gateway-tls-1-2': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls: { mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLSV1_2 }
      `,
    },
  },
  check(context) {
    checkIstioGateways(context);
    checkEnvoy(context);
  },
});
