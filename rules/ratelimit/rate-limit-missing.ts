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
  RATE_LIMIT_FILTERS,
} from '../../src/model/envoy/index.js';
import {
  coversRoute,
  isHttpRoute,
  kongRoutes,
  RATE_LIMIT_PLUGINS,
  routeFact,
  terminatingPlugin,
} from '../../src/model/kong/index.js';
import {
  envoyFilterApplies,
  envoyFilterCoversSelector,
  envoyFilters,
  gatewayHttpFilterPatches,
  gatewayWorkloads,
  istioResources,
  type MeshSettings,
  nameList,
} from '../../src/model/istio/index.js';
import type { Resource } from '../../src/model/resource.js';
import { arr, get, isObj, str, strMap } from '../../src/model/values.js';

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB']);
const PASSTHROUGH = new Set(['PASSTHROUGH', 'AUTO_PASSTHROUGH']);

/** The first server through which the gateway proxies HTTP itself: not a redirect, not TLS passed through. */
function firstHttpServer(gateway: Resource): number | undefined {
  const servers = arr(get(gateway.body, 'spec', 'servers'));
  const i = servers.findIndex((server) => {
    const protocol = str(get(server, 'port', 'protocol'))?.toUpperCase();
    if (!protocol || !HTTP_PROTOCOLS.has(protocol)) return false;
    if (get(server, 'tls', 'httpsRedirect') === true) return false;
    return !PASSTHROUGH.has(str(get(server, 'tls', 'mode')) ?? '');
  });
  return i === -1 ? undefined : i;
}

/** Egress and east-west gateways carry the mesh's own traffic out or between clusters: not client entry points. */
const NOT_INGRESS = /egress|eastwest/i;

/** Istio ingress Gateways whose pods no rate-limit EnvoyFilter reaches, with the pods (when the scan holds them). */
function checkIstioGateways(
  graph: Graph,
  mesh: MeshSettings,
  report: (gateway: Resource, server: number, pods: string) => void,
): void {
  const limiting = envoyFilters(graph).filter((ef) => gatewayHttpFilterPatches(ef, RATE_LIMIT_FILTERS).length > 0);
  for (const gateway of istioResources(graph, 'Gateway')) {
    const server = firstHttpServer(gateway);
    if (server === undefined) continue;
    const selector = strMap(get(gateway.body, 'spec', 'selector'));
    if (Object.values(selector).some((v) => NOT_INGRESS.test(v))) continue;
    const pods = gatewayWorkloads(graph, gateway);
    if (pods.length === 0) {
      if (limiting.some((ef) => envoyFilterCoversSelector(ef, gateway, mesh))) continue;
      const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
      report(gateway, server, labels.length ? `the pods labelled ${labels.join(', ')}` : 'its gateway pods');
      continue;
    }
    const open = pods.filter((w) => !limiting.some((ef) => envoyFilterApplies(ef, w, mesh)));
    if (open.length > 0) report(gateway, server, nameList(open));
  }
}

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
  tags: ['security', 'envoy', 'istio', 'kong', 'availability', 'rate-limit'],
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
request-termination handler exits in the access phase): it is not reported.

