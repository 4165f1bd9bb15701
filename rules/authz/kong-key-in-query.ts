import { defineRule, yaml } from '../../src/engine/rule.js';
import { describePlugin, kongPlugins } from '../../src/model/kong/index.js';

export default defineRule({
  id: 'kong-key-in-query',
  title: 'Do not accept API keys in the query string',
  severity: 'note',
  securitySeverity: 3.5,
  tags: ['security', 'kong', 'authentication', 'secrets'],
  description: `Kong's \`key-auth\` plugin reads the key from headers and, **by default**, also from the query string
(\`key_in_query\` defaults to true in kong/plugins/key-auth/schema.lua). A key in a URL ends up in access logs (Kong's,
every proxy's and load balancer's), browser history and Referer headers, where it outlives any rotation policy.
Reported when \`key_in_query\` is true or absent, for \`key-auth\` and \`key-auth-enc\`, in decK plugins, shared
\`_plugin_configs\` and KongPlugin / KongClusterPlugin CRDs (disabled plugins excepted).`,
  remediation:
    'Set `config.key_in_query: false` (keys then come only from headers, `key_names`), and rotate keys that were sent in URLs.',
  references: ['https://developer.konghq.com/plugins/key-auth/'],
  messages: {
    inQuery:
      '{{plugin}} accepts API keys in the query string{{why}}, where they end up in logs: set config.key_in_query: false.',
  },
  examples: {
    invalid: {
      'default-key-in-query': yaml`
        _format_version: "3.0"
        plugins:
          - name: key-auth # expect: kong-key-in-query @5-9
      `,
      'explicit-true-in-crd': yaml`
        apiVersion: configuration.konghq.com/v1
        kind: KongClusterPlugin
        metadata:
          name: keys
          labels: { global: "true" }
        plugin: key-auth
        config:
          key_in_query: true # expect: kong-key-in-query @3-15
      `,
    },
    valid: {
      'headers-only': yaml`
        _format_version: "3.0"
        plugins:
          - name: key-auth
            config:
              key_names: [apikey]
              key_in_query: false
      `,
    },
  },
  check({ graph, report }) {
    for (const p of kongPlugins(graph)) {
      if (p.name !== 'key-auth' && p.name !== 'key-auth-enc') continue;
      const f = p.field('key_in_query');
      if (f.present && f.value !== true) continue;
      const at = f.present ? f.at : p.defaultsAt;
      const res = p.resource;
      // The field where it is, or under the plugin's config (created when absent; not beside a configFrom reference).
      const fixPath = f.present
        ? f.at.path
        : res.body.configFrom === undefined
          ? [...res.source.base, 'config', 'key_in_query']
          : undefined;
      report({
        document: at.document,
        path: at.path,
        target: 'key',
        messageId: 'inQuery',
        data: { plugin: describePlugin(p), why: f.present ? '' : ' (key_in_query defaults to true)' },
        ...(fixPath
          ? { fix: { title: 'Set config.key_in_query: false', changes: [{ set: fixPath, value: false }] } }
          : {}),
      });
    }
  },
});
