// A pull request's changed files, for the Action's changed-only input. The GitHub API is not needed (and not
// reachable everywhere): the checkout has the history, so `git diff --name-only <base>...HEAD` gives the files
// the pull request changes (three dots: against the merge base, as GitHub's "Files changed" tab shows them).
// The base is the event payload's pull_request.base.sha, else origin/$GITHUB_BASE_REF. Both need the base
// commit in the clone: actions/checkout with `fetch-depth: 0`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { MANIFEST_EXTENSIONS } from './scan.js';
import { plural } from './report/summary.js';
import { isKustomizationFile } from './kustomize/names.js';

export class GitError extends Error {}

type PullRequestPayload = { pull_request?: { base?: { sha?: unknown }; head?: { sha?: unknown } } };

function eventPayload(env: NodeJS.ProcessEnv): PullRequestPayload {
  if (!env.GITHUB_EVENT_PATH) return {};
  try {
    return (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as PullRequestPayload | null) ?? {};
  } catch {
    return {};
  }
}

function commitSha(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(value) ? value : undefined;
}

/** The commit or ref a pull request's changes are measured against, or undefined when this is not a pull request. */
export function pullRequestBase(env: NodeJS.ProcessEnv): string | undefined {
  const sha = commitSha(eventPayload(env).pull_request?.base?.sha);
  if (sha) return sha;
  const ref = env.GITHUB_BASE_REF;
  return ref && !ref.startsWith('-') ? `origin/${ref}` : undefined;
}

/** Files changed between the merge base of `base` and HEAD, relative to `cwd` (deleted files left out). */
function changedFiles(cwd: string, base: string): string[] {
  if (base.startsWith('-')) throw new GitError(`invalid base "${base}"`);
  let output: string;
  try {
    output = execFileSync(
      'git',
      ['diff', '--name-only', '--diff-filter=d', '--relative', '-z', `${base}...HEAD`, '--'],
      {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new GitError(`git diff --name-only ${base}...HEAD failed${stderr ? `: ${stderr}` : ''}`);
  }
  return output.split('\0').filter(Boolean);
}

/** Lines added or changed per file between the merge base of `base` and HEAD (`git diff -U0`), 1-based. */
export function addedLines(cwd: string, base: string): Map<string, [number, number][]> {
  if (base.startsWith('-')) throw new GitError(`invalid base "${base}"`);
  let output: string;
  try {
    output = execFileSync(
      'git',
      [
        '-c',
        'core.quotePath=false',
        'diff',
        '-U0',
        '--no-color',
        '--no-ext-diff',
        '--diff-filter=d',
        '--relative',
        `${base}...HEAD`,
        '--',
      ],
      {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new GitError(`git diff -U0 ${base}...HEAD failed${stderr ? `: ${stderr}` : ''}`);
  }
  return parseAddedLines(output);
}

/** The `+++ b/<file>` and `@@ -a,b +c,d @@` lines of a unified diff with no context: file -> [first, last] added. */
export function parseAddedLines(diff: string): Map<string, [number, number][]> {
  const added = new Map<string, [number, number][]>();
  let current: [number, number][] | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const name = line.slice(4);
      current = name === '/dev/null' ? undefined : [];
      if (current) added.set(name.startsWith('b/') ? name.slice(2) : name, current);
    } else if (line.startsWith('@@ ') && current) {
      const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!hunk) continue;
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) current.push([start, start + count - 1]);
    }
  }
  return added;
}

/** Whether a finding's range touches a line the change added: a finding is new when its own text is. */
export function touchesAddedLine(
  range: { startLine: number; endLine: number },
  added: readonly [number, number][] | undefined,
): boolean {
  return (added ?? []).some(([first, last]) => range.startLine <= last && range.endLine >= first);
}

/** The changed files meshlint reads (manifest extensions) that lie in one of the scanned paths. */
export function changedManifests(changed: readonly string[], paths: readonly string[], cwd: string): string[] {
  const roots = paths.map((p) => resolve(cwd, p));
  return changed.filter((file) => {
    if (!MANIFEST_EXTENSIONS.includes(extname(file).slice(1))) return false;
    const absolute = resolve(cwd, file);
    return roots.some((root) => {
      const rel = relative(root, absolute);
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });
  });
}

/** The pull request's head commit (GITHUB_SHA is the merge commit on pull_request events). */
export function pullRequestHead(env: NodeJS.ProcessEnv): string | undefined {
  return commitSha(eventPayload(env).pull_request?.head?.sha);
}

