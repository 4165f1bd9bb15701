// The GitHub Action (action.yml, bundled to dist/action.mjs). A thin front end like the CLI: inputs -> scan() ->
// SARIF file, annotations (src/report/github.ts), job summary (src/report/job-summary.ts), outputs, exit code.
// Exit code: 0 nothing at or above fail-on, 1 something is, 2 a bad input, configuration or baseline.
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as core from '@actions/core';
import { BaselineError, readBaseline } from '../baseline.js';
import { ConfigError } from '../engine/config.js';
import { SEVERITIES, type Severity } from '../engine/rule.js';
import {
  CHANGED_ONLY_MODES,
  changedOnlyScope,
  pullRequestHead,
  touchesAddedLine,
  type ChangedOnlyMode,
} from '../git.js';
import { ENGINE_RULES } from '../engine/rule.js';
import { planAnnotations } from '../report/github.js';
import { jobSummary, type SummaryBlock } from '../report/job-summary.js';
import { formatHtml } from '../report/html.js';
import { joinedInBatches } from '../report/index.js';
import { sarifChunks } from '../report/sarif.js';
import { countFindings, failsAt, plural } from '../report/summary.js';
import { scan, type ScanResult } from '../scan.js';
import { isParserWorker, runParserWorker } from '../parse/pool.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';

class InputError extends Error {}

