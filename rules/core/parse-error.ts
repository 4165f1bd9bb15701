import { defineRule, ENGINE_RULES, yaml } from '../../src/engine/rule.js';

export default defineRule({
  id: ENGINE_RULES.parseError,
  title: 'Manifests must be valid YAML',
  severity: 'error',
  securitySeverity: 4.0,
  tags: ['security', 'correctness', 'yaml'],
  description: `A document that does not parse is not applied, or is applied as something other than what it looks like.
Either way the control it was meant to add (a STRICT PeerAuthentication, a read-only root filesystem) silently does
not exist. meshlint reads YAML the way Kubernetes does (YAML 1.1 scalars, so \`yes\`, \`on\` and \`off\` are booleans)
and reports syntax errors at their line; the other documents of the file and every other file are still linted.
Files that are not UTF-8 and documents that expand too many aliases (a "billion laughs" alias bomb) are reported here
too. Go/Helm templates (\`{{ }}\` outside strings) are not YAML yet: they are skipped with a notice, not reported.

CustomResourceDefinition documents are read by no rule and are often most of an install manifest's bytes, so
meshlint lexes them without building them: a structural error inside a CRD body (an unclosed bracket in its
schema, say) is not reported here; \`kubectl apply\` rejects such a CRD.`,
  remediation:
    'Fix the syntax at the reported line (indentation, an unclosed quote or bracket, a tab used for indentation), or render templates before linting them.',
  messages: {},
  examples: {
    invalid: {
      'unquoted-value-with-colon': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: broken
        data:
          banner: Warning: authorized use only # expect: parse-error @11-12
      `,
    },
    valid: {
      'yaml-1.1-booleans-parse': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: flags
        data:
          enabled: "yes"
      `,
    },
  },
});
