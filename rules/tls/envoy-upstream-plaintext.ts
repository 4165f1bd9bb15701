import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  clusterView,
  connectOnlyClusters,
  isPartial,
  validationOf,
  formatAddress,
} from '../../src/model/envoy/index.js';

export default defineRule({
  id: 'envoy-upstream-plaintext',
  title: 'Use verified TLS from Envoy to upstream clusters off the host',
  severity: 'error',
  securitySeverity: 6.5,
  tags: ['security', 'envoy', 'tls', 'encryption'],
  description: `A cluster without a TLS transport socket sends requests (with their credentials and tokens) in cleartext
to its endpoints. The rule reports a cluster whose endpoints (\`load_assignment\`, or the v2 \`hosts\`) include an
address that is not loopback, when neither \`transport_socket\` nor any \`transport_socket_matches\` entry is an
\`UpstreamTlsContext\` (also recognised: the v2 \`tls_context\`, wrappers, camelCase keys).

An \`UpstreamTlsContext\` without a validation context encrypts but does not verify the server's certificate
(common.proto \`trusted_ca\`: "If not specified and a peer certificate is presented it will not be verified"), so a
man in the middle can present any certificate: reported as a warning. A trust anchor via \`trusted_ca\`, an SDS
validation context, a \`combined_validation_context\` or a custom validator counts.

Not reported: clusters whose endpoints are not in the file (EDS, ORIGINAL_DST, dynamic forward proxy, \`cluster_type\`
extensions), loopback and unix-socket endpoints, templated addresses, and EnvoyFilter patches that merge into
generated clusters. In a mesh where the sidecar adds mTLS to the plaintext hop, suppress the finding with that reason.

A cluster that the scan reaches **only** through CONNECT routes (a route matching \`connect_matcher\`, or with
\`upgrade_configs: [{ upgrade_type: CONNECT }]\`) is not reported: Envoy relays the tunnelled bytes, which are the
client's own TLS session to its destination, so TLS on the Envoy-to-cluster hop would only wrap it a second time
(Envoy's "HTTP upgrades" documentation, CONNECT support; route_components.proto \`ConnectMatcher\`). A cluster that
is also named anywhere else (another route, a tcp_proxy, ext_authz, a JWKS fetch) carries plain requests and is
judged as usual.`,
  remediation:
    'Add a `transport_socket` named `envoy.transport_sockets.tls` with an `UpstreamTlsContext` that sets `sni` and a `validation_context` (`trusted_ca` plus `match_typed_subject_alt_names`).',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/config/cluster/v3/cluster.proto',
    'https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/security/ssl#enabling-certificate-verification',
  ],
  messages: {
    plaintext:
      '{{resource}} sends traffic to {{address}} without TLS: add an envoy.transport_sockets.tls UpstreamTlsContext with a validation_context.',
    unverified:
      '{{resource}} uses TLS but does not verify the server certificate (no validation context): add validation_context.trusted_ca and a SAN matcher.',
  },
  examples: {
    invalid: {
      'connect-cluster-also-used-by-a-plain-route': yaml`
        static_resources:
          listeners:
            - name: proxy
              address: { socket_address: { address: 0.0.0.0, port_value: 10000 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: connect
                        upgrade_configs: [{ upgrade_type: CONNECT }]
                        http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: { connect_matcher: {} }
                                  route: { cluster: backend, upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }] }
                                - match: { prefix: / }
                                  route: { cluster: backend }
          clusters:
            - name: backend # expect: envoy-upstream-plaintext @7-20
              type: STRICT_DNS
              load_assignment:
                cluster_name: backend
                endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: api.example.com, port_value: 80 } } } }] }]
      `,
      'plaintext-cluster-to-remote-host': yaml`
        static_resources:
          clusters:
            - name: payments # expect: envoy-upstream-plaintext @7-21
              type: STRICT_DNS
              load_assignment:
                cluster_name: payments
                endpoints:
                  - lb_endpoints:
                      - endpoint:
                          address: { socket_address: { address: payments.example.com, port_value: 443 } }
      `,
      'tls-without-verification-camel-case': yaml`
        - name: api
          type: LOGICAL_DNS
          loadAssignment:
            clusterName: api
            endpoints:
              - lbEndpoints:
                  - endpoint: { address: { socketAddress: { address: api.example.com, portValue: 443 } } }
          transportSocket:
            name: envoy.transport_sockets.tls
            typedConfig: # expect: envoy-upstream-plaintext @5-16
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: api.example.com
      `,
    },
    valid: {
      'reached-only-through-a-connect-tunnel': yaml`
        static_resources:
          listeners:
            - name: forward-proxy
              address: { socket_address: { address: 0.0.0.0, port_value: 10000 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: connect
                        upgrade_configs: [{ upgrade_type: CONNECT }]
                        http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                        route_config:
                          virtual_hosts:
                            - name: tunnel
                              domains: ["*"]
                              routes:
                                - match: { connect_matcher: {} }
                                  route:
                                    cluster: tunnel-target
                                    upgrade_configs: [{ upgrade_type: CONNECT, connect_config: {} }]
          clusters:
            - name: tunnel-target
              type: STRICT_DNS
              load_assignment:
                cluster_name: tunnel-target
                endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: api.example.com, port_value: 443 } } } }] }]
      `,
      'verified-tls': yaml`
        static_resources:
          clusters:
            - name: api
              type: LOGICAL_DNS
              load_assignment:
                cluster_name: api
                endpoints:
                  - lb_endpoints:
                      - endpoint: { address: { socket_address: { address: api.example.com, port_value: 443 } } }
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  sni: api.example.com
                  common_tls_context:
                    validation_context:
                      trusted_ca: { filename: /etc/ssl/certs/ca-certificates.crt }
      `,
      'loopback-sidecar-app': yaml`
        static_resources:
          clusters:
            - name: local_app
              load_assignment:
                cluster_name: local_app
                endpoints:
                  - lb_endpoints:
                      - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
      `,
      'eds-endpoints-are-not-in-the-file': yaml`
        static_resources:
          clusters:
            - name: from_eds
              type: EDS
              eds_cluster_config: { eds_config: { ads: {} } }
      `,
    },
  },
  check({ graph, report }) {
    for (const resource of graph.ofKind('EnvoyCluster')) {
      if (resource.format !== 'envoy' || isPartial(resource)) continue;
      const view = clusterView(resource);
      if (view.transport.tls) {
        if (!validationOf(view.transport.tls.context).present) {
          report({
            resource,
            path: view.transport.tls.context.path,
            target: 'key',
            messageId: 'unverified',
            severity: 'warning',
          });
        }
        continue;
      }
      if (view.tlsMatches.length > 0 || view.transport.kind === 'other' || view.dynamic) continue;
      if (connectOnlyClusters(graph).has(resource.name)) continue;
      const remote = view.endpoints.find((e) => e.scope === 'network');
      if (!remote) continue;
      report({ resource, messageId: 'plaintext', data: { address: formatAddress(remote) } });
    }
  },
});
