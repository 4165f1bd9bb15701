// The `# expect:` markers (grammar in src/engine/examples.ts, which `meshlint test-rules` uses too) and the fixture
// folders they are checked in.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expectedFindings } from '../src/engine/examples.js';
import { scan, type ScanResult } from '../src/scan.js';

export { actualFindings, expectedFindings, spanText } from '../src/engine/examples.js';

const FIXTURES = 'fixtures';

/** The fixture folders, each scanned as one repository. Folders starting with _ hold markers of rules not wired yet. */
export function fixtureUnits(): string[] {
  return readdirSync(FIXTURES)
    .filter((name) => !name.startsWith('_') && statSync(join(FIXTURES, name)).isDirectory())
    .sort();
}

/** Scans a fixture folder with its own .meshlint.yaml (or none) and reads its markers. */
export async function scanFixture(unit: string): Promise<{ result: ScanResult; expected: string[] }> {
  const dir = join(FIXTURES, unit);
  const config = join(dir, '.meshlint.yaml');
  const result = await scan({ cwd: dir, paths: ['.'], configPath: existsSync(config) ? resolve(config) : false });
  // Custom rule files are configuration: the markers in their examples are for `meshlint test-rules`. Rendered
  // Helm output carries its templates' markers (helm copies comments): they are checked in the templates.
  const ruleFiles = new Set(result.config.custom.files);
  const manifests = filesUnder(dir).filter((file) => !ruleFiles.has(resolve(file)));
  const expected = manifests
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }))
    .filter(({ text }) => !/^# Source: /m.test(text))
    .flatMap(({ file, text }) => expectedFindings(relative(dir, file), text))
    .sort();
  return { result, expected };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name) && !e.name.startsWith('.meshlint'))
    .map((e) => join(e.parentPath, e.name));
}
