import { defineRule, yaml } from '../../src/engine/rule.js';
import { DEPRECATED_NAMES, extensionOfType, keyOf } from '../../src/model/envoy/index.js';
import type { Path } from '../../src/model/values.js';
import { isObj, obj, str } from '../../src/model/values.js';

const LIST_KEYS = new Set([
  'filters',
  'http_filters',
  'httpFilters',
  'listener_filters',
  'listenerFilters',
  'access_log',
  'accessLog',
  'stats_sinks',
  'statsSinks',
]);
const SOCKET_KEYS = new Set(['transport_socket', 'transportSocket']);

interface Hit {
  readonly path: Path;
  readonly what: string;
  readonly instead: string;
  /** A deprecated name next to a typed_config: only a label for Envoy >= 1.22, rejected by 1.20 and 1.21. */
  readonly labelOnly?: boolean;
  /** A deprecated field: still accepted (with a warning), unlike a removed name. */
  readonly fieldOnly?: boolean;
}

/**
 * Cluster fields cluster.proto marks \`[deprecated = true]\` at v3.0 (envoy/config/cluster/v3/cluster.proto), with their
 * replacement. The HTTP protocol settings moved to the \`envoy.extensions.upstreams.http.v3.HttpProtocolOptions\`
 * extension in \`typed_extension_protocol_options\`.
 */
const DEPRECATED_CLUSTER_FIELDS: Record<string, string> = {
  http2_protocol_options:
    'explicit_http_config.http2_protocol_options of an HttpProtocolOptions in typed_extension_protocol_options',
  http_protocol_options:
    'explicit_http_config.http_protocol_options of an HttpProtocolOptions in typed_extension_protocol_options',
  common_http_protocol_options:
    'common_http_protocol_options of an HttpProtocolOptions in typed_extension_protocol_options',
  upstream_http_protocol_options:
    'upstream_http_protocol_options of an HttpProtocolOptions in typed_extension_protocol_options',
  protocol_selection: 'use_downstream_protocol_config of an HttpProtocolOptions in typed_extension_protocol_options',
  max_requests_per_connection: 'common_http_protocol_options.max_requests_per_connection of an HttpProtocolOptions',
  track_timeout_budgets: 'track_cluster_stats.timeout_budgets',
  use_tcp_for_dns_lookups: 'typed_dns_resolver_config (dns_resolver_options.use_tcp_for_dns_lookups)',
  dns_resolvers: 'typed_dns_resolver_config',
  dns_resolution_config: 'typed_dns_resolver_config',
};

function deprecatedClusterFields(body: unknown): Hit[] {
  const hits: Hit[] = [];
  for (const [field, instead] of Object.entries(DEPRECATED_CLUSTER_FIELDS)) {
    const key = keyOf(body, field);
    if (key !== undefined && !key.startsWith('hidden'))
      hits.push({ path: [key], what: `the deprecated cluster field ${key}`, instead, fieldOnly: true });
  }
  return hits;
}

