// Fixes as text edits. A rule declares a fix as data (set a path to a value, remove a key or a list item); this
// turns it into the smallest edits of the file's text that do it, at the file's own indentation, leaving every
// comment and every other line as it was. The edited text is read back: a fix that would not parse, or would not
// leave the intended value, is refused (never a half-applied fix).
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { yaml } from '../lazy-packages.js';
import { isMap, isPair, isScalar, isSeq } from '../yaml-nodes.js';
import type { Path } from '../model/values.js';
import type { FixChange, FixValue } from './rule.js';
import type { FindingFix } from './run.js';

/** Replace text[start, end) with `text` (offsets in the file's text). */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Nested keys are indented by this much more than their parent when the file shows no other step. */
const INDENT_STEP = 2;

/** The file's indentation step: the smallest indentation of a line that holds a key (not a list dash or comment). */
function indentStep(text: string): number {
  let step = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (indent === 0 || line[indent] === '-' || line[indent] === '#' || line.trim() === '') continue;
    if (step === 0 || indent < step) step = indent;
  }
  return step >= 1 && step <= 8 ? step : INDENT_STEP;
}

/** The reason written into a suppression comment: a placeholder the author replaces with the real one. */
export const SUPPRESSION_REASON_PLACEHOLDER = 'TODO: say why this is acceptable';

function parseDocuments(text: string): Document.Parsed[] {
  return yaml().parseAllDocuments(text, { version: '1.1', prettyErrors: false }) as Document.Parsed[];
}

/** The edits that apply a finding's fix to the text, or undefined when they cannot be made safely. */
export function fixEdits(text: string, fix: FindingFix): TextEdit[] | undefined {
  let current = text;
  const applied: TextEdit[][] = [];
  for (const change of fix.changes) {
    const docs = parseDocuments(current);
    const doc = docs[fix.document];
    if (!doc || doc.errors.length > 0) return undefined;
    const edits =
      'set' in change ? setEdits(current, doc, change.set, change.value) : removeEdits(current, doc, change.remove);
    if (!edits) return undefined;
    current = applyEdits(current, edits);
    if (!readsBack(current, fix.document, change)) return undefined;
    applied.push(edits);
  }
  // Several changes were made one after the other: express them as one edit of the span that differs.
  return applied.length === 1 ? applied[0] : [diffSpan(text, current)];
}

/** A comment that suppresses a rule on a line (1-based), above it at its indentation; undefined where it cannot go. */
export function suppressionEdit(
  text: string,
  line: number,
  ruleId: string,
  reason = SUPPRESSION_REASON_PLACEHOLDER,
): TextEdit | undefined {
  const start = lineStartOf(text, line);
  if (start === undefined) return undefined;
  const indent = /^[ \t]*/.exec(text.slice(start))![0];
  const edit = { start, end: start, text: `${indent}# meshlint-disable-next-line ${ruleId} -- ${reason}\n` };
  // Inside a multi-line string a '#' line would be part of the string: the documents must read the same after.
  const before = parseDocuments(text);
  const after = parseDocuments(applyEdits(text, [edit]));
  if (before.length !== after.length) return undefined;
  for (let i = 0; i < before.length; i++) {
    if (before[i].errors.length !== after[i].errors.length) return undefined;
    if (before[i].errors.length === 0 && JSON.stringify(valueOf(before[i])) !== JSON.stringify(valueOf(after[i])))
      return undefined;
  }
  return edit;
}

/** Applies non-overlapping edits (in any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

function valueOf(doc: Document.Parsed): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function readsBack(text: string, index: number, change: FixChange): boolean {
  const doc = parseDocuments(text)[index];
  if (!doc || doc.errors.length > 0) return false;
  const value = valueOf(doc);
  if ('set' in change) return JSON.stringify(valueAt(value, change.set)) === JSON.stringify(change.value);
  return !hasPath(value, change.remove);
}

function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function hasPath(value: unknown, path: Path): boolean {
  const parent = valueAt(value, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) return false; // an index always "exists" after removal; the parse check suffices
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, String(last));
}

interface Walked {
  /** The deepest node found on the path (the document's root when nothing was). */
  readonly node: unknown;
  /** The pair holding it, when it is a map value. */
  readonly pair?: Pair<Node, unknown>;
  readonly parent?: YAMLMap | YAMLSeq;
  readonly found: number;
}

