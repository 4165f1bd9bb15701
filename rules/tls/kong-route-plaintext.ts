import { defineRule, yaml } from '../../src/engine/rule.js';
import { kongRoutes } from '../../src/model/kong/index.js';

export default defineRule({
  id: 'kong-route-plaintext',
  title: 'Serve Kong routes over HTTPS only',
  severity: 'warning',
  securitySeverity: 5.5,
  tags: ['security', 'kong', 'tls', 'encryption'],
  description: `A Kong route whose \`protocols\` include \`http\` serves requests in cleartext: credentials (API keys,
basic-auth passwords, tokens, session cookies) travel readable on the network. Kong's route default is
\`["http", "https"]\` (Kong/kong kong/db/schema/entities/routes.lua; Kong Enterprise 3.14 changed it to
\`["https"]\`, older gateways and OSS keep both), so a route without \`protocols\` accepts http too.

When the route's protocols exclude \`http\`, Kong answers plaintext requests with \`https_redirect_status_code\`
(426 by default, or a 301/302/307/308 redirect): that is the fix. Setting \`https_redirect_status_code\` while the
protocols still include http does nothing, and is still reported. decK defaults (\`_info.defaults.route.protocols\`)
are applied.

On Kubernetes, a Kong-served Ingress or HTTPRoute takes its protocols from the \`konghq.com/protocols\` annotation
(\`"https"\` redirects with \`konghq.com/https-redirect-status-code\`); without it the route accepts http and https.
\`ingress.kubernetes.io/force-ssl-redirect: "true"\` also makes it https-only, and so does the deprecated KongIngress
(\`konghq.com/override\`) with \`route.protocols: [https]\`. An Ingress \`spec.tls\` creates
certificates but does not stop plaintext.`,
  remediation:
    'Set the route\'s `protocols: [https]` (and `https_redirect_status_code: 301` or `308` to redirect browsers); on Kubernetes annotate the Ingress/HTTPRoute with `konghq.com/protocols: https` and `konghq.com/https-redirect-status-code: "301"`.',
  references: [
    'https://developer.konghq.com/gateway/entities/route/',
    'https://developer.konghq.com/kubernetes-ingress-controller/reference/annotations/#konghq-com-protocols',
  ],
  messages: {
    plaintext:
      '{{resource}} accepts plain http{{why}}: set protocols to https only so that Kong redirects (https_redirect_status_code) instead of serving cleartext.',
  },
  examples: {
    invalid: {
      'default-protocols-include-http': yaml`
        _format_version: "3.0"
        services:
          - name: web
            url: https://web.example.com
            routes:
              - name: web # expect: kong-route-plaintext @9-18
                paths: [/]
      `,
      'redirect-code-without-https-only-protocols': yaml`
        _format_version: "3.0"
        routes:
          - name: web
            service: web
            protocols: [http, https] # expect: kong-route-plaintext @5-14
            https_redirect_status_code: 301
      `,
      'kong-ingress-without-protocols-annotation': yaml`
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          annotations: # expect: kong-route-plaintext @3-14
            kubernetes.io/ingress.class: kong
        spec:
          tls: [{ hosts: [web.example.com], secretName: web-tls }]
          rules: []
      `,
    },
    valid: {
      'deprecated-kong-ingress-override-sets-https': {
        'ingress.yaml': yaml`
          apiVersion: networking.k8s.io/v1
          kind: Ingress
          metadata:
            name: web
            annotations:
              kubernetes.io/ingress.class: kong
              konghq.com/override: https-only
          spec:
            rules: []
        `,
        'kongingress.yaml': yaml`
          apiVersion: configuration.konghq.com/v1
          kind: KongIngress
          metadata:
            name: https-only
          route:
            protocols: [https]
            https_redirect_status_code: 308
        `,
      },
      'https-only-with-redirect': yaml`
        _format_version: "3.0"
        routes:
          - name: web
            service: web
            protocols: [https]
            https_redirect_status_code: 308
      `,
      'deck-defaults-set-https': yaml`
        _format_version: "3.0"
        _info:
          defaults:
            route: { protocols: [https] }
        routes:
          - name: web
            service: web
      `,
      'kong-ingress-https-only': yaml`
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          annotations:
            kubernetes.io/ingress.class: kong
            konghq.com/protocols: https
            konghq.com/https-redirect-status-code: "301"
        spec:
          rules: []
      `,
    },
  },
  check({ graph, report }) {
    for (const route of kongRoutes(graph)) {
      if (!route.active || !route.protocols.includes('http')) continue;
      const redirect =
        route.resource.format === 'kong'
          ? route.resource.body.https_redirect_status_code !== undefined
          : route.resource.annotations['konghq.com/https-redirect-status-code'] !== undefined;
      const why = !route.protocolsExplicit
        ? ' (no protocols set: Kong defaults to http and https)'
        : redirect
          ? ' (https_redirect_status_code applies only when http is not among the protocols)'
          : '';
      report({ resource: route.resource, path: route.protocolsPath, messageId: 'plaintext', data: { why } });
    }
  },
});
