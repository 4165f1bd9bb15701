import type { ScanResult } from '../scan.js';
import { formatCompact } from './compact.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { formatHtml } from './html.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export const FORMATS = ['text', 'compact', 'json', 'sarif', 'github', 'gitlab', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** Formats that show the mesh's posture, not only findings: the scan must compute it (`scan({ posture: true })`). */
export const POSTURE_FORMATS: ReadonlySet<Format> = new Set(['html']);

export interface FormatOptions {
  readonly color: boolean;
  readonly cwd: string;
}

export function formatResult(format: Format, result: ScanResult, options: FormatOptions): string {
  switch (format) {
    case 'text': return formatText(result, options);
    case 'compact': return formatCompact(result);
    case 'json': return formatJson(result);
    case 'sarif': return formatSarif(result, options);
    case 'github': return formatGithub(result);
    case 'gitlab': return formatGitlab(result);
    case 'html': return formatHtml(result);
  }
}
