import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import {
  child,
  hcmSites,
  isPartial,
  perRouteConfigs,
  routeConfigOf,
  type FilterView,
  type HcmSite,
  type Node,
} from '../../src/model/envoy/index.js';
import {
  coversRoute,
  isHttpRoute,
  kongRoutes,
  RATE_LIMIT_PLUGINS,
  terminatingPlugin,
} from '../../src/model/kong/index.js';
import { isObj } from '../../src/model/values.js';

const GLOBAL_LIMITERS = new Set(['envoy.filters.http.ratelimit', 'envoy.filters.http.rate_limit_quota']);

/** A RuntimeFractionalPercent that is above 0% (default_value.numerator > 0; a bare percentage is not valid here). */
function fractionOn(node: Node): boolean {
  if (!isObj(node.value)) return false;
  const n = child(child(node, 'default_value'), 'numerator').value;
  return typeof n === 'number' ? n > 0 : typeof n === 'string' ? Number(n) > 0 : false;
}

function enforcing(config: Node): boolean {
  return fractionOn(child(config, 'filter_enabled')) && fractionOn(child(config, 'filter_enforced'));
}

/**
 * A local_ratelimit HTTP filter limits something: filter_enabled and filter_enforced above 0% on the filter, or on a
 * per-route / per-vhost override of it (local_rate_limit.proto: both "default to 0% of requests for safety").
 */
export function localRateLimitEnforced(graph: Graph, site: HcmSite, filter: FilterView): boolean {
  if (enforcing(filter.config)) return true;
  const rc = routeConfigOf(graph, site);
  if (!rc) return site.hcm.rdsName !== undefined; // per-route settings live in RDS outside the scan: unknown, assume set
  return perRouteConfigs(rc.node, filter.name).some(enforcing);
}

