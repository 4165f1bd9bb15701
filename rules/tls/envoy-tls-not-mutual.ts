import { defineRule, yaml } from '../../src/engine/rule.js';
import type { Graph } from '../../src/model/graph.js';
import { bool, child, isPartial, validationOf, walk, type Node } from '../../src/model/envoy/index.js';
import type { Resource } from '../../src/model/resource.js';
import { isObj, str } from '../../src/model/values.js';

/** Every DownstreamTlsContext of the scan: by @type, the v2 `tls_context` of a chain, QUIC's downstream_tls_context. */
function downstreamTlsContexts(graph: Graph): { resource: Resource; context: Node }[] {
  return graph.memo('envoy:downstreamTls', (g) =>
    g
      .ofFormat('envoy')
      .filter((resource) => resource.kind !== 'EnvoyCluster' && resource.kind !== 'EnvoyAdmin')
      // Each resource's contexts are their own memo: after an edit, only the edited file's resources are walked.
      .flatMap((resource) => g.memoFor('envoy:downstreamTlsOf', resource, () => contextsOf(resource))),
  );
}

function contextsOf(resource: Resource): { resource: Resource; context: Node }[] {
  const out: { resource: Resource; context: Node }[] = [];
  walk({ value: resource.body, path: [] }, (node, key) => {
    const type = str((node.value as Record<string, unknown>)['@type']) ?? '';
    if (/\.DownstreamTlsContext$/.test(type)) out.push({ resource, context: node });
    else if ((key === 'tls_context' || key === 'tlsContext' || key === 'hidden_envoy_deprecated_tls_context') && !type)
      out.push({ resource, context: node });
    else if (
      (key === 'downstream_tls_context' ||
        key === 'downstreamTlsContext' ||
        key === 'tls_socket_config' ||
        key === 'tlsSocketConfig') &&
      !type
    )
      out.push({ resource, context: node });
  });
  return out;
}

