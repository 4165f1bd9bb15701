import { defineRule, ENGINE_RULES, yaml } from '../../src/engine/rule.js';

export default defineRule({
  id: ENGINE_RULES.suppressionWithoutReason,
  title: 'Suppressions must give a reason',
  severity: 'note',
  securitySeverity: 1.0,
  tags: ['security', 'suppression'],
  description: `A suppression turns a security finding off. Without a reason, the next reviewer cannot tell an accepted
risk from a silenced alarm. The suppression still applies; this note asks for the reason. The forms are
\`# meshlint-disable-next-line <rule-id>[, ...] -- <reason>\` (the next line with content) and
\`# meshlint-disable <rule-id>[, ...] -- <reason>\` (the rest of the document).`,
  remediation: 'Append ` -- <reason>` to the comment, saying why the finding is acceptable here.',
  messages: {
    noReason: 'Suppression without a reason: add " -- <why this is acceptable>" so that reviewers can judge it.',
  },
  examples: {
    invalid: {
      'disable-next-line-without-reason': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          # meshlint-disable-next-line container-privileged # expect: suppression-without-reason @3-52
          name: builder
      `,
    },
    valid: {
      'disable-with-reason': yaml`
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          # meshlint-disable-next-line container-privileged -- builds images with buildkit, reviewed in SEC-142
          name: builder
      `,
    },
  },
});
