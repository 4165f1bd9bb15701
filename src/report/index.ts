import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ScanResult } from '../scan.js';
import { renderMessage, type MessagePart } from '../engine/message.js';

export const FORMATS = ['text', 'compact', 'json', 'sarif', 'github', 'gitlab', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** Formats that show the mesh's posture, not only findings: the scan must compute it (`scan({ posture: true })`). */
export const POSTURE_FORMATS: ReadonlySet<Format> = new Set(['html']);

export interface FormatOptions {
  readonly color: boolean;
  readonly cwd: string;
  /**
   * The repository root (git top level, else cwd): the formats other tools resolve against the repository
   * (SARIF, GitLab, GitHub annotations) give paths relative to it, wherever meshlint ran; text and compact
   * stay relative to cwd, for the terminal and the editor that ran them.
   */
  readonly root?: string;
  /** text: a code frame under each finding (from the result's excerpts); default true. */
  readonly codeFrame?: boolean;
}

/**
 * The result with every file path relative to `root` instead of `cwd` (absolute paths outside root stay), the paths
 * named inside messages too.
 */
export function relativeToRoot<R extends Pick<ScanResult, 'findings' | 'notices'>>(
  result: R,
  cwd: string,
  root: string,
): R {
  if (resolve(cwd) === resolve(root)) return result;
  const rebase = (file: string) => {
    const rel = relative(root, resolve(cwd, file));
    if (rel === '') return '.';
    return !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file;
  };
  // (Given, not spread: a finding's message, fingerprint, resource and path are read from it, not held in fields; see
  // engine/run.ts LintFinding.)
  const message = (item: { readonly message: string; readonly messageParts?: readonly MessagePart[] }) =>
    item.messageParts ? renderMessage(item.messageParts, rebase) : item.message;
  return {
    ...result,
    findings: result.findings.map((f) => ({
      ...f,
      file: rebase(f.file),
      message: message(f),
      fingerprint: f.fingerprint,
      resource: f.resource,
      path: f.path,
      fix: f.fix,
      related: f.related.map((r) => ({ ...r, file: rebase(r.file), message: message(r) })),
    })),
    notices: result.notices.map((n) => ({ ...n, ...(n.file ? { file: rebase(n.file) } : {}), message: message(n) })),
  };
}

/** The result with its paths as the format shows them: relative to the repository root for the formats of tools. */
export function inFormatPaths(format: Format, scanned: ScanResult, cwd: string, root: string = cwd): ScanResult {
  return ROOT_RELATIVE_FORMATS.has(format) ? relativeToRoot(scanned, cwd, root) : scanned;
}

const ROOT_RELATIVE_FORMATS: ReadonlySet<Format> = new Set(['sarif', 'github', 'gitlab']);

/** Each format's formatter, loaded when a run asks for it: a run never parses the code of the formats it does not write. */
const FORMATTERS: Record<Format, () => Promise<(result: ScanResult, options: FormatOptions) => string>> = {
  text: async () => (await import('./text.js')).formatText,
  compact: async () => (await import('./compact.js')).formatCompact,
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => {
    const { formatSarif } = await import('./sarif.js');
    return (result, options) => formatSarif(result, { cwd: options.root ?? options.cwd });
  },
  github: async () => (await import('./github.js')).formatGithub,
  gitlab: async () => (await import('./gitlab.js')).formatGitlab,
  html: async () => (await import('./html.js')).formatHtml,
};

export async function formatResult(format: Format, scanned: ScanResult, options: FormatOptions): Promise<string> {
  return [...(await formatResultChunks(format, scanned, options))].join('');
}

/**
 * The report of formatResult in pieces to write one after the other: JSON and SARIF are made a batch of findings at
 * a time (a report of many findings is never held whole); the other formats are one piece.
 */
export async function formatResultChunks(
  format: Format,
  scanned: ScanResult,
  options: FormatOptions,
): Promise<Iterable<string>> {
  const root = options.root ?? options.cwd;
  const result = inFormatPaths(format, scanned, options.cwd, root);
  if (format === 'json') return (await import('./json.js')).jsonChunks(result);
  if (format === 'sarif') return (await import('./sarif.js')).sarifChunks(result, { cwd: root });
  return [(await FORMATTERS[format]())(result, options)];
}

export { joinedInBatches } from './batches.js';
