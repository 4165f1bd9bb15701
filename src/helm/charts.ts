// Helm charts in a scan. meshlint does not render charts (no helm, no values resolution): a chart directory is
// said to be unlinted where users look (summary line, JSON notices, SARIF notifications, job summary), and its
// templates' own "skipped" notices are folded into that one. Rendered output is linted (see rendered.ts).
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Notice } from '../engine/run.js';
import { pathMessage } from '../engine/message.js';
import type { ChartIndex } from './rendered.js';

export const CHART_FILE = 'Chart.yaml';

/** The name a chart's rendered output uses in `# Source:` comments: Chart.yaml's `name`, else its directory. */
export function chartName(chartFile: string): string {
  try {
    const match = /^name:[ \t]*["']?([^"'\s#]+)/m.exec(readFileSync(chartFile, 'utf8'));
    if (match) return match[1];
  } catch {
    // unreadable: fall back to the directory's name
  }
  return basename(dirname(chartFile));
}

export function chartIndex(chartFiles: readonly string[]): ChartIndex {
  const byName = new Map<string, string[]>();
  for (const file of chartFiles) {
    const name = chartName(file);
    const list = byName.get(name) ?? [];
    list.push(dirname(file));
    byName.set(name, list);
  }
  return { byName };
}

/**
 * One notice per chart directory among the scanned files; the "skipped: template" notices of files inside a chart
 * are dropped (the chart's notice covers them).
 */
export function chartNotices(
  shownFiles: readonly string[],
  notices: readonly Notice[],
  cwd: string,
  display: (absolute: string) => string,
): Notice[] {
  const chartDirs = shownFiles.filter((f) => basename(f) === CHART_FILE).map((f) => dirname(resolve(cwd, f)));
  if (chartDirs.length === 0) return [...notices];
  const inChart = (file: string) =>
    chartDirs.some((dir) => {
      const rel = relative(dir, resolve(cwd, file));
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
  const kept = notices.filter((n) => !(n.file && n.message.startsWith('skipped: template') && inChart(n.file)));
  for (const dir of chartDirs) {
    const shown = display(dir) || '.';
    kept.push({
      file: display(resolve(dir, CHART_FILE)),
      kind: 'helm-chart',
      ...pathMessage(
        'Helm chart ',
        { path: shown },
        ' is not rendered by meshlint, so its templates are not linted: render it (helm template ',
        { path: shown },
        ' | meshlint -) and lint the output',
      ),
    });
  }
  return kept;
}