export default defineRule({
  id: 'envoy-tls-not-mutual',
  title: 'Require and verify client certificates on Envoy TLS listeners',
  severity: 'error',
  securitySeverity: 7.0,
  tags: ['security', 'envoy', 'tls', 'mtls', 'authentication'],
  description: `Between services, TLS without client certificates authenticates only the server: any caller that can
reach the port is accepted, and authorization on peer identity (RBAC \`authenticated\` principals) has nothing to
check. Envoy's semantics (common.proto, \`trusted_ca\`): "If not specified and a peer certificate is presented it
will not be verified. By default, a client certificate is optional, unless one of the additional options
(require_client_certificate, verify_certificate_spki, verify_certificate_hash, or match_typed_subject_alt_names) is
also specified." So a \`DownstreamTlsContext\` is mutual only when

- a client certificate is required: \`require_client_certificate: true\`, or pinned by SPKI, hash or SAN matchers; and
- it is verified: a validation context with a trust anchor (\`validation_context.trusted_ca\`, a
  \`validation_context_sds_secret_config\`, a \`combined_validation_context\`, a custom validator such as SPIFFE).
  An empty \`validation_context: {}\` verifies nothing.

It is also broken when the validation context sets \`trust_chain_verification: ACCEPT_UNTRUSTED\` (any certificate
is accepted) or \`allow_expired_certificate: true\`; rbac.proto notes that an \`authenticated\` principal then
requires no authentication at all.

Every \`DownstreamTlsContext\` is checked, wherever it is (listener chains, QUIC and STARTTLS sockets, the v2
\`tls_context\`, camelCase or snake_case). Envoy's own edge best practice terminates public TLS without client
certificates: for a public edge listener, suppress this finding with a reason. In an EnvoyFilter patch (merged into
config generated elsewhere) only explicit settings are judged: \`require_client_certificate: false\`,
ACCEPT_UNTRUSTED, allow_expired_certificate.`,
  remediation:
    'Set `require_client_certificate: true` and give `common_tls_context` a `validation_context` with a `trusted_ca` (or an SDS validation context), optionally pinned with `match_typed_subject_alt_names`; remove `ACCEPT_UNTRUSTED` and `allow_expired_certificate`.',
  references: [
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/transport_sockets/tls/v3/tls.proto',
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/extensions/transport_sockets/tls/v3/common.proto',
  ],
  messages: {
    noClientAuth:
      '{{resource}} terminates TLS without requiring or verifying client certificates: set require_client_certificate: true and a validation_context with trusted_ca.',
    optional:
      '{{resource}} verifies client certificates but does not require one (clients without a certificate are accepted): set require_client_certificate: true.',
    noValidation:
      '{{resource}} requires a client certificate but has no trust anchor to verify it against: add validation_context.trusted_ca (or an SDS validation context).',
    notRequired: '{{resource}} sets require_client_certificate: false: clients are not authenticated. Set it to true.',
    acceptUntrusted:
      '{{resource}} accepts untrusted client certificates (trust_chain_verification: ACCEPT_UNTRUSTED): remove it so the chain is verified.',
    allowExpired: '{{resource}} accepts expired client certificates: remove allow_expired_certificate.',
  },
  examples: {
    invalid: {
      'server-only-tls': yaml`
        static_resources:
          listeners:
            - name: internal
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config: # expect: envoy-tls-not-mutual @13-25
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        tls_certificates:
                          - certificate_chain: { filename: /certs/cert.pem }
                            private_key: { filename: /certs/key.pem }
      `,
      'required-but-empty-validation-context-camel-case': yaml`
        - name: l
          address: { socketAddress: { address: 0.0.0.0, portValue: 8443 } }
          filterChains:
            - filters: []
              transportSocket:
                name: envoy.transport_sockets.tls
                typedConfig:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  requireClientCertificate: true
                  commonTlsContext: # expect: envoy-tls-not-mutual @11-27
                    validationContext: {}
      `,
      'accept-untrusted-and-expired': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      require_client_certificate: true
                      common_tls_context:
                        validation_context:
                          trusted_ca: { filename: /certs/ca.pem }
                          trust_chain_verification: ACCEPT_UNTRUSTED # expect: envoy-tls-not-mutual @19-61
                          allow_expired_certificate: true # expect: envoy-tls-not-mutual @19-50
      `,
      'verified-but-optional-and-explicitly-not-required': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config: # expect: envoy-tls-not-mutual @13-25
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        validation_context: { trusted_ca: { filename: /certs/ca.pem } }
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      require_client_certificate: false # expect: envoy-tls-not-mutual @15-41
                      common_tls_context:
                        validation_context: { trusted_ca: { filename: /certs/ca.pem } }
      `,
    },
    valid: {
      'mutual-tls-with-trusted-ca': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      require_client_certificate: true
                      common_tls_context:
                        validation_context:
                          trusted_ca: { filename: /certs/ca.pem }
      `,
      'san-pinning-makes-the-certificate-mandatory-sds-validation': yaml`
        static_resources:
          listeners:
            - name: l
              address: { socket_address: { address: 0.0.0.0, port_value: 8443 } }
              filter_chains:
                - filters: []
                  transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                      common_tls_context:
                        combined_validation_context:
                          default_validation_context:
                            match_typed_subject_alt_names:
                              - san_type: URI
                                matcher: { exact: spiffe://cluster.local/ns/shop/sa/web }
                          validation_context_sds_secret_config: { name: ROOTCA }
      `,
    },
  },
  check({ graph, report }) {
    for (const { resource, context } of downstreamTlsContexts(graph)) {
      const partial = isPartial(resource);
      const required = bool(child(context, 'require_client_certificate'));
      const validation = validationOf(context);
      if (validation.context) {
        const tcv = child(validation.context, 'trust_chain_verification');
        if (tcv.value === 'ACCEPT_UNTRUSTED' || tcv.value === 1)
          report({ resource, path: tcv.path, messageId: 'acceptUntrusted' });
        const expired = child(validation.context, 'allow_expired_certificate');
        if (bool(expired) === true) report({ resource, path: expired.path, messageId: 'allowExpired' });
      }
      if (partial) {
        if (required === false)
          report({ resource, path: child(context, 'require_client_certificate').path, messageId: 'notRequired' });
        continue;
      }
      const mandatory = required === true || validation.pinned;
      const anchor = context.path;
      if (!mandatory && !validation.present)
        report({
          resource,
          path: anchor,
          target: 'key',
          messageId: required === false ? 'notRequired' : 'noClientAuth',
        });
      else if (!mandatory)
        report({
          resource,
          path: required === false ? child(context, 'require_client_certificate').path : anchor,
          target: 'key',
          messageId: required === false ? 'notRequired' : 'optional',
        });
      else if (!validation.present)
        report({
          resource,
          path: isObj(child(context, 'common_tls_context').value) ? child(context, 'common_tls_context').path : anchor,
          target: 'key',
          messageId: 'noValidation',
        });
    }
  },
});
