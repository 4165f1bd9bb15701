import { defineRule, yaml } from '../../src/engine/rule.js';
import { AUTH_PLUGINS, coversRoute, isHttpRoute, kongRoutes } from '../../src/model/kong/index.js';

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
be anonymous: suppress with a reason.`,
  remediation: 'Add an authentication plugin (key-auth, jwt, openid-connect, mtls-auth ...) to the route, its service, or globally; on Kubernetes list a KongPlugin of that type in the `konghq.com/plugins` annotation.',
  references: [
    'https://developer.konghq.com/gateway/entities/plugin/#plugin-scope',
    'https://developer.konghq.com/kubernetes-ingress-controller/reference/annotations/#konghq-com-plugins',
  ],
  messages: {
    noAuth: 'No authentication plugin applies to {{resource}}{{detail}}: anyone can call it. Add key-auth, jwt, openid-connect or another auth plugin to the route, its service or globally.',
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
      const auth = route.plugins.filter((p) => AUTH_PLUGINS.has(p.name));
      if (auth.some((p) => coversRoute(p, route))) continue;
      const partial = auth.find((p) => p.protocols);
      report({
        resource: route.resource,
        path: route.pluginsPath,
        messageId: 'noAuth',
        data: { detail: partial ? ` over ${route.protocols.filter((p) => !partial.protocols!.includes(p)).join(', ')} (the ${partial.name} plugin is limited to ${partial.protocols!.join(', ')})` : '' },
      });
    }
  },
});