function walk(doc: Document.Parsed, path: Path): Walked {
  let node: unknown = doc.contents;
  let pair: Pair<Node, unknown> | undefined;
  let parent: YAMLMap | YAMLSeq | undefined;
  let found = 0;
  for (const segment of path) {
    if (isMap(node)) {
      let next: Pair<Node, unknown> | undefined;
      for (const item of node.items)
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
          next = item as Pair<Node, unknown>;
      if (!next) break;
      parent = node;
      pair = next;
      node = next.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      parent = node;
      pair = undefined;
      node = node.items[segment];
    } else {
      break;
    }
    found++;
  }
  return { node, pair, parent, found };
}

function setEdits(text: string, doc: Document.Parsed, path: Path, value: FixValue): TextEdit[] | undefined {
  const { node, pair, found } = walk(doc, path);
  const missing = path.slice(found);
  if (missing.some((s) => typeof s !== 'string')) return undefined;
  const keys = missing as string[];
  if (keys.length === 0) {
    // The key exists: replace its scalar value (a map or list there is not something to overwrite).
    if (isScalar(node) && node.range && !(node.value === null && node.range[0] === node.range[1])) {
      return [
        {
          start: node.range[0],
          end: node.range[1],
          text: formatScalar(value, node.type === 'QUOTE_DOUBLE' && typeof value === 'string'),
        },
      ];
    }
    if (
      (node === null || node === undefined || (isScalar(node) && node.value === null)) &&
      pair &&
      isScalar(pair.key) &&
      pair.key.range
    ) {
      const colon = text.indexOf(':', pair.key.range[1]);
      return colon === -1 ? undefined : [{ start: colon + 1, end: colon + 1, text: ` ${formatScalar(value, false)}` }];
    }
    return undefined;
  }
  if (isMap(node))
    return node.flow
      ? insertIntoFlowMap(text, node, keys, value, isJson(doc))
      : insertIntoBlockMap(text, node, keys, value);
  // An empty value (`securityContext:`): the missing keys go on the lines below the key.
  if (
    (node === null || node === undefined || (isScalar(node) && node.value === null)) &&
    pair &&
    isScalar(pair.key) &&
    pair.key.range
  ) {
    const keyColumn = pair.key.range[0] - lineStartAt(text, pair.key.range[0]);
    const end = lineEndAt(text, pair.key.range[1]);
    const step = indentStep(text);
    return [{ start: end, end, text: `\n${blockLines(keys, value, keyColumn + step, step)}` }];
  }
  return undefined;
}

function insertIntoBlockMap(text: string, map: YAMLMap, keys: string[], value: FixValue): TextEdit[] | undefined {
  if (!map.range || map.items.length === 0) return undefined;
  const indent = map.range[0] - lineStartAt(text, map.range[0]);
  // After the line where the map's last entry ends (a trailing comment on that line stays on it).
  const last = map.items[map.items.length - 1] as Pair<Node, unknown>;
  const lastNode =
    (isScalar(last.value) || isMap(last.value) || isSeq(last.value)) && last.value.range ? last.value : last.key;
  const end = (lastNode as Node).range?.[1];
  if (end === undefined) return undefined;
  const lines = blockLines(keys, value, indent, indentStep(text));
  if (end > 0 && text[end - 1] === '\n') return [{ start: end, end, text: `${lines}\n` }];
  const lineEnd = lineEndAt(text, end);
  return [{ start: lineEnd, end: lineEnd, text: `\n${lines}` }];
}

/** A JSON document (a flow map with double-quoted keys) stays JSON. */
function isJson(doc: Document.Parsed): boolean {
  const root = doc.contents;
  const first = isMap(root) && root.flow ? root.items[0] : undefined;
  return first !== undefined && isScalar(first.key) && first.key.type === 'QUOTE_DOUBLE';
}

