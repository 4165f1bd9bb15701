import { defineRule, yaml } from '../../src/engine/rule.js';
import { istioResources } from '../../src/model/istio/index.js';
import { arr, get, str } from '../../src/model/values.js';

/** The URI for a message: user information (a possible credential) dropped. */
function withoutUserInfo(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return 'an unparsable http URI';
  }
}

export default defineRule({
  id: 'jwt-jwks-plaintext',
  title: 'Fetch JWT signing keys over HTTPS',
  severity: 'error',
  securitySeverity: 7.4,
  tags: ['security', 'istio', 'authentication', 'jwt', 'tls'],
  description: `A RequestAuthentication trusts every token signed by a key of its JSON Web Key Set. With \`jwksUri\`, istiod
fetches that set over the network and pushes the keys to the proxies (istio/istio \`pilot/pkg/model/jwks_resolver.go\`;
with \`PILOT_JWT_ENABLE_REMOTE_JWKS\` the proxies fetch it themselves). Over plain \`http://\`, anyone on the path between
istiod and the key server (or who can spoof its DNS name) can answer with keys of their own and then sign tokens that
every workload of the RequestAuthentication accepts, with any subject and claims: a key set (RFC 7517) is only as
trustworthy as the channel it came over. Istio's own examples always use \`https://\`.

Reported: every \`spec.jwtRules[].jwksUri\` whose scheme is \`http\`. Inline keys (\`jwks\`) and \`https\` URIs are not.
The message shows the URI without any user information it holds, so that no credential is printed.`,
  remediation: 'Serve the key set over HTTPS and set `jwksUri: https://...` (or inline the public keys with `jwks`).',
  references: ['https://istio.io/latest/docs/reference/config/security/jwt/'],
  messages: {
    plaintext:
      '{{resource}} fetches the signing keys of issuer {{issuer}} over plain http ({{uri}}): whoever is on the path can substitute keys and forge tokens. Use an https jwksUri or inline jwks.',
  },
  examples: {
    invalid: {
      'jwks-over-http': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: shop }
        spec:
          jwtRules:
            - issuer: https://auth.example.com
              jwksUri: https://auth.example.com/jwks.json
            - issuer: keycloak
              jwksUri: http://keycloak.auth:8080/realms/shop/protocol/openid-connect/certs # expect: jwt-jwks-plaintext @16-83
      `,
    },
    valid: {
      'https-and-inline-keys': yaml`
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: { name: jwt, namespace: shop }
        spec:
          jwtRules:
            - issuer: https://auth.example.com
              jwksUri: HTTPS://auth.example.com/jwks.json
            - issuer: http-named-issuer
              jwks: '{"keys":[]}'
      `,
    },
  },
  check({ graph, report }) {
    for (const resource of istioResources(graph, 'RequestAuthentication')) {
      arr(get(resource.body, 'spec', 'jwtRules')).forEach((rule, i) => {
        const uri = str(get(rule, 'jwksUri'))?.trim();
        if (!uri || !/^http:\/\//i.test(uri)) return;
        report({
          resource,
          path: ['spec', 'jwtRules', i, 'jwksUri'],
          target: 'value',
          messageId: 'plaintext',
          data: { issuer: str(get(rule, 'issuer')) ?? '(no issuer)', uri: withoutUserInfo(uri) },
        });
      });
    }
  },
});
