// A JSON value (one part of a JSON stream, already valid for JSON.parse) that the YAML library reads without any
// problem: its value is JSON.parse's, so the library's tree is only needed to locate findings, and can be built on
// demand. Anything the library might report or read otherwise (a duplicate key, a `<<` key, tabs or CR, characters it
// treats specially, very long keys, deep nesting) leaves the part to the library as before.
import type { LocatedAsRead } from '../location/as-read.js';
import type { LocationTree, Path } from '../location/locate.js';
// (Nesting and key length limits as the lean reader's: deeper nesting and longer keys are left to the library.)
import {
  COLON,
  keyNode,
  LF,
  MAX_DEPTH,
  MAX_KEY_LENGTH,
  SPACE,
  setTreeRange,
  treeMap,
  treePair,
  treeSeq,
  wantedPaths,
} from './fast.js';

const QUOTE = 34;
const BACKSLASH = 92;

/** Whether the YAML library reads text[start, end), a valid JSON value, with no problem (see above). */
export function jsonPartReadsCleanly(text: string, start: number, end: number): boolean {
  // One entry per open collection: the keys of an object so far, undefined for an array.
  const open: (Set<string> | undefined)[] = [];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (open.push(c === 123 ? new Set() : undefined) > MAX_DEPTH) return false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      open.pop();
    } else if (c === QUOTE) {
      let close = i + 1;
      let escaped = false;
      for (; close < end; close++) {
        const d = text.charCodeAt(close);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          close++;
        } else if (d >= 0x7f && declinedCharacter(d)) return false;
      }
      const keys = open[open.length - 1];
      if (keys !== undefined && isKey(text, close + 1, end)) {
        if (close - i > MAX_KEY_LENGTH) return false;
        const key = escaped ? (JSON.parse(text.slice(i, close + 1)) as string) : text.slice(i + 1, close);
        if (key === '<<' || keys.has(key)) return false;
        keys.add(key);
      }
      i = close;
    } else if (c === 9 /* tab */ || c === 13 /* CR */) {
      return false;
    }
  }
  return true;
}

/** Whether the string closed before `from` is a key: the next character that is not a blank is `:`. */
function isKey(text: string, from: number, end: number): boolean {
  let at = from;
  while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 10)) at++;
  return text.charCodeAt(at) === 58 /* : */;
}

/** DEL and C1 controls, line/paragraph separators, byte order mark, non-characters (as the lean reader declines). */
function declinedCharacter(c: number): boolean {
  return (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff;
}

/**
 * The location tree (see readLocationTree in fast.ts) of text[start, end) when it is one JSON object or array that
 * jsonPartReadsCleanly accepts, surrounded by blanks only: the YAML library's tree of it (flow collections, quoted
 * keys, one scalar per value, each range the token's own offsets), built in one pass without the library. A JSON
 * document is read so both as a part of a JSON stream and as a YAML document (the library reads JSON as the flow
 * YAML it also is, with the same tree). Undefined, for the library to read, for anything else or in any doubt:
 * other syntax, tabs or CR, a newline between a key and its `:`, and whatever jsonPartReadsCleanly declines.
 *
 * With `paths`: only what locating those paths reads, as readLocationTree keeps it (every node is the whole tree's,
 * sequences keep their indexes with holes). Locating a collection underlines its first line up to the last node
 * starting there (locate.ts contentEnd): of the entries on a kept collection's first line, the last one that ends on
 * it is kept (its range alone) and the one that goes on past it (with the same entries of its own), which give that
 * end. A document written on one line is then as small a tree as its paths, not as the document.
 *
 * With `asRead` (for the same paths), as readLocationTree in fast.ts: each sequence entry, once read, is handed to it
 * to locate the paths below it, and left out of the tree unless a path ends at it (or it is one of the first-line
 * entries above): the tree holds one sequence entry's nodes at a time, not every path's (an Envoy bootstrap of 40,000
 * clusters on one line held 40,000 clusters' nodes, and the paths' tree, until the last was located). Its answers
 * hold only if the tree is returned: a document declined midway leaves it as it found it.
 */
export function readJsonLocationTree(
  text: string,
  start: number,
  end: number,
  paths?: readonly Path[],
  asRead?: LocatedAsRead,
): LocationTree | undefined {
  // (A document that does not start as JSON is told at once, before the paths' tree is made.)
  if (!startsJsonCollection(text, start, end)) return undefined;
  const reader = new JsonTreeReader(text, end);
  const locating = paths !== undefined && asRead !== undefined;
  if (locating) reader.asRead = asRead;
  try {
    return reader.document(start, locating ? asRead.wanted() : paths ? wantedPaths(paths) : true);
  } catch (error) {
    if (error !== DECLINED) throw error;
    if (locating) asRead.forget();
    return undefined;
  }
}

/**
 * Whether text[start, end) is one JSON object or array, with blanks only around it, that the YAML library reads
 * cleanly (jsonPartReadsCleanly) and readJsonLocationTree reads: checked in one pass that builds nothing (no value).
 */
export function isCleanJsonValue(text: string, start: number, end: number): boolean {
  try {
    new JsonTreeReader(text, end).document(start, undefined);
    return true;
  } catch (error) {
    if (error === DECLINED) return false;
    throw error;
  }
}

/** Whether the first character of text[start, end) that is not a space or line feed opens an object or array. */
function startsJsonCollection(text: string, start: number, end: number): boolean {
  let p = start;
  while (p < end && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === LF)) p++;
  const c = text.charCodeAt(p);
  return p < end && (c === OPEN_BRACE || c === OPEN_BRACKET);
}

