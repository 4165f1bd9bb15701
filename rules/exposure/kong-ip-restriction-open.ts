import { defineRule, yaml } from '../../src/engine/rule.js';
import { describePlugin, kongPlugins } from '../../src/model/kong/index.js';
import { arr } from '../../src/model/values.js';

const ANY = /^(0\.0\.0\.0\/0|::\/0|0:0:0:0:0:0:0:0\/0|\*)$/;

export default defineRule({
  id: 'kong-ip-restriction-open',
  title: "Do not allow every address in Kong's ip-restriction plugin",
  severity: 'warning',
  securitySeverity: 5.0,
  tags: ['security', 'kong', 'network'],
  description: `The \`ip-restriction\` plugin is meant to limit who can reach a route. An \`allow\` list that contains
\`0.0.0.0/0\` or \`::/0\` matches every IPv4 (or IPv6) client, so the plugin restricts nothing while looking like
protection in review. Usually a debugging value left in, or a CIDR typo. The legacy \`whitelist\` field (renamed in
Kong 2.1, removed in 3.0) is read too. decK plugins, shared \`_plugin_configs\` and KongPlugin / KongClusterPlugin
CRDs are checked; disabled plugins are not.`,
  remediation:
    'List the client networks that need access (`allow: ["10.0.0.0/8"]`), or remove the plugin if the route is meant to be public.',
  references: ['https://developer.konghq.com/plugins/ip-restriction/'],
  messages: {
    open: '{{plugin}} allows {{cidr}}, every address: list the client networks that need access.',
  },
  examples: {
    invalid: {
      'allow-everyone': yaml`
        _format_version: "3.0"
        services:
          - name: admin
            url: https://admin.internal.example.com
            plugins:
              - name: ip-restriction
                config:
                  allow:
                    - 10.0.0.0/8
                    - 0.0.0.0/0 # expect: kong-ip-restriction-open @15-24
      `,
    },
    valid: {
      'private-networks-only': yaml`
        _format_version: "3.0"
        plugins:
          - name: ip-restriction
            config:
              allow: [10.0.0.0/8, "fd00::/8"]
      `,
      'deny-all-is-fine': yaml`
        _format_version: "3.0"
        plugins:
          - name: ip-restriction
            config:
              deny: [0.0.0.0/0]
      `,
    },
  },
  check({ graph, report }) {
    for (const p of kongPlugins(graph)) {
      if (p.name !== 'ip-restriction') continue;
      for (const field of ['allow', 'whitelist']) {
        const f = p.field(field);
        arr(f.value).forEach((cidr, i) => {
          if (typeof cidr === 'string' && ANY.test(cidr.trim())) {
            report({
              document: f.at.document,
              path: [...f.at.path, i],
              target: 'value',
              messageId: 'open',
              data: { plugin: describePlugin(p), cidr },
            });
          }
        });
      }
    }
  },
});
