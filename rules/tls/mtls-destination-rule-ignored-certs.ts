import { defineRule, yaml } from '../../src/engine/rule.js';
import { destinationRuleTlsBlocks, istioResources } from '../../src/model/istio/index.js';

/** ClientTLSSettings fields that name certificate files; under ISTIO_MUTUAL istiod uses the workload's own. */
const CERTIFICATE_FIELDS = ['clientCertificate', 'privateKey', 'caCertificates'] as const;

export default defineRule({
  id: 'mtls-destination-rule-ignored-certs',
  title: 'Do not set certificate files on an ISTIO_MUTUAL DestinationRule',
  severity: 'warning',
  securitySeverity: 4.0,
  tags: ['security', 'istio', 'mtls'],
  description: `\`tls.mode: ISTIO_MUTUAL\` makes the client sidecar present the certificate Istio issued to its workload and verify
the server against the mesh's roots: "Compared to Mutual mode, this mode uses certificates generated automatically by
Istio for mTLS authentication. When this mode is used, all other fields in \`ClientTLSSettings\` should be empty"
(istio/api \`networking/v1alpha3/destination_rule.proto\`, \`ClientTLSSettings.TLSmode\`). istiod builds the upstream TLS
context for ISTIO_MUTUAL from the workload's SDS secrets (\`pilot/pkg/networking/core/cluster_tls.go\`) and does not read
\`clientCertificate\`, \`privateKey\` or \`caCertificates\`. An author who sets them means a certificate (a partner's CA, a
client certificate the server checks) that is never used: the connection authenticates with other credentials than
the ones reviewed, and a server expecting that client certificate rejects it or, worse, the author believes a CA pin is
in force that is not. Reported on each such field, in top-level, port-level and subset traffic policies; \`MUTUAL\` is
the mode that uses them.`,
  remediation:
    "Remove clientCertificate, privateKey and caCertificates to use Istio's certificates, or set `mode: MUTUAL` if these certificates are the ones the connection must use.",
  references: ['https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode'],
  messages: {
    ignored:
      "{{resource}} sets {{field}} with tls mode ISTIO_MUTUAL, which ignores it and uses Istio's workload certificates: the certificate meant here is not used. Remove {{field}}, or use mode: MUTUAL.",
  },
  examples: {
    invalid: {
      'istio-mutual-with-client-certificate': yaml`
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: db, namespace: shop }
        spec:
          host: db.shop.svc.cluster.local
          trafficPolicy:
            tls:
              mode: ISTIO_MUTUAL
              clientCertificate: /etc/certs/client.pem # expect: mtls-destination-rule-ignored-certs @7-47
              privateKey: /etc/certs/client-key.pem # expect: mtls-destination-rule-ignored-certs @7-44
            portLevelSettings:
              - port: { number: 5432 }
                tls:
                  mode: ISTIO_MUTUAL
                  caCertificates: /etc/certs/ca.pem # expect: mtls-destination-rule-ignored-certs @11-44
      `,
    },
    valid: {
      'mutual-uses-them-and-istio-mutual-with-sni': yaml`
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: { name: partner, namespace: shop }
        spec:
          host: api.partner.example
          trafficPolicy:
            tls:
              mode: MUTUAL
              clientCertificate: /etc/certs/client.pem
              privateKey: /etc/certs/client-key.pem
              caCertificates: /etc/certs/partner-ca.pem
          subsets:
            - name: v1
              trafficPolicy:
                tls: { mode: ISTIO_MUTUAL, sni: db.shop.svc.cluster.local }
      `,
    },
  },
  check({ graph, report }) {
    for (const dr of istioResources(graph, 'DestinationRule')) {
      for (const { path, tls } of destinationRuleTlsBlocks(dr)) {
        if (tls.mode !== 'ISTIO_MUTUAL') continue;
        for (const field of CERTIFICATE_FIELDS) {
          if (typeof tls[field] === 'string' && tls[field] !== '')
            report({ resource: dr, path: [...path, field], messageId: 'ignored', data: { field } });
        }
      }
    }
  },
});