function insertIntoFlowMap(
  text: string,
  map: YAMLMap,
  keys: string[],
  value: FixValue,
  json: boolean,
): TextEdit[] | undefined {
  if (!map.range) return undefined;
  const entry = flowEntry(keys, value, json);
  if (map.items.length === 0) {
    const close = text.lastIndexOf('}', map.range[1] - 1);
    return close < map.range[0] ? undefined : [{ start: map.range[0], end: close + 1, text: `{ ${entry} }` }];
  }
  const last = map.items[map.items.length - 1] as Pair<Node, unknown>;
  const end =
    (isScalar(last.value) || isMap(last.value) || isSeq(last.value)) && last.value.range
      ? last.value.range[1]
      : (last.key as Node).range?.[1];
  return end === undefined ? undefined : [{ start: end, end, text: `, ${entry}` }];
}

function blockLines(keys: string[], value: FixValue, indent: number, step: number): string {
  return keys
    .map(
      (key, i) =>
        `${' '.repeat(indent + i * step)}${formatKey(key, false)}:${i === keys.length - 1 ? ` ${formatScalar(value, false)}` : ''}`,
    )
    .join('\n');
}

function flowEntry(keys: string[], value: FixValue, json: boolean): string {
  const [key, ...rest] = keys;
  const inner = rest.length ? `{ ${flowEntry(rest, value, json)} }` : formatScalar(value, json);
  return `${formatKey(key, json)}: ${inner}`;
}

const PLAIN = /^[A-Za-z_][\w./-]*$/;
// YAML 1.1 reads these plain words as booleans or null: they must be quoted to stay strings.
const RESERVED =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function formatKey(key: string, json: boolean): string {
  return json || !PLAIN.test(key) || RESERVED.test(key) ? JSON.stringify(key) : key;
}

function formatScalar(value: FixValue, json: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => formatScalar(v, json)).join(', ')}]`;
  if (typeof value !== 'string') return String(value);
  return json || !PLAIN.test(value) || RESERVED.test(value) ? JSON.stringify(value) : value;
}

function removeEdits(text: string, doc: Document.Parsed, path: Path): TextEdit[] | undefined {
  if (path.length === 0) return undefined;
  const { node, pair, parent, found } = walk(doc, path);
  if (found < path.length || !parent) return undefined;
  // The only entry: remove what holds it (an empty `portLevelMtls:` would read as null, not as "none").
  if (parent.items.length === 1 && path.length > 1) return removeEdits(text, doc, path.slice(0, -1));
  const start = isMap(parent) ? (pair?.key as Node | undefined)?.range?.[0] : (node as Node | undefined)?.range?.[0];
  const valueNode = (isMap(parent) ? pair?.value : node) as Node | null | undefined;
  const end = valueNode?.range?.[1] ?? (pair?.key as Node | undefined)?.range?.[1];
  if (start === undefined || end === undefined) return undefined;
  if (parent.flow) return removeFlowEntry(text, parent, start, end);
  const lineStart = lineStartAt(text, start);
  const lead = text.slice(lineStart, start);
  // A block entry owns its lines; a key that shares its line with a list item's dash is not removed alone.
  if (isMap(parent) ? /\S/.test(lead) : !/^\s*-\s*$/.test(lead)) return undefined;
  const stop = end > 0 && text[end - 1] === '\n' ? end : Math.min(text.length, lineEndAt(text, end) + 1);
  return [{ start: lineStart, end: stop, text: '' }];
}

function removeFlowEntry(text: string, parent: YAMLMap | YAMLSeq, start: number, end: number): TextEdit[] {
  const after = /^\s*,\s*/.exec(text.slice(end));
  if (after) return [{ start, end: end + after[0].length, text: '' }];
  const before = /,\s*$/.exec(text.slice(parent.range?.[0] ?? 0, start));
  return [{ start: before ? start - before[0].length : start, end, text: '' }];
}

function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndAt(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

function lineStartOf(text: string, line: number): number | undefined {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return undefined;
    offset = next + 1;
  }
  return offset;
}

/** One edit replacing the span where two texts differ. */
function diffSpan(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}
