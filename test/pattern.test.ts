import { describe, expect, it } from 'vitest';
import { compileUserPattern } from '../src/engine/pattern.js';

describe('user patterns', () => {
  it('search the value, case-insensitively on request', () => {
    const plain = compileUserPattern('corp\\.example');
    const folded = compileUserPattern('^REGISTRY', { ignoreCase: true });
    expect(plain.ok && plain.pattern.test('registry.corp.example/app')).toBe(true);
    expect(plain.ok && plain.pattern.test('registry.corpXexample/app')).toBe(false);
    expect(folded.ok && folded.pattern.test('registry.corp.example')).toBe(true);
  });

  it('reject what RE2 cannot run, with the reason', () => {
    const lookahead = compileUserPattern('(?=a)b');
    const broken = compileUserPattern('(a');
    expect(lookahead).toMatchObject({ ok: false, error: expect.stringContaining('(?=') });
    expect(broken).toMatchObject({ ok: false, error: expect.stringContaining('missing closing )') });
  });

  it('run in linear time on a pattern that backtracks exponentially in JavaScript', () => {
    const nested = compileUserPattern('^(a+)+$');
    const value = `${'a'.repeat(100_000)}!`;
    const started = performance.now();
    expect(nested.ok && nested.pattern.test(value)).toBe(false);
    // The JavaScript engine needs longer than the age of the universe here; RE2 a few milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
