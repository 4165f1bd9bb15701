// files -> documents. Parses YAML the way Kubernetes reads it (YAML 1.1 scalars: yes/on/off are booleans)
// and keeps one LineCounter per file so that any finding can be turned into a line and column later.
import type { LocationTree, Path, Range, TextLines } from '../location/locate.js';
import type { LocatedAsRead } from '../location/as-read.js';
import type { CST, Document, Node } from 'yaml';
import { yaml } from '../lazy-packages.js';
import { isMap, isNode, isPair, isScalar, isSeq } from '../yaml-nodes.js';
import { appendAll } from '../arrays.js';
import {
  firstDocumentEnd,
  firstLoneCr,
  foldQuotedLines,
  isJsonStream,
  eachYamlPart,
  withLineFeeds,
  type StreamPart,
} from './stream.js';
import { FastReader, readLocationTree, unquotedSource } from './fast.js';
import { isCleanJsonValue, jsonPartReadsCleanly, readJsonLocationTree } from './json-part.js';
import { kubernetesValue, plainKeyText, UnreadableValue } from './value.js';

export type ProblemCode = 'parse-error' | 'yaml-duplicate-key' | 'yaml-portability';

/** A problem found while reading a file, located by character offsets in its text. */
export interface ParseProblem {
  code: ProblemCode;
  message: string;
  start: number;
  end: number;
}

export interface SourceDocument {
  index: number;
  /** The syntax tree, for locations. Files parsed in a worker rebuild it on first use, for that document only. */
  readonly ast: Document.Parsed;
  /** The plain JavaScript value of the document; undefined when the document could not be read. */
  value: unknown;
  /** Offsets of the document in the file text. */
  start: number;
  end: number;
  /**
   * Set on objects built from other files (a kustomization's output): where a path of this value was written.
   * Locations, suppressions and embedded configs are resolved there; such a document has no text of its own.
   */
  readonly trace?: (path: readonly (string | number)[]) => TracedLocation;
}

/** Where a path of a built object was written: a document of a real file, and the path there. */
export interface TracedLocation {
  readonly file: SourceFile;
  readonly document: SourceDocument;
  readonly path: readonly (string | number)[];
  /** Already known (a file that is not YAML, such as a Helm template): used instead of locating `path`. */
  readonly range?: Range;
  /** Said in the message when the location is approximate ("rendered path spec.template..."). */
  readonly note?: string;
  /**
   * The value is these characters of the string written at `path` (a generator's `KEY=VALUE` literal): a value's
   * location is narrowed to them.
   */
  readonly span?: readonly [number, number];
}

export interface SourceFile {
  /** The path shown to users: relative to the working directory, with forward slashes. */
  path: string;
  text: string;
  lineCounter: TextLines;
  documents: SourceDocument[];
  problems: ParseProblem[];
  /** Why the file was not linted (Helm template, binary ...); such a file has no documents. */
  skipped?: string;
  /** Documents of kinds no rule reads (CustomResourceDefinitions), lexed but not composed; not in `documents`. */
  unreadDocuments?: number;
  /**
   * Documents read but not kept, as holding nothing any reader looks at (see ParseOptions.notKept): `documents`
   * reads them again from the text when first asked for; keptDocuments gives the others without doing so.
   */
  unkeptDocuments?: number;
  /** Set on files parsed by a thread: their documents' syntax trees are rebuilt on demand (see fromFileData). */
  lazy?: true;
  /**
   * Set when this text is embedded in another file (a config file held in a YAML string, e.g. a ConfigMap key):
   * the host file, and how an offset in this text maps to an offset in the host's text. Locations are reported in
   * the host file.
   */
  origin?: EmbeddedOrigin;
}

export interface EmbeddedOrigin {
  readonly file: SourceFile;
  readonly toHostOffset: (offset: number) => number;
}

export interface ParseOptions {
  /** Largest number of alias expansions in one document before it is treated as an alias bomb. */
  maxAliasCount?: number;
  /** '1.1' (default) reads scalars as Kubernetes does; meshlint's own config uses '1.2', where `off` is a string. */
  yamlVersion?: '1.1' | '1.2';
  /** Documents that need not be composed (the caller knows which kinds nobody reads; the parser knows no kinds). */
  notComposed?: DocumentFilter;
  /**
   * 'kubernetes' (default): a text starting with `{` is strict JSON, as kubectl reads it. 'yaml': JSON is read as the
   * YAML it also is (a config embedded in a string is read by its own program, not by kubectl).
   */
  json?: 'kubernetes' | 'yaml';
  /**
   * false: every document is read by the YAML library. By default the lean reader (fast.ts) reads the documents in
   * its subset, JSON.parse the JSON parts the library reads cleanly (json-part.ts), and the library only the others
   * (the differential test compares both ways).
   */
  fast?: boolean;
  /**
   * Documents whose value nothing reads (the caller knows the readers; the parser knows none): counted in
   * `unkeptDocuments`, not kept. Asked only of documents the lean reader reads, whose value follows from their own
   * text, so that they can be read again, the same, if `documents` is asked for.
   */
  notKept?: (value: unknown, path: string) => boolean;
}

