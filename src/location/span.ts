// A finding inside a string value (a password on line 7 of an application.properties held in a ConfigMap key, a
// token inside JSON in a double-quoted string): the range of those characters in the file, instead of the whole
// value. Exact in every scalar style (see scalar-offsets.ts); when the source does not read as the value the rule
// saw (a value built from several files, a !!binary one), the value's range is kept.
import type { SourceFile } from '../parse/source.js';
import { rangeOfOffsets, type Range } from './locate.js';
import { scalarOffsets, sourceSpan } from './scalar-offsets.js';

export function narrowToSpan(file: SourceFile, value: Range, text: string, span: readonly [number, number]): Range {
  const starts = file.lineCounter.lineStarts;
  const start = starts[value.startLine - 1] + value.startColumn - 1;
  const end = (starts[value.endLine - 1] ?? file.text.length) + value.endColumn - 1;
  const map = scalarOffsets(file.text, start, end, text);
  if (map.value !== text) return value;
  const offsets = sourceSpan(map, span[0], span[1]);
  return offsets ? rangeOfOffsets(file, offsets[0], offsets[1]) : value;
}
