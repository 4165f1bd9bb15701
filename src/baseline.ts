// Baselines: accept today's findings, report only new ones. `--write-baseline <file>` records the active findings;
// `--baseline <file>` drops the findings it records. Matching is by the stable fingerprint (rule, file, resource,
// path, message id; never the line), so edits above a finding do not resurrect it, while a new finding (another
// rule, resource, field or file) has another fingerprint and is reported.
//
// The file holds no message text and no values, only rule ids, file paths, fingerprints (truncated sha256 of the
// fields above) and counts, so it cannot leak a secret that a message or a manifest might contain.
import { readFileSync } from 'node:fs';
import type { Finding } from './engine/run.js';

const BASELINE_FORMAT_VERSION = 1;

export interface BaselineEntry {
  readonly ruleId: string;
  readonly file: string;
  readonly fingerprint: string;
  /** How many active findings share this fingerprint (identical parse errors in one file, for example). */
  readonly count: number;
}

export interface Baseline {
  readonly formatVersion: number;
  readonly tool: 'meshlint';
  readonly findings: readonly BaselineEntry[];
}

export class BaselineError extends Error {}

/** The baseline of a run's active (unsuppressed) findings, in a stable order. */
export function createBaseline(findings: readonly Finding[]): Baseline {
  const entries = new Map<string, { ruleId: string; file: string; fingerprint: string; count: number }>();
  for (const f of findings) {
    if (f.suppression) continue;
    const entry = entries.get(f.fingerprint);
    if (entry) entry.count++;
    else entries.set(f.fingerprint, { ruleId: f.ruleId, file: f.file, fingerprint: f.fingerprint, count: 1 });
  }
  const sorted = [...entries.values()].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint),
  );
  return { formatVersion: BASELINE_FORMAT_VERSION, tool: 'meshlint', findings: sorted };
}

export function formatBaseline(baseline: Baseline): string {
  const lines = baseline.findings.map((e) => `    ${JSON.stringify(e)}`);
  return `{\n  "formatVersion": ${baseline.formatVersion},\n  "tool": "meshlint",\n  "findings": [\n${lines.join(',\n')}${lines.length ? '\n' : ''}  ]\n}\n`;
}

/**
 * Drops the active findings the baseline records, at most `count` per fingerprint (a second identical finding
 * beyond the recorded count is new). Suppressed findings are kept as they are.
 */
export function applyBaseline(
  findings: readonly Finding[],
  baseline: Baseline,
): { findings: Finding[]; matched: Finding[] } {
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) remaining.set(e.fingerprint, (remaining.get(e.fingerprint) ?? 0) + e.count);
  const matched: Finding[] = [];
  const kept = findings.filter((f) => {
    if (f.suppression) return true;
    const left = remaining.get(f.fingerprint) ?? 0;
    if (left === 0) return true;
    remaining.set(f.fingerprint, left - 1);
    matched.push(f);
    return false;
  });
  return { findings: kept, matched };
}

/** Reads and checks a baseline file; every problem is a BaselineError naming the file. */
export function readBaseline(path: string, shownAs = path): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BaselineError(
      `${shownAs}: cannot read the baseline (${(error as NodeJS.ErrnoException).code ?? error}).`,
    );
  }
  return parseBaseline(text, shownAs);
}

export function parseBaseline(text: string, shownAs: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${shownAs}: not a meshlint baseline (invalid JSON: ${(error as Error).message}).`);
  }
  const raw = value as Partial<Baseline> | null;
  if (!raw || typeof raw !== 'object' || raw.tool !== 'meshlint' || !Array.isArray(raw.findings)) {
    throw new BaselineError(`${shownAs}: not a meshlint baseline (write one with --write-baseline).`);
  }
  if (raw.formatVersion !== BASELINE_FORMAT_VERSION) {
    throw new BaselineError(
      `${shownAs}: baseline format ${String(raw.formatVersion)} is not supported (this meshlint reads ${BASELINE_FORMAT_VERSION}).`,
    );
  }
  const findings: BaselineEntry[] = [];
  raw.findings.forEach((e: Partial<BaselineEntry> | null, i) => {
    const ok =
      e &&
      typeof e === 'object' &&
      typeof e.fingerprint === 'string' &&
      typeof e.ruleId === 'string' &&
      typeof e.file === 'string' &&
      (e.count === undefined || (Number.isInteger(e.count) && e.count >= 1));
    if (!ok)
      throw new BaselineError(
        `${shownAs}: findings[${i}] needs ruleId, file, fingerprint (strings) and a positive integer count.`,
      );
    findings.push({ ruleId: e.ruleId!, file: e.file!, fingerprint: e.fingerprint!, count: e.count ?? 1 });
  });
  return { formatVersion: BASELINE_FORMAT_VERSION, tool: 'meshlint', findings };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
