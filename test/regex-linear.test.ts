// Every regular expression meshlint runs is checked for super-linear backtracking with recheck (a ReDoS checker that
// proves the absence of exponential and polynomial backtracking, or finds an attack string): the regex literals of
// src/ and rules/ are collected from the sources, so a new one cannot escape the check. Patterns from users never
// reach JavaScript's engine: they run on RE2 (src/engine/pattern.ts), and no source may build a RegExp at run time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROVIDER_CANDIDATES } from '../src/secrets/providers.js';

/** Patterns built at run time from tables, exported so that they are checked like literals. */
const CONSTRUCTED: Readonly<Record<string, RegExp>> = { 'src/secrets/providers.ts': PROVIDER_CANDIDATES };

interface Literal {
  readonly where: string;
  readonly source: string;
  readonly flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function collect(): { literals: Literal[]; constructed: string[] } {
  const literals: Literal[] = [];
  const constructed: string[] = [];
  for (const path of [...sourceFiles('src'), ...sourceFiles('rules')]) {
    const text = readFileSync(path, 'utf8');
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const where = () => `${path}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      if (ts.isRegularExpressionLiteral(node)) {
        const slash = node.text.lastIndexOf('/');
        literals.push({ where: where(), source: node.text.slice(1, slash), flags: node.text.slice(slash + 1) });
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'RegExp'
      ) {
        // src/generated is ajv's standalone code for the committed JSON schemas (their `pattern`s), not user input.
        if (!Object.hasOwn(CONSTRUCTED, path) && !path.startsWith('src/generated/')) constructed.push(where());
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (const [where, re] of Object.entries(CONSTRUCTED)) literals.push({ where, source: re.source, flags: re.flags });
  return { literals, constructed };
}

describe('regular expressions run in linear time', () => {
  const { literals, constructed } = collect();

  it('finds the regular expressions of the sources (so that the check below cannot pass on nothing)', () => {
    expect(literals.length).toBeGreaterThan(300);
    expect(literals.some((l) => l.where.startsWith('src/secrets/providers.ts'))).toBe(true);
  });

  it('builds no RegExp at run time but the exported tables (user patterns go through compileUserPattern, on RE2)', () => {
    expect(constructed).toEqual([]);
  });

  it('proves every regex literal free of super-linear backtracking (recheck)', { timeout: 600_000 }, async () => {
    const unique = new Map<string, Literal[]>();
    for (const l of literals) {
      const key = `/${l.source}/${l.flags}`;
      unique.set(key, [...(unique.get(key) ?? []), l]);
    }
    const problems: string[] = [];
    for (const [key, at] of unique) {
      const first = at[0];
      // The sticky and global flags change where matching starts, not how one attempt backtracks.
      // No wall-clock limits inside the fuzzer: an attack or incubation that ran out of time counted as a hit, so on a
      // loaded machine linear expressions were now and then reported polynomial. Its step limits still bound the work.
      const result = await check(first.source, first.flags.replace(/[gy]/g, ''), {
        timeout: 20_000,
        attackTimeout: null,
        incubationTimeout: null,
      });
      if (result.status !== 'safe') {
        const detail =
          result.status === 'vulnerable'
            ? `${result.complexity.type}, attack ${result.attack.pattern}`
            : `unknown: ${result.error?.kind ?? ''}`;
        problems.push(`${key} (${at.map((a) => a.where).join(', ')}): ${detail}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
