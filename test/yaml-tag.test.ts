// The `yaml` tag that rule examples are written with: indented in the rule file, dedented in the example.
import { describe, expect, it } from 'vitest';
import { yaml } from '../src/engine/rule.js';

describe('yaml`...`', () => {
  it('drops the first line break, the last line of blanks and the common indentation', () => {
    expect(yaml`
      a: 1
      b:
        - c
    `).toBe('a: 1\nb:\n  - c\n');
  });

  it('measures the indentation on lines with text only, and in spaces only', () => {
    expect(yaml`
        a: 1

          b: 2
    `).toBe('a: 1\n\n  b: 2\n');
    // A tab is not indentation: nothing is removed.
    expect(yaml`
  a: 1
\tb: 2
`).toBe('  a: 1\n\tb: 2\n');
  });

  it('keeps text without indentation, and a last line that holds text', () => {
    expect(yaml`a: 1`).toBe('a: 1');
    expect(yaml`
  a: 1
  b: 2`).toBe('a: 1\nb: 2');
    expect(yaml``).toBe('');
    expect(yaml`
`).toBe('');
  });

  it('interpolates values before dedenting', () => {
    const image = 'nginx:1.27';
    expect(yaml`
      image: ${image}
      replicas: ${3}
    `).toBe('image: nginx:1.27\nreplicas: 3\n');
  });
});
