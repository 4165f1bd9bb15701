import { defineRule, yaml } from '../../src/engine/rule.js';
import { bool, child, filterSites, has, walk, type FilterView } from '../../src/model/envoy/index.js';
import { localRateLimitEnforced } from '../ratelimit/rate-limit-missing.js';

const PROTECTING = new Set([
  'envoy.filters.http.ext_authz',
  'envoy.filters.http.jwt_authn',
  'envoy.filters.http.rbac',
  'envoy.filters.http.oauth2',
  'envoy.filters.http.basic_auth',
  'envoy.filters.http.api_key_auth',
]);

export default defineRule({
  id: 'envoy-auth-fail-open',
  title: 'Make Envoy authentication and rate limiting fail closed',
  severity: 'warning',
  securitySeverity: 6.0,
  tags: ['security', 'envoy', 'authentication', 'availability'],
  description: `Several Envoy filters can be told to let requests through when they cannot decide, which turns an
outage (or a request crafted to fail) into a bypass:

- **ext_authz** \`failure_mode_allow: true\` (HTTP and network filter): when the authorization service errors or
  times out, the request is allowed (ext_authz.proto; the default is false).
- **jwt_authn** requirements \`allow_missing\` (requests without a JWT pass) and \`allow_missing_or_failed\`
  (requests with a missing *or invalid* JWT pass; only the payload metadata is missing downstream). Wherever they
  appear: \`rules[].requires\`, \`requirement_map\`, inside \`requires_any\` / \`requires_all\` (config.proto,
  JwtRequirement). A \`requires_any\` of a provider and \`allow_missing\` is "optional authentication".
- **ratelimit** (global) \`failure_mode_deny\` defaults to false: when the rate-limit service is unreachable,
  requests are not limited (ratelimit/v3/rate_limit.proto). That matters where the global limit is the only
  protection of the connection manager: reported when its HTTP connection manager has neither an enforcing
  local_ratelimit as a backstop nor an authentication/authorization filter (ext_authz, jwt_authn, rbac, oauth2,
  basic_auth, api_key_auth). In EnvoyFilter fragments the surrounding filters are unknown and only the first two
  checks apply.`,
  remediation:
    'Set `failure_mode_allow: false` on ext_authz, replace `allow_missing` / `allow_missing_or_failed` with a provider requirement (or restrict them to the routes meant to be public), and set `failure_mode_deny: true` on the global rate limit filter or add a local_ratelimit backstop.',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/jwt_authn/v3/config.proto',
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  ],
  messages: {
    extAuthz:
      'The ext_authz filter "{{filter}}" of {{resource}} allows requests when the authorization service fails (failure_mode_allow: true): set it to false.',
    jwtOptional:
      'The jwt_authn filter "{{filter}}" of {{resource}} accepts requests with {{what}} ({{key}}): require a provider instead.',
    rateLimitOpen:
      'The global rate limit filter "{{filter}}" of {{resource}} is the only protection and stops limiting when the rate-limit service is down (failure_mode_deny is not true): set failure_mode_deny: true or add a local_ratelimit backstop.',
  },
  examples: {
    invalid: {
      'ext-authz-fail-open-and-optional-jwt': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: http
                        rds: { route_config_name: r }
                        http_filters:
                          - name: authz
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                              grpc_service: { envoy_grpc: { cluster_name: authz } }
                              failure_mode_allow: true # expect: envoy-auth-fail-open @23-47
                          - name: jwt
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                              providers: { idp: { issuer: https://idp.example.com } }
                              rules:
                                - match: { prefix: / }
                                  requires:
                                    requires_any:
                                      requirements:
                                        - provider_name: idp
                                        - allow_missing: {} # expect: envoy-auth-fail-open @35-48
      `,
      'global-rate-limit-alone-fails-open': yaml`
        - name: l
          address: { socketAddress: { address: 0.0.0.0, portValue: 8080 } }
          filterChains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typedConfig:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    statPrefix: http
                    rds: { routeConfigName: r }
                    httpFilters:
                      - name: envoy.filters.http.ratelimit
                        typedConfig: # expect: envoy-auth-fail-open @17-28
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit
                          domain: shop
                          rateLimitService: { grpcService: { envoyGrpc: { clusterName: rls } }, transportApiVersion: V3 }
      `,
    },
    valid: {
      'fail-closed': yaml`
        - name: l
          address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: http
                    rds: { route_config_name: r }
                    http_filters:
                      - name: envoy.filters.http.ext_authz
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                          failure_mode_allow: false
                      - name: envoy.filters.http.ratelimit
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit
                          domain: shop
                          failure_mode_deny: true
      `,
      'global-rate-limit-next-to-authentication': yaml`
        - name: l
          address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: http
                    rds: { route_config_name: r }
                    http_filters:
                      - name: envoy.filters.http.jwt_authn
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                          providers: { idp: { issuer: https://idp.example.com } }
                          rules: [{ match: { prefix: / }, requires: { provider_name: idp } }]
                      - name: envoy.filters.http.ratelimit
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit
                          domain: shop
      `,
    },
  },
  check({ graph, report }) {
    for (const site of filterSites(graph)) {
      const f = site.filter;
      if (f.disabled) continue;
      const data = { filter: f.name || f.extension };
      if (f.extension === 'envoy.filters.http.ext_authz' || f.extension === 'envoy.filters.network.ext_authz') {
        const allow = child(f.config, 'failure_mode_allow');
        if (bool(allow) === true) report({ resource: site.resource, path: allow.path, messageId: 'extAuthz', data });
      } else if (f.extension === 'envoy.filters.http.jwt_authn') {
        walk(f.config, (node) => {
          for (const [key, what] of [
            ['allow_missing_or_failed', 'a missing or invalid JWT'],
            ['allow_missing', 'no JWT'],
          ] as const) {
            if (has(node, key))
              report({
                resource: site.resource,
                path: child(node, key).path,
                messageId: 'jwtOptional',
                data: { ...data, what, key },
              });
          }
        });
      } else if (f.extension === 'envoy.filters.http.ratelimit' && site.hcm) {
        const deny = child(f.config, 'failure_mode_deny');
        if (bool(deny) === true) continue;
        const others: readonly FilterView[] = site.hcm.hcm.httpFilters;
        const protectedOtherwise = others.some(
          (o) =>
            !o.disabled &&
            (PROTECTING.has(o.extension) ||
              (o.extension === 'envoy.filters.http.local_ratelimit' && localRateLimitEnforced(graph, site.hcm!, o))),
        );
        if (protectedOtherwise) continue;
        report({
          resource: site.resource,
          path: has(f.config, 'failure_mode_deny') ? deny.path : f.config.path,
          target: 'key',
          messageId: 'rateLimitOpen',
          data,
        });
      }
    }
  },
});