**Istio ingress gateways.** Istio generates no rate limit; its documented way is an EnvoyFilter that adds
\`envoy.filters.http.local_ratelimit\` or \`envoy.filters.http.ratelimit\` to the gateway
(istio.io/latest/docs/tasks/policy-enforcement/rate-limit). A Gateway (networking.istio.io) configures the pods its
\`selector\` picks, in every namespace (istio/api \`gateway.proto\`; istiod's \`PILOT_SCOPE_GATEWAY_TO_NAMESPACE\`, which
narrows this to the Gateway's namespace, is off by default and not modelled). An EnvoyFilter reaches a pod when it is in
the pod's namespace, or in the root namespace (\`mesh.rootNamespace\`: every namespace), and its
\`workloadSelector.labels\` are all on the pod (no selector: every pod); the \`targetRefs\` form reaches only the pods of
the Gateway API Gateway it names (same namespace, pod label \`gateway.networking.k8s.io/gateway-name\`) (istio/api
\`envoy_filter.proto\`). The patch must be an \`HTTP_FILTER\` patch (any operation but \`REMOVE\`) whose
\`match.context\` is \`GATEWAY\` or \`ANY\` (the default): a \`SIDECAR_INBOUND\` patch never reaches a gateway.
Reported once per Gateway with a server the gateway proxies as HTTP (protocol HTTP, HTTPS, HTTP2, GRPC; not a
\`tls.httpsRedirect\` server, not \`PASSTHROUGH\` / \`AUTO_PASSTHROUGH\` TLS), on the first such server's \`port\`, naming the
pods no limiting EnvoyFilter reaches. When the repository does not hold the pods (gateways installed by Helm), an
EnvoyFilter counts when it would reach some pod the selector picks: mesh-wide (root namespace, no selector), without a
selector in the Gateway's namespace, or with a \`workloadSelector\` whose labels are all in the Gateway's selector.
Egress and east-west gateways (a selector value containing \`egress\` or \`eastwest\`) carry the mesh's own traffic
out of the mesh or between clusters, not clients' requests, and are skipped. As for EnvoyFilter
fragments above, a local_ratelimit added this way is not judged for \`filter_enabled\` / \`filter_enforced\` (another
patch often sets them per route), and a patch's listener port match is not followed.`,
  remediation:
    'Envoy: add an `envoy.filters.http.local_ratelimit` filter with a `token_bucket` and `filter_enabled`/`filter_enforced` at 100%, or a global `envoy.filters.http.ratelimit` filter with rate_limits actions. Istio gateways: the same filters through an EnvoyFilter with an HTTP_FILTER patch in context GATEWAY whose workloadSelector selects the gateway pods. Kong: add a `rate-limiting` plugin globally, on the service or on the route (a KongPlugin in `konghq.com/plugins`, or a global KongClusterPlugin).',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
    'https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter',
    'https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/',
    'https://istio.io/latest/docs/reference/config/networking/envoy-filter/',
    'https://developer.konghq.com/plugins/rate-limiting/',
    'https://developer.konghq.com/gateway/entities/plugin/#plugin-scope',
  ],
  messages: {
    envoyMissing:
      'The HTTP connection manager "{{hcm}}" of {{resource}} has no rate-limit filter: add envoy.filters.http.local_ratelimit (with filter_enabled and filter_enforced) or a global ratelimit filter.',
    envoyNotEnforced:
      'The local_ratelimit filter "{{filter}}" of {{resource}} has no filter_enabled and filter_enforced above 0% and limits nothing: set both (e.g. 100/HUNDRED).',
    istioGatewayMissing:
      '{{resource}} serves {{protocol}} on port {{port}} through {{pods}}, and no EnvoyFilter adds a rate-limit filter to them: add an EnvoyFilter (in their namespace or the root namespace) with an HTTP_FILTER patch in context GATEWAY of envoy.filters.http.local_ratelimit or envoy.filters.http.ratelimit, whose workloadSelector selects them.',
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
      'istio-gateway-whose-limit-is-for-sidecars': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 443, name: https, protocol: HTTPS } # expect: rate-limit-missing @7-11
              hosts: ["shop.example.com"]
              tls: { mode: SIMPLE, credentialName: shop-cert }
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: EnvoyFilter
        metadata: { name: local-limit, namespace: istio-system }
        spec:
          workloadSelector: { labels: { istio: ingressgateway } }
          configPatches:
            - applyTo: HTTP_FILTER
              match: { context: SIDECAR_INBOUND }
              patch:
                operation: INSERT_BEFORE
                value:
                  name: envoy.filters.http.local_ratelimit
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                    stat_prefix: http_local_rate_limiter
      `,
    },
    valid: {
      'istio-gateway-with-a-mesh-wide-rate-limit-envoyfilter': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: shop }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls: { mode: SIMPLE, credentialName: shop-cert }
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: EnvoyFilter
        metadata: { name: global-limit, namespace: istio-system }
        spec:
          configPatches:
            - applyTo: HTTP_FILTER
              match:
                listener: { filterChain: { filter: { name: envoy.filters.network.http_connection_manager, subFilter: { name: envoy.filters.http.router } } } }
              patch:
                operation: INSERT_BEFORE
                value:
                  name: envoy.filters.http.ratelimit
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit
                    domain: shop
                    rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: ratelimit } }, transport_api_version: V3 }
      `,
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
  check({ graph, settings, report }) {
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
      if (filters.some((f) => RATE_LIMIT_FILTERS.get(f.extension) === 'global')) continue;
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
    checkIstioGateways(graph, settings.mesh, (gateway, server, pods) =>
      report({
        resource: gateway,
        path: ['spec', 'servers', server, 'port'],
        target: 'key',
        messageId: 'istioGatewayMissing',
        data: {
          pods,
          port: String(get(gateway.body, 'spec', 'servers', server, 'port', 'number') ?? '?'),
          protocol: str(get(gateway.body, 'spec', 'servers', server, 'port', 'protocol')) ?? 'HTTP',
        },
      }),
    );
    for (const route of kongRoutes(graph)) {
      if (!route.active || !isHttpRoute(route) || route.unresolved.length > 0 || terminatingPlugin(route)) continue;
      const limited = routeFact('rate-limit-missing:limited', route, () =>
        route.plugins.some((p) => RATE_LIMIT_PLUGINS.has(p.name) && coversRoute(p, route)),
      );
      if (limited) continue;
      report({ resource: route.resource, path: route.pluginsPath, messageId: 'kongMissing' });
    }
  },
});
