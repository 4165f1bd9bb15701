import { defineRule, yaml } from '../../src/engine/rule.js';
import { child, walk } from '../../src/model/envoy/index.js';
import { istioResources, meshConfigSite, meshConfigs, meshSetting } from '../../src/model/istio/index.js';
import { arr, get, str, type Path } from '../../src/model/values.js';

/**
 * Why a cipher suite is weak, or undefined. Reads OpenSSL / BoringSSL names (`ECDHE-RSA-AES128-SHA`, what Envoy,
 * Istio and Kong take) and IANA names (`TLS_RSA_WITH_AES_128_CBC_SHA`). TLS 1.3 suites (`TLS_AES_128_GCM_SHA256`) are
 * all AEAD with ephemeral key exchange.
 */
export function cipherWeakness(suite: string): string | undefined {
  const name = suite.trim().toUpperCase();
  if (!name) return undefined;
  if (/^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305|AES_128_CCM(_8)?)_SHA(256|384)$/.test(name)) return undefined;
  const iana = name.startsWith('TLS_') || name.startsWith('SSL_');
  if (
    name.includes('NULL') ||
    name.includes('EXPORT') ||
    name.includes('ANON') ||
    /(^|[-_])ADH([-_]|$)|(^|[-_])AECDH([-_]|$)/.test(name)
  )
    return 'no encryption or authentication (NULL, export or anonymous)';
  if (name.includes('RC4')) return 'RC4 (broken stream cipher, RFC 7465)';
  if (
    name.includes('3DES') ||
    name.includes('DES-CBC3') ||
    name.includes('DES_EDE') ||
    /(^|[-_])DES([-_]|$)/.test(name)
  )
    return '3DES/DES (64-bit blocks: Sweet32)';
  const aead = /GCM|CHACHA20|POLY1305|CCM/.test(name);
  const forwardSecret = iana ? /_(ECDHE|DHE)_/.test(name) : /^(ECDHE|DHE|EDH)-/.test(name);
  if (!aead)
    return forwardSecret
      ? 'CBC mode (padding-oracle attacks such as Lucky13)'
      : 'CBC mode without forward secrecy (RSA key exchange)';
  if (!forwardSecret) return 'no forward secrecy (RSA key exchange: a stolen key decrypts recorded traffic)';
  return undefined;
}

/** Entries of a cipher list: Envoy's `[A|B]` equal-preference groups split; OpenSSL keywords and exclusions skipped. */
function suitesOf(entry: string): string[] {
  return entry
    .replace(/^\[|\]$/g, '')
    .split(/[|:]/)
    .map((s) => s.trim())
    .filter((s) => s && !/^[!+-]/.test(s) && /[-_]/.test(s));
}

const TLS13 = new Set(['TLSv1_3', 'TLSV1_3', '4']);

/** Kong's `ssl_cipher_suite` presets (kong.conf; Mozilla's server-side TLS configurations): `old` allows CBC, 3DES and RSA key exchange. */
const KONG_WEAK_SUITES: Record<string, string> = {
  old: 'Mozilla\'s "old" configuration (CBC, 3DES and RSA key exchange)',
};

