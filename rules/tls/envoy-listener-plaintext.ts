import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  child,
  envoyListeners,
  items,
  typed,
  onlyHealthRoutes,
  routeConfigOf,
  type ChainView,
  type ListenerView,
  formatAddress,
} from '../../src/model/envoy/index.js';
import type { Graph } from '../../src/model/graph.js';
import { arr } from '../../src/model/values.js';

function healthOnly(graph: Graph, listener: ListenerView, chain: ChainView): boolean {
  if (chain.hcms.length === 0 || chain.filters.length !== chain.hcms.length) return false;
  return chain.hcms.every((hcm) => {
    const rc = routeConfigOf(graph, { resource: listener.resource, hcm, listener, chain });
    return rc !== undefined && onlyHealthRoutes(rc.node);
  });
}

/** The listener runs the tls_inspector listener filter (needed to match SNI or transport_protocol since Envoy 1.20). */
function tlsInspected(listener: ListenerView): boolean {
  return items(child({ value: listener.resource.body, path: [] }, 'listener_filters')).some(
    (f) => typed(f, 'listener').extension === 'envoy.filters.listener.tls_inspector',
  );
}

/** The chain only matches TLS connections: `transport_protocol: tls`, or an SNI (server_names) match. */
function tlsOnlyMatch(chain: ChainView): boolean {
  const match = child(chain.node, 'filter_chain_match');
  return child(match, 'transport_protocol').value === 'tls' || arr(child(match, 'server_names').value).length > 0;
}

