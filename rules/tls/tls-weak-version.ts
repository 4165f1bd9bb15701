import { defineRule, yaml, type RuleContext } from '../../src/engine/rule.js';
import { istioResources } from '../../src/model/istio.js';
import { arr, get, str } from '../../src/model/values.js';

type MessageId = 'istioGatewayMinVersion' | 'istioGatewayMaxVersion';
type Context = RuleContext<MessageId, undefined>;

const WEAK = new Set(['TLSV1_0', 'TLSV1_1']);

/** Istio Gateway servers: tls.minProtocolVersion (or a maxProtocolVersion cap) below TLS 1.2. */
function checkIstioGateways({ graph, report }: Context): void {
  for (const gateway of istioResources(graph, 'Gateway')) {
    arr(get(gateway.body, 'spec', 'servers')).forEach((server, i) => {
      const tls = get(server, 'tls');
      const min = str(get(tls, 'minProtocolVersion'));
      const max = str(get(tls, 'maxProtocolVersion'));
      const port = String(get(server, 'port', 'number') ?? '?');
      if (min && WEAK.has(min)) {
        report({ resource: gateway, path: ['spec', 'servers', i, 'tls', 'minProtocolVersion'], target: 'value', messageId: 'istioGatewayMinVersion', data: { version: min, port } });
      }
      if (max && WEAK.has(max)) {
        report({ resource: gateway, path: ['spec', 'servers', i, 'tls', 'maxProtocolVersion'], target: 'value', messageId: 'istioGatewayMaxVersion', data: { version: max, port } });
      }
    });
  }
}

export default defineRule({
  id: 'tls-weak-version',
  family: 'tls',
  title: 'TLS must not accept versions below 1.2',
  severity: 'error',
  securitySeverity: 7.0,
  tags: ['security', 'tls', 'encryption', 'istio'],
  description: `TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and MD5 in the handshake, lack AEAD cipher suites
and are open to downgrade and padding-oracle attacks (BEAST, POODLE variants). A server that still accepts them lets
an active attacker negotiate the weakest version both sides support.

Istio Gateway: \`servers[].tls.minProtocolVersion\` "By default, it is \`TLSV1_2\`" and "Using TLS protocol versions below
TLSV1_2 has serious security risks" (istio/api \`networking/v1alpha3/gateway.proto\`); the webhook only warns. Reported
on \`minProtocolVersion: TLSV1_0|TLSV1_1\`, and on a \`maxProtocolVersion\` capped at those versions (which forbids
1.2 and 1.3 altogether).`,
  remediation: 'Set `minProtocolVersion: TLSV1_2` (or remove it: 1.2 is the default) and do not cap `maxProtocolVersion` below TLSV1_2; keep the clients that need TLS 1.0 on a separate, isolated endpoint if they cannot be upgraded.',
  references: ['https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSProtocol', 'https://www.rfc-editor.org/rfc/rfc8996'],
  messages: {
    istioGatewayMinVersion: '{{resource}} accepts {{version}} on port {{port}}: TLS below 1.2 is deprecated and downgradable. Set minProtocolVersion: TLSV1_2.',
    istioGatewayMaxVersion: '{{resource}} caps TLS at {{version}} on port {{port}}, so clients can never use TLS 1.2 or 1.3: remove maxProtocolVersion or set it to TLSV1_3.',
  },
  examples: {
    invalid: {
      'istio-gateway-tls-1-0': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          selector: { istio: ingressgateway }
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls:
                mode: SIMPLE
                credentialName: shop-cert
                minProtocolVersion: TLSV1_0 # expect: tls-weak-version
                maxProtocolVersion: TLSV1_1 # expect: tls-weak-version
      `,
    },
    valid: {
      'istio-gateway-tls-1-2': yaml`
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: { name: public, namespace: istio-system }
        spec:
          servers:
            - port: { number: 443, name: https, protocol: HTTPS }
              hosts: ["shop.example.com"]
              tls: { mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLSV1_2 }
      `,
    },
  },
  check(context) {
    checkIstioGateways(context);
  },
});
