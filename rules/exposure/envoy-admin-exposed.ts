import { defineRule, yaml } from '../../src/engine/rule.js';
import { addressOf, child, type Node, formatAddress } from '../../src/model/envoy/index.js';
import { isObj } from '../../src/model/values.js';

export default defineRule({
  id: 'envoy-admin-exposed',
  title: 'Bind the Envoy admin interface to loopback',
  severity: 'error',
  securitySeverity: 8.5,
  tags: ['security', 'envoy', 'exposure'],
  description: `Envoy's admin interface has no authentication and "allows destructive operations to be performed
(e.g., shutting down the server) as well as potentially exposing private information (e.g., stats, cluster names,
cert info, etc.). It is critical that access to the administration interface is only allowed via a secure network",
optimally via localhost only (envoy docs, operations/admin, "Attention"). \`/config_dump\` prints the whole
configuration, including inline secrets unless redacted, \`/quitquitquit\` stops the proxy, \`/runtime_modify\`
changes behaviour and \`/logging\` floods logs.

The rule reads \`admin.address\` of a bootstrap (snake_case or camelCase). A bootstrap without \`admin.address\`
starts no admin server (bootstrap.proto: "If not specified, Envoy will not start an administration server") and is
fine. Loopback (127.0.0.0/8, ::1, localhost), a unix socket (\`pipe\`) and templated addresses (\`\${ADMIN_HOST}\`,
unknown) are not reported; \`0.0.0.0\`, \`::\` and any other address are.`,
  remediation:
    'Bind `admin.address.socket_address.address` to `127.0.0.1` (or a unix `pipe`), and reach it with `kubectl port-forward` or a sidecar when needed.',
  references: [
    'https://www.envoyproxy.io/docs/envoy/latest/operations/admin',
    'https://github.com/envoyproxy/envoy/blob/main/api/envoy/config/bootstrap/v3/bootstrap.proto',
  ],
  messages: {
    exposed:
      '{{resource}} (the Envoy admin interface) listens on {{address}}, reachable from the network (unauthenticated config dump, shutdown): bind it to 127.0.0.1.',
  },
  examples: {
    invalid: {
      'admin-on-all-interfaces': yaml`
        admin:
          address:
            socket_address:
              address: 0.0.0.0 # expect: envoy-admin-exposed @7-23
              port_value: 9901
        static_resources:
          listeners: []
      `,
      'camel-case-ipv6-wildcard': yaml`
        admin:
          address:
            socketAddress:
              address: "::" # expect: envoy-admin-exposed @7-20
              portValue: 9901
        staticResources: {}
      `,
    },
    valid: {
      'admin-on-loopback': yaml`
        admin:
          address:
            socket_address: { address: 127.0.0.1, port_value: 9901 }
        static_resources: {}
      `,
      'admin-on-unix-socket': yaml`
        admin:
          address:
            pipe: { path: /var/run/envoy-admin.sock, mode: 0600 }
        static_resources: {}
      `,
      'no-admin-address-means-no-admin-server': yaml`
        admin:
          access_log: []
        static_resources: {}
      `,
    },
  },
  check({ graph, report }) {
    for (const admin of graph.ofKind('EnvoyAdmin')) {
      const root: Node = { value: admin.body, path: [] };
      const address = child(root, 'address');
      if (!isObj(address.value)) continue;
      const view = addressOf(address);
      if (view.scope !== 'network') continue;
      report({ resource: admin, path: view.node.path, messageId: 'exposed', data: { address: formatAddress(view) } });
    }
  },
});