/** Thrown (one object, no stack) when the reader declines the text. */
const DECLINED = Object.freeze({ declined: true });

const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** What is kept of a value: `true` all of it, path segments, or undefined (nothing, unless on a first line). */
type Wanted = true | WantedBelow | undefined;

/** What is kept below a node, by segment: the paths' tree (WantedSegments), or LocatedAsRead's paths. */
interface WantedBelow {
  get(key: string): WantedBelow | undefined;
}

/** Node kinds of a value read but not built (see JsonTreeReader.rangeNode). */
const SCALAR = 0;
const MAP = 1;
const SEQ = 2;

class JsonTreeReader {
  pos = 0;
  /** The first line feed at or after the last offset asked for (text.length when none): see lineEndAt. */
  #newline = -1;
  /** After value(): the kind and range of the value read. */
  kind = SCALAR;
  valueStart = 0;
  valueEnd = 0;
  /** After string(): whether the string held an escape. */
  escaped = false;
  /** Locates the paths below each sequence entry once it is read (see readJsonLocationTree). */
  asRead: LocatedAsRead | undefined = undefined;

  constructor(
    readonly text: string,
    readonly end: number,
  ) {}

  document(start: number, want: Wanted): LocationTree {
    this.pos = start;
    this.blanks();
    const c = this.text.charCodeAt(this.pos);
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw DECLINED;
    const contents = this.value(1, want, -1);
    this.blanks();
    if (this.pos !== this.end) throw DECLINED;
    return { contents };
  }

