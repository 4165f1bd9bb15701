// The HTML posture report: one self-contained page (inline CSS, script and SVG; no request leaves it, so it opens
// from file:// and as a CI artifact). The summary, the scope and what was not linted are written here as HTML; the
// large views (mTLS map, authorization graph, entry points, findings) are drawn in the browser from the data
// embedded as JSON, which keeps the page small for tens of thousands of rows. Pure: result (with its posture) in,
// text out. Messages are the engine's (already redacted); excerpts come redacted from the posture.
import type { Finding, LintResult } from '../engine/run.js';
import { SEVERITIES, type Severity } from '../engine/rule.js';
import { PORT_MODES, type Posture } from '../posture.js';
import { TOOL_NAME, VERSION, ruleHelpUrls } from '../version.js';
import { HTML_CLIENT_SCRIPT, HTML_STYLE } from './html-assets.js';
import { escapeHtml } from './job-summary.js';
import { countFindings, notLintedSummary, plural } from './summary.js';

export const HTML_DATA_VERSION = 1;

type HtmlInput = Pick<LintResult, 'findings' | 'notices' | 'rules' | 'stats'> & { readonly posture?: Posture };

const SEVERITY_INDEX: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** The data the page's script draws from: findings as rows of indexes into shared tables. */
export interface HtmlData {
  readonly version: number;
  readonly severities: readonly Severity[];
  readonly modes: readonly string[];
  /** [id, title, documentation URL] */
  readonly rules: readonly (readonly [string, string, string])[];
  readonly files: readonly string[];
  readonly namespaces: readonly string[];
  /** [rule, severity, file, line, column, message, namespace (-1: none), suppressed (0/1), resource, end line] */
  readonly findings: readonly (readonly [
    number,
    number,
    number,
    number,
    number,
    string,
    number,
    number,
    string,
    number,
  ])[];
  readonly excerpts: Readonly<Record<string, string>>;
  readonly posture: Posture | null;
}

export function htmlData(result: HtmlInput): HtmlData {
  const index = <T>(list: T[], map: Map<T, number>, value: T) => {
    let i = map.get(value);
    if (i === undefined) {
      i = list.length;
      list.push(value);
      map.set(value, i);
    }
    return i;
  };
  const ruleIds = [...new Set([...result.rules.map((r) => r.id), ...result.findings.map((f) => f.ruleId)])].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const titles = new Map(result.rules.map((r) => [r.id, r.title]));
  const url = ruleHelpUrls(result.rules);
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const namespaces: string[] = [];
  const nsIndex = new Map<string, number>();
  const findings = result.findings.map(
    (f: Finding) =>
      [
        ruleIndex.get(f.ruleId)!,
        SEVERITY_INDEX[f.severity],
        index(files, fileIndex, f.file),
        f.range.startLine,
        f.range.startColumn,
        f.message,
        f.resource?.namespace ? index(namespaces, nsIndex, f.resource.namespace) : -1,
        f.suppression ? 1 : 0,
        f.resource
          ? `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`
          : '',
        f.range.endLine,
      ] as const,
  );
  return {
    version: HTML_DATA_VERSION,
    severities: SEVERITIES,
    modes: PORT_MODES,
    rules: ruleIds.map((id) => [id, titles.get(id) ?? id, url(id) ?? ''] as const),
    files,
    namespaces,
    findings,
    excerpts: result.posture?.excerpts ?? {},
    posture: result.posture ? { ...result.posture, excerpts: {} } : null,
  };
}

