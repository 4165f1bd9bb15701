import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import {
  anonymousConsumer,
  AUTH_PLUGINS,
  consumerPolicy,
  coversRoute,
  describePlugin,
  isHttpRoute,
  kongRoutes,
  type KongPluginView,
  type KongRouteView,
  routeFact,
  terminatingPlugin,
  terminates,
} from '../../src/model/kong/index.js';
import { arr } from '../../src/model/values.js';

export default defineRule({
  id: 'kong-no-auth',
  title: 'Authenticate every Kong route',
  severity: 'error',
  securitySeverity: 8.0,
  tags: ['security', 'kong', 'authentication'],
  description: `Kong is usually the ingress point for external traffic; a route with no authentication plugin lets
anyone on the internet call the service behind it. Kong resolves the plugins of a request from its route, its
service and the global plugins (and the consumer once one is authenticated); see "Plugin scope" and "Plugin
precedence" in Kong's plugin reference. The rule computes, for every route, the enabled plugins that apply to all of
its requests and reports the route when none is an authentication plugin: \`key-auth\`, \`jwt\`, \`oauth2\`,
\`basic-auth\`, \`hmac-auth\`, \`openid-connect\`, \`ldap-auth\`, \`mtls-auth\`, \`session\` (and the Enterprise
\`key-auth-enc\`, \`oauth2-introspection\`, \`ldap-auth-advanced\`, \`header-cert-auth\`, \`vault-auth\`,
\`saml\`, \`jwe-decrypt\`).

Traps handled: \`enabled: false\` (decK) and \`disabled: true\` (KongPlugin) plugins do not count; a plugin scoped to
a consumer or consumer group runs only after authentication and does not count; an auth plugin whose \`protocols\`
omit one of the route's protocols (key-auth on \`https\` only, route on \`http\` and \`https\`) leaves that protocol
open; routes of a disabled service are not served and not reported; stream routes (tcp, tls, udp) cannot carry HTTP
authentication and are not reported. A decK file is its own configuration: a global plugin covers the routes of its
own file. On Kubernetes, a route is a Kong-served Ingress or HTTPRoute (Kong ingress class, konghq.com annotations,
a Kong Gateway parent); its plugins come from its \`konghq.com/plugins\` annotation, HTTPRoute ExtensionRef filters,
the annotation of its backend Services, and KongClusterPlugins labelled \`global: "true"\`. A reference to a
KongPlugin that is not in the scan makes the route unknown, and it is not reported. Public routes that are meant to
be anonymous: suppress with a reason.

**Kong Operator.** A KongRoute of \`configuration.konghq.com/v1alpha1\` is a route too: its KongService through
\`spec.serviceRef\`, its plugins through KongPluginBindings (\`targets.routeRef\` or \`targets.serviceRef\` without a
consumer, or \`scope: GlobalInControlPlane\` in the same control plane) and \`konghq.com/plugins\` annotations.

**Terminated routes.** A route whose requests all end in a terminating plugin (\`request-termination\` without a
\`trigger\`, \`redirect\`) is never proxied: Kong answers in the access phase (\`kong.response.exit\` in
kong/plugins/request-termination/handler.lua), so there is nothing to authenticate and it is not reported.

**Optional authentication.** An authentication plugin with \`config.anonymous\` lets a request without credentials
through as that consumer instead of refusing it with 401 ("anonymous" in the key-auth, jwt, basic-auth, oauth2 ...
plugin references); Kong documents it for "logical OR" setups where something else stops the anonymous consumer. The
route counts as authenticated only if one authentication plugin has no \`anonymous\`, or every anonymous consumer is
stopped: an \`acl\` plugin on the route whose \`allow\` list leaves out the consumer's groups (or whose \`deny\` list
names one), or a \`request-termination\` plugin scoped to that consumer. An anonymous consumer that is not in the scan,
under an \`acl\` allow list, is taken as stopped.`,
  remediation:
    'Add an authentication plugin (key-auth, jwt, openid-connect, mtls-auth ...) to the route, its service, or globally; on Kubernetes list a KongPlugin of that type in the `konghq.com/plugins` annotation.',
  references: [
    'https://developer.konghq.com/gateway/entities/plugin/#plugin-scope',
    'https://developer.konghq.com/kubernetes-ingress-controller/reference/annotations/#konghq-com-plugins',
  ],
  messages: {
    anonymous:
      '{{resource}} accepts requests without credentials: {{plugin}} lets them through as the anonymous consumer "{{consumer}}", and nothing stops that consumer. Remove config.anonymous, or stop the consumer (an acl plugin that does not allow it, request-termination scoped to it).',
    noAuth:
      'No authentication plugin applies to {{resource}}{{detail}}: anyone can call it. Add key-auth, jwt, openid-connect or another auth plugin to the route, its service or globally.',
  },
  examples: {
    invalid: {
      'deck-route-without-auth': yaml`
        _format_version: "3.0"
        services:
          - name: orders
            url: https://orders.example.com
            routes:
              - name: orders-public # expect: kong-no-auth @9-28
                paths: [/orders]
      `,
      'auth-limited-to-https-leaves-http-open': yaml`
        _format_version: "3.0"
        services:
          - name: orders
            url: https://orders.example.com
            plugins:
              - name: key-auth
                protocols: [https]
            routes:
              - name: orders # expect: kong-no-auth @9-21
                paths: [/orders]
      `,
      'anonymous-consumer-nothing-stops': yaml`
        _format_version: "3.0"
        consumers:
          - username: anonymous
        services:
          - name: orders
            url: https://orders.example.com
            routes:
              - name: orders # expect: kong-no-auth @9-21
                paths: [/orders]
                plugins:
                  - name: key-auth
                    config: { anonymous: anonymous }
      `,
      'kong-operator-route-without-auth': yaml`
        apiVersion: configuration.konghq.com/v1alpha1
        kind: KongService
        metadata: { name: orders, namespace: shop }
        spec:
          host: orders.shop.svc
          protocol: https
          port: 443
        ---
        apiVersion: configuration.konghq.com/v1alpha1
        kind: KongRoute
        metadata:
          name: orders # expect: kong-no-auth @3-15
          namespace: shop
        spec:
          protocols: [http]
          paths: [/orders]
          serviceRef:
            type: namespacedRef
            namespacedRef: { name: orders }
      `,
      'kong-ingress-without-auth-plugin': yaml`
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: shop # expect: kong-no-auth @3-13
          namespace: shop
        spec:
          ingressClassName: kong
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend: { service: { name: web, port: { number: 80 } } }
      `,
    },
    valid: {
      'service-level-auth-covers-its-routes': yaml`
        _format_version: "3.0"
        services:
          - name: orders
            url: https://orders.example.com
            plugins:
              - name: jwt
            routes:
              - name: orders
                paths: [/orders]
      `,
      'terminated-route-is-never-proxied': yaml`
        _format_version: "3.0"
        services:
          - name: legacy
            url: http://legacy.example.com
            routes:
              - name: legacy-admin
                paths: [/admin]
                plugins:
                  - name: request-termination
                    config: { status_code: 403, message: Forbidden }
      `,
      'anonymous-consumer-stopped-by-acl-or-termination': yaml`
        _format_version: "3.0"
        consumers:
          - username: anonymous
            acls: [{ group: guests }]
          - username: nobody
            plugins:
              - name: request-termination
                config: { status_code: 401 }
        services:
          - name: orders
            url: https://orders.example.com
            routes:
              - name: orders
                paths: [/orders]
                plugins:
                  - name: key-auth
                    config: { anonymous: anonymous }
                  - name: acl
                    config: { allow: [customers] }
              - name: invoices
                paths: [/invoices]
                plugins:
                  - name: jwt
                    config: { anonymous: nobody }
      `,
      'kong-operator-route-with-plugin-binding': yaml`
        apiVersion: configuration.konghq.com/v1alpha1
        kind: KongRoute
        metadata: { name: orders, namespace: shop }
        spec:
          protocols: [https]
          serviceRef: { type: namespacedRef, namespacedRef: { name: orders } }
        ---
        apiVersion: configuration.konghq.com/v1
        kind: KongPlugin
        metadata: { name: require-key, namespace: shop }
        plugin: key-auth
        ---
        apiVersion: configuration.konghq.com/v1alpha1
        kind: KongPluginBinding
        metadata: { name: orders-key-auth, namespace: shop }
        spec:
          pluginRef: { name: require-key }
          targets:
            routeRef: { name: orders }
      `,
      'kong-ingress-with-key-auth-plugin': {
        'ingress.yaml': yaml`
          apiVersion: networking.k8s.io/v1
          kind: Ingress
          metadata:
            name: shop
            namespace: shop
            annotations:
              konghq.com/plugins: require-key
          spec:
            ingressClassName: kong
            rules:
              - http:
                  paths:
                    - path: /
                      pathType: Prefix
                      backend: { service: { name: web, port: { number: 80 } } }
        `,
        'plugin.yaml': yaml`
          apiVersion: configuration.konghq.com/v1
          kind: KongPlugin
          metadata:
            name: require-key
            namespace: shop
          plugin: key-auth
        `,
      },
      'nginx-ingress-is-not-kong': yaml`
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: other
        spec:
          ingressClassName: nginx
          rules: []
      `,
    },
  },
  check({ graph, report }) {
    for (const route of kongRoutes(graph)) {
      if (!route.active || !isHttpRoute(route) || route.unresolved.length > 0) continue;
      if (terminatingPlugin(route)) continue;
      const { auth, covering } = routeFact('kong-no-auth:auth', route, () => {
        const auth = route.plugins.filter((p) => AUTH_PLUGINS.has(p.name));
        return { auth, covering: auth.filter((p) => coversRoute(p, route)) };
      });
      if (covering.some((p) => anonymousConsumer(p) === undefined)) continue;
      if (covering.length > 0) {
        const open = covering.find((p) => !anonymousStopped(graph, route, anonymousConsumer(p)!));
        if (open)
          report({
            resource: route.resource,
            path: route.pluginsPath,
            messageId: 'anonymous',
            data: { plugin: describePlugin(open), consumer: anonymousConsumer(open)! },
          });
        continue;
      }
      const partial = auth.find((p) => p.protocols);
      report({
        resource: route.resource,
        path: route.pluginsPath,
        messageId: 'noAuth',
        data: {
          detail: partial
            ? ` over ${route.protocols.filter((p) => !partial.protocols!.includes(p)).join(', ')} (the ${partial.name} plugin is limited to ${partial.protocols!.join(', ')})`
            : '',
        },
      });
    }
  },
});

/** Is the anonymous consumer refused on this route: by an acl plugin of the route, or a request-termination scoped to it? */
function anonymousStopped(graph: Graph, route: KongRouteView, consumer: string): boolean {
  const policy = consumerPolicy(graph, route, consumer);
  if (policy.plugins.some(terminates)) return true;
  return route.plugins.some((p) => p.name === 'acl' && coversRoute(p, route) && aclRefuses(p, policy.groups));
}

function aclRefuses(acl: KongPluginView, groups: readonly string[] | undefined): boolean {
  const allow = arr(acl.field('allow').value ?? acl.field('whitelist').value).map(String);
  const deny = arr(acl.field('deny').value ?? acl.field('blacklist').value).map(String);
  if (allow.length > 0) return groups === undefined || !groups.some((g) => allow.includes(g));
  return groups !== undefined && groups.some((g) => deny.includes(g));
}
