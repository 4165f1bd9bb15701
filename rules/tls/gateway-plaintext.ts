import { defineRule, yaml } from '../../src/engine/rule.js';
import { istioResources } from '../../src/model/istio/index.js';
import { arr, get, str } from '../../src/model/values.js';

const PLAINTEXT = new Set(['HTTP', 'HTTP2', 'GRPC']);

export default defineRule({
  id: 'gateway-plaintext',
  title: 'Gateway HTTP servers must redirect to HTTPS',
  severity: 'warning',
  securitySeverity: 5.5,
  tags: ['security', 'istio', 'tls', 'gateway', 'encryption'],
  description: `An Istio Gateway server whose \`port.protocol\` is HTTP (or HTTP2/GRPC, i.e. h2c) serves the routed hosts in
cleartext at the edge: credentials, cookies and tokens cross the network unencrypted and can be read or altered. Istio's
answer for a port that must stay open on 80 is \`tls.httpsRedirect: true\`, which makes the gateway "send a 301 redirect
for all http connections" (istio/api \`networking/v1alpha3/gateway.proto\` \`ServerTLSSettings\`), and the HTTPS server
serves the content. The webhook only allows \`tls\` on a plain HTTP port for that redirect.

Reported on the server's \`port.protocol\` when it is HTTP, HTTP2 or GRPC and \`tls.httpsRedirect\` is not \`true\`. A
warning: east-west or internal gateways on plaintext ports can be deliberate (then suppress with a reason).`,
  remediation:
    'Set `tls: {httpsRedirect: true}` on the HTTP server and serve the hosts from an HTTPS server (`protocol: HTTPS`, `tls.mode: SIMPLE` with `credentialName`).',
  references: [
    'https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings',
    'https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/',
  ],
  messages: {
    plaintext:
      '{{resource}} serves {{hosts}} over {{protocol}} on port {{port}} without TLS: set tls.httpsRedirect: true and serve the hosts over HTTPS.',
  },
  examples: {
    invalid: {
      'http-server-without-redirect': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 80, name: http, protocol: HTTP } # expect: gateway-plaintext @49-53
              hosts: ["shop.example.com"]
      `,
    },
    valid: {
      'redirect-and-https': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 80, name: http, protocol: HTTP }
              hosts: ["shop.example.com"]
              tls: { httpsRedirect: true }
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls: { mode: SIMPLE, credentialName: shop-cert }
      `,
    },
  },
  check({ graph, report }) {
    for (const gateway of istioResources(graph, 'Gateway')) {
      arr(get(gateway.body, 'spec', 'servers')).forEach((server, i) => {
        const protocol = str(get(server, 'port', 'protocol'));
        if (!protocol || !PLAINTEXT.has(protocol.toUpperCase())) return;
        if (get(server, 'tls', 'httpsRedirect') === true) return;
        const hosts = arr(get(server, 'hosts')).filter((h) => typeof h === 'string');
        report({
          resource: gateway,
          path: ['spec', 'servers', i, 'port', 'protocol'],
          target: 'value',
          messageId: 'plaintext',
          data: {
            hosts: hosts.length ? hosts.slice(0, 3).join(', ') + (hosts.length > 3 ? ', ...' : '') : 'its hosts',
            protocol,
            port: String(get(server, 'port', 'number') ?? '?'),
          },
        });
      });
    }
  },
});