export default defineRule({
  id: 'envoy-listener-plaintext',
  title: 'Terminate TLS on Envoy listeners reachable from the network',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'envoy', 'tls', 'encryption'],
  description: `A filter chain without a TLS transport socket accepts cleartext: requests, credentials and tokens
cross the network readable and modifiable by anyone on the path. A filter chain is plaintext when it has no
\`transport_socket\` (the default is \`raw_buffer\`) or an explicit \`envoy.transport_sockets.raw_buffer\`
(listener_components.proto). Every chain is checked, including \`default_filter_chain\`, which is used when no chain
matches: a TLS chain selected by SNI next to a plaintext default chain still accepts cleartext.

TLS is recognised by the transport socket's \`@type\` (\`DownstreamTlsContext\`), by the legacy v2
\`tls_context\`, inside \`proxy_protocol\`/\`tcp_stats\` wrappers, and in QUIC
(\`QuicDownstreamTransport.downstream_tls_context\`) and STARTTLS sockets. ALTS and unknown sockets are not reported.

A chain without a transport socket that only matches TLS connections (\`filter_chain_match.transport_protocol: tls\`
or \`server_names\`, on a listener with the \`tls_inspector\`) is TLS passthrough: Envoy forwards the encrypted bytes
(typically with tcp_proxy) and the traffic is not cleartext, so it is not reported.

Not reported: listeners bound only to loopback (127.0.0.0/8, ::1), unix sockets and internal listeners, and listeners
whose address is templated (unknown). A chain whose every route (inline, or the RDS route configuration when the scan
holds it) serves only a health or readiness path (/healthz, /ready, /livez ...) is reported as a warning: probes are
usually plaintext by necessity, but the port is still open. EnvoyFilter patches are fragments of listeners generated
elsewhere and are not judged here.`,
  remediation:
    'Add a `transport_socket` named `envoy.transport_sockets.tls` with a `DownstreamTlsContext` (certificates via SDS or files) to the filter chain, or bind the listener to 127.0.0.1 if only local clients use it.',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/config/listener/v3/listener_components.proto',
    'https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge',
  ],
  messages: {
    plaintext:
      'Filter chain {{chain}} of {{resource}} has no TLS transport socket and listens on {{address}}: traffic is cleartext. Add an envoy.transport_sockets.tls DownstreamTlsContext or bind to loopback.',
    healthOnly:
      'Filter chain {{chain}} of {{resource}} serves health/readiness paths in cleartext on {{address}}: acceptable for probes, but restrict the port to the probing network or add TLS.',
  },
  examples: {
    invalid: {
      'bootstrap-plaintext-listener': yaml`
        static_resources:
          listeners:
            - name: ingress
              address:
                socket_address: { address: 0.0.0.0, port_value: 8080 }
              filter_chains:
                - filters: # expect: envoy-listener-plaintext @11-18
                    - name: envoy.filters.network.tcp_proxy
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                        stat_prefix: tcp
                        cluster: backend
      `,
      'tls-chain-with-plaintext-default-chain': yaml`
        - name: https
          address:
            socketAddress: { address: "::", portValue: 443 }
          filterChains:
            - filterChainMatch: { serverNames: [shop.example.com] }
              filters: []
              transportSocket:
                name: envoy.transport_sockets.tls
                typedConfig:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  requireClientCertificate: true
                  commonTlsContext:
                    validationContext: { trustedCa: { filename: /etc/ca.pem } }
          defaultFilterChain:
            filters: [] # expect: envoy-listener-plaintext @5-12
      `,
      'explicit-raw-buffer': yaml`
        resources:
          - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
            name: raw
            address: { socket_address: { address: 10.0.0.5, port_value: 9000 } }
            filter_chains:
              - filters: []
                transport_socket: # expect: envoy-listener-plaintext @9-25
                  name: envoy.transport_sockets.raw_buffer
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer
      `,
      'health-only-listener-is-a-warning': yaml`
        static_resources:
          listeners:
            - name: probes
              address: { socket_address: { address: 0.0.0.0, port_value: 8081 } }
              filter_chains:
                - filters: # expect: envoy-listener-plaintext @11-18
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: probes
                        route_config:
                          virtual_hosts:
                            - name: probes
                              domains: ["*"]
                              routes:
                                - match: { path: /healthz }
                                  direct_response: { status: 200 }
                                - match: { prefix: /ready }
                                  direct_response: { status: 200 }
      `,
    },
    valid: {
      'tls-passthrough-by-sni': yaml`
        - name: passthrough
          address: { socketAddress: { address: "::", portValue: 443 } }
          listenerFilters:
            - name: envoy.filters.listener.tls_inspector
              typedConfig: { "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector }
          filterChains:
            - filterChainMatch: { serverNames: [shop.example.com] }
              filters:
                - name: envoy.filters.network.tcp_proxy
                  typedConfig:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    statPrefix: passthrough
                    cluster: shop
      `,
      'loopback-only-listener': yaml`
        static_resources:
          listeners:
            - name: local
              address: { socket_address: { address: 127.0.0.1, port_value: 15000 } }
              filter_chains:
                - filters: []
      `,
      'tls-listener': yaml`
        static_resources:
          listeners:
            - name: https
              address: { socket_address: { address: 0.0.0.0, port_value: 443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: anything-the-name-is-only-a-label
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        tls_certificate_sds_secret_configs: [{ name: cert }]
      `,
      'tls-wrapped-in-proxy-protocol': yaml`
        static_resources:
          listeners:
            - name: pp
              address: { socket_address: { address: 0.0.0.0, port_value: 443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.upstream_proxy_protocol
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport
                      transport_socket:
                        name: envoy.transport_sockets.tls
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
      `,
    },
  },
  check({ graph, report }) {
    for (const listener of envoyListeners(graph)) {
      if (listener.local || listener.addresses.length === 0) continue;
      const network = listener.addresses.find((a) => a.scope === 'network');
      if (!network) continue;
      const inspector = tlsInspected(listener);
      for (const chain of listener.chains) {
        if (chain.transport.kind !== 'none' && chain.transport.kind !== 'raw') continue;
        if (inspector && tlsOnlyMatch(chain)) continue; // TLS passthrough: the bytes stay TLS end to end
        const name =
          typeof (chain.node.value as Record<string, unknown>)?.name === 'string'
            ? `"${(chain.node.value as Record<string, unknown>).name}"`
            : chain.isDefault
              ? '(default)'
              : `#${chain.node.path.at(-1)}`;
        const path =
          chain.transport.kind === 'raw'
            ? chain.transport.node.path
            : child(chain.node, 'filters').value !== undefined
              ? child(chain.node, 'filters').path
              : chain.node.path;
        const health = healthOnly(graph, listener, chain);
        report({
          resource: listener.resource,
          path,
          target: 'key',
          messageId: health ? 'healthOnly' : 'plaintext',
          severity: health ? 'warning' : undefined,
          data: { chain: name, address: formatAddress(network) },
        });
      }
    }
  },
});
