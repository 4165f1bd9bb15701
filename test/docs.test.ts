// Docs are generated from rule metadata and executed examples; this fails when a page is stale or missing.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedDocs, readmeWithTable } from '../scripts/gen-docs.js';

describe('generated documentation (run npm run docs when this fails)', () => {
  const docs = expectedDocs();

  it.each([...docs.keys()])('%s is up to date', (path) => {
    expect(existsSync(path), `${path} is missing`).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(docs.get(path));
  });

  it('has no page for a rule that does not exist', () => {
    const pages = readdirSync('docs/rules').map((f) => `docs/rules/${f}`);
    expect(pages.filter((p) => !docs.has(p))).toEqual([]);
  });

  it('README.md carries the current rule table', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('<!-- rules:start');
    expect(readmeWithTable(readme)).toBe(readme);
  });
});
