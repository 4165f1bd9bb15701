// The lean reader: the YAML nearly every manifest is written in (block mappings and sequences; plain, quoted and
// block scalars; one-line flow collections; comments), read straight from the text into the value Kubernetes sees,
// with no syntax tree. It gives up on anything outside that subset or in the least doubt (anchors, aliases, tags,
// merge keys, complex keys, tabs, CR, directives, duplicate keys, odd indentation, any syntax error): the caller
// then reads that document with the YAML library, which also finds and locates its problems. What it accepts it
// reads exactly as kubernetesValue reads the library's tree (test/fast-read.test.ts compares both on every
// fixture, the corpus and generated input).
import type { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { MAP, NODE_TYPE, PAIR, SCALAR, SEQ } from '../yaml-nodes.js';
import type { LocationTree, Path } from '../location/locate.js';
import type { LocatedAsRead } from '../location/as-read.js';
import type { DocumentFilter } from './source.js';
import { closingDoubleQuote, closingSingleQuote, DOUBLE_QUOTED_ESCAPES } from '../location/scalar-offsets.js';
import {
  defineKey,
  grownObject,
  MAX_EXACT_KEYS,
  mayStartNamedScalar,
  plainKeyText,
  plainObject,
  plainScalarValue,
  UnreadableValue,
} from './value.js';

export type FastRead =
  /** Blank lines and comments only: no document. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'document'; readonly value: unknown }
  /**
   * The filter's fields say no rule reads this document (see DocumentFilter). Read from the first top-level entries:
   * once every field is known, the rest is not read at all. The YAML library then builds nothing of it either and
   * reports no problem in it, whatever it holds.
   */
  | { readonly kind: 'unread' }
  /** Outside the subset: read it with the YAML library. */
  | { readonly kind: 'declined'; readonly reason: string; readonly at: number };

/** Deeper nesting is left to the full reader (which reports what is too deep). */
export const MAX_DEPTH = 200;
/** The YAML library rejects implicit keys of 1024 characters and more. */
export const MAX_KEY_LENGTH = 1000;

export const LF = 10;
export const SPACE = 32;
const HASH = 35;
export const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;

/** Characters a plain scalar (or key) may not start with here: indicators, and what the full reader must judge. */
const PLAIN_START_DECLINED = new Set([...',[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));
/** `-`, `?` and `:` start a plain scalar when a character that is not blank follows (`-1`, `:8080`, `::1`). */
const PLAIN_START_UNLESS_BLANK = new Set([...'-?:'].map((c) => c.charCodeAt(0)));
/** Characters that end a plain scalar inside a flow collection. */
const FLOW_INDICATORS = new Set([...',[]{}'].map((c) => c.charCodeAt(0)));
/**
 * Characters the full reader treats specially or rejects (controls, tab, CR, DEL and C1, line/paragraph separators,
 * byte order mark, non-characters): a document holding one is declined.
 */
const DECLINED_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * The array itself, or a copy of exact size: an array grown by push keeps room for 16 more elements, which a short
 * list (most lists in manifests) would carry for the whole run, in every document's value (and every collection
 * of a location tree, which is as large as its document).
 */
function exactSize<T>(items: T[]): T[] {
  return items.length < 16 ? items.slice() : items;
}

/** Strings of scalars up to this length are shared by every value of a text that has them (see ValueBuilder.shared). */
const MAX_SHARED_LENGTH = 64;
/**
 * At most this many strings are remembered to be shared, the first met: the repeated ones (kinds, namespaces, modes)
 * are met early, and a text of tens of thousands of names met once each (an Envoy bootstrap's clusters) grew a
 * table of them, ~4 MB with the tables it outgrew, left to V8's old generation once the text was read.
 */
const MAX_SHARED_STRINGS = 16_384;

/**
 * What the values of one text are built with (its documents read in turn):
 * - the keys and values of the mappings being read, innermost last (each mapping's from the `top` it started at): a
 *   mapping is made once all its entries are known, at its exact size (see plainObject). A mapping of more than
 *   MAX_EXACT_KEYS keys moves its entries into an object grown key by key (see put), so that a duplicate is still
 *   found by property lookup, not by a scan of all its keys;
 * - one copy of each short scalar string: manifests repeat kinds, namespaces, labels and modes in every document,
 *   and each read of the text makes a new string (16-40 bytes each, kept as long as the value).
 */
class ValueBuilder {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  top = 0;
  readonly #strings = new Map<string, string>();
  /** Small mappings of scalars, by their keys and values in order: one object for the equal ones (the first met). */
  readonly #leaves: LeafNode = { mapping: undefined, next: undefined };
  #leafCount = 0;

  /**
   * Whether the mapping whose entries start at `from` has `key` already: by property lookup once it is `large` (see
   * put), else by a scan of at most MAX_EXACT_KEYS keys.
   */
  has(key: string, from: number, large: Record<string, unknown> | undefined): boolean {
    if (large) return Object.hasOwn(large, key);
    for (let i = from; i < this.top; i++) if (this.keys[i] === key) return true;
    return false;
  }

  /**
   * Adds an entry to the mapping whose entries start at `from`. Returns the mapping grown key by key once it has
   * MAX_EXACT_KEYS keys (undefined before): the caller passes it back for the mapping's next entries.
   */
  put(key: string, value: unknown, from: number, large: Record<string, unknown> | undefined) {
    if (!large && this.top - from === MAX_EXACT_KEYS) {
      large = grownObject(this.keys, this.values, from, MAX_EXACT_KEYS);
      this.top = from;
    }
    if (large) defineKey(large, key, value);
    else {
      this.keys[this.top] = key;
      this.values[this.top++] = value;
    }
    return large;
  }

  /**
   * The mapping whose entries start at `from` (`large` once grown), its entries taken off. A small mapping of scalars
   * is the first equal one this text's values have (see LeafNode).
   */
  take(from: number, large: Record<string, unknown> | undefined): Record<string, unknown> {
    if (large) return large;
    const count = this.top - from;
    const leaf = count <= MAX_LEAF_KEYS ? this.#leaf(from, count) : undefined;
    let out = leaf?.mapping;
    if (out === undefined) {
      out = plainObject(this.keys, this.values, from, count);
      if (leaf) {
        leaf.mapping = out;
        this.#leafCount++;
      }
    }
    this.top = from;
    return out;
  }

  /** The node of the leaves' trie for the mapping of entries [from, from + count); undefined when not a leaf. */
  #leaf(from: number, count: number): LeafNode | undefined {
    for (let i = from; i < from + count; i++) {
      const value = this.values[i];
      if (typeof value === 'object' ? value !== null : Object.is(value, -0)) return undefined;
    }
    // Once MAX_SHARED_LEAVES are remembered, the trie is only searched: nothing new is added to it.
    const full = this.#leafCount >= MAX_SHARED_LEAVES;
    let node: LeafNode | undefined = this.#leaves;
    for (let i = from; i < from + count; i++) {
      if (full) {
        node = node.next?.get(this.keys[i])?.get(this.values[i]);
        if (!node) return undefined;
        continue;
      }
      node.next ??= new Map();
      let byValue = node.next.get(this.keys[i]);
      if (!byValue) node.next.set(this.keys[i], (byValue = new Map()));
      let child = byValue.get(this.values[i]);
      if (!child) byValue.set(this.values[i], (child = { mapping: undefined, next: undefined }));
      node = child;
    }
    return full && node.mapping === undefined ? undefined : node;
  }

  /** The scalar itself, or for a short string the first equal one this text's values have (of the first remembered). */
  shared(value: unknown): unknown {
    if (typeof value !== 'string' || value.length > MAX_SHARED_LENGTH) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known;
    if (this.#strings.size < MAX_SHARED_STRINGS) this.#strings.set(value, value);
    return value;
  }
}

/** Mappings of up to this many keys, all of scalars, are shared by the values of a text that has them (see take). */
const MAX_LEAF_KEYS = 4;
/**
 * At most this many leaves are remembered per text, the first met (as MAX_SHARED_STRINGS): each costs its path in the
 * trie (~500 bytes) while the text is read, left to the old generation by a long text (the corpus's peak was 2-3 MB
 * higher with 1,024), and an Envoy bootstrap's 40,000 clusters are as many leaves met once. The repeated ones are met
 * early.
 */
const MAX_SHARED_LEAVES = 256;

/**
 * A trie of the small mappings of scalars (a key, then its value, per entry) met in a text: manifests repeat such
 * mappings in every document (selectors' labels, a container's ports and securityContext, an mTLS mode), a copy each
 * kept for the run. Values are never changed once read, so one object serves them all. A Map tells 1 from '1' and
 * true from 'true'; -0 (which it takes for 0) is left out.
 */
interface LeafNode {
  mapping: Record<string, unknown> | undefined;
  next: Map<string, Map<unknown, LeafNode>> | undefined;
}

/** What a location tree's reading gives for a mapping and a sequence: it builds no value (never changed). */
const NO_MAPPING: Record<string, unknown> = Object.freeze({});
const NO_ENTRIES: unknown[] = Object.freeze([]) as unknown as unknown[];

class Declined {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {}
}

/**
 * The location tree of text[start, end) (see LocationTree): the YAML library's node classes with the ranges it gives
 * them, and nothing else (no comments, no source text, no values but the keys'), for a document the lean reader
 * accepts; undefined when it declines it, or has a key the YAML library might read as another value than its text
 * (locating compares the library's key values).
 *
 * With `paths`: only the nodes locating those paths reads (see Wanted), in one pass over the text: a tree as large as
 * the findings, not as the document (a whole tree costs 25-30 bytes per byte of text). Accepted and declined exactly
 * as the whole tree; every node it holds is the whole tree's, at the same place (a sequence keeps its indexes, with
 * holes for the entries left out).
 *
 * With `asRead` (for the same paths): each sequence entry, once read, is handed to it to locate the paths below it,
 * and dropped from the tree unless a path ends at it or it is its sequence's first (see LocatedAsRead). Its answers
 * hold only if the tree is returned (a document declined further on is located by the YAML library).
 */
export function readLocationTree(
  text: string,
  start: number,
  end: number,
  paths?: readonly Path[],
  asRead?: LocatedAsRead,
): LocationTree | undefined {
  if (DECLINED_CHARACTERS_ONCE.test(text.slice(start, end))) return undefined;
  const reader = new Reader(text, end, undefined, true);
  if (paths && asRead) {
    reader.want = asRead.wanted();
    reader.asRead = asRead;
  } else if (paths) reader.want = wantedPaths(paths);
  try {
    reader.document(start);
    return { contents: reader.node };
  } catch (error) {
    if (error instanceof Declined || error instanceof UnreadableValue || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Reads the parts of one text (in increasing order of offsets) through the lean reader. */
export class FastReader {
  /** Offsets of the characters the lean reader declines, in order; a part holding one is declined at once. */
  readonly #declinedAt: number[] = [];
  #next = 0;
  /** Shared by the documents read in turn (its mappings emptied before each: a declined one leaves entries behind). */
  readonly #values = new ValueBuilder();

  constructor(readonly text: string) {
    DECLINED_CHARACTERS.lastIndex = 0;
    for (let match = DECLINED_CHARACTERS.exec(text); match; match = DECLINED_CHARACTERS.exec(text))
      this.#declinedAt.push(match.index);
  }

  /** Reads text[start, end) (one part of the stream, see splitYamlStream) if it is in the subset. Never throws. */
  read(start: number, end: number, filter?: DocumentFilter): FastRead {
    const declinedAt = this.#declinedAt;
    while (this.#next < declinedAt.length && declinedAt[this.#next] < start) this.#next++;
    if (this.#next < declinedAt.length && declinedAt[this.#next] < end)
      return { kind: 'declined', reason: 'character', at: declinedAt[this.#next] };
    this.#values.top = 0;
    const reader = new Reader(this.text, end, filter, false, this.#values);
    try {
      return reader.document(start);
    } catch (error) {
      if (error instanceof Declined) return { kind: 'declined', reason: error.reason, at: error.at };
      // The full reader reports these with its own messages and offsets.
      if (error instanceof UnreadableValue) return { kind: 'declined', reason: 'unreadable value', at: error.offset };
      if (error instanceof RangeError) return { kind: 'declined', reason: 'too deep', at: start };
      throw error;
    }
  }
}

/** A scalar's source text with one pair of enclosing quotes removed (how a DocumentFilter sees a field). */
export function unquotedSource(source: string): string {
  const first = source[0];
  return source.length >= 2 &&
    (first === '"' || first === "'") &&
    source.endsWith(first) &&
    !LINE_TERMINATOR.test(source)
    ? source.slice(1, -1)
    : source;
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * What a location tree keeps of a collection: `true`, every entry (the whole tree); a map of segments (String of a
 * path's key or index) to what is kept below each, plus the first entry (see wantedBelow); undefined, nothing (the
 * entry is read, and its nodes dropped).
 */
type Wanted = true | WantedBelow | undefined;

/** What is kept below a node of a location tree, by segment (a WantedSegments, or LocatedAsRead's paths). */
interface WantedBelow {
  get(key: string): WantedBelow | undefined;
}

/**
 * A node of the paths' tree: what is kept below each segment. Its first segment is held in the node itself, and a
 * Map made only at a second: most nodes have one (a sequence entry on the way to one field), and a Map each cost a
 * decK file of 40,000 routes ~10 MB while its locations were read.
 */
export class WantedSegments {
  #key: string | undefined = undefined;
  #below: WantedSegments | undefined = undefined;
  #more: Map<string, WantedSegments> | undefined = undefined;

  get(key: string): WantedSegments | undefined {
    if (this.#more) return this.#more.get(key);
    return key === this.#key ? this.#below : undefined;
  }

  set(key: string, below: WantedSegments): void {
    if (this.#more) this.#more.set(key, below);
    else if (this.#key === undefined || this.#key === key) {
      this.#key = key;
      this.#below = below;
    } else
      this.#more = new Map([
        [this.#key, this.#below!],
        [key, below],
      ]);
  }

  /** Whether a Map was made (for tests). */
  get spread(): boolean {
    return this.#more !== undefined;
  }
}

/** The paths as a tree of their segments (paths sharing a prefix share its node). */
export function wantedPaths(paths: readonly Path[]): WantedSegments {
  const root = new WantedSegments();
  for (const path of paths) {
    let node = root;
    path.forEach((segment, i) => {
      const key = String(segment);
      let next = node.get(key);
      // A path's last segment shares one empty node (most paths end where no other goes on), made its own if one does:
      // a Map per path cost an Envoy file of 40,000 findings 15 MB.
      if (i === path.length - 1) {
        if (!next) node.set(key, NOTHING_BELOW);
      } else if (!next || next === NOTHING_BELOW) node.set(key, (next = new WantedSegments()));
      node = next!;
    });
  }
  return root;
}

const NOTHING_BELOW = new WantedSegments(); // (never set)

/**
 * What is kept of an entry (`key`, or a sequence index as a string) of a kept collection. Besides the paths' own
 * entries, the first entry, and its own first entry and so on: locating a collection underlines its first line up to
 * the last node starting there (locate.ts contentEnd), and only a block collection's first entry starts on its
 * first line (a flow collection, on one line, is kept whole).
 */
function wantedBelow(want: WantedBelow, key: string, first: boolean): Wanted {
  return want.get(key) ?? (first ? NOTHING_BELOW : undefined);
}
const DECLINED_CHARACTERS_ONCE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

class Reader {
  /** Start of the current content line (the first line at or after the cursor that is not blank or a comment). */
  line = 0;
  /** Its indentation; -1 when no content line is left. */
  indent = -1;
  /** After keyAt: where the value starts (after `:` and blanks), the key's source and whether it may be typed. */
  afterKey = 0;
  keySource = '';
  keyTyped = false;
  /** After a scalar: the offsets of its source, and whether it spans lines. */
  rawStart = 0;
  rawEnd = 0;
  rawLines = false;
  readonly fieldValues: Record<string, string | undefined> = {};
  /** Set when the filter's fields are all known at the root and the filter says the document is not read. */
  unread = false;
  /**
   * With `tree`: the node of the value read last (ranges as the YAML library gives them), and where that node's
   * extent ends (after its line's comment and line break: what ends a block collection's range).
   */
  node: unknown = null;
  nodeEnd = 0;
  keyNode: Scalar | undefined;
  /** With `tree`: what is kept of the node read next (see Wanted); its node is built only when something is. */
  want: Wanted = true;
  /** With `tree` and paths: locates each sequence entry's paths once it is read (see readLocationTree). */
  asRead: LocatedAsRead | undefined = undefined;

  constructor(
    readonly text: string,
    readonly end: number,
    readonly filter: DocumentFilter | undefined,
    readonly tree = false,
    readonly values = new ValueBuilder(),
  ) {}

  /** The end of the line holding `p` with its line break (what a node's extent takes in). */
  lineExtent(p: number): number {
    return Math.min(this.lineEnd(p) + 1, this.end);
  }

  scalarNode(value: unknown, start: number, sourceEnd: number, extent: number): void {
    if (this.want !== undefined) this.node = new TreeScalar(value, start, sourceEnd, undefined);
    this.nodeEnd = extent;
  }

  decline(reason: string, at: number): never {
    throw new Declined(reason, at);
  }

  document(start: number): FastRead {
    this.seek(start);
    if (this.indent === -1) return { kind: 'empty' };
    if (this.indent !== 0) this.decline('indented root', this.line);
    const value = this.block(0, -1, 0);
    if (this.unread) return { kind: 'unread' };
    if ((this.indent as number) !== -1) this.decline('content after the root', this.line);
    if (this.filter?.test(this.fieldValues)) return { kind: 'unread' };
    return { kind: 'document', value };
  }

  /**
   * End of the line holding `p` (its line feed, or the end of the part). The reader asks it of each line several times
   * (key, value, scalar, the next line's search): the last answer is kept with the offsets it holds for.
   */
  lineEnd(p: number): number {
    if (p >= this.lineEndFrom && p <= this.lineEndAt) return this.lineEndAt;
    const newline = this.text.indexOf('\n', p);
    this.lineEndFrom = p;
    this.lineEndAt = newline === -1 || newline >= this.end ? this.end : newline;
    return this.lineEndAt;
  }

  /** See lineEnd: it is lineEndAt for every offset from lineEndFrom to lineEndAt. */
  lineEndFrom = 0;
  lineEndAt = -1;

  /** Moves to the first content line at or after `from` (a line start). */
  seek(from: number): void {
    const { text, end } = this;
    while (from < end) {
      let p = from;
      while (p < end && text.charCodeAt(p) === SPACE) p++;
      if (p >= end) break;
      const c = text.charCodeAt(p);
      if (c === LF) {
        from = p + 1;
        continue;
      }
      if (c === HASH) {
        from = this.lineEnd(p) + 1;
        continue;
      }
      if (p === from && (c === 37 /* % */ || (c === 46 /* . */ && text.startsWith('...', p))))
        this.decline('directive or document end', p);
      this.line = from;
      this.indent = p - from;
      return;
    }
    this.line = end;
    this.indent = -1;
  }

  /** Whether a plain scalar may start at `p` (in a block collection). */
  plainStart(p: number): boolean {
    const c = this.text.charCodeAt(p);
    if (PLAIN_START_DECLINED.has(c)) return false;
    if (!PLAIN_START_UNLESS_BLANK.has(c)) return true;
    const next = p + 1;
    return next < this.end && this.text.charCodeAt(next) !== SPACE && this.text.charCodeAt(next) !== LF;
  }

  isSeqEntry(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const next = p + 1;
    return next >= this.end || this.text.charCodeAt(next) === SPACE || this.text.charCodeAt(next) === LF;
  }

  /** A node that starts a content line at `indent`; `parent` is the indentation of the collection holding it. */
  block(indent: number, parent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) this.decline('too deep', this.line);
    const p = this.line + indent;
    if (this.isSeqEntry(p)) return this.seq(indent, p, depth);
    const key = this.keyAt(p);
    if (key !== undefined) return this.map(indent, p, key, depth);
    if (parent < 0) this.decline('scalar root', p);
    // A scalar on a line of its own: its continuation lines are indented at least as much as it is.
    return this.scalar(p, Math.max(parent, indent - 1), depth);
  }

  /**
   * The key of a `key: value` entry at `p`, as a map key string (go-yaml's stringification); undefined when the line
   * holds no entry there. Sets afterKey, keySource and keyTyped.
   */
  keyAt(p: number): string | undefined {
    const { text } = this;
    const lineEnd = this.lineEnd(p);
    const c = text.charCodeAt(p);
    let key: string;
    let after: number;
    if (c === DQUOTE || c === SQUOTE) {
      const close = c === DQUOTE ? closingDoubleQuote(text, p + 1, lineEnd) : closingSingleQuote(text, p + 1, lineEnd);
      if (close === -1) return undefined;
      after = close + 1;
      while (after < lineEnd && text.charCodeAt(after) === SPACE) after++;
      if (text.charCodeAt(after) !== COLON || !(after + 1 >= lineEnd || text.charCodeAt(after + 1) === SPACE))
        return undefined;
      key = c === DQUOTE ? this.doubleQuoted(p, close) : singleQuoted(text.slice(p + 1, close));
      this.keySource = text.slice(p, close + 1);
      this.keyTyped = false;
      if (this.tree) this.keyNode = keyNode(key, p, close + 1);
    } else {
      // A flow collection (`- {name: http, port: 80}`) is a value; one used as a key is declined after it is read.
      if (c === 123 /* { */ || c === 91 /* [ */) return undefined;
      let colon = -1;
      for (let i = p; i < lineEnd; i++) {
        const ch = text.charCodeAt(i);
        if (ch === COLON && (i + 1 >= lineEnd || text.charCodeAt(i + 1) === SPACE)) {
          colon = i;
          break;
        }
        if (ch === HASH && i > p && text.charCodeAt(i - 1) === SPACE) return undefined;
      }
      if (colon === -1) return undefined;
      let last = colon;
      while (last > p && text.charCodeAt(last - 1) === SPACE) last--;
      if (last === p) this.decline('empty key', p);
      if (!this.plainStart(p)) this.decline('key start', p);
      const source = text.slice(p, last);
      if (source === '<<') this.decline('merge key', p);
      // The common key (a letter, then more than five characters, or a letter no null or boolean starts with) is its
      // own text and not typed: what plainKeyText and maybeTyped answer for it (nulls and booleans have at most five
      // characters; numbers and special floats start with a digit or . + -), without the work.
      const lower = text.charCodeAt(p) | 0x20;
      const ownText = lower >= 97 && lower <= 122 && (last - p > 5 || !mayStartNamedScalar(lower));
      key = ownText ? source : plainKeyText(source, p);
      this.keySource = source;
      this.keyTyped = ownText ? false : maybeTyped(source, p);
      after = colon;
      if (this.tree) {
        if (this.keyTyped) this.decline('typed key', p);
        this.keyNode = keyNode(key, p, last);
      }
    }
    if (after - p > MAX_KEY_LENGTH) this.decline('long key', p);
    after++;
    while (after < lineEnd && text.charCodeAt(after) === SPACE) after++;
    this.afterKey = after;
    return key;
  }

  map(indent: number, first: number, firstKey: string, depth: number): Record<string, unknown> {
    const entries = this.values;
    const from = entries.top;
    // Past MAX_EXACT_KEYS keys: the mapping grown key by key.
    let large: Record<string, unknown> | undefined;
    const fields = depth === 0 ? this.filter?.fields : undefined;
    const want = this.want;
    const node = this.tree && want !== undefined ? treeMap(false) : undefined;
    // A location tree builds no value: its keys are only checked for duplicates.
    const keys = this.tree ? new Set<string>() : undefined;
    let typed: string[] | undefined;
    let p = first;
    let key = firstKey;
    for (;;) {
      if (keys ? keys.has(key) : entries.has(key, from, large)) this.decline('duplicate key', p);
      if (this.keyTyped) (typed ??= []).push(this.keySource);
      const field = fields ? unquotedSource(this.keySource) : undefined;
      const valueStart = this.afterKey;
      const keyScalar = this.keyNode;
      const kept = want === true || want === undefined ? want : wantedBelow(want, key, p === first);
      this.want = kept;
      const value = this.value(valueStart, indent, true, depth + 1);
      this.want = want;
      if (field !== undefined && fields?.includes(field)) {
        this.recordField(field, value, valueStart);
        if (this.filterDecides()) return entries.take(from, large); // (not read: the value is dropped)
      }
      if (keys) keys.add(key);
      else large = entries.put(key, value, from, large);
      if (kept !== undefined) node?.items.push(treePair(keyScalar, this.node));
      if (this.indent < indent) break;
      if (this.indent > indent) this.decline('indentation', this.line);
      p = this.line + indent;
      if (this.isSeqEntry(p)) this.decline('entry in a map', p);
      const next = this.keyAt(p);
      if (next === undefined) this.decline('no key', p);
      key = next;
    }
    // A location tree builds no value.
    const out = keys ? NO_MAPPING : entries.take(from, large);
    if (typed) checkTypedKeys(typed, out, first);
    if (node) {
      node.items = exactSize(node.items);
      setTreeRange(node, first, this.nodeEnd);
      this.node = node;
    }
    return out;
  }

  /**
   * Whether every field of the filter is known and says the document is not read (the library reads the fields from
   * the first top-level entries too, and stops once it has them all).
   */
  filterDecides(): boolean {
    const { filter, fieldValues } = this;
    if (!filter) return false;
    for (const name of filter.fields) if (fieldValues[name] === undefined) return false;
    this.unread = filter.test(fieldValues);
    return this.unread;
  }

  /** A top-level field a DocumentFilter reads: the source of its scalar, as the parser's tokens give it. */
  recordField(field: string, value: unknown, valueStart: number): void {
    if (typeof value === 'object' && value !== null) this.decline('filter field shape', valueStart);
    if (this.rawStart < valueStart)
      this.fieldValues[field] = undefined; // no value at all
    else if (this.rawLines) this.decline('filter field shape', valueStart);
    else this.fieldValues[field] = unquotedSource(this.text.slice(this.rawStart, this.rawEnd));
  }

  seq(indent: number, first: number, depth: number): unknown[] {
    // A location tree builds no value (a list of its entries' was held until the sequence ended: for 40,000 clusters,
    // long enough to be moved to V8's old generation).
    const out: unknown[] | undefined = this.tree ? undefined : [];
    const want = this.want;
    const node = this.tree && want !== undefined ? treeSeq(false) : undefined;
    let p = first;
    for (let index = 0; ; index++) {
      const kept = want === true || want === undefined ? want : wantedBelow(want, String(index), index === 0);
      this.want = kept;
      let q = p + 1;
      const lineEnd = this.lineEnd(p);
      while (q < lineEnd && this.text.charCodeAt(q) === SPACE) q++;
      if (q < lineEnd && this.isSeqEntry(q)) {
        const entry = this.seq(indent + (q - p), q, depth + 1);
        out?.push(entry);
      } else {
        const key = q < lineEnd && this.text.charCodeAt(q) !== HASH ? this.keyAt(q) : undefined;
        const entry =
          key !== undefined ? this.map(indent + (q - p), q, key, depth + 1) : this.value(q, indent, false, depth + 1);
        out?.push(entry);
      }
      this.want = want;
      // (Indexes kept: an entry left out is a hole.)
      if (kept !== undefined && node) {
        node.items[index] = this.node;
        // Its paths located, an entry's nodes need not be kept (but the first's: locating its sequence reads it).
        if (this.asRead?.entryRead(kept, this.node) && index > 0) node.items[index] = undefined;
      }
      if (this.indent !== indent) {
        if (this.indent > indent) this.decline('indentation', this.line);
        break;
      }
      p = this.line + indent;
      if (!this.isSeqEntry(p)) break;
    }
    if (node) {
      node.items = exactSize(node.items);
      setTreeRange(node, first, this.nodeEnd);
      this.node = node;
    }
    return out ? exactSize(out) : NO_ENTRIES;
  }

  /**
   * The value after `key:` or `- ` (p: its first character, blanks skipped), in a collection at indentation
   * `parent`. Leaves the cursor on the next content line.
   */
  value(p: number, parent: number, inMap: boolean, depth: number): unknown {
    const lineEnd = this.lineEnd(p);
    if (p >= lineEnd || this.text.charCodeAt(p) === HASH) {
      // No value on this line: the library's empty scalar sits where it would start (replaced below by a node on
      // the next lines, if there is one).
      if (this.tree) this.scalarNode(null, p, p, p >= lineEnd ? p : this.lineExtent(p));
      this.seek(lineEnd + 1);
      if (this.indent > parent) return this.block(this.indent, parent, depth);
      // `key:` followed by `- item` at the key's own indentation: the usual Kubernetes layout.
      if (inMap && this.indent === parent && this.isSeqEntry(this.line + parent))
        return this.seq(parent, this.line + parent, depth);
      return null;
    }
    if (inMap && this.isSeqEntry(p)) this.decline('sequence after key', p);
    return this.scalar(p, parent, depth);
  }

  /** A scalar or one-line flow collection at `p`; its continuation lines are indented more than `parent`. */
  scalar(p: number, parent: number, depth: number): unknown {
    const { text } = this;
    const c = text.charCodeAt(p);
    let value: unknown;
    let next: number; // where the source ends: the rest of the line must be blank or a comment
    if (c === DQUOTE || c === SQUOTE) {
      const close =
        c === DQUOTE ? closingDoubleQuote(text, p + 1, this.end) : closingSingleQuote(text, p + 1, this.end);
      if (close === -1) this.decline('unterminated quote', p);
      const multiLine = text.lastIndexOf('\n', close) > p;
      if (multiLine) this.checkContinuation(p, close, parent);
      value = this.values.shared(c === DQUOTE ? this.doubleQuoted(p, close) : singleQuoted(text.slice(p + 1, close)));
      this.rawStart = p;
      this.rawEnd = close + 1;
      this.rawLines = multiLine;
      next = close + 1;
      if (this.tree) this.scalarNode(value, p, close + 1, this.lineExtent(close));
    } else if (c === 124 /* | */ || c === 62 /* > */) {
      return this.blockScalar(p, parent);
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      const flow = new FlowReader(this, p, this.lineEnd(p), depth);
      value = flow.node(p);
      next = flow.pos;
      if (this.tree) {
        this.node = flow.last;
        this.nodeEnd = this.lineExtent(p);
      }
    } else {
      return this.plain(p, parent);
    }
    const lineEnd = this.lineEnd(next);
    let q = next;
    while (q < lineEnd && text.charCodeAt(q) === SPACE) q++;
    if (q < lineEnd && !(text.charCodeAt(q) === HASH && q > next)) this.decline('after scalar', q);
    this.seek(lineEnd + 1);
    return value;
  }

  /** The continuation lines of a quoted scalar must be indented more than its collection (else: the full reader). */
  checkContinuation(open: number, close: number, parent: number): void {
    const { text } = this;
    for (let nl = text.indexOf('\n', open); nl !== -1 && nl < close; nl = text.indexOf('\n', nl + 1)) {
      let k = nl + 1;
      while (k < close && text.charCodeAt(k) === SPACE) k++;
      if (k - nl - 1 <= parent && text.charCodeAt(k) !== LF) this.decline('quoted continuation indentation', k);
    }
  }

  doubleQuoted(open: number, close: number): string {
    const { text } = this;
    // The common case: no escape and no line break.
    let plain = true;
    for (let i = open + 1; i < close; i++) {
      const ch = text.charCodeAt(i);
      if (ch === BACKSLASH || ch === LF) {
        plain = false;
        break;
      }
    }
    if (plain) return text.slice(open + 1, close);
    // The YAML library's decoding of a double-quoted scalar (escapes, folding, trailing blanks before a break).
    // Runs of ordinary characters are added as one slice and the pieces joined once: added character by character,
    // a long scalar (a dashboard held in a ConfigMap) was a chain of 76,000 pieces kept as long as its value.
    const pieces: string[] = [];
    let run = open + 1; // where the ordinary characters not yet added start
    for (let i = open + 1; i < close; i++) {
      const ch = text[i];
      if (ch !== '\n' && ch !== '\\' && ch !== ' ') continue;
      if (run < i) pieces.push(text.slice(run, i));
      if (ch === '\n') {
        let fold = '';
        while (i + 1 < close && (text[i + 1] === ' ' || text[i + 1] === '\n')) {
          if (text[i + 1] === '\n') fold += '\n';
          i++;
        }
        pieces.push(fold || ' ');
      } else if (ch === '\\') {
        const next = text[++i];
        const escaped = DOUBLE_QUOTED_ESCAPES[next];
        if (escaped !== undefined) pieces.push(escaped);
        else if (next === '\n') {
          while (i + 1 < close && text[i + 1] === ' ') i++;
        } else if (next === 'x' || next === 'u' || next === 'U') {
          const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
          const digits = text.slice(i + 1, i + 1 + length);
          if (i + length >= close || !isHex(digits)) this.decline('escape', i);
          const code = Number.parseInt(digits, 16);
          if (code > 0x10ffff) this.decline('escape', i);
          pieces.push(String.fromCodePoint(code));
          i += length;
        } else this.decline('escape', i);
      } else {
        const from = i;
        while (i + 1 < close && text[i + 1] === ' ') i++;
        if (text[i + 1] !== '\n') pieces.push(text.slice(from, i + 1));
      }
      run = i + 1;
    }
    if (run < close) pieces.push(text.slice(run, close));
    return pieces.join('');
  }

  /** A plain scalar at `p` and its continuation lines (indented more than `parent`), folded. */
  plain(p: number, parent: number): unknown {
    const { text } = this;
    if (!this.plainStart(p)) this.decline('scalar start', p);
    let lineEnd = this.lineEnd(p);
    const firstEnd = this.plainLineEnd(p, lineEnd, true);
    // (A location tree reads no scalar's value: only keys are compared.)
    let folded = this.tree ? '' : text.slice(p, firstEnd);
    let rawEnd = firstEnd;
    let lines = false;
    // Continuation lines (none after a comment): more indented than the collection, not a comment; blank lines
    // between them fold to line breaks.
    let breaks = 0;
    let from = lineEnd + 1;
    while (!this.commented && from < this.end) {
      const to = this.lineEnd(from);
      let k = from;
      while (k < to && text.charCodeAt(k) === SPACE) k++;
      if (k === to) {
        breaks++;
        from = to + 1;
        continue;
      }
      if (k - from <= parent || text.charCodeAt(k) === HASH) break;
      const end = this.plainLineEnd(k, to, false);
      if (!this.tree) folded += (breaks > 0 ? '\n'.repeat(breaks) : ' ') + text.slice(k, end);
      breaks = 0;
      lines = true;
      rawEnd = end;
      lineEnd = to;
      from = to + 1;
    }
    this.rawStart = p;
    this.rawEnd = rawEnd;
    this.rawLines = lines;
    const value = this.tree ? null : this.values.shared(plainScalarValue(folded, p));
    if (this.tree) this.scalarNode(value, p, rawEnd, Math.min(lineEnd + 1, this.end));
    this.seek(lineEnd + 1);
    return value;
  }

  /** Set by plainLineEnd: the line ended in a comment. */
  commented = false;

  /**
   * The end of a plain scalar's text on one line (trailing blanks and a comment left out). A `: ` inside is a
   * mapping the full reader must judge, as is a comment on a continuation line.
   */
  plainLineEnd(from: number, lineEnd: number, first: boolean): number {
    const { text } = this;
    let last = from;
    this.commented = false;
    for (let i = from; i < lineEnd; i++) {
      const ch = text.charCodeAt(i);
      if (ch === SPACE) continue;
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
        if (!first) this.decline('comment in continuation', i);
        this.commented = true;
        break;
      }
      if (ch === COLON && (i + 1 >= lineEnd || text.charCodeAt(i + 1) === SPACE)) this.decline('colon in scalar', i);
      last = i + 1;
    }
    return last;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at `p`, in a collection at indentation `parent`.
   * Its loops are in functions of their own (blockLines, blockText, spacesEnd), none after which the two readings
   * differ: V8 keeps a loop's on-stack compilation (OSR) after a deopt outside that loop, and every call run in the
   * interpreter enters it again. The location tree's node made after the line loop, never reached while reading
   * values, deopted that code at each block scalar of every later document (~270 times a corpus run).
   */
  blockScalar(p: number, parent: number): string {
    const { text } = this;
    const folded = text.charCodeAt(p) === 62;
    let h = p + 1;
    let strip = false;
    if (text.charCodeAt(h) === DASH) {
      strip = true;
      h++;
    }
    const headerEnd = this.lineEnd(p);
    const afterHeader = h;
    h = spacesEnd(text, h, headerEnd);
    if (h < headerEnd && !(text.charCodeAt(h) === HASH && h > afterHeader)) this.decline('block scalar header', h);
    const block = this.blockLines(headerEnd + 1, parent, p);
    // (A location tree reads no scalar's value.)
    const value = this.tree ? '' : blockText(text, block, folded, strip);
    this.rawStart = p;
    this.rawLines = true;
    if (this.tree) {
      const extent = Math.min(block.lines[block.count - 1] + 1, this.end);
      this.scalarNode(value, p, extent, extent);
    }
    this.seek(block.stop);
    return value;
  }

  /** The lines of a block scalar from `from` (after its header at `header`), in a collection at indentation `parent`. */
  blockLines(from: number, parent: number, header: number): BlockLines {
    const { text } = this;
    // Every line of the scalar as [indentation, content start, line end]; a blank line's content is empty.
    const lines: number[] = [];
    let indent = -1;
    let leadingBlanks = 0;
    let stop = this.end; // the start of the first line after the scalar
    while (from < this.end) {
      const to = this.lineEnd(from);
      const k = spacesEnd(text, from, to);
      const spaces = k - from;
      if (k === to) {
        // The YAML library keeps blanks beyond the indentation in the text, or rejects them: leave those to it.
        if (indent === -1) leadingBlanks++;
        else if (spaces > indent) this.decline('blank line with more blanks', from);
        else lines.push(spaces, to, to);
        if (indent === -1) lines.push(spaces, to, to);
        from = to + 1;
        continue;
      }
      if (indent === -1) {
        if (spaces <= parent) break;
        indent = spaces;
        for (let i = 0; i < lines.length; i += 3) if (lines[i] > indent) this.decline('leading blanks', from);
        lines.length = 0;
      } else if (spaces < indent) {
        if (spaces > parent) this.decline('block scalar indentation', k);
        stop = from;
        break;
      }
      lines.push(spaces, k, to);
      from = to + 1;
    }
    if (indent === -1) this.decline('empty block scalar', header);
    // Trailing blank lines are chomped.
    let count = lines.length;
    while (count > 0 && lines[count - 2] === lines[count - 1]) count -= 3;
    return { lines, count, indent, leadingBlanks, stop };
  }
}

/** A block scalar's lines (see Reader.blockLines): `count` numbers of `lines` are its content, trailing blanks chomped. */
interface BlockLines {
  /** [indentation, content start, line end] per line; a blank line's content is empty. */
  readonly lines: readonly number[];
  readonly count: number;
  readonly indent: number;
  /** Blank lines before the first content line. */
  readonly leadingBlanks: number;
  /** The start of the first line after the scalar. */
  readonly stop: number;
}

/** The value of a literal or `folded` block scalar from its lines, clipped (a final line break) unless `strip`. */
function blockText(text: string, block: BlockLines, folded: boolean, strip: boolean): string {
  const { lines, count, indent } = block;
  // Joined once: appended line by line, the value would be a chain of two string pieces per line, each kept as
  // long as the value (5,700 for an haproxy.cfg held in a ConfigMap of the corpus).
  const pieces: string[] = ['\n'.repeat(block.leadingBlanks)];
  if (!folded) {
    for (let i = 0; i < count; i += 3) {
      if (i > 0) pieces.push('\n');
      const contentStart = lines[i + 1];
      if (contentStart < lines[i + 2]) pieces.push(text.slice(contentStart - (lines[i] - indent), lines[i + 2]));
    }
  } else {
    let sep = '';
    let moreIndented = false;
    for (let i = 0; i < count; i += 3) {
      const spaces = lines[i];
      const contentStart = lines[i + 1];
      const lineEnd = lines[i + 2];
      if (contentStart === lineEnd) {
        if (sep === '\n') pieces.push('\n');
        else sep = '\n';
      } else if (spaces > indent) {
        if (sep === ' ') sep = '\n';
        else if (!moreIndented && sep === '\n') sep = '\n\n';
        pieces.push(sep, text.slice(contentStart - (spaces - indent), lineEnd));
        sep = '\n';
        moreIndented = true;
      } else {
        pieces.push(sep, text.slice(contentStart, lineEnd));
        sep = ' ';
        moreIndented = false;
      }
    }
  }
  if (!strip) pieces.push('\n');
  return pieces.join('');
}

/** The first offset in text[from, to) that is not a space (`to` when none). */
function spacesEnd(text: string, from: number, to: number): number {
  let k = from;
  while (k < to && text.charCodeAt(k) === SPACE) k++;
  return k;
}

/** A one-line flow collection (`[a, "b"]`, `{k: v}`); anything more is declined. */
class FlowReader {
  pos: number;
  /** With the reader's `tree`: the node of the entry or collection read last. */
  last: unknown = null;
  constructor(
    readonly reader: Reader,
    start: number,
    readonly lineEnd: number,
    readonly depth: number,
  ) {
    this.pos = start;
  }

  decline(reason: string): never {
    return this.reader.decline(reason, this.pos);
  }

  blanks(): void {
    const { text } = this.reader;
    while (this.pos < this.lineEnd && text.charCodeAt(this.pos) === SPACE) this.pos++;
    if (this.pos >= this.lineEnd) this.decline('multi-line flow');
  }

  node(at: number, depth = this.depth): unknown {
    const { text } = this.reader;
    if (depth > MAX_DEPTH) this.decline('too deep');
    const isMap = text.charCodeAt(at) === 123;
    const close = isMap ? 125 : 93;
    this.pos = at + 1;
    this.blanks();
    const entries = this.reader.values;
    const from = entries.top;
    let large: Record<string, unknown> | undefined; // (see Reader.map)
    const seq: unknown[] = [];
    const tree = this.reader.tree;
    // (A flow collection is kept whole, or not at all.)
    const node = tree && this.reader.want !== undefined ? (isMap ? treeMap(true) : treeSeq(true)) : undefined;
    let typed: string[] | undefined;
    if (text.charCodeAt(this.pos) !== close) {
      for (;;) {
        if (isMap) {
          const keyAt = this.pos;
          const quoted = text.charCodeAt(keyAt) === DQUOTE || text.charCodeAt(keyAt) === SQUOTE;
          const key = this.item(depth, true);
          let name = key as string;
          if (!quoted) {
            const source = key as string;
            if (source === '<<') this.decline('merge key');
            name = plainKeyText(source, keyAt);
            if (maybeTyped(source, keyAt)) {
              if (tree) this.decline('typed key');
              (typed ??= []).push(source);
            }
          }
          const keyEnd = this.pos;
          if (entries.has(name, from, large)) this.decline('duplicate key');
          this.blanks();
          if (text.charCodeAt(this.pos) !== COLON || text.charCodeAt(this.pos + 1) !== SPACE) this.decline('flow pair');
          this.pos++;
          this.blanks();
          large = entries.put(name, this.item(depth, false), from, large);
          (node as YAMLMap | undefined)?.items.push(treePair(keyNode(name, keyAt, keyEnd), this.last));
        } else {
          seq.push(this.item(depth, false));
          (node as YAMLSeq | undefined)?.items.push(this.last);
        }
        this.blanks();
        const ch = text.charCodeAt(this.pos);
        if (ch === close) break;
        if (ch !== 44 /* , */) this.decline('flow separator');
        this.pos++;
        this.blanks();
        if (text.charCodeAt(this.pos) === close || text.charCodeAt(this.pos) === 44) this.decline('empty flow entry');
      }
    }
    this.pos++;
    const map = isMap ? entries.take(from, large) : undefined;
    if (typed && map) checkTypedKeys(typed, map, at);
    if (node) {
      node.items = exactSize(node.items);
      setTreeRange(node, at, this.pos);
      this.last = node;
    }
    return map ?? exactSize(seq);
  }

  /** One entry, leaving pos after it (blanks not skipped). A plain key is returned as its source. */
  item(depth: number, key: boolean): unknown {
    const { text } = this.reader;
    const at = this.pos;
    const c = text.charCodeAt(at);
    if (c === DQUOTE || c === SQUOTE) {
      const close =
        c === DQUOTE ? closingDoubleQuote(text, at + 1, this.lineEnd) : closingSingleQuote(text, at + 1, this.lineEnd);
      if (close === -1) this.decline('multi-line flow');
      this.pos = close + 1;
      const read = c === DQUOTE ? this.reader.doubleQuoted(at, close) : singleQuoted(text.slice(at + 1, close));
      const value = key ? read : this.reader.values.shared(read);
      if (this.reader.tree) this.last = keyNode(value, at, this.pos);
      return value;
    }
    if (c === 91 || c === 123) {
      if (key) this.decline('collection key');
      return this.node(at, depth + 1);
    }
    if (PLAIN_START_DECLINED.has(c) || (PLAIN_START_UNLESS_BLANK.has(c) && isBlankOrFlow(text.charCodeAt(at + 1))))
      this.decline('scalar start');
    let last = at;
    let i = at;
    for (; i < this.lineEnd; i++) {
      const ch = text.charCodeAt(i);
      if (FLOW_INDICATORS.has(ch)) break;
      if (ch === SPACE) continue;
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) this.decline('comment in flow');
      if (ch === COLON && isBlankOrFlow(text.charCodeAt(i + 1))) {
        if (key && text.charCodeAt(i + 1) === SPACE) break;
        this.decline('colon in flow scalar');
      }
      last = i + 1;
    }
    if (i >= this.lineEnd) this.decline('multi-line flow');
    const ch = text.charCodeAt(i);
    if (ch === 91 || ch === 123) this.decline('flow indicator in scalar');
    this.pos = last;
    const source = text.slice(at, last);
    const value = key ? source : this.reader.tree ? null : this.reader.values.shared(plainScalarValue(source, at));
    if (this.reader.tree) this.last = keyNode(value, at, last);
    return value;
  }
}

function isBlankOrFlow(ch: number): boolean {
  return ch === SPACE || ch === LF || Number.isNaN(ch) || FLOW_INDICATORS.has(ch);
}

/** A single-quoted scalar's body as the YAML library reads it: lines folded, `''` is `'`. */
function singleQuoted(body: string): string {
  const unfolded = body.includes('\n') ? unfoldLines(body) : body;
  return unfolded.includes("''") ? unfolded.replaceAll("''", "'") : unfolded;
}

/** Line folding of a multi-line flow scalar: blanks around breaks dropped, one break a space, n breaks n-1. */
function unfoldLines(source: string): string {
  const lines = source.split('\n');
  let res = trimEndSpaces(lines[0]);
  let sep = ' ';
  for (let i = 1; i < lines.length; i++) {
    const last = i === lines.length - 1;
    const line = last ? trimStartSpaces(lines[i]) : trimStartSpaces(trimEndSpaces(lines[i]));
    if (line === '' && !last) {
      if (sep === '\n') res += sep;
      else sep = '\n';
    } else {
      res += sep + line;
      sep = ' ';
    }
  }
  return res;
}

function trimEndSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === SPACE) end--;
  return s.slice(0, end);
}

function trimStartSpaces(s: string): string {
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === SPACE) start++;
  return s.slice(start);
}

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * A scalar node with the range [start, end, end] (a key, or an entry of a flow collection), and its source as the
 * library sets it (the text of the value: locating takes a key whose source is `<<` for a merge key).
 */
export function keyNode(value: unknown, start: number, end: number): Scalar {
  return new TreeScalar(value, start, end, typeof value === 'string' ? value : undefined) as unknown as Scalar;
}

// Location-tree nodes: the library's nodes as far as isScalar, isMap, isSeq and isPair tell (their prototypes carry
// the library's mark of a node's kind: see src/yaml-nodes.ts), with only what locating reads; made without loading
// the library. The library's own constructors define a
// property on every new node, which made them most of the cost of a tree.
// A node's range is the library's [start, value end, node end] (value end = node end here), made when read: locating
// reads a few nodes' ranges once each, and an array kept per node was ~70 bytes more per node of a tree that lives
// through the locating of all its document's paths (on a decK file of 40,000 routes, ~150,000 nodes).
class TreeScalar {
  constructor(
    readonly value: unknown,
    readonly start: number,
    readonly end: number,
    readonly source: string | undefined,
  ) {}
  get range(): [number, number, number] {
    return [this.start, this.end, this.end];
  }
}
markKind(TreeScalar.prototype, SCALAR);

/** Marks a class's nodes with the library's kind of node. */
function markKind(prototype: object, kind: symbol): void {
  Object.defineProperty(prototype, NODE_TYPE, { value: kind });
}

function treeCollectionClass(kind: symbol) {
  const TreeCollection = class {
    start = 0;
    end = 0;
    constructor(
      readonly flow: boolean,
      readonly items: unknown[] = [],
    ) {}
    get range(): [number, number, number] {
      return [this.start, this.end, this.end];
    }
  };
  markKind(TreeCollection.prototype, kind);
  return TreeCollection;
}

/** Sets a tree collection's range (see TreeScalar). */
export function setTreeRange(node: YAMLMap | YAMLSeq, start: number, end: number): void {
  const collection = node as unknown as { start: number; end: number };
  collection.start = start;
  collection.end = end;
}
const TreeMap = treeCollectionClass(MAP);
const TreeSeq = treeCollectionClass(SEQ);

class TreePair {
  constructor(
    readonly key: unknown,
    readonly value: unknown,
  ) {}
}
markKind(TreePair.prototype, PAIR);

export const treeMap = (flow: boolean, items?: unknown[]) => new TreeMap(flow, items) as unknown as YAMLMap;
export const treeSeq = (flow: boolean, items?: unknown[]) => new TreeSeq(flow, items) as unknown as YAMLSeq;
export const treePair = (key: unknown, value: unknown) => new TreePair(key, value) as unknown as Pair;

/** A plain key as sigs.k8s.io/yaml writes it (special floats by their text, others resolved then stringified). */
/**
 * Whether the YAML library (YAML 1.1 schema) might read this plain key as something other than its text: a number,
 * boolean, null or timestamp. Its duplicate-key check compares those values, not go-yaml's strings.
 */
function maybeTyped(source: string, at: number): boolean {
  const c = source.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46) return true;
  return source.length <= 5 && plainScalarValue(source, at) !== source;
}

/**
 * Two keys the YAML library may read as equal (two typed keys, or a typed key and another key with its text) are
 * left to it: it may report a duplicate that go-yaml's strings do not show.
 */
function checkTypedKeys(typed: readonly string[], out: Record<string, unknown>, at: number): void {
  if (typed.length > 1) throw new Declined('typed keys', at);
  const [source] = typed;
  if (Object.hasOwn(out, source) && plainKeyText(source, at) !== source) throw new Declined('typed key', at);
}
