// SARIF 2.1.0 as GitHub code scanning reads it (GitHub docs, "SARIF support for code scanning"; github/codeql-action
// src/upload-lib.ts and src/fingerprints.ts): one run, every rule that ran with full metadata, repo-relative URIs
// under %SRCROOT%, full regions, our own stable partialFingerprints.
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Config } from '../engine/config.js';
import type { Range } from '../location/locate.js';
import type { AnyRule } from '../engine/rule.js';
import type { LintResult } from '../engine/run.js';
import { HOMEPAGE, TOOL_NAME, VERSION, ruleHelpUrl } from '../version.js';
import { compareText } from '../arrays.js';

export const FINGERPRINT_KEY = 'meshlint/v1';

export function formatSarif(
  result: Pick<LintResult, 'findings' | 'notices' | 'rules'> & { config?: Config },
  options: { cwd: string },
): string {
  const rules = [...result.rules].sort((a, b) => compareText(a.id, b.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const configured = (rule: AnyRule) => {
    const severity = result.config?.rules.get(rule.id)?.severity;
    return severity && severity !== 'off' ? severity : rule.severity;
  };
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: HOMEPAGE,
            rules: rules.map((rule) => sarifRule(rule, configured(rule))),
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': { uri: pathToFileURL(options.cwd.endsWith('/') ? options.cwd : `${options.cwd}/`).href },
        },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.notices.map((n) => ({
              // A chart or file that was not linted is worth a warning: its objects were not checked at all.
              level: n.kind === 'helm-chart' || n.notLinted ? ('warning' as const) : ('note' as const),
              ...(n.kind ? { descriptor: { id: `meshlint/${n.kind}` } } : {}),
              message: { text: n.file ? `${n.file}: ${n.message}` : n.message },
              ...(n.file ? { locations: [{ physicalLocation: { artifactLocation: artifact(n.file) } }] } : {}),
            })),
          },
        ],
        results: result.findings.map((f) => {
          const sarifResult: Sarif.Result = {
            ruleId: f.ruleId,
            ruleIndex: ruleIndex.get(f.ruleId),
            level: f.severity,
            message: { text: f.message },
            locations: [{ physicalLocation: physical(f.file, f.range) }],
            partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
          };
          if (f.related.length) {
            sarifResult.relatedLocations = f.related.map((r, id) => ({
              id,
              physicalLocation: physical(r.file, r.range),
              message: { text: r.message },
            }));
          }
          if (f.suppression) {
            sarifResult.suppressions = [
              {
                kind: 'inSource',
                status: 'accepted',
                ...(f.suppression.justification ? { justification: f.suppression.justification } : {}),
              },
            ];
          }
          return sarifResult;
        }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifRule(rule: AnyRule, level: Sarif.ReportingConfiguration['level']): Sarif.ReportingDescriptor {
  const url = ruleHelpUrl(rule);
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: clip(plain(rule.description), 1000) },
    help: {
      text: `${plain(rule.remediation)}${url ? `\n\nDetails: ${url}` : ''}`,
      markdown: `**${rule.title}.**\n\n${rule.description.trim()}\n\n**How to fix:** ${rule.remediation.trim()}${url ? `\n\n[Rule documentation](${url})` : ''}`,
    },
    // A custom rule without references has no page to link to.
    ...(url ? { helpUri: url } : {}),
    defaultConfiguration: { level },
    properties: {
      tags: rule.tags.slice(0, 10),
      precision: 'high',
      'security-severity': rule.securitySeverity.toFixed(1),
    },
  };
}

function physical(file: string, range: Range): Sarif.PhysicalLocation {
  return { artifactLocation: artifact(file), region: { ...range } };
}

function artifact(file: string): Sarif.ArtifactLocation {
  if (file.startsWith('/')) return { uri: pathToFileURL(file).href };
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** Markdown to plain text for the fields GitHub shows as text. */
function plain(markdown: string): string {
  return markdown
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${withoutLastWord(text.slice(0, max - 1))}…`;
}

/** The text without its last, possibly cut, word and the blanks before it (unchanged when it is one word). */
function withoutLastWord(text: string): string {
  let end = text.length;
  while (end > 0 && !/\s/.test(text[end - 1])) end--;
  if (end === 0) return text;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  return text.slice(0, end);
}
