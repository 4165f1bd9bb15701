import { defineRule, ENGINE_RULES, yaml } from '../../src/engine/rule.js';

/** `count` aliases of the anchor host, one per line of a flow list, the one at index `marked` with its marker. */
function aliases(count: number, marked = -1): string {
  const items = Array.from({ length: count }, (_, i) =>
    i === marked ? '*host, # expect: yaml-portability @5-10' : '*host,',
  );
  // Indented as the template's lines are (8 spaces, dedented with them), plus the list's 4.
  return `\n            ${items.join('\n            ')}\n          `;
}

export default defineRule({
  id: ENGINE_RULES.yamlPortability,
  title: 'Manifests should be YAML that stricter parsers read too',
  severity: 'note',
  securitySeverity: 1.0,
  tags: ['security', 'portability', 'yaml'],
  description: `meshlint reads a manifest as Kubernetes does (go-yaml v2 through sigs.k8s.io/yaml), so it accepts and lints
what \`kubectl apply\` accepts. go-yaml is more lenient than the YAML specification in a few places, and stricter YAML
parsers reject such a file, or read it differently: the \`yaml\` package (npm), used by many editors, formatters and
CI tools, rejects all three constructs below (checked with the version meshlint ships). A reviewer's tool that refuses
the file, or shows it differently, is a tool that no longer reviews what the cluster runs. PyYAML (yamllint, python
\`yq\`) reads all three as go-yaml does.

The note is located at the construct:

- **A double-quoted string whose continuation lines are indented no deeper than its key** (long \`command:\`
  strings in Kafka or Grafana manifests): go-yaml folds them; the specification requires continuation lines to be
  indented deeper than the enclosing block, and the \`yaml\` package reports a missing closing quote and a broken
  mapping.
- **Lone CR line ends** (old Mac files): go-yaml treats a CR as a line break; parsers that only know LF and CRLF see
  the whole file as one line. Noted once per file, on the first such line.
- **More than 100 alias expansions in a document**: go-yaml limits aliases by their ratio to the nodes decoded
  (an alias bomb is rejected, see \`parse-error\`), the \`yaml\` package by a count of 100 per anchor (its
  \`maxAliasCount\`); meshlint notes a document when the \`yaml\` package itself refuses to build it, at the 101st
  alias.`,
  remediation:
    'Indent continuation lines of quoted strings deeper than their key (or use a block scalar), save files with LF line ends, and write values out instead of repeating an alias more than 100 times.',
  messages: {},
  examples: {
    invalid: {
      'under-indented-quoted-command': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: kafka
        spec:
          containers:
            - name: broker
              image: kafka:3.7@sha256:0000000000000000000000000000000000000000000000000000000000000000
              command: ["sh", "-c", "exec kafka-server-start.sh /etc/kafka/server.properties
              --override broker.id=0"] # expect: yaml-portability @7-30
      `,
      'one-anchor-repeated-150-times': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: hosts
          annotations:
            example.com/primary: &host db.internal
        data:
          hosts: [${aliases(150, 100)}]
      `,
    },
    valid: {
      'continuation-lines-indented-deeper-than-the-key': yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: kafka
        spec:
          containers:
            - name: broker
              image: kafka:3.7@sha256:0000000000000000000000000000000000000000000000000000000000000000
              command: ["sh", "-c", "exec kafka-server-start.sh /etc/kafka/server.properties
                --override broker.id=0"]
      `,
      'one-hundred-aliases': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: hosts
          annotations:
            example.com/primary: &host db.internal
        data:
          hosts: [${aliases(100)}]
      `,
    },
  },
});