export default defineRule({
  id: 'rate-limit-missing',
  title: 'Rate-limit every externally reachable HTTP entry point',
  severity: 'warning',
  securitySeverity: 5.0,
  tags: ['security', 'envoy', 'kong', 'availability', 'rate-limit'],
  description: `Without a rate limit, one client can exhaust the backends (denial of service), brute-force credentials
and enumerate resources at line speed. The proxy is the cheapest place to stop it.

**Envoy.** An HTTP connection manager of a listener reachable from the network (not only loopback, unix socket or
internal) must hold an HTTP rate-limit filter: \`envoy.filters.http.local_ratelimit\`,
\`envoy.filters.http.ratelimit\` (global, via a rate-limit service) or \`envoy.filters.http.rate_limit_quota\`,
identified by their \`@type\`. A local_ratelimit filter counts only when it enforces: \`filter_enabled\` and
\`filter_enforced\` "default to 0% of requests for safety" (local_rate_limit.proto), so a filter without them, on
itself and on every per-route override, limits nothing; it is reported as such. Per-route settings that live in an
RDS route configuration outside the scan are assumed to exist. EnvoyFilter patches are fragments (the limit is
often set per route by another patch) and are not judged.

**Kong.** Every route that speaks HTTP (decK routes and Kong-served Ingress / HTTPRoute objects) must be covered by
an enabled \`rate-limiting\`, \`rate-limiting-advanced\`, \`response-ratelimiting\` (or the Enterprise
\`service-protection\`, \`graphql-rate-limiting-advanced\`, \`ai-rate-limiting-advanced\`) plugin applying to it:
global, on its service or on the route. A plugin with \`enabled: false\` (decK) or \`disabled: true\` (KongPlugin)
does not count; nor does one scoped to a consumer or consumer group (it limits only those consumers), nor one whose
\`protocols\` leave some of the route's protocols out. Routes of a disabled service are not served and not reported.
A decK file is its own configuration (global plugins of one file do not cover another); on Kubernetes, a
KongClusterPlugin labelled \`global: "true"\` covers every Kong route of the scan. A route referring to a KongPlugin
that is not in the scan is not judged (its type is unknown). Kong Operator KongRoutes (configuration.konghq.com/v1alpha1)
are routes too, with their KongPluginBindings. A route whose every request ends in a terminating plugin
(\`request-termination\` without \`trigger\`, \`redirect\`) answers without reaching its service (Kong's
request-termination handler exits in the access phase): it is not reported.`,
  remediation:
    'Envoy: add an `envoy.filters.http.local_ratelimit` filter with a `token_bucket` and `filter_enabled`/`filter_enforced` at 100%, or a global `envoy.filters.http.ratelimit` filter with rate_limits actions. Kong: add a `rate-limiting` plugin globally, on the service or on the route (a KongPlugin in `konghq.com/plugins`, or a global KongClusterPlugin).',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
    'https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter',
    'https://developer.konghq.com/plugins/rate-limiting/',
    'https://developer.konghq.com/gateway/entities/plugin/#plugin-scope',
  ],
  messages: {
    envoyMissing:
      'The HTTP connection manager "{{hcm}}" of {{resource}} has no rate-limit filter: add envoy.filters.http.local_ratelimit (with filter_enabled and filter_enforced) or a global ratelimit filter.',
    envoyNotEnforced:
      'The local_ratelimit filter "{{filter}}" of {{resource}} has no filter_enabled and filter_enforced above 0% and limits nothing: set both (e.g. 100/HUNDRED).',
    kongMissing:
      'No rate-limiting plugin applies to {{resource}}: add a rate-limiting plugin to it, its service, or globally.',
  },
  examples: {
    invalid: {
      'envoy-hcm-without-rate-limit': yaml`
        static_resources:
          listeners:
            - name: public
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config: # expect: rate-limit-missing @15-27
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: http
                        rds: { route_config_name: r }
                        http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      `,
      'envoy-local-rate-limit-that-limits-nothing': yaml`
        - name: public
          address: { socketAddress: { address: 0.0.0.0, portValue: 8443 } }
          filterChains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typedConfig:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    statPrefix: http
                    routeConfig: { virtualHosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: app } }] }] }
                    httpFilters:
                      - name: envoy.filters.http.local_ratelimit
                        typedConfig: # expect: rate-limit-missing @17-28
                          "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                          statPrefix: rl
                          tokenBucket: { maxTokens: 100, tokensPerFill: 100, fillInterval: 1s }
      `,
      'kong-route-without-rate-limit-disabled-plugin-does-not-count': yaml`
        _format_version: "3.0"
        services:
          - name: orders
            url: https://orders.example.com
            routes:
              - name: orders # expect: rate-limit-missing @9-21
                paths: [/orders]
                plugins:
                  - name: rate-limiting
                    enabled: false
                    config: { minute: 60 }
      `,
    },
    valid: {
      'envoy-enforced-local-rate-limit': yaml`
        - name: public
          address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: http
                    rds: { route_config_name: r }
                    http_filters:
                      - name: envoy.filters.http.local_ratelimit
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                          stat_prefix: rl
                          token_bucket: { max_tokens: 100, tokens_per_fill: 100, fill_interval: 1s }
                          filter_enabled: { runtime_key: rl_enabled, default_value: { numerator: 100, denominator: HUNDRED } }
                          filter_enforced: { runtime_key: rl_enforced, default_value: { numerator: 100, denominator: HUNDRED } }
      `,
      'envoy-loopback-listener': yaml`
        - name: local
          address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
          filter_chains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: http
      `,
      'kong-terminated-route': yaml`
        _format_version: "3.0"
        services:
          - name: retired
            url: https://retired.example.com
            routes:
              - name: retired
                paths: [/v1]
                plugins:
                  - name: request-termination
                    config: { status_code: 410, message: Gone }
      `,
      'kong-global-plugin-covers-every-route': yaml`
        _format_version: "3.0"
        plugins:
          - name: rate-limiting
            config: { minute: 600, policy: local }
        services:
          - name: orders
            url: https://orders.example.com
            routes:
              - name: orders
                paths: [/orders]
      `,
    },
  },
  check({ graph, report }) {
    for (const site of hcmSites(graph)) {
      const listener = site.listener;
      if (
        !listener ||
        isPartial(site.resource) ||
        listener.local ||
        !listener.addresses.some((a) => a.scope === 'network')
      )
        continue;
      const filters = site.hcm.httpFilters;
      if (filters.some((f) => GLOBAL_LIMITERS.has(f.extension))) continue;
      const locals = filters.filter((f) => f.extension === 'envoy.filters.http.local_ratelimit');
      if (locals.some((f) => localRateLimitEnforced(graph, site, f))) continue;
      const data = { hcm: String(child(site.hcm.filter.config, 'stat_prefix').value ?? site.hcm.filter.name) };
      if (locals.length > 0) {
        for (const f of locals)
          report({
            resource: site.resource,
            path: f.config.path,
            target: 'key',
            messageId: 'envoyNotEnforced',
            data: { filter: f.name || f.extension },
          });
      } else {
        report({
          resource: site.resource,
          path: site.hcm.filter.config.path,
          target: 'key',
          messageId: 'envoyMissing',
          data,
        });
      }
    }
    for (const route of kongRoutes(graph)) {
      if (!route.active || !isHttpRoute(route) || route.unresolved.length > 0 || terminatingPlugin(route)) continue;
      if (route.plugins.some((p) => RATE_LIMIT_PLUGINS.has(p.name) && coversRoute(p, route))) continue;
      report({ resource: route.resource, path: route.pluginsPath, messageId: 'kongMissing' });
    }
  },
});
