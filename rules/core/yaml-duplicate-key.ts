import { defineRule, ENGINE_RULES, yaml } from '../../src/engine/rule.js';

export default defineRule({
  id: ENGINE_RULES.duplicateKey,
  title: 'Keys must not repeat in a mapping',
  severity: 'error',
  securitySeverity: 6.0,
  tags: ['security', 'correctness', 'yaml'],
  description: `When a key appears twice in one mapping, Kubernetes' YAML decoder keeps the last value without a word.
A reviewer who reads \`privileged: false\` near the top of a container does not see the \`privileged: true\` further
down that wins. meshlint reports the second key and lints the document with the value Kubernetes would use (the last).

CustomResourceDefinition documents (OpenAPI schemas, often most of the bytes of an install manifest) are read by no
rule, so meshlint only lexes them: a syntax error in one is still a \`parse-error\`, but a repeated key inside one is
not reported.`,
  remediation: 'Remove one of the duplicate keys so that the value a reviewer reads is the value that is applied.',
  messages: {},
  examples: {
    invalid: {
      'later-privileged-overrides-earlier': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: app
              image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000
              securityContext:
                privileged: false
                privileged: true # expect: yaml-duplicate-key @9-19
      `,
    },
    valid: {
      'same-key-in-sibling-mappings': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            name: settings
        data:
          name: settings
      `,
    },
  },
});
