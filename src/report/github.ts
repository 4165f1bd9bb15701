// GitHub annotations, shared by `--format github` (workflow commands printed by the CLI) and the Action (which
// emits the same annotations through @actions/core). GitHub shows at most 10 error, 10 warning and 10 notice
// annotations per step and drops the rest silently (actions/toolkit docs/problem-matchers.md), so the findings
// are ordered most severe first (severity, then the rule's security severity, then file order) and capped per
// level; the caller says how many more there are (the CLI in the log, the Action in the job summary).
import type { LintResult, Finding } from '../engine/run.js';
import type { Severity } from '../engine/rule.js';
import { SEVERITY_RANK } from '../engine/rule.js';
import { activeFindings, escapeControl, notLinted, oneLine, plural } from './summary.js';
import { compactLocation } from './compact.js';
import { compareText } from '../arrays.js';

/** Per step and per level, as GitHub documents it. */
export const ANNOTATIONS_PER_LEVEL = 10;

export type AnnotationLevel = 'error' | 'warning' | 'notice';

const ANNOTATION_LEVEL: Record<Severity, AnnotationLevel> = { error: 'error', warning: 'warning', note: 'notice' };

/** The shape of @actions/core's AnnotationProperties. */
export interface AnnotationProperties {
  readonly title: string;
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly startColumn?: number;
  readonly endColumn?: number;
}

export interface Annotation {
  readonly level: AnnotationLevel;
  readonly message: string;
  readonly properties: AnnotationProperties;
  readonly finding: Finding;
}

export interface AnnotationPlan {
  /** At most `limit` per level, most severe first. */
  readonly annotations: readonly Annotation[];
  /** The active findings left out, in the same order. */
  readonly omitted: readonly Finding[];
}

/** Active findings, most severe first: severity, then the rule's security severity, then file, line, column. */
export function bySeverity(result: Pick<LintResult, 'findings' | 'rules'>): Finding[] {
  const security = new Map(result.rules.map((r) => [r.id, r.securitySeverity]));
  return activeFindings(result.findings)
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] ||
        (security.get(b.finding.ruleId) ?? 0) - (security.get(a.finding.ruleId) ?? 0) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

/**
 * The annotations of a step: per level at most `limit`, shared out among the rules round robin (most severe rule
 * first), so ten findings of one rule do not hide every other rule's; the rest are `omitted`, most severe first.
 */
export function planAnnotations(
  result: Pick<LintResult, 'findings' | 'rules'>,
  limit = ANNOTATIONS_PER_LEVEL,
): AnnotationPlan {
  const queues = new Map<AnnotationLevel, Map<string, Finding[]>>();
  for (const finding of bySeverity(result)) {
    const level = ANNOTATION_LEVEL[finding.severity];
    const byRule = queues.get(level) ?? new Map<string, Finding[]>();
    queues.set(level, byRule);
    const queue = byRule.get(finding.ruleId) ?? [];
    byRule.set(finding.ruleId, queue);
    queue.push(finding);
  }
  const chosen = new Set<Finding>();
  for (const byRule of queues.values()) {
    const rules = [...byRule.values()];
    let taken = 0;
    for (let round = 0; taken < limit && rules.some((queue) => queue.length > round); round++) {
      for (const queue of rules) {
        if (taken >= limit) break;
        if (round < queue.length) {
          chosen.add(queue[round]);
          taken++;
        }
      }
    }
  }
  const annotations: Annotation[] = [];
  const omitted: Finding[] = [];
  for (const finding of bySeverity(result)) {
    if (!chosen.has(finding)) {
      omitted.push(finding);
      continue;
    }
    annotations.push({
      level: ANNOTATION_LEVEL[finding.severity],
      message: finding.message,
      properties: annotationProperties(finding),
      finding,
    });
  }
  return { annotations, omitted };
}

/** "container-privileged (9), mtls-not-strict (2)": the rules with findings a plan left out, most first. */
export function describeOmittedRules(omitted: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of omitted) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .map(([id, n]) => `${id} (${n})`)
    .join(', ');
}

/** Columns only on single-line ranges: "startColumn/endColumn cannot be sent when startLine and endLine are different" (@actions/core). */
function annotationProperties(f: Finding): AnnotationProperties {
  const { startLine, endLine, startColumn, endColumn } = f.range;
  const base = { title: f.ruleId, file: f.file, startLine, endLine };
  return startLine === endLine ? { ...base, startColumn, endColumn } : base;
}

/** "3 errors, 12 warnings and 1 note", for the findings a plan left out. */
export function describeOmitted(omitted: readonly Finding[]): string {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of omitted) counts[f.severity]++;
  const parts = (['error', 'warning', 'note'] as const).filter((s) => counts[s] > 0).map((s) => plural(counts[s], s));
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'nothing');
}

// Workflow command escaping, as the runner un-escapes it (actions/toolkit packages/core/src/command.ts).
export function escapeData(text: string): string {
  return escapeControl(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=...,line=...,endLine=...,col=...,endColumn=...,title=<rule-id>::message` */
function workflowCommand(annotation: Annotation): string {
  const p = annotation.properties;
  const props: [string, string | number | undefined][] = [
    ['file', p.file],
    ['line', p.startLine],
    ['endLine', p.endLine],
    ['col', p.startColumn],
    ['endColumn', p.endColumn],
    ['title', p.title],
  ];
  const list = props
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${annotation.level} ${list}::${escapeData(annotation.message)}`;
}

/**
 * `--format github`: the annotations GitHub will show, most severe first, then the findings beyond the per-step
 * limit as plain log lines, so the log still lists every finding.
 */
export function formatGithub(
  result: Pick<LintResult, 'findings' | 'rules'> & { notices?: LintResult['notices'] },
): string {
  const plan = planAnnotations(result);
  const lines = plan.annotations.map(workflowCommand);
  if (plan.omitted.length) {
    lines.push(
      `meshlint: ${plural(plan.omitted.length, 'more finding')} (${describeOmitted(plan.omitted)}) not annotated: GitHub shows at most ${ANNOTATIONS_PER_LEVEL} annotations of each severity per step.`,
      ...plan.omitted.map(
        (f) => `  ${compactLocation(f.file, f.range)}: ${f.severity}: ${oneLine(f.message)} [${f.ruleId}]`,
      ),
    );
  }
  const skipped = notLinted(result.notices ?? []);
  if (skipped.length) {
    lines.push(
      `::warning title=meshlint::${escapeData(`${plural(skipped.length, 'file')} not linted: ${skipped.map((n) => `${n.file ?? 'stdin'} (${n.message})`).join(', ')}`)}`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
