import { defineRule, ENGINE_RULES, yaml } from '../../src/engine/rule.js';

export default defineRule({
  id: ENGINE_RULES.suppressionUnknownRule,
  title: 'Suppressions must name existing rules',
  severity: 'note',
  securitySeverity: 1.0,
  tags: ['security', 'suppression'],
  description: `A suppression that names a rule id meshlint does not have (a typo, or a rule that was renamed)
suppresses nothing, while its author believes a finding is handled. meshlint reports the unknown id, in a
\`meshlint-disable\` comment and in a \`meshlint.io/ignore\` annotation alike, with the id it most likely meant.`,
  remediation: 'Correct the rule id (see `meshlint --list-rules`) or remove the suppression.',
  messages: {
    unknownRule:
      'Suppression names unknown rule "{{rule}}"{{suggestion}}; it suppresses nothing. Check the id with meshlint --list-rules.',
  },
  examples: {
    invalid: {
      'misspelled-rule-id': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          # meshlint-disable-next-line container-priviledged -- reviewed # expect: suppression-unknown-rule @32-53
          name: builder
      `,
      'misspelled-rule-id-in-annotation': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: builder
          annotations:
            meshlint.io/ignore: container-privileged, container-priviledged # expect: suppression-unknown-rule @25-68
        spec:
          containers: []
      `,
    },
    valid: {
      'known-rule-id': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          # meshlint-disable-next-line container-privileged -- reviewed
          name: builder
      `,
    },
  },
});