export default defineRule({
  id: 'tls-weak-cipher',
  title: 'TLS must not offer weak cipher suites below TLS 1.3',
  severity: 'warning',
  securitySeverity: 5.9,
  tags: ['security', 'tls', 'encryption', 'envoy', 'istio', 'kong'],
  description: `Up to TLS 1.2 the server chooses the cipher suite from the list it is configured with, so a list that
contains a weak suite lets a client (or an attacker who downgrades the handshake) use it. Weak, following RFC 7525
("Recommendations for Secure Use of TLS", section 4.2) and Mozilla's server-side TLS guidelines:

- **CBC-mode** suites (\`ECDHE-RSA-AES128-SHA\`, \`AES256-SHA256\`): MAC-then-encrypt, the source of padding-oracle attacks
  (Lucky13, POODLE variants); only AEAD suites (GCM, ChaCha20-Poly1305, CCM) are recommended;
- **3DES/DES** (\`DES-CBC3-SHA\`): 64-bit blocks, Sweet32; **RC4**: prohibited by RFC 7465; NULL, export and anonymous suites;
- suites **without forward secrecy** (\`AES128-GCM-SHA256\`: RSA key exchange): whoever obtains the server's private key
  later decrypts every recorded session.

Where the suites are set: Envoy \`tls_params.cipher_suites\` in any CommonTlsContext (listeners, clusters, static
secrets, EnvoyFilter fragments; envoy/extensions/transport_sockets/tls/v3/common.proto, where \`[A|B]\` is an
equal-preference group), Istio Gateway \`servers[].tls.cipherSuites\` (networking/v1alpha3/gateway.proto), Istio's mesh
config \`meshMTLS.cipherSuites\` (mesh mTLS between sidecars) and \`tlsDefaults.cipherSuites\` (every other TLS istiod
configures: "the TLS connection will only support the specified cipher list when negotiating TLS 1.0-1.2", istio/api
\`mesh/v1alpha1/config.proto\` \`TLSConfig\`; read from the istio ConfigMap, an IstioOperator or the istiod chart's
values, as \`mesh-auto-mtls-disabled\` describes), and Kong's
\`ssl_cipher_suite\` (\`old\` is Mozilla's old configuration) or \`ssl_ciphers\` (with \`custom\`) when a manifest sets
them as \`KONG_SSL_CIPHER_SUITE\` / \`KONG_SSL_CIPHERS\` on a container (kong.conf.default). A context whose minimum
version is TLS 1.3 is not judged: TLS 1.3 suites are fixed and all strong. Lists left at their defaults are not
judged either: Envoy's server-side default list still contains CBC and RSA suites for old clients, which is a choice
each deployment makes; this rule reports lists someone wrote. Each weak suite is named with the reason.`,
  remediation:
    'Keep only ECDHE suites with AEAD ciphers (for example `ECDHE-ECDSA-AES128-GCM-SHA256`, `ECDHE-RSA-AES128-GCM-SHA256`, `ECDHE-ECDSA-CHACHA20-POLY1305`, `ECDHE-RSA-CHACHA20-POLY1305` and the AES256-GCM-SHA384 variants), or require TLS 1.3; in Kong use `ssl_cipher_suite: intermediate` or `modern`.',
  references: [
    'https://www.rfc-editor.org/rfc/rfc7525#section-4.2',
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/transport_sockets/tls/v3/common.proto',
    'https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings',
    'https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-TLSConfig',
    'https://wiki.mozilla.org/Security/Server_Side_TLS',
  ],
  messages: {
    weakSuite:
      '{{resource}} offers the cipher suite {{suite}}: {{why}}. Remove it and keep ECDHE suites with AES-GCM or ChaCha20-Poly1305.',
    kongPreset: '{{resource}} sets Kong\'s ssl_cipher_suite to "{{preset}}", {{why}}: use intermediate or modern.',
  },
  examples: {
    invalid: {
      'envoy-listener-with-cbc-and-rsa-suites': yaml`
        static_resources:
          listeners:
            - name: edge
              address: { socket_address: { address: 0.0.0.0, port_value: 443 } }
              filter_chains:
                - transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        tls_params:
                          cipher_suites:
                            - "[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]"
                            - ECDHE-RSA-AES128-SHA # expect: tls-weak-cipher @23-43
                            - AES128-GCM-SHA256 # expect: tls-weak-cipher @23-40
                  filters: []
      `,
      'istio-gateway-3des': yaml`
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
                cipherSuites: [ECDHE-RSA-AES256-GCM-SHA384, DES-CBC3-SHA] # expect: tls-weak-cipher @53-65
      `,
      'istio-mesh-config-cbc-suite-for-mesh-mtls': yaml`
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: { name: control-plane, namespace: istio-system }
        spec:
          meshConfig:
            meshMTLS:
              cipherSuites: [ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA] # expect: tls-weak-cipher @53-73
      `,
      'kong-old-preset': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: kong, namespace: kong }
        spec:
          template:
            spec:
              containers:
                - name: proxy
                  image: kong:3.9
                  env:
                    - name: KONG_SSL_CIPHER_SUITE
                      value: old # expect: tls-weak-cipher @22-25
      `,
    },
    valid: {
      'aead-ecdhe-only-and-tls13-only': yaml`
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
                cipherSuites: [ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305]
            - port: { number: 8443, name: https-13, protocol: HTTPS }
              hosts: ["api.example.com"]
              tls:
                mode: SIMPLE
                credentialName: api-cert
                minProtocolVersion: TLSV1_3
                cipherSuites: [AES128-SHA]
      `,
      'kong-custom-strong-list': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: kong, namespace: kong }
        spec:
          template:
            spec:
              containers:
                - name: proxy
                  image: kong:3.9
                  env:
                    - { name: KONG_SSL_CIPHER_SUITE, value: custom }
                    - { name: KONG_SSL_CIPHERS, value: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:!aNULL" }
      `,
    },
  },
  check({ graph, report }) {
    // Envoy: every tls_params in any Envoy resource (listeners, clusters, secrets, fragments).
    for (const resource of graph.resources) {
      if (resource.format !== 'envoy' || resource.kind === 'EnvoyAdmin') continue;
      walk({ value: resource.body, path: [] }, (node, key) => {
        if (key !== 'tls_params' && key !== 'tlsParams') return;
        if (TLS13.has(String(child(node, 'tls_minimum_protocol_version').value))) return;
        const suites = child(node, 'cipher_suites');
        arr(suites.value).forEach((entry, i) => {
          if (typeof entry !== 'string') return;
          const weak = suitesOf(entry)
            .map((s) => ({ s, why: cipherWeakness(s) }))
            .filter((w) => w.why !== undefined);
          for (const { s, why } of weak)
            report({
              resource,
              path: [...suites.path, i],
              target: 'value',
              messageId: 'weakSuite',
              data: { suite: s, why: why! },
              identity: s,
            });
        });
      });
    }
    // Istio Gateways: servers[].tls.cipherSuites.
    for (const gateway of istioResources(graph, 'Gateway')) {
      arr(get(gateway.body, 'spec', 'servers')).forEach((server, i) => {
        const tls = get(server, 'tls');
        if (TLS13.has(String(get(tls, 'minProtocolVersion')))) return;
        arr(get(tls, 'cipherSuites')).forEach((entry, k) => {
          if (typeof entry !== 'string') return;
          const why = cipherWeakness(entry);
          if (why)
            report({
              resource: gateway,
              path: ['spec', 'servers', i, 'tls', 'cipherSuites', k],
              target: 'value',
              messageId: 'weakSuite',
              data: { suite: entry, why },
            });
        });
      });
    }
    // Istio's mesh config: meshMTLS (ISTIO_MUTUAL traffic) and tlsDefaults (the other TLS istiod configures).
    for (const source of meshConfigs(graph).sources) {
      for (const key of ['meshMTLS', 'tlsDefaults']) {
        if (key === 'meshMTLS' && TLS13.has(String(meshSetting(source, key, 'minProtocolVersion')))) continue;
        arr(meshSetting(source, key, 'cipherSuites')).forEach((entry, k) => {
          const why = typeof entry === 'string' ? cipherWeakness(entry) : undefined;
          if (why)
            report({
              ...meshConfigSite(source, key, 'cipherSuites', k),
              target: 'value',
              messageId: 'weakSuite',
              data: { suite: String(entry), why },
            });
        });
      }
    }
    // Kong: KONG_SSL_CIPHER_SUITE / KONG_SSL_CIPHERS on a container.
    for (const workload of graph.workloads) {
      for (const container of workload.pod.containers) {
        const env = arr(container.spec.env);
        const valueOf = (name: string) => {
          const index = env.findIndex((e) => get(e, 'name') === name);
          return index === -1
            ? undefined
            : { value: str(get(env[index], 'value')), path: [...container.path, 'env', index, 'value'] as Path };
        };
        const preset = valueOf('KONG_SSL_CIPHER_SUITE');
        const presetName = preset?.value?.trim().toLowerCase();
        if (preset && presetName && KONG_WEAK_SUITES[presetName]) {
          report({
            resource: workload,
            path: preset.path,
            target: 'value',
            messageId: 'kongPreset',
            data: { preset: presetName, why: KONG_WEAK_SUITES[presetName] },
          });
        }
        const ciphers = valueOf('KONG_SSL_CIPHERS');
        if (ciphers?.value && presetName === 'custom') {
          for (const s of suitesOf(ciphers.value)) {
            const why = cipherWeakness(s);
            if (why)
              report({
                resource: workload,
                path: ciphers.path,
                target: 'value',
                messageId: 'weakSuite',
                data: { suite: s, why },
                identity: s,
              });
          }
        }
      }
    }
  },
});