export interface ChangedOnlyScope {
  /** The files to report (scan's reportOnly), or undefined: report every file. */
  readonly reportOnly?: string[];
  /** For the log. */
  readonly log: string;
  /** Instead of `log` when the user must act (the base commit is missing). */
  readonly warning?: string;
  /** For the job summary. */
  readonly note: string;
  /** With changed-only: lines, the lines the pull request adds per file: only findings touching them are new. */
  readonly addedLines?: Map<string, [number, number][]>;
}

export const CHANGED_ONLY_MODES = ['false', 'files', 'lines'] as const;
export type ChangedOnlyMode = (typeof CHANGED_ONLY_MODES)[number];

/**
 * What changed-only means for this run: the pull request's changed manifests within `paths`, or (not a pull
 * request, or the base commit not in the clone) every file, saying why.
 */
export function changedOnlyScope(
  env: NodeJS.ProcessEnv,
  cwd: string,
  paths: readonly string[],
  mode: Exclude<ChangedOnlyMode, 'false'> = 'files',
): ChangedOnlyScope {
  const base = pullRequestBase(env);
  if (!base) {
    return {
      log: 'changed-only: not a pull request event, so every file is reported.',
      note: 'changed-only: not a pull request event, so findings in every file are reported.',
    };
  }
  let changed: string[];
  let added: Map<string, [number, number][]> | undefined;
  try {
    changed = changedFiles(cwd, base);
    if (mode === 'lines') added = addedLines(cwd, base);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const warning = `changed-only: ${error.message}. Check out with fetch-depth: 0 so that the base commit is there; every file is reported instead.`;
    return {
      log: warning,
      warning,
      note: 'changed-only: the base commit is not in the clone (use actions/checkout with fetch-depth: 0), so findings in every file are reported.',
    };
  }
  const reportOnly = changedManifests(changed, paths, cwd);
  const context = paths.join(' ');
  if (added) {
    return {
      reportOnly,
      addedLines: added,
      log: `changed-only: lines: findings on the lines added in ${plural(reportOnly.length, 'changed manifest')} against ${base}; the whole of ${context} is scanned as context.`,
      note: `Only findings on the lines this pull request adds or changes (in ${plural(reportOnly.length, 'manifest')}) are reported; the whole of ${context} was scanned as their context.`,
    };
  }
  return {
    reportOnly,
    log: `changed-only: ${plural(reportOnly.length, 'changed manifest')} against ${base} (of ${plural(changed.length, 'changed file')}); the whole of ${context} is scanned as context.`,
    note: `Only findings in the ${plural(reportOnly.length, 'manifest')} this pull request changes are reported; the whole of ${context} was scanned as their context.`,
  };
}

/** The top level of the git work tree holding `cwd`, or undefined outside one. */
export function gitTopLevel(cwd: string): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', '--show-toplevel'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Files of the index that a scan may read: manifests, configurations and .gitignore files. */
const STAGED_NAMES = /(^|\/)(\.meshlint\.ya?ml|\.gitignore)$|\.(ya?ml|json)$/i;

/**
 * Writes the staged content of the repository's manifests (what the next commit will contain: tracked files with
 * their staged changes; never untracked files or unstaged changes) under `destination`, at their paths relative to
 * the top level. Returns how many files were written.
 */
export function exportStaged(topLevel: string, destination: string): number {
  const run = (args: string[], input?: string) =>
    execFileSync('git', args, {
      cwd: topLevel,
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  let listed: string;
  try {
    listed = run(['ls-files', '-z', '--cached', '--full-name']);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new GitError(`git ls-files failed${stderr ? `: ${stderr}` : ''}`);
  }
  const all = listed.split('\0').filter(Boolean);
  // A kustomization also reads files of any name next to it (env files and other generator sources, a file called
  // Kustomization): everything under a kustomization's directory is exported too.
  const kustomizeDirs = all
    .filter(isKustomizationFile)
    .map((f) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : ''));
  const files = [...new Set(all.filter((f) => STAGED_NAMES.test(f) || kustomizeDirs.some((dir) => f.startsWith(dir))))];
  if (files.length === 0) return 0;
  try {
    run(['checkout-index', '-z', '--stdin', '-f', `--prefix=${join(destination, '/')}`], `${files.join('\0')}\0`);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new GitError(`git checkout-index failed${stderr ? `: ${stderr}` : ''}`);
  }
  return files.length;
}