/** Legacy shapes in one Envoy resource: deprecated names, v2 type URLs, untyped `config`, `tls_context`. */
function deprecatedIn(body: unknown): Hit[] {
  const hits: Hit[] = [];
  // key: the map key an object is under; list: for an item of a list, the key of that list.
  const stack: { value: unknown; path: Path; key?: string; list?: string }[] = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path, key, list } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i], list: key }));
      continue;
    }
    if (!isObj(value)) continue;
    const o = value;
    for (const [k, v] of Object.entries(o)) stack.push({ value: v, path: [...path, k], key: k });
    const name = str(o.name);
    const underSocket = key !== undefined && SOCKET_KEYS.has(key);
    const isExtension =
      keyOf(o, 'typed_config') !== undefined ||
      (isObj(o.config) && name?.startsWith('envoy.')) ||
      (list !== undefined && LIST_KEYS.has(list)) ||
      underSocket;
    if (name && isExtension) {
      // With a typed_config the @type names the extension (and is what Envoy >= 1.22 uses); else the changelog table.
      const typeName = str(obj(o[keyOf(o, 'typed_config') ?? ''])['@type']);
      const fromType = typeName ? extensionOfType(typeName) : undefined;
      const known =
        name === 'envoy.ext_authz'
          ? 'envoy.filters.http.ext_authz / envoy.filters.network.ext_authz'
          : DEPRECATED_NAMES[name];
      const canonical = known && fromType ? fromType : known;
      const isSocketName = name === 'tls' || name === 'raw_buffer';
      if (canonical && (!isSocketName || underSocket)) {
        hits.push({
          path: [...path, 'name'],
          what: `the deprecated extension name "${name}"`,
          instead: `"${canonical}"`,
          labelOnly: fromType !== undefined,
        });
      }
    }
    if (name && isObj(o.config) && keyOf(o, 'typed_config') === undefined && name.startsWith('envoy.')) {
      hits.push({
        path: [...path, 'config'],
        what: 'the untyped v2 `config:` of a filter',
        instead: '`typed_config` with an "@type"',
      });
    }
    const type = str(o['@type']);
    if (type && /^(type\.googleapis\.com\/)?envoy\.(api\.v2|config\.filter)\./.test(type))
      hits.push({
        path: [...path, '@type'],
        what: `the v2 type ${type.replace(/^type\.googleapis\.com\//, '')}`,
        instead: 'the v3 type',
      });
    for (const k of ['tls_context', 'tlsContext'])
      if (isObj(o[k]))
        hits.push({
          path: [...path, k],
          what: '`tls_context`',
          instead: 'a `transport_socket` named envoy.transport_sockets.tls',
        });
    for (const k of Object.keys(o))
      if (/^hidden_?[eE]nvoy_?[dD]eprecated_?/.test(k))
        hits.push({ path: [...path, k], what: `the removed field ${k}`, instead: 'its v3 replacement' });
  }
  return hits;
}

