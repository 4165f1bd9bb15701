// Properties of reading, over generated streams of manifests built around the constructs where readers
// disagree: reading never throws, every problem is inside the file, one broken document never hides or changes
// another (each part reads the same alone as in its stream), and nothing is silently dropped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { splitYamlStream } from '../src/parse/stream.js';
import { breakageArbitrary, manifestArbitrary } from './yaml-constructs.js';

const streamArbitrary = fc.record({
  documents: fc.array(manifestArbitrary, { minLength: 1, maxLength: 4 }),
  broken: fc.option(fc.record({ at: fc.nat(), breakage: breakageArbitrary }), { nil: undefined }),
  separator: fc.constantFrom('---\n', '--- # next\n', '---   \n'),
});

describe('reading generated manifests', () => {
  it('never throws, locates every problem inside the file, and reads each document as it reads it alone', {
    timeout: 120_000,
  }, () => {
    const started = Date.now();
    fc.assert(
      fc.property(streamArbitrary, ({ documents, broken, separator }) => {
        const parts = [...documents];
        const brokenIndex = broken ? broken.at % parts.length : -1;
        if (broken) parts[brokenIndex] = broken.breakage(parts[brokenIndex]);
        const text = parts.join(separator);
        const file = parseSource('stream.yaml', text);
        for (const problem of file.problems) {
          expect(problem.start).toBeGreaterThanOrEqual(0);
          expect(problem.start).toBeLessThanOrEqual(text.length);
        }
        // Each part alone reads to the same value: no document changes how another is read.
        const cut = splitYamlStream(text).parts;
        expect(cut).toHaveLength(parts.length);
        parts.forEach((part, k) => {
          const alone = parseSource('alone.yaml', part);
          const inStream = file.documents.find((d) => d.index === k);
          const aloneFailed = alone.problems.some((p) => p.code === 'parse-error');
          if (aloneFailed) {
            // A broken part is a parse-error inside that part of the stream, never silence.
            const partStart = cut[k].start;
            const partEnd = cut[k].end;
            expect(
              file.problems.some((p) => p.code === 'parse-error' && p.start >= partStart && p.start <= partEnd),
            ).toBe(true);
            expect(inStream?.value).toBeUndefined();
          } else {
            expect(inStream?.value).toStrictEqual(alone.documents[0]?.value);
          }
        });
        // Every part that reads alone is read in the stream: the broken one hides nothing.
        const readable = parts.filter(
          (part) => !parseSource('alone.yaml', part).problems.some((p) => p.code === 'parse-error'),
        );
        expect(file.documents.filter((d) => d.value !== undefined)).toHaveLength(readable.length);
      }),
      { numRuns: 150, seed: 1111 },
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('turns input beyond the limits into located findings in bounded time', () => {
    const cases = {
      nesting: `a: ${'['.repeat(1200)}${']'.repeat(1200)}\n`,
      aliases: `a: &a [x, x, x, x, x, x, x, x, x, x]\n${'bcdefghijk'
        .split('')
        .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghijk'[i]}`).join(', ')}]`)
        .join('\n')}\n`,
      wide: `items: [${Array.from({ length: 200_000 }, (_, i) => i).join(', ')}]\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const started = Date.now();
      const file = parseSource(`${name}.yaml`, text);
      expect(Date.now() - started, name).toBeLessThan(20_000);
      if (name === 'wide') expect((file.documents[0].value as { items: number[] }).items).toHaveLength(200_000);
      else
        expect(
          file.problems.map((p) => p.code),
          name,
        ).toContain('parse-error');
    }
  });
});
