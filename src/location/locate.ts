// Offsets and paths -> ranges. A leaf: parse (parser threads locate too) and engine both use it, and it knows
// neither. Rules name a path in a document; this walks the YAML syntax tree (the last of duplicate keys, as
// Kubernetes keeps the last) and returns 1-based line/column ranges, end column exclusive (SARIF's convention).
import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq } from '../yaml-nodes.js';
import type { LocatedAsRead } from './as-read.js';

/** A path inside a document: map keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** What a finding underlines: the whole `key: value` pair (default), the key alone, or the value alone. */
export type Target = 'key' | 'value' | 'pair';

export interface Range {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Located {
  readonly range: Range;
  /** The tail of the path that does not exist in the document (empty when the path was found). */
  readonly missing: Path;
}

/** Where a text's lines start, and the line and column of an offset (as the YAML library's LineCounter gives them). */
export interface TextLines {
  readonly lineStarts: ArrayLike<number> & Iterable<number>;
  linePos(offset: number): { line: number; col: number };
}

/** Text that ranges are computed in; embedded text (a config held in a YAML string) maps into its host. */
export interface LocatableText {
  readonly text: string;
  readonly lineCounter: TextLines;
  readonly origin?: { readonly file: LocatableText; readonly toHostOffset: (offset: number) => number };
}

/** A document of such a text: its index in the file, its offsets and its syntax tree (built on first use). */
export interface LocatableDocument {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly ast: Document.Parsed;
  /** A tree to locate in that is cheaper to build than `ast` (built anew on each call); when undefined, `ast`. */
  leanTree?(): LocationTree | undefined;
  /**
   * Such a tree holding only what locating `paths` reads (any target), built anew on each call: as large as the paths,
   * not as the document. Undefined when there is none (then `leanTree` has none either). With `asRead` (for the same
   * paths), it may locate paths while the tree is read, and leave their nodes out (see LocatedAsRead).
   */
  leanTreeFor?(paths: readonly Path[], asRead?: LocatedAsRead): LocationTree | undefined;
}

/**
 * What locating reads of a syntax tree: its root node (a parsed Document, or a lighter tree of the same node classes
 * and ranges).
 */
export interface LocationTree {
  readonly contents: unknown;
}

export function rangeOfOffsets(file: LocatableText, start: number, end: number): Range {
  // Embedded text: report in the host file, where the user can see it.
  if (file.origin)
    return rangeOfOffsets(
      file.origin.file,
      file.origin.toHostOffset(start),
      Math.max(file.origin.toHostOffset(start) + 1, file.origin.toHostOffset(end)),
    );
  const from = file.lineCounter.linePos(Math.max(0, Math.min(start, file.text.length)));
  const to = file.lineCounter.linePos(Math.max(start + 1, Math.min(end, file.text.length)));
  return { startLine: from.line, startColumn: from.col, endLine: to.line, endColumn: to.col };
}

/** Locates a path in a document (no memo: see LocationMemo for the memoised form a lint run uses). */
export function locate(file: LocatableText, document: LocatableDocument, path: Path, target: Target = 'pair'): Located {
  const tree = document.leanTree?.() ?? document.ast;
  const { start, end, missing } = locateOffsets(file.text, tree, document.start, document.end, path, target);
  return { range: rangeOfOffsets(file, start, end), missing };
}

/** Offsets of a path in a parsed document: pure over text and tree, so a parser thread can compute it too. */
export interface LocatedOffsets {
  readonly start: number;
  readonly end: number;
  readonly missing: Path;
}

/**
 * The memo's key of a location: `index \0 target \0 path segments joined by \0`, made as one flat string by a join.
 * (A template literal makes a tree of concatenations that a Map flattens into a copy when it hashes the key: both
 * were kept, and the pieces promoted as garbage, once per location.)
 */
export function locationKey(documentIndex: number, path: Path, target: Target): string {
  // Its parts in an array of exact size: a literal grown by pushes is given room for 16 more (~130 bytes each time,
  // and a key is made for every finding when a lint finishes: on a decK file of 84,000 findings, 8 MB moved to V8's
  // old generation, where it stayed).
  const parts: (string | number)[] = new Array(Math.max(path.length, 1) + 2);
  parts[0] = documentIndex;
  parts[1] = target;
  if (path.length === 0) parts[2] = '';
  for (let k = 0; k < path.length; k++) parts[k + 2] = path[k];
  return parts.join('\0');
}

/** The tail of a path that was found whole: shared, never changed. */
export const NOTHING_MISSING: Path = Object.freeze([]);

/**
 * Where `path` is in a document's tree, as offsets; with `from`, `ast.contents` is the node at the path's first
 * `from` segments, reached through a sequence (no pair leads to it): the path's first `from` segments are not read.
 */
export function locateOffsets(
  text: string,
  ast: LocationTree,
  documentStart: number,
  documentEnd: number,
  path: Path,
  target: Target,
  from = 0,
): LocatedOffsets {
  let node: unknown = ast.contents;
  let pair: Pair<Node, unknown> | undefined;
  let found = from;
  for (; found < path.length; found++) {
    const segment = path[found];
    const resolved = resolveAlias(node, ast);
    let next: unknown;
    let nextPair: Pair<Node, unknown> | undefined;
    if (isMap(resolved)) {
      nextPair = pairFor(resolved.items, segment, ast);
      next = nextPair?.value;
    } else if (isSeq(resolved) && typeof segment === 'number') {
      next = resolved.items[segment];
    }
    if (nextPair === undefined && next === undefined) break;
    pair = nextPair;
    node = next;
  }
  const missing = found === path.length ? NOTHING_MISSING : path.slice(found);
  const [start, end] = span(
    text,
    node as Node | null,
    pair,
    missing.length > 0 ? 'key' : target,
    documentStart,
    documentEnd,
  );
  return { start, end, missing };
}

/**
 * The pair that gives a map its value for `segment`, as go-yaml decodes it: in order, the last one wins, and a merge
 * key (`<<`) counts where it stands: its maps' pair wins over an earlier explicit key (the first of a list wins).
 */
function pairFor(
  items: readonly unknown[],
  segment: string | number,
  ast: LocationTree,
  depth = 0,
): Pair<Node, unknown> | undefined {
  let winner: Pair<Node, unknown> | undefined;
  for (const item of items) {
    if (!isPair(item)) continue;
    if (depth < 10 && isScalar(item.key) && (item.key as { source?: string }).source === '<<' && !item.key.tag) {
      const value = resolveAlias(item.value, ast);
      const sources = isSeq(value) ? value.items.map((m) => resolveAlias(m, ast)) : [value];
      for (const source of sources) {
        const merged = isMap(source) ? pairFor(source.items, segment, ast, depth + 1) : undefined;
        if (merged) {
          winner = merged;
          break;
        }
      }
    } else if (keyMatches(item.key, segment)) {
      winner = item as Pair<Node, unknown>;
    }
  }
  return winner;
}

function keyMatches(key: unknown, segment: string | number): boolean {
  return isScalar(key) ? String(key.value) === String(segment) : false;
}

/** Aliases are only found in a parsed Document (the lighter trees have none). */
function resolveAlias(node: unknown, doc: LocationTree): unknown {
  return isAlias(node) ? node.resolve(doc as Document.Parsed) : node;
}

function span(
  text: string,
  node: Node | null,
  pair: Pair<Node, unknown> | undefined,
  target: Target,
  documentStart: number,
  documentEnd: number,
): [number, number] {
  const value = node && node.range ? node : undefined;
  const key = pair && isScalar(pair.key) && pair.key.range ? pair.key : undefined;
  const isCollection = value !== undefined && (isMap(value) || isSeq(value));
  if (target === 'value' && value)
    return isCollection
      ? firstLine(text, value.range![0], value.range![1], value)
      : [value.range![0], scalarEnd(text, value)];
  if (key) {
    if (target === 'key' || !value || isCollection) return [key.range![0], key.range![1]];
    return [key.range![0], scalarEnd(text, value)];
  }
  if (value)
    return isCollection
      ? firstLine(text, value.range![0], value.range![1], value)
      : [value.range![0], scalarEnd(text, value)];
  return firstLine(text, documentStart, documentEnd);
}

/** A block scalar's range includes its last line break: end on its last character, not on the next key's line. */
function scalarEnd(text: string, value: Node): number {
  const [start, end] = value.range!;
  let last = end;
  while (last > start + 1 && /\s/.test(text[last - 1])) last--;
  return last;
}

/** From start to the end of its line (without trailing blanks or comment): a collection is shown by its first line. */
function firstLine(text: string, start: number, end: number, node?: Node): [number, number] {
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd === -1 || lineEnd > end) lineEnd = end;
  // A `#` after the last node that starts on this line can only begin a comment.
  if (node) {
    const from = Math.max(start, contentEnd(node, lineEnd));
    const comment = text.slice(from, lineEnd).search(/(^|\s)#/);
    if (comment !== -1) lineEnd = from + comment;
  }
  while (lineEnd > start + 1 && /\s/.test(text[lineEnd - 1])) lineEnd--;
  return [start, Math.max(lineEnd, start + 1)];
}

/** The end of the last node (key or value) of `node` that starts before `lineEnd`, clipped to it. */
function contentEnd(node: unknown, lineEnd: number): number {
  if (isPair(node)) return Math.max(contentEnd(node.key, lineEnd), contentEnd(node.value, lineEnd));
  const range = (node as Node | null)?.range;
  if (!range || range[0] >= lineEnd) return -1;
  if (range[1] <= lineEnd) return range[1];
  if (!isMap(node) && !isSeq(node)) return lineEnd;
  // (A tree built for some paths only has holes in its sequences: see readLocationTree.)
  let last = -1;
  for (const item of node.items) if (item !== undefined) last = Math.max(last, contentEnd(item, lineEnd));
  return last;
}