  /** Skips spaces and line feeds (JSON's tab and CR are left to the library, as jsonPartReadsCleanly leaves them). */
  blanks(): void {
    const { text, end } = this;
    let p = this.pos;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== LF) break;
    }
    this.pos = p;
  }

  /** The end of the line holding `p` (its line feed, or the end of the text): offsets asked for only grow. */
  lineEndAt(p: number): number {
    if (this.#newline < p) {
      const newline = this.text.indexOf('\n', p);
      this.#newline = newline === -1 ? this.text.length : newline;
    }
    return this.#newline;
  }

  /**
   * The value at pos, leaving pos after it. Built when wanted (`want`), or when it is a collection on the first line
   * `line` (its end, a line feed offset; -1 for none) of a kept collection and goes on past that line: then it keeps
   * the entries of that line locating its ancestor reads. Else only its kind and range are set.
   */
  value(depth: number, want: Wanted, line: number): unknown {
    const { text } = this;
    const at = this.pos;
    const c = text.charCodeAt(at);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth > MAX_DEPTH) throw DECLINED;
      return this.collection(c === OPEN_BRACE, depth, want, line);
    }
    if (c === QUOTE) this.string();
    else if (c === 45 /* - */ || (c >= 48 && c <= 57)) this.number();
    else if (text.startsWith('true', at)) this.pos += 4;
    else if (text.startsWith('false', at)) this.pos += 5;
    else if (text.startsWith('null', at)) this.pos += 4;
    else throw DECLINED;
    if (this.pos > this.end) throw DECLINED;
    this.kind = SCALAR;
    this.valueStart = at;
    this.valueEnd = this.pos;
    return want === undefined ? undefined : keyNode(null, at, this.pos);
  }

  /**
   * Entries of the collections being read (kept ones, and for a sequence their indexes), and keys of the maps being
   * read (for duplicates): shared stacks, each collection's from where it started. Its node is made when it closes,
   * with its entries in an array of their number (an array grown entry by entry was a larger one left behind per
   * node, allocated straight in old space).
   */
  readonly #entries: unknown[] = [];
  readonly #indexes: number[] = [];
  readonly #keys: string[] = [];

  collection(isMap: boolean, depth: number, want: Wanted, line: number): unknown {
    const { text } = this;
    const entries = this.#entries;
    const indexes = this.#indexes;
    const at = this.pos;
    const close = isMap ? CLOSE_BRACE : CLOSE_BRACKET;
    const base = entries.length;
    const keyBase = this.#keys.length;
    // A kept collection's first line, which locating it reads; a collection on an ancestor's first line has the same.
    const firstLine = want !== undefined || line !== -1 ? this.lineEndAt(at) : -1;
    // Of the entries on the first line that are not wanted: the last one ending on it, by its offsets (a map entry
    // also by its key's) and kind, and the one that goes on past it, built.
    let endedAt = -1;
    let endedKey: string | undefined;
    let endedKeyStart = 0;
    let endedKeyEnd = 0;
    let endedKind = SCALAR;
    let endedStart = 0;
    let endedEnd = 0;
    let across: unknown;
    let acrossAt = -1;
    let acrossKey: unknown;
    // A map's keys so far, for duplicates: on the shared stack while few, then in a Set of its own.
    let keySet: Set<string> | undefined;
    let index = 0;
    this.pos++;
    this.blanks();
    if (text.charCodeAt(this.pos) === close) this.pos++;
    else
      for (; ; index++) {
        let key: string | undefined;
        let keyStart = 0;
        let keyEnd = 0;
        const itemStart = this.pos;
        if (isMap) {
          keyStart = this.pos;
          if (text.charCodeAt(keyStart) !== QUOTE) throw DECLINED;
          this.string();
          keyEnd = this.pos;
          if (keyEnd - 1 - keyStart > MAX_KEY_LENGTH) throw DECLINED;
          key = this.escaped
            ? (JSON.parse(text.slice(keyStart, keyEnd)) as string)
            : text.slice(keyStart + 1, keyEnd - 1);
          if (key === '<<') throw DECLINED;
          if (keySet) {
            if (keySet.has(key)) throw DECLINED;
            keySet.add(key);
          } else {
            const keys = this.#keys;
            for (let k = keyBase; k < keys.length; k++) if (keys[k] === key) throw DECLINED;
            keys.push(key);
            if (keys.length - keyBase > 8) {
              keySet = new Set(keys.slice(keyBase));
              keys.length = keyBase;
            }
          }
          // The library takes a key and its `:` on one line only.
          while (text.charCodeAt(this.pos) === SPACE) this.pos++;
          if (text.charCodeAt(this.pos) !== COLON) throw DECLINED;
          this.pos++;
          this.blanks();
        }
        const below = want === true ? true : want === undefined ? undefined : want.get(isMap ? key! : String(index));
        const onFirstLine = below === undefined && firstLine !== -1 && itemStart < firstLine ? firstLine : -1;
        const child = this.value(depth + 1, below, onFirstLine);
        // A sequence entry whose paths are located as it is read is left out, but for what this collection's first
        // line needs of it: as an entry not wanted there (its range, or itself when it goes on past that line).
        const located = below !== undefined && !isMap && this.asRead?.entryRead(below, child) === true;
        if (below !== undefined && !located) {
          entries.push(isMap ? treePair(keyNode(key, keyStart, keyEnd), child) : child);
          if (!isMap) indexes.push(index);
        } else if (located ? firstLine !== -1 && itemStart < firstLine : onFirstLine !== -1) {
          if (located ? this.valueEnd <= firstLine : child === undefined) {
            endedAt = index;
            endedKey = key;
            endedKeyStart = keyStart;
            endedKeyEnd = keyEnd;
            endedKind = this.kind;
            endedStart = this.valueStart;
            endedEnd = this.valueEnd;
          } else {
            across = child;
            acrossAt = index;
            if (isMap) acrossKey = keyNode(key, keyStart, keyEnd);
          }
        }
        this.blanks();
        const c = text.charCodeAt(this.pos);
        if (this.pos >= this.end) throw DECLINED;
        this.pos++;
        if (c === close) break;
        if (c !== COMMA) throw DECLINED;
        this.blanks();
      }
    this.#keys.length = keyBase;
    const end = this.pos;
    if (end > this.end) throw DECLINED;
    this.kind = isMap ? MAP : SEQ;
    this.valueStart = at;
    this.valueEnd = end;
    // On an ancestor's first line: built only when it goes on past it (else its range is all locating reads).
    if (want === undefined && (line === -1 || end <= line)) return undefined;
    // (Locating a collection that ends on its first line reads none of its entries: see locate.ts contentEnd.)
    if (end > firstLine) {
      if (across !== undefined) {
        entries.push(isMap ? treePair(acrossKey, across) : across);
        if (!isMap) indexes.push(acrossAt);
      }
      if (endedAt !== -1) {
        const ended = rangeNode(endedKind, endedStart, endedEnd);
        entries.push(isMap ? treePair(keyNode(endedKey, endedKeyStart, endedKeyEnd), ended) : ended);
        if (!isMap) indexes.push(endedAt);
      }
    }
    const node = isMap ? treeMap(true, entries.slice(base)) : treeSeq(true, this.sequenceItems(base));
    entries.length = base;
    setTreeRange(node, at, end);
    return node;
  }

  /** A sequence's entries from `base` of the stacks, each at its index (with holes for those left out). */
  sequenceItems(base: number): unknown[] {
    const entries = this.#entries;
    const indexes = this.#indexes;
    const count = entries.length - base;
    let last = -1;
    let inOrder = true;
    for (let k = 0; k < count; k++) {
      const index = indexes[indexes.length - count + k];
      if (index !== k) inOrder = false;
      last = Math.max(last, index);
    }
    let items: unknown[];
    if (inOrder) items = entries.slice(base);
    else {
      items = new Array(last + 1);
      for (let k = 0; k < count; k++) items[indexes[indexes.length - count + k]] = entries[base + k];
    }
    indexes.length -= count;
    return items;
  }

  /** A string at pos (its opening quote), leaving pos after its closing quote; sets `escaped`. */
  string(): void {
    const { text, end } = this;
    let escaped = false;
    let p = this.pos + 1;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        const e = text.charCodeAt(++p);
        if (e === 117 /* u */) {
          for (let k = 1; k <= 4; k++) if (!isHexDigit(text.charCodeAt(p + k))) throw DECLINED;
          p += 4;
        } else if (!SIMPLE_ESCAPES.has(e)) throw DECLINED;
      } else if (c < SPACE || (c >= 0x7f && declinedCharacter(c))) throw DECLINED;
    }
    if (p >= end) throw DECLINED;
    this.escaped = escaped;
    this.pos = p + 1;
  }

  /** A number at pos (JSON's grammar), leaving pos after it. */
  number(): void {
    const { text } = this;
    let p = this.pos;
    if (text.charCodeAt(p) === 45) p++;
    if (text.charCodeAt(p) === 48) p++;
    else if (isDigit(text.charCodeAt(p))) while (isDigit(text.charCodeAt(p))) p++;
    else throw DECLINED;
    if (text.charCodeAt(p) === 46 /* . */) {
      p++;
      if (!isDigit(text.charCodeAt(p))) throw DECLINED;
      while (isDigit(text.charCodeAt(p))) p++;
    }
    if ((text.charCodeAt(p) | 0x20) === 101 /* e */) {
      p++;
      if (text.charCodeAt(p) === 43 || text.charCodeAt(p) === 45) p++;
      if (!isDigit(text.charCodeAt(p))) throw DECLINED;
      while (isDigit(text.charCodeAt(p))) p++;
    }
    this.pos = p;
  }
}

/** `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` (and `\u` with four hex digits). */
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  const lower = c | 0x20;
  return isDigit(c) || (lower >= 97 && lower <= 102);
}

/** A node with its range alone (an entry on a collection's first line that ends there: see readJsonLocationTree). */
function rangeNode(kind: number, start: number, end: number): unknown {
  if (kind === SCALAR) return keyNode(null, start, end);
  const node = kind === MAP ? treeMap(true, []) : treeSeq(true, []);
  setTreeRange(node, start, end);
  return node;
}
