// A finding inside a string value (a password on line 7 of an application.properties held in a ConfigMap key, a
// token inside JSON in a double-quoted string): the range of those characters in the file, instead of the whole
// value. Exact in every scalar style (see scalar-offsets.ts), also for text embedded in a host file's string (the
// offsets go through both); when the source does not read as the value the rule saw (a !!binary value, say), the
// value's range is kept.
import {
  locateOffsets,
  rangeOfOffsets,
  type LocatableDocument,
  type LocatableText,
  type Path,
  type Range,
} from './locate.js';
import { scalarOffsets, sourceSpan, type ScalarOffsets } from './scalar-offsets.js';

export function narrowToSpan(
  file: LocatableText,
  document: LocatableDocument,
  path: Path,
  value: Range,
  text: string,
  span: readonly [number, number],
): Range {
  const offsets = file.origin ? embeddedValueOffsets(file, document, path) : valueOffsets(file, value);
  if (!offsets) return value;
  const map = offsetsOf(file, offsets[0], offsets[1], text);
  if (map.value !== text) return value;
  const inSource = sourceSpan(map, span[0], span[1]);
  return inSource ? rangeOfOffsets(file, inSource[0], inSource[1]) : value;
}

// Findings come grouped by value (a long embedded file may hold many secrets): each file keeps its last value's
// offsets, for as long as the file lives.
const lastValue = new WeakMap<LocatableText, { start: number; end: number; text: string; map: ScalarOffsets }>();

function offsetsOf(file: LocatableText, start: number, end: number, text: string): ScalarOffsets {
  const last = lastValue.get(file);
  if (last?.start === start && last.end === end && last.text === text) return last.map;
  const map = scalarOffsets(file.text, start, end, text);
  lastValue.set(file, { start, end, text, map });
  return map;
}

/** The value's offsets from its range (a file of its own: the range is in its text). */
function valueOffsets(file: LocatableText, value: Range): [number, number] {
  const starts = file.lineCounter.lineStarts;
  const start = starts[value.startLine - 1] + value.startColumn - 1;
  const end = (starts[value.endLine - 1] ?? file.text.length) + value.endColumn - 1;
  return [start, end];
}

/** Embedded text: its ranges are in the host file, so locate the value again in the embedded text itself. */
function embeddedValueOffsets(
  file: LocatableText,
  document: LocatableDocument,
  path: Path,
): [number, number] | undefined {
  const tree = document.leanTree?.() ?? document.ast;
  const { start, end, missing } = locateOffsets(file.text, tree, document.start, document.end, path, 'value');
  return missing.length ? undefined : [start, end];
}
