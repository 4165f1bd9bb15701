import { defineRule, yaml } from '../../src/engine/rule.js';
import {
  child,
  filterSites,
  has,
  perRouteConfigs,
  routeConfigOf,
  type FilterSite,
} from '../../src/model/envoy/index.js';

/**
 * A shadow-only RBAC filter that selects requests for ext_authz: Istio's CUSTOM action writes its policies as
 * shadow rules whose result (dynamic metadata) an ext_authz filter reads through `filter_enabled_metadata`, so the
 * enforcement is ext_authz's. Recognised by such an ext_authz in the same connection manager, or, for a filter on
 * its own, by Istio's stat prefix `istio_ext_authz_`.
 */
function selectsForExtAuthz(site: FilterSite, name: string, statPrefix: string): boolean {
  if (statPrefix.startsWith('istio_ext_authz')) return true;
  return (site.hcm?.hcm.httpFilters ?? []).some(
    (o) =>
      o.extension === 'envoy.filters.http.ext_authz' &&
      child(child(o.config, 'filter_enabled_metadata'), 'filter').value === name,
  );
}

export default defineRule({
  id: 'envoy-rbac-not-enforced',
  title: 'Give Envoy RBAC filters enforced rules',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'envoy', 'authorization'],
  description: `An RBAC filter looks like access control but enforces nothing unless it has \`rules\` (or the newer
\`matcher\`). The proto is explicit (envoy/extensions/filters/http/rbac/v3/rbac.proto): "If absent, no RBAC
enforcement occurs. If set but empty, all requests are denied." \`shadow_rules\` are only evaluated and logged
(stats and dynamic metadata), never enforced, so a filter with only \`shadow_rules\` is a dry run that lets everyone
in. The network RBAC filter has the same fields and semantics.

Envoy Gateway and others put an empty RBAC filter on the listener and the real policy per route
(\`typed_per_filter_config\` with an \`RBACPerRoute\`): such a filter is not reported when a virtual host or route
of its HTTP connection manager's route configuration (inline, or the RDS one when the scan holds it) overrides it,
nor when the routes come from RDS outside the scan (unknown). An empty \`rules: {}\` denies everything and is not
reported. Istio's CUSTOM authorization writes a shadow-only RBAC filter on purpose: its result (dynamic metadata)
tells the ext_authz filter which requests to check (\`filter_enabled_metadata\`), so enforcement is ext_authz's; such
a filter (an ext_authz of the same connection manager reading it, or Istio's \`istio_ext_authz_\` stat prefix) is not
reported. Istio's dry-run mode (\`istio.io/dry-run\`, stat prefix \`istio_dry_run_\`) is reported: it enforces nothing.`,
  remediation:
    'Move the policies from `shadow_rules` to `rules` once the dry run is validated (or add `rules`), or delete the filter if no access control is intended.',
  references: ['https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/filters/http/rbac/v3/rbac.proto'],
  messages: {
    noRules:
      'The RBAC filter "{{filter}}" of {{resource}} has no rules and enforces nothing: add rules (an empty rules: {} denies all).',
    shadowOnly:
      'The RBAC filter "{{filter}}" of {{resource}} has only shadow_rules, which are logged but never enforced: move them to rules.',
  },
  examples: {
    invalid: {
      'shadow-rules-only': yaml`
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
                        route_config: { virtual_hosts: [{ name: all, domains: ["*"], routes: [] }] }
                        http_filters:
                          - name: rbac
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                              shadow_rules: # expect: envoy-rbac-not-enforced @23-35
                                policies:
                                  admins:
                                    permissions: [{ any: true }]
                                    principals: [{ authenticated: { principal_name: { exact: spiffe://td/ns/ops/sa/admin } } }]
      `,
      'network-rbac-without-rules': yaml`
        - name: tcp
          address: { socketAddress: { address: 127.0.0.1, portValue: 5432 } }
          filterChains:
            - filters:
                - name: envoy.filters.network.rbac
                  typedConfig: # expect: envoy-rbac-not-enforced @11-22
                    "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                    statPrefix: tcp
      `,
    },
    valid: {
      'istio-custom-action-selector-for-ext-authz': yaml`
        name: envoy.filters.http.rbac
        typedConfig:
          "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
          shadowRules:
            action: DENY
            policies:
              istio-ext-authz-ns[foo]-policy[ext]-rule[0]:
                permissions: [{ urlPath: { path: { exact: /admin } } }]
                principals: [{ any: true }]
          shadowRulesStatPrefix: istio_ext_authz_
      `,
      'rules-set': yaml`
        - name: tcp
          address: { socket_address: { address: 127.0.0.1, port_value: 5432 } }
          filter_chains:
            - filters:
                - name: envoy.filters.network.rbac
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                    stat_prefix: tcp
                    rules: {}
      `,
      'per-route-override': yaml`
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
                        http_filters:
                          - name: envoy.filters.http.rbac
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                        route_config:
                          virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                                - match: { prefix: / }
                                  route: { cluster: app }
                                  typed_per_filter_config:
                                    envoy.filters.http.rbac:
                                      "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                                      rbac:
                                        rules:
                                          policies:
                                            ops:
                                              permissions: [{ any: true }]
                                              principals: [{ header: { name: x-team, string_match: { exact: ops } } }]
      `,
    },
  },
  check({ graph, report }) {
    for (const site of filterSites(graph)) {
      const f = site.filter;
      if (f.extension !== 'envoy.filters.http.rbac' && f.extension !== 'envoy.filters.network.rbac') continue;
      if (has(f.config, 'rules') || has(f.config, 'matcher')) continue;
      if (site.hcm) {
        const rc = routeConfigOf(graph, site.hcm);
        if (!rc) {
          if (site.hcm.hcm.rdsName !== undefined) continue; // routes from RDS outside the scan: unknown
        } else if (
          perRouteConfigs(rc.node, f.name).some(
            (n) => has(child(n, 'rbac'), 'rules') || has(child(n, 'rbac'), 'matcher'),
          )
        ) {
          continue;
        }
      }
      const shadow = child(f.config, 'shadow_rules');
      const shadowOnly = has(f.config, 'shadow_rules') || has(f.config, 'shadow_matcher');
      if (
        shadowOnly &&
        selectsForExtAuthz(site, f.name, String(child(f.config, 'shadow_rules_stat_prefix').value ?? ''))
      )
        continue;
      report({
        resource: site.resource,
        path: shadowOnly
          ? has(f.config, 'shadow_rules')
            ? shadow.path
            : child(f.config, 'shadow_matcher').path
          : f.config.path,
        target: 'key',
        messageId: shadowOnly ? 'shadowOnly' : 'noRules',
        data: { filter: f.name || f.extension },
      });
    }
  },
});
