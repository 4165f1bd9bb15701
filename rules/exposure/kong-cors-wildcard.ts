import { defineRule, yaml } from '../../src/engine/rule.js';
import { describePlugin, kongPlugins } from '../../src/model/kong/index.js';
import { arr } from '../../src/model/values.js';

export default defineRule({
  id: 'kong-cors-wildcard',
  title: "Restrict the origins of Kong's cors plugin",
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'kong', 'cors'],
  description: `Kong's \`cors\` plugin decides which web origins may read responses from the API in a browser. With
\`origins\` empty, absent or containing \`*\`, Kong answers \`Access-Control-Allow-Origin: *\` (the schema: "If you
don't specify any allowed domains, all origins are allowed"): any site can read the API's responses cross-origin.

Worse, with \`credentials: true\` Kong's handler (kong/plugins/cors/handler.lua, \`configure_credentials\`) does not
send \`*\` (browsers would refuse it) but **reflects the request's Origin** and adds
\`Access-Control-Allow-Credentials: true\`: any website a logged-in user visits can make requests with the user's
cookies and read the answers. That case is an error; a wildcard without credentials is a warning (public, read-only
APIs may want it). Both decK plugins and KongPlugin / KongClusterPlugin CRDs are checked, including configs shared via
\`_plugin_configs\`; disabled plugins are not.`,
  remediation:
    'List the exact origins (`origins: ["https://app.example.com"]`, anchored regexes if needed) and enable `credentials` only for those.',
  references: [
    'https://developer.konghq.com/plugins/cors/',
    'https://github.com/Kong/kong/blob/master/kong/plugins/cors/handler.lua',
  ],
  messages: {
    wildcardCredentials:
      '{{plugin}} allows every origin with credentials: true, so Kong reflects any Origin with Access-Control-Allow-Credentials (any site can act as the user): list the allowed origins.',
    wildcard: '{{plugin}} allows every origin ({{why}}): list the allowed origins.',
  },
  examples: {
    invalid: {
      'star-with-credentials': yaml`
        _format_version: "3.0"
        plugins:
          - name: cors
            config:
              origins: ["*"] # expect: kong-cors-wildcard @7-14
              credentials: true
      `,
      'no-origins-kong-plugin-crd': yaml`
        apiVersion: configuration.konghq.com/v1
        kind: KongPlugin
        metadata:
          name: cors
          namespace: shop
        plugin: cors
        config: # expect: kong-cors-wildcard @1-7
          methods: [GET]
      `,
    },
    valid: {
      'explicit-origins': yaml`
        _format_version: "3.0"
        plugins:
          - name: cors
            config:
              origins: ["https://app.example.com"]
              credentials: true
      `,
      'disabled-plugin': yaml`
        _format_version: "3.0"
        plugins:
          - name: cors
            enabled: false
            config: { origins: ["*"], credentials: true }
      `,
    },
  },
  check({ graph, report }) {
    for (const p of kongPlugins(graph)) {
      if (p.name !== 'cors') continue;
      const origins = p.field('origins');
      const list = arr(origins.value).map(String);
      const star = list.indexOf('*');
      if (list.length > 0 && star === -1) continue;
      const credentials = p.field('credentials').value === true;
      const at = star >= 0 ? { ...origins.at, path: [...origins.at.path, star] } : origins.at;
      report({
        document: at.document,
        path: star >= 0 ? origins.at.path : at.path,
        target: 'key',
        messageId: credentials ? 'wildcardCredentials' : 'wildcard',
        severity: credentials ? undefined : 'warning',
        data: { plugin: describePlugin(p), why: star >= 0 ? 'origins contains "*"' : 'no origins listed' },
      });
    }
  },
});