export default defineRule({
  id: 'envoy-deprecated-config',
  title: 'Replace deprecated Envoy names and v2 shapes',
  severity: 'note',
  securitySeverity: 2.0,
  tags: ['security', 'envoy', 'maintainability'],
  description: `Old Envoy configurations still circulate (blog posts, Consul and early Istio dumps). meshlint reads
them, but they are a risk of their own: since Envoy 1.18 only v3 bootstraps load, and since 1.20 "deprecated
extension names now default to triggering a configuration error" (changelogs/1.20.0.yaml). A proxy upgrade then
fails, or a security filter written with an old name is silently not what runs. Reported:

- deprecated extension names (changelogs/1.14.0.yaml): \`envoy.http_connection_manager\`, \`envoy.router\`,
  \`envoy.ext_authz\`, \`envoy.rate_limit\`, \`envoy.listener.tls_inspector\`, the transport socket names \`tls\`
  and \`raw_buffer\`, and the rest of that table;
- the untyped v2 \`config:\` of a filter (v3 reserves the field: only \`typed_config\` exists);
- v2 type URLs (\`envoy.api.v2.*\`, \`envoy.config.filter.*\`);
- \`tls_context\` on a filter chain or cluster (replaced by \`transport_socket\`), and \`hidden_envoy_deprecated_*\`
  fields of config dumps;
- cluster fields that envoy/config/cluster/v3/cluster.proto marks deprecated at v3.0: \`http2_protocol_options\`,
  \`http_protocol_options\`, \`common_http_protocol_options\`, \`upstream_http_protocol_options\`,
  \`protocol_selection\` and \`max_requests_per_connection\` (moved into the
  \`envoy.extensions.upstreams.http.v3.HttpProtocolOptions\` extension under \`typed_extension_protocol_options\`),
  \`track_timeout_budgets\`, and the DNS settings \`use_tcp_for_dns_lookups\`, \`dns_resolvers\`,
  \`dns_resolution_config\` (replaced by \`typed_dns_resolver_config\`). Envoy still accepts them with a deprecation
  warning; a deprecated field becomes fatal by default before it is removed (Envoy's "Deprecated" policy), so they
  are reported with their replacement.

The other Envoy rules still read these shapes (a \`tls_context\` is TLS, \`envoy.http_connection_manager\` is an
HTTP connection manager), so nothing is missed while this note is open.`,
  remediation:
    'Use the canonical extension names (`envoy.filters.network.http_connection_manager`, `envoy.filters.http.router`, `envoy.transport_sockets.tls` ...) with a `typed_config` carrying the v3 `@type`, and move `tls_context` into a `transport_socket`.',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/changelogs/1.14.0.yaml',
    'https://github.com/envoyproxy/envoy/blob/main/changelogs/1.20.0.yaml',
  ],
  messages: {
    deprecated: '{{resource}} uses {{what}}, rejected by current Envoy: use {{instead}}.',
    deprecatedField:
      '{{resource}} sets {{what}}: Envoy accepts it with a deprecation warning for now; use {{instead}}.',
    label:
      '{{resource}} uses {{what}}: Envoy 1.20 and 1.21 reject it (1.22+ goes by the @type and treats the name as a label); use {{instead}}.',
  },
  examples: {
    invalid: {
      'deprecated-cluster-fields': yaml`
        static_resources:
          clusters:
            - name: grpc-backend
              type: STRICT_DNS
              http2_protocol_options: {} # expect: envoy-deprecated-config @7-29
              maxRequestsPerConnection: 100 # expect: envoy-deprecated-config @7-31
              load_assignment:
                cluster_name: grpc-backend
                endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: backend, port_value: 9000 } } } }] }]
      `,
      'v2-era-listener': yaml`
        static_resources:
          listeners:
            - name: legacy
              address: { socket_address: { address: 127.0.0.1, port_value: 8443 } }
              filter_chains:
                - tls_context: # expect: envoy-deprecated-config @11-22
                    require_client_certificate: true
                  filters:
                    - name: envoy.http_connection_manager # expect: envoy-deprecated-config @15-19
                      config: # expect: envoy-deprecated-config @15-21
                        stat_prefix: http
                        http_filters:
                          - name: envoy.router # expect: envoy-deprecated-config @21-25
      `,
      'deprecated-name-next-to-a-typed-config': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
              filter_chains:
                - filters:
                    - name: envoy.http_connection_manager # expect: envoy-deprecated-config @15-19
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: http
      `,
      'short-transport-socket-name': yaml`
        static_resources:
          clusters:
            - name: c
              transport_socket:
                name: tls # expect: envoy-deprecated-config @9-13
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
      `,
    },
    valid: {
      'canonical-v3': yaml`
        static_resources:
          listeners:
            - name: modern
              address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: http
                        http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      `,
      'http-protocol-options-extension': yaml`
        static_resources:
          clusters:
            - name: grpc-backend
              type: STRICT_DNS
              typed_extension_protocol_options:
                envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                  "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                  explicit_http_config:
                    http2_protocol_options: {}
      `,
      'a-cluster-may-be-named-tls': yaml`
        static_resources:
          clusters:
            - name: tls
              type: STATIC
      `,
    },
  },
  check({ graph, report }) {
    for (const resource of graph.resources) {
      if (resource.format !== 'envoy') continue;
      const hits =
        resource.kind === 'EnvoyCluster'
          ? [...deprecatedIn(resource.body), ...deprecatedClusterFields(resource.body)]
          : deprecatedIn(resource.body);
      for (const hit of hits)
        report({
          resource,
          path: hit.path,
          target: 'key',
          messageId: hit.fieldOnly ? 'deprecatedField' : hit.labelOnly ? 'label' : 'deprecated',
          data: { what: hit.what, instead: hit.instead },
        });
    }
  },
});