/** JSON inside <script>: nothing in it may close the element or start a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function formatHtml(result: HtmlInput): string {
  const counts = countFindings(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const { stats } = result;
  const byRule = new Map<string, Record<Severity, number>>();
  for (const f of result.findings) {
    if (f.suppression) continue;
    const row = byRule.get(f.ruleId) ?? { error: 0, warning: 0, note: 0 };
    row[f.severity]++;
    byRule.set(f.ruleId, row);
  }
  const titles = new Map(result.rules.map((r) => [r.id, r.title]));
  const url = ruleHelpUrls(result.rules);
  const ruleRows = [...byRule.entries()]
    .sort(([a, x], [b, y]) => y.error - x.error || y.warning - x.warning || y.note - x.note || (a < b ? -1 : 1))
    .map(
      ([id, c]) =>
        `<tr><th scope="row">${url(id) ? `<a href="${escapeHtml(url(id)!)}">${escapeHtml(id)}</a>` : escapeHtml(id)}</th><td>${escapeHtml(titles.get(id) ?? '')}</td><td class="num">${c.error}</td><td class="num">${c.warning}</td><td class="num">${c.note}</td></tr>`,
    )
    .join('');
  const posture = result.posture;
  const workloads = posture ? posture.namespaces.reduce((n, ns) => n + ns.workloads.length, 0) : 0;
  const parseErrors = result.findings.filter((f) => f.ruleId === 'parse-error');
  const notLinted: string[] = [];
  for (const n of result.notices)
    notLinted.push(`<li>${n.file ? `<code>${escapeHtml(n.file)}</code>: ` : ''}${escapeHtml(n.message)}</li>`);
  for (const f of parseErrors)
    notLinted.push(
      `<li><code>${escapeHtml(`${f.file}:${f.range.startLine}`)}</code>: not read (parse error): ${escapeHtml(f.message)}</li>`,
    );
  for (const u of posture?.unrecognised ?? [])
    notLinted.push(
      `<li><code>${escapeHtml(u.file)}</code>: ${plural(u.documents, 'document')} of no format meshlint reads (not Kubernetes, Envoy nor Kong)</li>`,
    );
  if (stats.unreadDocuments)
    notLinted.push(
      `<li>${plural(stats.unreadDocuments, 'document')} of kinds no rule reads (CustomResourceDefinitions): lexed, not linted</li>`,
    );
  const status = total === 0 ? 'No problems' : `${plural(total, 'problem')}`;
  const severityCards = SEVERITIES.map(
    (s) =>
      `<div class="card sev-${s}"><dt>${s === 'error' ? 'Errors' : s === 'warning' ? 'Warnings' : 'Notes'}</dt><dd>${counts[s]}</dd></div>`,
  ).join('');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${TOOL_NAME} ${escapeHtml(VERSION)}">
<title>${TOOL_NAME} posture report: ${escapeHtml(status)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header>
<h1>${TOOL_NAME} posture report</h1>
<p>${escapeHtml(`${status} in ${plural(stats.files, 'file')}, ${plural(stats.documents, 'document')}, ${plural(stats.resources, 'resource')}${counts.suppressed ? `; ${counts.suppressed} suppressed` : ''}${notLintedSummary(result.notices).replace(/^, /, '; ')}.`)} ${TOOL_NAME} ${escapeHtml(VERSION)}.</p>
<nav aria-label="Sections"><ul>
<li><a href="#summary">Summary</a></li>
<li><a href="#mtls">mTLS map</a></li>
<li><a href="#authz">Who may call whom</a></li>
<li><a href="#entry">Entry points</a></li>
<li><a href="#findings">Findings</a></li>
<li><a href="#scope">Not linted</a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
<section id="summary" aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<dl class="cards">${severityCards}<div class="card"><dt>Suppressed</dt><dd>${counts.suppressed}</dd></div><div class="card"><dt>Workloads</dt><dd>${workloads}</dd></div><div class="card"><dt>Files</dt><dd>${stats.files}</dd></div><div class="card"><dt>Resources</dt><dd>${stats.resources}</dd></div></dl>
${ruleRows ? `<table class="rules"><caption>Findings by rule (not suppressed)</caption><thead><tr><th scope="col">Rule</th><th scope="col">Title</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Warnings</th><th scope="col" class="num">Notes</th></tr></thead><tbody>${ruleRows}</tbody></table>` : '<p>No findings.</p>'}
</section>
<section id="mtls" aria-labelledby="mtls-h">
<h2 id="mtls-h">mTLS map</h2>
<p>The inbound mTLS mode of every workload and container port, as Istio composes it (mesh, namespace, workload, port) or as Linkerd's inbound policy sets it. Select a mode to see the policy that decided it.</p>
<div class="controls" role="search" aria-label="Filter the mTLS map">
<label>Workload or namespace <input type="search" id="mtls-q" autocomplete="off"></label>
<fieldset><legend>Modes</legend><span id="mtls-modes"></span></fieldset>
</div>
<p id="mtls-count" class="count" aria-live="polite"></p>
<div id="mtls-detail" class="detail" aria-live="polite" tabindex="-1"><p>Select a mode in the map to see why.</p></div>
<div id="mtls-map"><noscript>The interactive views need JavaScript.</noscript></div>
</section>
<section id="authz" aria-labelledby="authz-h">
<h2 id="authz-h">Who may call whom</h2>
<p>Callers (left) and the workloads their policies let them reach (right), from Istio AuthorizationPolicies and Linkerd authorizations. <span class="key k-allow">allow</span> <span class="key k-wild">wildcard or allow-all</span> <span class="key k-deny">deny</span> <span class="key k-dry">dry run</span>. Large meshes are folded per namespace: select a namespace to unfold it.</p>
<div class="controls" role="search" aria-label="Filter the authorization graph">
<label>Caller, workload or namespace <input type="search" id="authz-q" autocomplete="off"></label>
<button type="button" id="authz-expand">Unfold all namespaces</button>
<button type="button" id="authz-collapse">Fold all namespaces</button>
</div>
<p id="authz-count" class="count" aria-live="polite"></p>
<div id="authz-graph" class="graph" tabindex="0" role="region" aria-label="Authorization graph (scrolls)"></div>
<details><summary>Policies as a table</summary><div id="authz-table"></div></details>
</section>
<section id="entry" aria-labelledby="entry-h">
<h2 id="entry-h">Entry points</h2>
<p>Envoy listeners and Kong routes, with TLS, authentication and rate limiting.</p>
<div class="controls" role="search" aria-label="Filter the entry points">
<label>Name, address, host or file <input type="search" id="entry-q" autocomplete="off"></label>
<label>Kind <select id="entry-kind"><option value="">all</option><option value="envoy-listener">Envoy listeners</option><option value="kong-route">Kong routes</option></select></label>
<label>Show <select id="entry-gap"><option value="">all</option><option value="tls">without TLS (or partly)</option><option value="auth">without authentication (or partly)</option><option value="rateLimit">without rate limit (or partly)</option></select></label>
</div>
<p id="entry-count" class="count" aria-live="polite"></p>
<div id="entry-table"></div>
<div class="pager" id="entry-pager"></div>
</section>
<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings</h2>
<div class="controls" role="search" aria-label="Filter the findings">
<label>Severity <select id="f-severity"><option value="">all</option></select></label>
<label>Rule <select id="f-rule"><option value="">all</option></select></label>
<label>Namespace <select id="f-namespace"><option value="">all</option></select></label>
<label>File <select id="f-file"><option value="">all</option></select></label>
<label>Text <input type="search" id="f-q" autocomplete="off"></label>
<label><input type="checkbox" id="f-suppressed"> include suppressed</label>
</div>
<p id="f-count" class="count" aria-live="polite"></p>
<div id="f-table"></div>
<div class="pager" id="f-pager"></div>
</section>
<section id="scope" aria-labelledby="scope-h">
<h2 id="scope-h">Not linted</h2>
${notLinted.length ? `<ul class="notlinted">${notLinted.join('')}</ul>` : '<p>Every file found was read and linted.</p>'}
</section>
</main>
<footer><p>Generated by ${TOOL_NAME} ${escapeHtml(VERSION)}. Values of secrets are never shown; lines that hold one are left out of the excerpts.</p></footer>
<script type="application/json" id="meshlint-data">${scriptJson(htmlData(result))}</script>
<script>${HTML_CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
