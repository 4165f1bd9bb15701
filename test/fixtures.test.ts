// One harness for every fixture: each folder under fixtures/ is scanned as a repository (with its own
// .meshlint.yaml if it has one) and its findings must be exactly the `# expect:` markers, by rule id and line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { actualFindings, expectedFindings } from './expect.js';

const root = 'fixtures';
// Folders starting with _ hold markers of rules not wired yet (tested elsewhere until their rule file exists).
const units = readdirSync(root).filter((name) => !name.startsWith('_') && statSync(join(root, name)).isDirectory()).sort();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name) && !e.name.startsWith('.meshlint'))
    .map((e) => join(e.parentPath, e.name));
}

describe('fixtures', () => {
  it('exist', () => {
    expect(units.length).toBeGreaterThan(0);
  });

  it.each(units)('%s: findings are exactly the # expect: markers', async (unit) => {
    const dir = join(root, unit);
    const config = join(dir, '.meshlint.yaml');
    const result = await scan({ cwd: dir, paths: ['.'], configPath: existsSync(config) ? resolve(config) : false });
    // Custom rule files are configuration: the markers in their examples are for `meshlint test-rules`.
    const ruleFiles = new Set(result.config.custom.files);
    const manifests = filesUnder(dir).filter((file) => !ruleFiles.has(resolve(file)));
    const expected = manifests.flatMap((file) => expectedFindings(relative(dir, file), readFileSync(file, 'latin1'))).sort();
    expect(actualFindings(result.findings)).toEqual(expected);
    for (const finding of result.findings) {
      expect(finding.range.startLine).toBeGreaterThanOrEqual(1);
      expect(finding.range.startColumn).toBeGreaterThanOrEqual(1);
      expect(finding.range.endLine * 1e6 + finding.range.endColumn).toBeGreaterThan(finding.range.startLine * 1e6 + finding.range.startColumn - 1);
    }
  });
});
