// SARIF 2.1.0 as GitHub code scanning reads it (GitHub docs, "SARIF support for code scanning"; github/codeql-action
// src/upload-lib.ts and src/fingerprints.ts): one run, every rule that ran with full metadata, repo-relative URIs
// under %SRCROOT%, full regions, our own stable partialFingerprints.
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Config } from '../engine/config.js';
import type { Range } from '../location/locate.js';
import type { AnyRule } from '../engine/rule.js';
import type { Finding, LintResult } from '../engine/run.js';
import { FINDINGS_PER_BATCH, memberArray } from './batches.js';
import { HOMEPAGE, TOOL_NAME, VERSION, ruleHelpUrl } from '../version.js';
import { compareText } from '../arrays.js';

export const FINGERPRINT_KEY = 'meshlint/v1';

type SarifInput = Pick<LintResult, 'findings' | 'notices' | 'rules'> & { config?: Config };

export function formatSarif(result: SarifInput, options: { cwd: string }): string {
  return [...sarifChunks(result, options)].join('');
}

/**
 * The text of formatSarif in pieces, a batch of results at a time (as jsonChunks): a log of many findings is never
 * held whole, as one string or as an object per result. The bytes are JSON.stringify's of the whole log.
 */
export function* sarifChunks(
  result: SarifInput,
  options: { cwd: string },
  batchSize = FINDINGS_PER_BATCH,
): Generator<string> {
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
        // Written in batches below.
        results: [],
      },
    ],
  };
  // `results` is the last member of the only run, the log's last member: the log's text ends with its `[]` and the
  // closing of the run, of `runs` and of the log.
  const whole = JSON.stringify(log, null, 2);
  const closing = '\n    }\n  ]\n}';
  yield whole.slice(0, whole.length - closing.length - '[]'.length);
  yield* memberArray(result.findings, (f) => sarifResult(f, ruleIndex), batchSize, 3);
  yield `${closing}\n`;
}

function sarifResult(f: Finding, ruleIndex: ReadonlyMap<string, number>): Sarif.Result {
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