function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input ${name} must be true or false, not "${value}"`);
}

/** changed-only: true (files, as before), false, files or lines. */
function changedOnlyInput(): ChangedOnlyMode {
  const value = core.getInput('changed-only').trim().toLowerCase();
  if (value === '') return 'false';
  if (value === 'true') return 'files';
  if ((CHANGED_ONLY_MODES as readonly string[]).includes(value)) return value as ChangedOnlyMode;
  throw new InputError(`input changed-only must be false, files or lines (true means files), not "${value}"`);
}

async function run(): Promise<number> {
  const workspace = resolve(process.env.GITHUB_WORKSPACE || process.cwd());
  const paths = core.getInput('paths').split(/\s+/).filter(Boolean);
  if (paths.length === 0) paths.push('.');
  const config = core.getInput('config') || undefined;
  const failOn = (core.getInput('fail-on') || 'error') as Severity | 'none';
  if (!([...SEVERITIES, 'none'] as string[]).includes(failOn))
    throw new InputError(`input fail-on must be error, warning, note or none, not "${failOn}"`);
  const sarifFile = core.getInput('sarif-file');
  const htmlFile = core.getInput('html-file');
  const annotate = booleanInput('annotations', true);
  const changedOnly = changedOnlyInput();
  const baselineFile = core.getInput('baseline') || undefined;

  const notes: string[] = [];
  let reportOnly: string[] | undefined;
  let addedLines: Map<string, [number, number][]> | undefined;
  if (changedOnly !== 'false') {
    const scope = changedOnlyScope(process.env, workspace, paths, changedOnly);
    reportOnly = scope.reportOnly;
    addedLines = scope.addedLines;
    if (scope.warning) core.warning(`meshlint: ${scope.warning}`);
    else core.info(`meshlint: ${scope.log}`);
    notes.push(scope.note);
  }

  let result: ScanResult;
  try {
    result = await scan({
      cwd: workspace,
      paths,
      configPath: config,
      reportOnly,
      baseline: baselineFile ? readBaseline(resolve(workspace, baselineFile), baselineFile) : undefined,
      workerUrl: new URL(import.meta.url),
      posture: htmlFile !== '',
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof BaselineError) throw new InputError(error.message);
    throw error;
  }
  if (addedLines) {
    // A parse error in a changed file is always reported: what cannot be read must not pass.
    const added = addedLines;
    result = {
      ...result,
      findings: result.findings.filter(
        (f) => f.ruleId === ENGINE_RULES.parseError || touchesAddedLine(f.range, added.get(f.file)),
      ),
    };
  }
  for (const notice of result.notices) {
    const text = `meshlint: notice: ${notice.file ? `${notice.file}: ` : ''}${notice.message}`;
    // An unrendered chart is a whole set of objects not checked: a warning, not a log line.
    if (notice.kind === 'helm-chart') core.warning(text, notice.file ? { file: notice.file } : undefined);
    else core.info(text);
  }
  if (result.stats.files === 0)
    core.warning(`meshlint: no manifest found in ${paths.join(' ')}: check the paths input.`);
  const baselined = result.baselined.length;
  if (baselined)
    notes.push(
      `${plural(baselined, 'finding')} recorded in the baseline ${baselineFile} ${baselined === 1 ? 'is' : 'are'} not reported.`,
    );

  if (sarifFile) {
    const target = resolve(workspace, sarifFile);
    mkdirSync(dirname(target), { recursive: true });
    // In batches: a log of many findings is never held whole.
    const fd = openSync(target, 'w');
    try {
      for (const batch of joinedInBatches(sarifChunks(result, { cwd: workspace }))) writeFileSync(fd, batch);
    } finally {
      closeSync(fd);
    }
    core.info(`meshlint: SARIF written to ${sarifFile}`);
  }
  if (htmlFile) {
    const target = resolve(workspace, htmlFile);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, formatHtml(result));
    core.info(`meshlint: HTML report written to ${htmlFile}`);
    notes.push(
      `The HTML posture report (mTLS map, who may call whom, entry points, every finding) is ${htmlFile} in the workspace: upload it with actions/upload-artifact and open it in a browser.`,
    );
  }

  const plan = planAnnotations(result);
  if (annotate) {
    const emit = { error: core.error, warning: core.warning, notice: core.notice };
    for (const a of plan.annotations) emit[a.level](a.message, a.properties);
  }
  const failed = failsAt(result.findings, failOn);
  if (failed) notes.push(`The step fails: there are findings at or above fail-on (${failOn}).`);

  const counts = countFindings(result.findings);
  core.setOutput('findings', counts.error + counts.warning + counts.note);
  core.setOutput('errors', counts.error);
  core.setOutput('warnings', counts.warning);
  core.setOutput('sarif-file', sarifFile);
  core.setOutput('html-file', htmlFile);

  const summary = jobSummary(result, {
    plan: annotate ? plan : undefined,
    notes,
    fileUrl: fileUrl(process.env),
    sarifFile: sarifFile || undefined,
  });
  try {
    await writeSummary(summary);
  } catch (error) {
    core.info(`meshlint: no job summary: ${(error as Error).message}`);
  }
  if (failed) core.info(`meshlint: failing: findings at or above ${failOn} (fail-on).`);
  return failed ? 1 : 0;
}

/** Links to the scanned commit's files (a pull request's head, not the merge commit GITHUB_SHA names), when the runner says which repository and commit this is. */
function fileUrl(env: NodeJS.ProcessEnv): ((file: string, line: number) => string | undefined) | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo } = env;
  const sha = pullRequestHead(env) ?? env.GITHUB_SHA;
  if (!server || !repo || !sha) return undefined;
  return (file, line) =>
    file.startsWith('/')
      ? undefined
      : `${server}/${repo}/blob/${sha}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`;
}

async function writeSummary(blocks: readonly SummaryBlock[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  for (const block of blocks) {
    if (block.kind === 'heading') core.summary.addHeading(block.text, block.level);
    else if (block.kind === 'paragraph') core.summary.addRaw(`<p>${block.html}</p>`, true);
    else core.summary.addTable(block.rows.map((row) => [...row]));
  }
  await core.summary.write();
}

// The bundle is also the body of its own parser threads (see src/parse/pool.ts).
if (isParserWorker()) runParserWorker(MANIFEST_PARSE_OPTIONS);
else
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof InputError) {
        core.error(`meshlint: ${error.message}`);
        process.exitCode = 2;
        return;
      }
      core.error(`meshlint: internal error: ${(error as Error)?.message ?? error}. Please report it.`);
      if (process.env.MESHLINT_DEBUG) core.info(String((error as Error)?.stack));
      process.exitCode = 2;
    },
  );
