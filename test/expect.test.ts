// The marker grammar of the harness: what it accepts, and that it refuses markers that would check nothing.
import { describe, expect, it } from 'vitest';
import { expectedFindings, spanText } from './expect.js';

describe('# expect: markers', () => {
  it('reads one or several spans on a line, and spans that end on a later line', () => {
    const text =
      'a: 1\nprivileged: true # expect: rule-a @1-17, rule-b @1-11\nkey: | # expect: rule-c @6-+2:9\n  x\n  password\n';
    expect(expectedFindings('f.yaml', text)).toEqual([
      'f.yaml:2 rule-a @1-17',
      'f.yaml:2 rule-b @1-11',
      'f.yaml:3 rule-c @6-+2:9',
    ]);
    expect(expectedFindings('f.yaml', text, 'rule-b')).toEqual(['f.yaml:2 rule-b @1-11']);
  });

  it('reads markers on CRLF lines', () => {
    expect(expectedFindings('f.yaml', 'x: 1 # expect: rule-a @1-5\r\n')).toEqual(['f.yaml:1 rule-a @1-5']);
  });

  it.each([
    ['no span', '# expect: rule-a'],
    ['one entry without span', '# expect: rule-a @1-5, rule-b'],
    ['an empty span', '# expect: rule-a @5-5'],
    ['column 0', '# expect: rule-a @0-5'],
    ['zero lines further down', '# expect: rule-a @1-+0:5'],
    ['a line instead of columns', '# expect: rule-a @12'],
  ])('refuses a marker with %s', (_what, marker) => {
    expect(() => expectedFindings('f.yaml', `x: 1 ${marker}\n`)).toThrow(/f\.yaml:1/);
  });

  it('writes a finding range the way markers do', () => {
    expect(spanText({ startLine: 4, startColumn: 3, endLine: 4, endColumn: 19 })).toBe('@3-19');
    expect(spanText({ startLine: 4, startColumn: 17, endLine: 6, endColumn: 30 })).toBe('@17-+2:30');
  });
});
