import { defineRule, yaml } from '../../src/engine/rule.js';
import { at, child, clusterView, entries, filterSites } from '../../src/model/envoy/index.js';
import type { Graph } from '../../src/model/graph.js';
import { istioResources } from '../../src/model/istio/index.js';
import { arr, get, str } from '../../src/model/values.js';

const PLAIN_HTTP = /^http:\/\//i;

/** Whether the scan holds the cluster a JWKS fetch goes through, every copy of it with a TLS transport socket. */
function tlsCluster(graph: Graph, name: string | undefined): boolean {
  if (!name) return false;
  const clusters = graph.whole
    .ofKind('EnvoyCluster')
    .filter((r) => r.format === 'envoy' && r.name === name && !r.partial);
  return (
    clusters.length > 0 &&
    clusters.every((r) => {
      const view = clusterView(r);
      return view.transport.tls !== undefined || view.tlsMatches.length > 0;
    })
  );
}

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
  tags: ['security', 'istio', 'envoy', 'authentication', 'jwt', 'tls'],
  description: `A RequestAuthentication trusts every token signed by a key of its JSON Web Key Set. With \`jwksUri\`, istiod
fetches that set over the network and pushes the keys to the proxies (istio/istio \`pilot/pkg/model/jwks_resolver.go\`;
with \`PILOT_JWT_ENABLE_REMOTE_JWKS\` the proxies fetch it themselves). Over plain \`http://\`, anyone on the path between
istiod and the key server (or who can spoof its DNS name) can answer with keys of their own and then sign tokens that
every workload of the RequestAuthentication accepts, with any subject and claims: a key set (RFC 7517) is only as
trustworthy as the channel it came over. Istio's own examples always use \`https://\`.

Reported: every \`spec.jwtRules[].jwksUri\` whose scheme is \`http\`. Inline keys (\`jwks\`) and \`https\` URIs are not.
The message shows the URI without any user information it holds, so that no credential is printed.

Envoy's \`envoy.filters.http.jwt_authn\` filter (bootstraps, xDS files, EnvoyFilter patches) fetches a provider's key
set itself: \`providers.<name>.remote_jwks.http_uri\` names the \`uri\` and the \`cluster\` the request goes through
(envoy/extensions/filters/http/jwt_authn/v3/config.proto \`RemoteJwks\`; envoy/config/core/v3/http_uri.proto). Reported:
a \`uri\` whose scheme is \`http\`, on the uri, unless the scan holds that cluster and every copy of it has a TLS transport
socket (then the fetch is encrypted whatever the scheme says). \`local_jwks\` and \`https\` URIs are not reported; an
\`https\` uri through a cluster without TLS is \`envoy-upstream-plaintext\`'s finding on the cluster. A uri to
\`localhost\` is reported as for Istio: the key set still comes over plaintext, and what forwards it is not in the
scan.`,
  remediation:
    'Serve the key set over HTTPS and set `jwksUri: https://...` (or inline the public keys with `jwks`); in Envoy, an `https` `http_uri.uri` through a cluster with an `UpstreamTlsContext` (or `local_jwks`).',
  references: [
    'https://istio.io/latest/docs/reference/config/security/jwt/',
    'https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/jwt_authn/v3/config.proto',
  ],
  messages: {
    envoyPlaintext:
      'The jwt_authn provider "{{provider}}" of {{resource}} fetches the signing keys of issuer {{issuer}} over plain http ({{uri}}, cluster {{cluster}}): whoever is on the path can substitute keys and forge tokens. Use an https uri through a cluster with a TLS transport socket, or local_jwks.',
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
      'envoy-jwt-authn-remote-jwks-over-http': yaml`
        static_resources:
          listeners:
            - name: api
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: api
                        http_filters:
                          - name: envoy.filters.http.jwt_authn
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                              providers:
                                keycloak:
                                  issuer: https://keycloak.example.com/realms/shop
                                  remote_jwks:
                                    http_uri:
                                      uri: http://keycloak.example.com/realms/shop/protocol/openid-connect/certs # expect: jwt-jwks-plaintext @36-105
                                      cluster: keycloak
                                      timeout: 5s
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      `,
    },
    valid: {
      'envoy-https-local-jwks-and-a-tls-cluster': yaml`
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: api
          address: { socketAddress: { address: 0.0.0.0, portValue: 8443 } }
          filterChains:
            - filters:
                - name: envoy.filters.network.http_connection_manager
                  typedConfig:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    statPrefix: api
                    httpFilters:
                      - name: envoy.filters.http.jwt_authn
                        typedConfig:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                          providers:
                            auth0:
                              issuer: https://shop.eu.auth0.com/
                              remoteJwks: { httpUri: { uri: https://shop.eu.auth0.com/.well-known/jwks.json, cluster: auth0, timeout: 5s } }
                            internal:
                              issuer: internal
                              localJwks: { filename: /etc/envoy/jwks.json }
                            legacy:
                              issuer: legacy
                              remoteJwks: { httpUri: { uri: http://idp.example.com/jwks, cluster: idp_tls, timeout: 5s } }
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: idp_tls
          type: LOGICAL_DNS
          loadAssignment:
            clusterName: idp_tls
            endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: idp.example.com, portValue: 443 } } } }] }]
          transportSocket:
            name: envoy.transport_sockets.tls
            typedConfig:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: idp.example.com
      `,
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
    for (const site of filterSites(graph)) {
      if (site.layer !== 'http' || site.filter.extension !== 'envoy.filters.http.jwt_authn') continue;
      for (const [name, provider] of entries(child(site.filter.config, 'providers'))) {
        const httpUri = at(provider, 'remote_jwks', 'http_uri');
        const uriNode = child(httpUri, 'uri');
        const uri = str(uriNode.value)?.trim();
        if (!uri || !PLAIN_HTTP.test(uri)) continue;
        const cluster = str(child(httpUri, 'cluster').value);
        if (tlsCluster(graph, cluster)) continue;
        report({
          resource: site.resource,
          path: uriNode.path,
          target: 'value',
          messageId: 'envoyPlaintext',
          data: {
            provider: name,
            issuer: str(child(provider, 'issuer').value) ?? '(no issuer)',
            uri: withoutUserInfo(uri),
            cluster: cluster ?? '(none)',
          },
        });
      }
    }
    for (const resource of istioResources(graph, 'RequestAuthentication')) {
      arr(get(resource.body, 'spec', 'jwtRules')).forEach((rule, i) => {
        const uri = str(get(rule, 'jwksUri'))?.trim();
        if (!uri || !PLAIN_HTTP.test(uri)) return;
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
