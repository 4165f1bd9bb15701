// Suppression directives (`# meshlint-disable[-next-line] ids -- reason`) read from comment lines: the expression
// that finds them has no lookahead (so recheck proves it with its automaton checker); these tests hold it to the
// reading the earlier lookahead form gave, columns included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDirectives } from '../src/engine/suppress.js';
import type { SourceFile } from '../src/parse/source.js';

/** The earlier reading, kept here as the reference: keyword, then a blank or the end, then the rest of the line. */
const LOOKAHEAD_FORM = /(?:^|\s)#\s*(meshlint-disable(?:-next-line)?)(?=\s|$)(.*)/;

function referenceRead(line: string) {
  const match = LOOKAHEAD_FORM.exec(line);
  if (!match) return undefined;
  const rest = match[2];
  const at = rest.indexOf('--');
  const body = (at === -1 ? rest : rest.slice(0, at)).trim();
  const listed = body.split(/\s#/)[0];
  const listedAt = match.index + match[0].length - rest.length + rest.indexOf(listed);
  const ids = [...listed.matchAll(/[^\s,]+/g)];
  return { rules: ids.map((id) => id[0]), ruleColumns: ids.map((id) => listedAt + id.index + 1) };
}

const read = (line: string) => {
  const [directive] = readDirectives({ text: `${line}\nkind: Pod\n` } as SourceFile); // only its text is read
  return directive && { rules: directive.rules, ruleColumns: directive.ruleColumns };
};

describe('suppression directives', () => {
  it('reads rule ids and their columns after a blank, and none after a line terminator', () => {
    expect(read('# meshlint-disable-next-line a, b -- why')).toEqual({ rules: ['a', 'b'], ruleColumns: [30, 33] });
    expect(read('x: 1 #\tmeshlint-disable\tc')).toEqual({ rules: ['c'], ruleColumns: [25] });
    expect(read('# meshlint-disable\r')).toEqual({ rules: [], ruleColumns: [] });
    expect(read('# meshlint-disable\u2028 c')).toEqual({ rules: [], ruleColumns: [] });
    expect(read('# meshlint-disablefoo')).toBeUndefined();
    expect(read('# meshlint-disablefoo # meshlint-disable d')).toEqual({ rules: ['d'], ruleColumns: [42] });
  });

  it('reads every line as the lookahead form did (random lines of directive parts)', () => {
    const part = fc.constantFrom(
      '#',
      ' ',
      '\t',
      '\r',
      '\u2028',
      '\u00a0',
      'meshlint-disable',
      '-next-line',
      'rule-a',
      ',',
      '--',
      'x',
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 10 }), (parts) => {
        const line = parts.join('');
        expect(read(line)).toEqual(line.includes('meshlint-disable') ? referenceRead(line) : undefined);
      }),
      { numRuns: 3000 },
    );
  });
});
