// files -> documents. Parses YAML the way Kubernetes reads it (YAML 1.1 scalars: yes/on/off are booleans)
// and keeps one LineCounter per file so that any finding can be turned into a line and column later.
import type { Range } from '../location/locate.js';
import { Composer, LineCounter, Parser, parseAllDocuments, isMap, isScalar, isSeq, isPair, isNode, type CST, type Document, type Node } from 'yaml';

export type ProblemCode = 'parse-error' | 'yaml-duplicate-key';

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
}

export interface SourceFile {
  /** The path shown to users: relative to the working directory, with forward slashes. */
  path: string;
  text: string;
  lineCounter: LineCounter;
  documents: SourceDocument[];
  problems: ParseProblem[];
  /** Why the file was not linted (Helm template, binary ...); such a file has no documents. */
  skipped?: string;
  /** Documents of kinds no rule reads (CustomResourceDefinitions), lexed but not composed; not in `documents`. */
  unreadDocuments?: number;
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

/** Decodes bytes as UTF-8. Returns the text and, when the bytes are not valid UTF-8, the offset of the first bad sequence. */
function decodeText(bytes: Uint8Array): { text: string; invalidAt?: number; binary?: boolean } {
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

export function parseSource(path: string, bytesOrText: Uint8Array | string, options: ParseOptions = {}): SourceFile {
  let text: string;
  const problems: ParseProblem[] = [];
  if (typeof bytesOrText === 'string') {
    text = bytesOrText;
  } else {
    // (sourceText below must stay the same derivation: the cache rebuilds text with it)
    const decoded = decodeText(bytesOrText);
    if (decoded.binary) return emptyFile(path, '', 'binary file (contains NUL bytes)');
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

  const lineCounter = lineCounterOf(text);
  let asts: Document.Parsed[];
  const unread = new Set<number>();
  try {
    const tokens = options.notComposed ? withoutUnreadBodies(new Parser().parse(text), options.notComposed, unread) : new Parser().parse(text);
    asts = Array.from(new Composer({ version: options.yamlVersion ?? '1.1', prettyErrors: false }).compose(tokens)) as Document.Parsed[];
  } catch (error) {
    // The parser recurses per nesting level: absurd nesting ends here instead of taking the scan down.
    return { path, text, lineCounter, documents: [], problems: [...problems, fatalProblem(error, text.length)] };
  }

  if (text.includes('{{') && looksLikeTemplate(text, asts)) {
    return emptyFile(path, text, 'template (contains {{ }} outside strings, e.g. a Helm chart template); render it first and lint the output', lineCounter);
  }

  const documents: SourceDocument[] = [];
  asts.forEach((ast, index) => {
    if (unread.has(index)) return;
    const [start, , end] = ast.range;
    let fatal = false;
    let duplicates = false;
    for (const error of ast.errors) {
      if (error.code === 'DUPLICATE_KEY') {
        duplicates = true;
        continue;
      }
      // Later errors of a broken document are mostly echoes of the first: report where it breaks.
      if (!fatal) problems.push({ code: 'parse-error', message: cleanMessage(error.message), start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1) });
      fatal = true;
    }
    if (duplicates && ast.contents) problems.push(...duplicateKeys(ast.contents));
    if (ast.contents === null) return; // empty or comment-only document
    let value: unknown;
    if (!fatal) {
      try {
        value = ast.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
      } catch (error) {
        problems.push({ ...fatalProblem(error, end), start: ast.contents.range?.[0] ?? start, end: (ast.contents.range?.[0] ?? start) + 1 });
        value = undefined;
      }
    }
    documents.push({ index, ast, value, start, end });
  });
  return { path, text, lineCounter, documents, problems, ...(unread.size ? { unreadDocuments: unread.size } : {}) };
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
  return token && 'source' in token && typeof token.source === 'string' ? token.source.replace(/^(["'])(.*)\1$/, '$2') : undefined;
}

/** Passes the parser's tokens on, emptying the bodies of unread documents; records their indexes. */
function* withoutUnreadBodies(tokens: Generator<CST.Token>, filter: DocumentFilter, unread: Set<number>): Generator<CST.Token> {
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
  yamlVersion: '1.1' | '1.2';
}

export function toFileData(file: SourceFile, yamlVersion: '1.1' | '1.2' = '1.1'): SourceFileData {
  return {
    path: file.path,
    text: file.text,
    problems: file.problems,
    skipped: file.skipped,
    documents: file.documents.map(({ index, value, start, end }) => ({ index, value, start, end })),
    ...(file.unreadDocuments ? { unreadDocuments: file.unreadDocuments } : {}),
    yamlVersion,
  };
}

/** A SourceFile from worker data: line starts recounted, each document's syntax tree parsed again only if asked for. */
export function fromFileData(data: SourceFileData): SourceFile {
  const lineCounter = lineCounterOf(data.text);
  const documents = data.documents.map(({ index, value, start, end }): SourceDocument => {
    let ast: Document.Parsed | undefined;
    return {
      index,
      value,
      start,
      end,
      get ast() {
        return (ast ??= reparseDocument(data.text, index, start, end, data.yamlVersion));
      },
    };
  });
  return {
    path: data.path,
    text: data.text,
    lineCounter,
    documents,
    problems: data.problems,
    skipped: data.skipped,
    lazy: true,
    ...(data.unreadDocuments ? { unreadDocuments: data.unreadDocuments } : {}),
  };
}

/**
 * Line starts counted from the text itself: the parser's own LineCounter misses the lines inside multi-line quoted
 * scalars, which put every later offset on the wrong line.
 */
export function lineCounterOf(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  return lineCounter;
}

/** Parses one document's slice of the text and shifts its ranges back to file offsets. */
function reparseDocument(text: string, index: number, start: number, end: number, version: '1.1' | '1.2'): Document.Parsed {
  const slice = parseAllDocuments(text.slice(start, end), { version, prettyErrors: false });
  if (Array.isArray(slice) && slice.length === 1) {
    shiftRanges(slice[0] as Document.Parsed, start);
    return slice[0] as Document.Parsed;
  }
  // A slice that does not stand alone (directives, odd markers): parse the whole stream again.
  const all = parseAllDocuments(text, { version, prettyErrors: false }) as Document.Parsed[];
  return all[index];
}

function shiftRanges(doc: Document.Parsed, by: number): void {
  const shift = (range: number[] | null | undefined) => {
    if (range) for (let i = 0; i < range.length; i++) range[i] += by;
  };
  shift(doc.range);
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.key, node.value);
      continue;
    }
    if (!isNode(node)) continue;
    shift(node.range);
    if (isMap(node) || isSeq(node)) stack.push(...node.items);
  }
}

/** The text parseSource reads from these bytes (for a cache hit, which has everything else). */
export function sourceText(bytes: Uint8Array): string {
  const decoded = decodeText(bytes);
  const text = decoded.binary ? '' : decoded.text;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function emptyFile(path: string, text: string, skipped: string, lineCounter = lineCounterOf(text)): SourceFile {
  return { path, text, lineCounter, documents: [], problems: [], skipped };
}

function fatalProblem(error: unknown, at: number): ParseProblem {
  const message = error instanceof RangeError
    ? 'The document is nested too deeply to be read.'
    : /alias/i.test(String((error as Error)?.message))
      ? 'Too many alias expansions (a "billion laughs" alias bomb?); the document was not read.'
      : `The document could not be read: ${cleanMessage(String((error as Error)?.message ?? error))}`;
  return { code: 'parse-error', message, start: Math.max(0, at - 1), end: Math.max(1, at) };
}

function cleanMessage(message: string): string {
  // yaml's messages end with " at line N, column M" plus a code excerpt when prettyErrors is on; keep the sentence.
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
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
      stack.push(...node.items);
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
      stack.push(...current.items);
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