/**
 * Decides from a document's top-level scalar fields, read from the tokens before composing, that the document is
 * only lexed: its syntax errors outside the body are still found, its body is not built, and it is counted in
 * `unreadDocuments` instead of `documents`.
 */
export interface DocumentFilter {
  /** The top-level keys `test` reads. */
  readonly fields: readonly string[];
  readonly test: (values: Readonly<Record<string, string | undefined>>) => boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** A file's bytes decoded (see decodeText): what parseSource reads of them. */
export interface DecodedText {
  readonly text: string;
  readonly invalidAt?: number;
  readonly binary?: boolean;
  readonly utf32?: string;
}

/** Decodes bytes as UTF-8. Returns the text and, when the bytes are not valid UTF-8, the offset of the first bad sequence. */
export function decodeText(bytes: Uint8Array): DecodedText {
  // UTF-32 with a byte order mark: Kubernetes does not decode it (its reader sees NUL characters and rejects the
  // file with "control characters are not allowed"). Tested before UTF-16: FF FE 00 00 starts both.
  const utf32 =
    bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0
      ? 'UTF-32LE'
      : bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff
        ? 'UTF-32BE'
        : undefined;
  if (utf32) return { text: '', utf32 };
  // UTF-16 with a byte order mark, which Kubernetes decodes too (Windows editors write it).
  const utf16 =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : undefined;
  if (utf16) {
    const text = new TextDecoder(utf16, { fatal: false, ignoreBOM: false }).decode(bytes);
    const invalidAt = text.indexOf('\uFFFD');
    return invalidAt >= 0 ? { text, invalidAt } : { text };
  }
  const probe = bytes.subarray(0, 8000);
  if (probe.includes(0)) return { text: '', binary: true };
  const text = utf8.decode(bytes);
  const invalidAt = text.indexOf('\uFFFD');
  return invalidAt >= 0 && !bytesContainReplacementChar(bytes) ? { text, invalidAt } : { text };
}

// U+FFFD written literally in the file is valid UTF-8 (EF BF BD): only a decoder-made one means bad bytes.
function bytesContainReplacementChar(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}

/**
 * A file's documents, from its text, its bytes, or its bytes decoded by the caller (decodeText: a large file's bytes
 * then need not be held by a caller while the file is parsed, see readAndParse in pool.ts).
 */
export function parseSource(
  path: string,
  bytesOrText: Uint8Array | string | DecodedText,
  options: ParseOptions = {},
): SourceFile {
  let text: string;
  const problems: ParseProblem[] = [];
  if (typeof bytesOrText === 'string') {
    text = bytesOrText;
  } else {
    // (sourceText below must stay the same derivation: the cache rebuilds text with it)
    const decoded = bytesOrText instanceof Uint8Array ? decodeText(bytesOrText) : bytesOrText;
    if (decoded.binary) return emptyFile(path, '', 'binary file (contains NUL bytes)');
    if (decoded.utf32) {
      const message = `The file is ${decoded.utf32} (it starts with that byte order mark): Kubernetes does not decode UTF-32 and rejects the manifest ("control characters are not allowed"). Re-save the file as UTF-8.`;
      const problem: ParseProblem = { code: 'parse-error', message, start: 0, end: 0 };
      return { path, text: '', lineCounter: lineCounterOf(''), documents: [], problems: [problem] };
    }
    text = decoded.text;
    if (decoded.invalidAt !== undefined) {
      problems.push({
        code: 'parse-error',
        message: 'Invalid UTF-8 byte sequence; Kubernetes rejects such a manifest. Re-save the file as UTF-8.',
        start: decoded.invalidAt,
        end: decoded.invalidAt + 1,
      });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM is not content (the decoder drops it from bytes)
  const loneCr = firstLoneCr(text);
  text = withLineFeeds(text);

  const lineCounter = lineCounterOf(text);
  const version = options.yamlVersion ?? '1.1';
  if (version === '1.2') return parseWhole(path, text, lineCounter, problems, options);
  // Kubernetes' reading: JSON when the stream starts with `{`, otherwise parts cut on `---` lines, each parsed alone.
  const json = options.json !== 'yaml' && isJsonStream(text);
  if (loneCr >= 0 && !json) {
    // Noted on the line it ends (on the line break itself when that line is empty); JSON takes any CR as a blank.
    const lineStart = text.lastIndexOf('\n', loneCr - 1) + 1;
    problems.push(portabilityNote('loneCr', Math.min(lineStart, loneCr), lineStart < loneCr ? loneCr : loneCr + 1));
  }
  // In order: the documents the lean reader or JSON.parse read (final: their tree is built on demand), and the
  // syntax trees of those the YAML library read (their values and problems come below). No record in between: a
  // file of a million documents holds a million of these at once.
  const documents: (SourceDocument | { readonly parsedAst: Document.Parsed; readonly index: number })[] = [];
  let unreadCount = 0;
  // Indexes of the documents not kept, as runs [from, to) (one run for a file of them only).
  const unkept: number[] = [];
  const fast = json || options.fast === false ? undefined : new FastReader(text);
  const source: DocumentSource = { text, yamlVersion: '1.1' };
  let parts = 0;
  const readPart = (start: number, partEnd: number, clean = false) => {
    const index = parts++;
    const end = json ? partEnd : firstDocumentEnd(text, start, partEnd);
    if (json && options.fast !== false && (clean || jsonPartReadsCleanly(text, start, end))) {
      documents.push(new LazyDocument(source, index, jsonValue(text, start, end), start, end));
      return;
    }
    const read = fast?.read(start, end, options.notComposed);
    if (read?.kind === 'empty') return;
    if (read?.kind === 'unread') {
      unreadCount++;
      return;
    }
    if (read?.kind === 'document') {
      if (!options.notKept?.(read.value, path)) documents.push(new LazyDocument(source, index, read.value, start, end));
      else if (unkept.at(-1) === index) unkept[unkept.length - 1] = index + 1;
      else unkept.push(index, index + 1);
      return;
    }
    const result = parsePart(text, start, end, options.notComposed);
    if (result === 'directive-only') {
      problems.push({
        code: 'parse-error',
        message:
          'A directive (%YAML, %TAG) must be followed by its document before the next "---" line: Kubernetes splits the file on "---" lines first and rejects this part.',
        start,
        end: start + 1,
      });
      return;
    }
    if (result === undefined) return; // blank or comments only
    if ('error' in result) {
      problems.push({ ...fatalProblem(result.error, end), start, end: start + 1 });
      return;
    }
    if (result.unread) unreadCount++;
    else documents.push({ parsedAst: result.ast, index });
    for (const [open, close] of result.underIndented ?? [])
      problems.push(portabilityNote('underIndented', underIndentedLine(text, open, close), close));
  };
  if (json) for (const part of jsonParts(text, problems)) readPart(part.start, part.end, part.clean);
  else {
    // The separators' problems come before the parts' (as when the stream was cut whole first).
    const before = problems.length;
    const separators = eachYamlPart(text, readPart);
    const partProblems = problems.splice(before);
    for (const problem of separators) problems.push({ code: 'parse-error', ...problem });
    appendAll(problems, partProblems);
  }

  // (A document the lean reader accepts has no errors and no node starting with `{{`: only the others can tell.)
  if (
    text.includes('{{') &&
    looksLikeTemplate(
      text,
      documents.flatMap((d) => ('parsedAst' in d ? [d.parsedAst] : [])),
    )
  ) {
    return emptyFile(
      path,
      text,
      'template (contains {{ }} outside strings, e.g. a Helm chart template); render it first and lint the output',
      lineCounter,
    );
  }

  // The library's documents replaced, in place, by what they hold (or left out when empty).
  let kept = 0;
  for (const entry of documents) {
    if (!('parsedAst' in entry)) {
      documents[kept++] = entry;
      continue;
    }
    const { parsedAst: ast, index } = entry;
    const [start, , end] = ast.range;
    const fatal = reportErrors(ast, text, problems);
    if (ast.contents === null) continue; // empty or comment-only document
    let value: unknown;
    if (!fatal) {
      try {
        let aliasesAt: [number, number] | undefined;
        value = json ? jsonValue(text, start, end) : kubernetesValue(ast, (from, to) => (aliasesAt = [from, to]));
        // Only of a document Kubernetes reads (an alias bomb is a parse-error, not a note).
        if (aliasesAt && yamlPackageRefuses(ast)) problems.push(portabilityNote('manyAliases', ...aliasesAt));
      } catch (error) {
        const at = error instanceof UnreadableValue ? error.offset : (ast.contents.range?.[0] ?? start);
        problems.push({ ...fatalProblem(error, end), start: at, end: at + 1 });
        value = undefined;
      }
    }
    documents[kept++] = { index, ast, value, start, end };
  }
  documents.length = kept;
  problems.sort((x, y) => x.start - y.start);
  const file: SourceFile = {
    path,
    text,
    lineCounter,
    documents: documents as SourceDocument[],
    problems,
    ...(unreadCount ? { unreadDocuments: unreadCount } : {}),
  };
  if (unkept.length) withUnkeptDocuments(file, unkept);
  return file;
}

/** Of each file that has documents not kept: the kept ones, and the indexes of the others as runs [from, to). */
const unkeptOf = new WeakMap<
  SourceFile,
  { readonly kept: readonly SourceDocument[]; readonly runs: readonly number[] }
>();

/**
 * Makes `file.documents` read the documents not kept again on first use: whoever asks for every document (a kustomize
 * build, a Helm output's sources) gets every one, the kept ones the same objects. Readers that know what was left out
 * (format readers, Graph.documents) go through keptDocuments and never pay for it.
 */
function withUnkeptDocuments(file: SourceFile, runs: readonly number[]): void {
  const kept = file.documents;
  unkeptOf.set(file, { kept, runs });
  let count = 0;
  for (let i = 0; i < runs.length; i += 2) count += runs[i + 1] - runs[i];
  file.unkeptDocuments = count;
  const settle = (documents: SourceDocument[]) => {
    Object.defineProperty(file, 'documents', {
      value: documents,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return documents;
  };
  Object.defineProperty(file, 'documents', {
    enumerable: true,
    configurable: true,
    get: () => settle(readAgain(file.text, kept, runs)),
    set: settle,
  });
}

/**
 * Every document of a text whose documents at the indexes of `runs` were read by the lean reader and not kept: those
 * read again as parseSource read them (their part, up to the first document's end), between the kept ones.
 */
function readAgain(text: string, kept: readonly SourceDocument[], runs: readonly number[]): SourceDocument[] {
  const fast = new FastReader(text);
  const source: DocumentSource = { text, yamlVersion: '1.1' };
  const all: SourceDocument[] = [];
  let next = 0; // the next kept document
  let run = 0;
  let index = 0;
  eachYamlPart(text, (start, partEnd) => {
    const at = index++;
    while (next < kept.length && kept[next].index < at) all.push(kept[next++]);
    while (run < runs.length && runs[run + 1] <= at) run += 2;
    if (run >= runs.length || at < runs[run]) return;
    const end = firstDocumentEnd(text, start, partEnd);
    const read = fast.read(start, end);
    if (read.kind !== 'document') throw new Error(`document ${at} of the text no longer reads as it did`);
    all.push(new LazyDocument(source, at, read.value, start, end));
  });
  while (next < kept.length) all.push(kept[next++]);
  return all;
}

/** The indexes of a file's documents not kept (as runs [from, to)), for a copy of the file made elsewhere. */
function unkeptRuns(file: SourceFile): readonly number[] | undefined {
  return unkeptOf.get(file)?.runs;
}

/** The documents a file keeps: all of them but those no reader looks at (see ParseOptions.notKept). */
export function keptDocuments(file: SourceFile): readonly SourceDocument[] {
  return unkeptOf.get(file)?.kept ?? file.documents;
}

/** How many documents a file holds, kept or not (not counting those left unread, `unreadDocuments`). */
export function documentCount(file: SourceFile): number {
  return keptDocuments(file).length + (file.unkeptDocuments ?? 0);
}

/** Leniencies of go-yaml that stricter YAML readers do not share: read as Kubernetes reads them, with a note. */
const PORTABILITY = {
  underIndented:
    'This double-quoted string continues on lines indented no deeper than its key: Kubernetes (go-yaml) reads it, but stricter YAML parsers such as the yaml package reject the file. Indent the continuation lines deeper than the key, or write the string on one line or as a block scalar (| or >).',
  loneCr:
    'This file ends its lines with a lone CR (old Mac line ends): Kubernetes (go-yaml) reads them as line breaks, but YAML parsers that only know LF and CRLF, such as the yaml package, read the file as one line. Save it with LF line ends.',
  manyAliases:
    'This document expands aliases more than 100 times: Kubernetes (go-yaml) reads it, as its limit is a ratio of aliases to nodes, but the yaml package refuses it (over its 100-alias limit). Write the values out, or use fewer aliases.',
} as const;

function portabilityNote(kind: keyof typeof PORTABILITY, start: number, end: number): ParseProblem {
  return { code: 'yaml-portability', message: PORTABILITY[kind], start, end };
}

/**
 * Where a folded quoted scalar (quote at `open`, `close` past its closing quote) first continues on a line indented
 * no deeper than its key: the first character of that line (of its first continuation line if none is).
 */
function underIndentedLine(text: string, open: number, close: number): number {
  const lineStart = text.lastIndexOf('\n', open - 1) + 1;
  let key = lineStart;
  while (key < open && (text[key] === ' ' || (text[key] === '-' && text[key + 1] === ' '))) key++;
  let first = -1;
  for (let at = text.indexOf('\n', open); at !== -1 && at < close; at = text.indexOf('\n', at + 1)) {
    let content = at + 1;
    while (content < close && text[content] === ' ') content++;
    if (content === close || text[content] === '\n') continue; // a blank line is a line break, not a continuation
    if (first === -1) first = content;
    if (content - (at + 1) <= key - lineStart) return content;
  }
  return first === -1 ? open : first;
}

/** Whether the yaml package, with its default limit of 100 aliases, refuses to build this document. */
function yamlPackageRefuses(ast: Document.Parsed): boolean {
  try {
    ast.toJS({ maxAliasCount: 100 });
    return false;
  } catch (error) {
    return error instanceof ReferenceError;
  }
}

/** A file that could not be read or parsed at all: one located problem (the parser's failure, or the one given). */
export function unreadableFile(
  path: string,
  error: unknown,
  text = '',
  problem: ParseProblem = fatalProblem(error, 1),
): SourceFile {
  return { path, text, lineCounter: lineCounterOf(text), documents: [], problems: [problem] };
}

type PartResult =
  | { ast: Document.Parsed; unread: boolean; underIndented?: [number, number][] }
  | { error: unknown }
  | 'directive-only'
  | undefined;

/** Parses text[start, end) as one YAML document, with ranges as offsets into the whole text. */
function parsePart(text: string, start: number, end: number, notComposed?: DocumentFilter): PartResult {
  const source = text.slice(start, end);
  let docs: Document.Parsed[];
  let underIndented: [number, number][] | undefined;
  const unread = new Set<number>();
  try {
    docs = composeDocuments(source, unread, notComposed);
    if (docs.length === 0) return /^%/m.test(source) ? 'directive-only' : undefined;
    if (docs[0].errors.some((e) => e.code !== 'DUPLICATE_KEY')) {
      // Continuation lines of a double-quoted scalar that go-yaml accepts: read the part again with them folded.
      const folded = foldQuotedLines(text, start, end);
      if (folded !== undefined) {
        const again = composeDocuments(folded.text.slice(start, end), new Set());
        if (again.length > 0 && again[0].errors.every((e) => e.code === 'DUPLICATE_KEY')) {
          // The scalars the strict reading failed in (every one folded, if its errors point elsewhere).
          const failedAt = docs[0].errors.map((e) => start + e.pos[0]);
          const failed = folded.scalars.filter(([from, to]) => failedAt.some((at) => at >= from && at < to));
          underIndented = failed.length > 0 ? failed : folded.scalars;
          docs = again;
        }
      }
    }
  } catch (error) {
    // The parser recurses per nesting level: absurd nesting ends here instead of taking the scan down.
    return { error };
  }
  if (unread.has(0)) return { ast: docs[0], unread: true };
  const ast = docs[0];
  if (docs[0].errors.some((e) => e.code === 'MISSING_CHAR' && /closing/.test(e.message))) {
    const opening = unterminatedQuote(source);
    if (opening !== undefined)
      for (const e of ast.errors) if (e.code === 'MISSING_CHAR') e.pos = [opening, opening + 1];
  }
  shiftDocument(ast, start);
  keysAsGoYamlReadsThem(ast);
  // go-yaml reads only the first document of a part (after "..." the rest is never read).
  ast.range[1] = Math.min(ast.range[1], end);
  ast.range[2] = end;
  ast.range[0] = Math.min(ast.range[0], start);
  return { ast, unread: false, ...(underIndented ? { underIndented } : {}) };
}

/**
 * The yaml package's 1.1 schema reads a few plain keys unlike go-yaml (`e0` is the float 0 there, the string "e0" in
 * Kubernetes): key nodes the package did not read as text get the key Kubernetes reads, so a path finds its key.
 */
function keysAsGoYamlReadsThem(ast: Document.Parsed): void {
  yaml().visit(ast, {
    Pair(_, pair) {
      const key = pair.key;
      if (!isScalar(key) || key.tag || key.type !== 'PLAIN' || typeof key.value === 'string') return;
      try {
        key.value = plainKeyText(String(key.source), key.range?.[0] ?? 0);
      } catch {
        // A key Kubernetes cannot read (null, .nan): the value reader reports it; locations keep the package's reading.
      }
    },
  });
}

function composeDocuments(source: string, unread: Set<number>, notComposed?: DocumentFilter): Document.Parsed[] {
  const { Composer, Parser } = yaml();
  const tokens = notComposed
    ? withoutUnreadBodies(new Parser().parse(source), notComposed, unread)
    : new Parser().parse(source);
  return Array.from(new Composer({ version: '1.1', prettyErrors: false }).compose(tokens)) as Document.Parsed[];
}

/** Where the quoted scalar that never closes opens (the parser reports the end of the input). */
function unterminatedQuote(source: string): number | undefined {
  let offset = 0;
  for (const lexeme of new (yaml().Lexer)().lex(source)) {
    const quote = lexeme[0];
    if ((quote === '"' || quote === "'") && (lexeme.length === 1 || !lexeme.trimEnd().endsWith(quote))) return offset;
    // The lexer's own markers (single control characters) take no room in the text.
    if (!(lexeme.length === 1 && lexeme.charCodeAt(0) < 0x20 && lexeme !== '\n' && lexeme !== '\t' && lexeme !== '\r'))
      offset += lexeme.length;
  }
  return undefined;
}

/** The problems of a parsed document; true when it is broken (its value is not read). */
function reportErrors(ast: Document.Parsed, text: string, problems: ParseProblem[]): boolean {
  let fatal = false;
  let duplicates = false;
  for (const error of ast.errors) {
    if (error.code === 'DUPLICATE_KEY') {
      duplicates = true;
      continue;
    }
    // Later errors of a broken document are mostly echoes of the first: report where it breaks.
    if (!fatal)
      problems.push({
        code: 'parse-error',
        message: cleanMessage(error.message),
        start: Math.min(error.pos[0], Math.max(0, text.length - 1)),
        end: Math.max(error.pos[1], error.pos[0] + 1),
      });
    fatal = true;
  }
  if (duplicates && ast.contents) appendAll(problems, duplicateKeys(ast.contents));
  return fatal;
}

/**
 * JSON streams (kubectl reads `{...} {...}` as several objects): the parts, one per top-level value; a syntax error is
 * reported where JSON.parse stops and ends the stream, as it ends kubectl's reading.
 */
function jsonParts(text: string, problems: ParseProblem[]): JsonPart[] {
  const parts: JsonPart[] = [];
  let start = 0;
  while (start < text.length && /\s/.test(text[start])) start++;
  while (start < text.length) {
    // The common stream, one value the library reads cleanly: told without JSON.parse building a value only to be
    // dropped (the document's value is parsed once, by readPart).
    if (isCleanJsonValue(text, start, text.length)) {
      parts.push({ start, end: text.length, clean: true });
      break;
    }
    const rest = text.slice(start);
    try {
      JSON.parse(rest);
      parts.push({ start, end: text.length });
      break;
    } catch (error) {
      const message = String((error as Error).message);
      const at = /at position (\d+)/.exec(message);
      const position = at ? Number(at[1]) : rest.length;
      if (/non-whitespace character after JSON/.test(message)) {
        parts.push({ start, end: start + position });
        start += position;
        continue;
      }
      problems.push({
        code: 'parse-error',
        message: `Invalid JSON (${withoutPosition(message).replace(/\.$/, '')}): Kubernetes reads a file that starts with "{" as JSON and rejects it.`,
        start: start + Math.min(position, Math.max(0, rest.length - 1)),
        end: start + position + 1,
      });
      break;
    }
  }
  return parts;
}

/** A part of a JSON stream; `clean` when it is known to be one that the YAML library reads cleanly. */
interface JsonPart extends StreamPart {
  readonly clean?: boolean;
}

function jsonValue(text: string, start: number, end: number): unknown {
  return JSON.parse(text.slice(start, end));
}

/** meshlint's own configuration: plain YAML 1.2, the whole stream at once. */
function parseWhole(
  path: string,
  text: string,
  lineCounter: TextLines,
  problems: ParseProblem[],
  options: ParseOptions,
): SourceFile {
  const { Composer, Parser } = yaml();
  let asts: Document.Parsed[];
  try {
    asts = Array.from(
      new Composer({ version: '1.2', prettyErrors: false }).compose(new Parser().parse(text)),
    ) as Document.Parsed[];
  } catch (error) {
    return { path, text, lineCounter, documents: [], problems: [...problems, fatalProblem(error, text.length)] };
  }
  const documents: SourceDocument[] = [];
  asts.forEach((ast, index) => {
    const [start, , end] = ast.range;
    const fatal = reportErrors(ast, text, problems);
    if (ast.contents === null) return;
    let value: unknown;
    if (!fatal) {
      try {
        value = ast.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
      } catch (error) {
        problems.push({
          ...fatalProblem(error, end),
          start: ast.contents.range?.[0] ?? start,
          end: (ast.contents.range?.[0] ?? start) + 1,
        });
      }
    }
    documents.push({ index, ast, value, start, end });
  });
  return { path, text, lineCounter, documents, problems };
}

/** Whether a document token's top-level scalar fields pass the filter (read from tokens: nothing composed yet). */
function isNotComposed(token: CST.Document, filter: DocumentFilter): boolean {
  const body = token.value;
  if (!body || body.type !== 'block-map') return false;
  const values: Record<string, string | undefined> = {};
  for (const item of body.items) {
    const key = scalarSource(item.key);
    if (key === undefined || !filter.fields.includes(key)) continue;
    values[key] = scalarSource(item.value);
    if (filter.fields.every((field) => values[field] !== undefined)) break;
  }
  return filter.test(values);
}

function scalarSource(token: CST.Token | null | undefined): string | undefined {
  return token && 'source' in token && typeof token.source === 'string' ? unquotedSource(token.source) : undefined;
}

/** Passes the parser's tokens on, emptying the bodies of unread documents; records their indexes. */
function* withoutUnreadBodies(
  tokens: Generator<CST.Token>,
  filter: DocumentFilter,
  unread: Set<number>,
): Generator<CST.Token> {
  let index = 0;
  for (const token of tokens) {
    if (token.type === 'document') {
      if (isNotComposed(token, filter)) {
        unread.add(index);
        token.value = undefined;
      }
      index++;
    }
    yield token;
  }
}

/** What a worker sends back for a file: everything but the syntax trees, which do not cross threads. */
export interface SourceFileData {
  path: string;
  text: string;
  problems: ParseProblem[];
  skipped?: string;
  documents: { index: number; value: unknown; start: number; end: number }[];
  unreadDocuments?: number;
  /** The indexes of the documents not kept, as runs [from, to): read again from the text if asked for. */
  unkept?: readonly number[];
  yamlVersion: '1.1' | '1.2';
}

export function toFileData(file: SourceFile, yamlVersion: '1.1' | '1.2' = '1.1'): SourceFileData {
  return {
    path: file.path,
    text: file.text,
    problems: file.problems,
    skipped: file.skipped,
    documents: keptDocuments(file).map(({ index, value, start, end }) => ({ index, value, start, end })),
    ...(file.unreadDocuments ? { unreadDocuments: file.unreadDocuments } : {}),
    ...(unkeptRuns(file) ? { unkept: unkeptRuns(file) } : {}),
    yamlVersion,
  };
}

/** A SourceFile from worker data: line starts recounted, each document's syntax tree parsed again only if asked for. */
export function fromFileData(data: SourceFileData): SourceFile {
  const lineCounter = lineCounterOf(data.text);
  const source: DocumentSource = { text: data.text, yamlVersion: data.yamlVersion };
  const documents = data.documents.map(
    ({ index, value, start, end }) => new LazyDocument(source, index, value, start, end),
  );
  const file: SourceFile = {
    path: data.path,
    text: data.text,
    lineCounter,
    documents,
    problems: data.problems,
    skipped: data.skipped,
    lazy: true,
    ...(data.unreadDocuments ? { unreadDocuments: data.unreadDocuments } : {}),
  };
  if (data.unkept?.length) withUnkeptDocuments(file, data.unkept);
  return file;
}

/**
 * How a document's value was read when it follows from its own slice of the text (start to end) alone: 'json' for a
 * strict JSON stream's documents (JSON.parse of the slice, whichever tree they have), 'yaml' for the lean reader's (it
 * reads a part whole). Undefined for a document the YAML library read (directives and the `---` line may lie before
 * `start`), a built one, or one from a thread's data.
 */
export function sliceReading(file: SourceFile, document: SourceDocument): 'yaml' | 'json' | undefined {
  if (file.lazy || document.trace) return undefined;
  if (!file.origin && isJsonStream(file.text)) return 'json'; // text embedded in a string reads JSON as YAML
  return document instanceof LazyDocument ? 'yaml' : undefined;
}

/** What the documents of one file share: its text and how it is read (one record per file, not per document). */
interface DocumentSource {
  readonly text: string;
  readonly yamlVersion: '1.1' | '1.2';
}

/**
 * Syntax trees built on demand, by document: few documents ever need one (those located through the library), so the
 * slot lives here rather than in every document (a file of a million documents holds a million of them).
 */
const builtTrees = new WeakMap<LazyDocument, Document.Parsed>();

/** A document whose syntax tree is parsed again from the file's text on first use, for this document only. */
class LazyDocument implements SourceDocument {
  readonly #source: DocumentSource;
  constructor(
    source: DocumentSource,
    readonly index: number,
    public value: unknown,
    readonly start: number,
    readonly end: number,
  ) {
    this.#source = source;
  }

  get ast(): Document.Parsed {
    let ast = builtTrees.get(this);
    if (!ast) {
      const { text, yamlVersion } = this.#source;
      ast = reparseDocument(text, this.index, this.start, this.end, yamlVersion);
      builtTrees.set(this, ast);
    }
    return ast;
  }

  /**
   * The lean reader's tree when it reads the document and the library's tree is not built. Only the last one asked
   * for is kept (locating asks for one document's locations together, or one after the other).
   */
  leanTree(): LocationTree | undefined {
    if (this.#source.yamlVersion !== '1.1' || builtTrees.has(this)) return undefined;
    if (lastLeanTree?.document !== this)
      lastLeanTree = { document: this, tree: leanLocationTree(this.#source.text, this.start, this.end) };
    return lastLeanTree.tree;
  }

  leanTreeFor(paths: readonly Path[], asRead?: LocatedAsRead): LocationTree | undefined {
    if (this.#source.yamlVersion !== '1.1' || builtTrees.has(this)) return undefined;
    return leanLocationTree(this.#source.text, this.start, this.end, paths, asRead);
  }
}

/** A document's location tree without the YAML library: written as JSON (json-part.ts), or in the lean subset. */
function leanLocationTree(...args: Parameters<typeof readLocationTree>): LocationTree | undefined {
  return readJsonLocationTree(...args) ?? readLocationTree(...args);
}

let lastLeanTree: { readonly document: LazyDocument; readonly tree: LocationTree | undefined } | undefined;

/** Lets go of the location tree kept for the document located last (it is rebuilt if asked for again). */
export function releaseLeanTree(): void {
  lastLeanTree = undefined;
}

/**
 * Line starts counted from the text itself: the parser's own LineCounter misses the lines inside multi-line quoted
 * scalars, which put every later offset on the wrong line.
 */
export function lineCounterOf(text: string): TextLines {
  // Kept for the whole run: 2 bytes a line (4 in a text of 64K characters or more) in an exact-size typed array,
  // where the library's LineCounter's list (grown by pushes) holds 8 bytes a line and up to half as much again unused;
  // nothing adds lines to a counted text.
  return new LineStarts(text.length <= MAX_SHORT_OFFSET ? shortTextLineStarts(text) : longTextLineStarts(text));
}

// (Each loop in a function of its own, with one kind of array after it: V8 keeps a loop's on-stack compilation after
// a deopt outside the loop, and a copy into either kind of array after one loop deopted at each text of the other
// kind, ~40 times a corpus run.)

/** The line starts of a text of at most MAX_SHORT_OFFSET characters: one pass into a scratch array, then copied. */
function shortTextLineStarts(text: string): Uint16Array {
  let scratch = shortLineStartsScratch;
  let lines = 1; // (the first line's start, 0, is never written)
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (lines === scratch.length) {
      // (A text this short has at most MAX_SHORT_OFFSET + 1 lines.)
      const grown = new Uint16Array(Math.min(lines * 2, MAX_SHORT_OFFSET + 1));
      grown.set(scratch);
      shortLineStartsScratch = scratch = grown;
    }
    scratch[lines++] = i + 1;
  }
  return scratch.slice(0, lines);
}

/** Where shortTextLineStarts collects line starts: as large as the most lines a short text had (128 KB at most). */
let shortLineStartsScratch = new Uint16Array(1024);

/** The line starts of a longer text: counted first, then written at exact size (no larger copy of a large text's). */
function longTextLineStarts(text: string): Uint32Array {
  const starts = new Uint32Array(lineCount(text));
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[lines++] = i + 1;
  return starts;
}

function lineCount(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** A counted text's lines (without the YAML library, which a scan of files the lean reader reads never loads). */
/** The largest offset a Uint16Array holds: line starts of a text no longer than this take 2 bytes each. */
const MAX_SHORT_OFFSET = 0xffff;

class LineStarts implements TextLines {
  constructor(readonly lineStarts: Uint16Array | Uint32Array) {}

  /** The 1-based line and column of an offset, as the library's LineCounter#linePos gives them. */
  linePos(offset: number): { line: number; col: number } {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid] < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - starts[low - 1] + 1 };
  }
}

/** Parses one document's slice of the text again, exactly as parseSource read it, with file offsets. */
function reparseDocument(
  text: string,
  index: number,
  start: number,
  end: number,
  version: '1.1' | '1.2',
): Document.Parsed {
  if (version === '1.1') {
    const part = parsePart(text, start, end);
    if (part && typeof part === 'object' && 'ast' in part) return part.ast;
  }
  const all = yaml().parseAllDocuments(text, { version, prettyErrors: false }) as Document.Parsed[];
  return all[index];
}

/** One document of a text, parsed as parseSource parses it (for a thread that locates paths). */
export function parseDocumentText(text: string): Document.Parsed | undefined {
  const part = parsePart(text, 0, text.length);
  return part && typeof part === 'object' && 'ast' in part ? part.ast : undefined;
}

/** Moves every range of a document parsed from a slice of the text by `by`, back to offsets in the whole text. */
function shiftDocument(doc: Document.Parsed, by: number): void {
  if (by === 0) return;
  const shift = (range: number[] | null | undefined) => {
    if (range) for (let i = 0; i < range.length; i++) range[i] += by;
  };
  shift(doc.range);
  for (const error of doc.errors) shift(error.pos);
  for (const warning of doc.warnings) shift(warning.pos);
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.key, node.value);
      continue;
    }
    if (!isNode(node)) continue;
    shift(node.range);
    if (isMap(node) || isSeq(node)) appendAll(stack, node.items);
  }
}

/** The text parseSource reads from these bytes (for a cache hit, which has everything else). */
export function sourceText(bytes: Uint8Array): string {
  const decoded = decodeText(bytes);
  const text = decoded.binary ? '' : decoded.text;
  return withLineFeeds(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

function emptyFile(path: string, text: string, skipped: string, lineCounter = lineCounterOf(text)): SourceFile {
  return { path, text, lineCounter, documents: [], problems: [], skipped };
}

function fatalProblem(error: unknown, at: number): ParseProblem {
  const message =
    error instanceof RangeError
      ? 'The document is nested too deeply to be read.'
      : /alias/i.test(String((error as Error)?.message))
        ? 'Too many alias expansions (a "billion laughs" alias bomb?); the document was not read.'
        : `The document could not be read: ${cleanMessage(String((error as Error)?.message ?? error))}`;
  return { code: 'parse-error', message, start: Math.max(0, at - 1), end: Math.max(1, at) };
}

function cleanMessage(message: string): string {
  // yaml's messages end with " at line N, column M" plus a code excerpt when prettyErrors is on; keep the sentence.
  const firstLine = message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
  return firstLine.endsWith('.') ? firstLine : `${firstLine}.`;
}

/** Every repeated key, at the repeated (later) occurrence; the parser's own positions are not always on the key. */
function duplicateKeys(root: Node): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && seen.has(key) && isNode(pair.key) && pair.key.range) {
          const shown = key.length > 60 ? `${key.slice(0, 57)}...` : key;
          problems.push({
            code: 'yaml-duplicate-key',
            message: `Duplicate key "${shown}": the later value silently overrides the earlier one. Remove one of them.`,
            start: pair.key.range[0],
            end: pair.key.range[1],
          });
        }
        if (key !== undefined) seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      appendAll(stack, node.items);
    }
  }
  return problems.sort((a, b) => a.start - b.start);
}

/** Helm and other Go templates: `{{ }}` outside quoted strings makes YAML errors or odd flow maps on those lines. */
function looksLikeTemplate(text: string, asts: Document.Parsed[]): boolean {
  for (const ast of asts) {
    for (const error of ast.errors) {
      if (lineAt(text, error.pos[0]).includes('{{')) return true;
    }
    if (ast.contents && containsTemplateFlow(ast.contents, text)) return true;
  }
  return false;
}

function containsTemplateFlow(node: Node, text: string): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (isPair(current)) {
      stack.push(current.key, current.value);
    } else if (isMap(current) || isSeq(current)) {
      if (current.flow && current.range && text.startsWith('{{', current.range[0])) return true;
      appendAll(stack, current.items);
    } else if (isNode(current) && current.range && text.startsWith('{{', current.range[0])) {
      return true;
    }
  }
  return false;
}

function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end === -1 ? undefined : end);
}

/** V8's JSON error without its " in JSON at position N ..." tail (the position is the finding's location). */
function withoutPosition(message: string): string {
  const cut = message.indexOf(' in JSON at position ');
  return cut >= 0 ? message.slice(0, cut) : message;
}
