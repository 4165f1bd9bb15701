// Text embedded in a YAML string (an Envoy bootstrap or a decK file held in a ConfigMap key, an EnvoyProxy's
// bootstrap value): parsed as a file of its own whose offsets map back into the host file, so that findings in
// it are located on the right line of the host's block scalar.
import { isMap, isPair, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { parseSource, type ParseOptions, type SourceDocument, type SourceFile } from './source.js';
import { minimum } from '../arrays.js';

type Segment = string | number;

/** Parses the string at `path` of a host document; undefined when there is no string there. Never throws. */
export function parseEmbedded(
  host: SourceFile,
  document: SourceDocument,
  path: readonly Segment[],
  options: ParseOptions = {},
): SourceFile | undefined {
  if (document.trace) {
    // A built object: the string was written elsewhere (a base file); parse it there when it is the same text.
    const origin = document.trace(path);
    const value = valueAt(document.value, path);
    if (typeof value !== 'string' || origin.document.trace || valueAt(origin.document.value, origin.path) !== value)
      return undefined;
    return parseEmbedded(origin.file, origin.document, origin.path, options);
  }
  const node = nodeAt(document, path);
  if (!node || typeof node.value !== 'string' || !node.range) return undefined;
  const text = node.value;
  let file: SourceFile;
  try {
    file = parseSource(host.path, text, { ...options, json: 'yaml' });
  } catch {
    return undefined;
  }
  file.origin = { file: host, toHostOffset: offsetMap(host.text, node, text) };
  return file;
}

function valueAt(value: unknown, path: readonly Segment[]): unknown {
  let node = value;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}

function nodeAt(document: SourceDocument, path: readonly Segment[]): Scalar | undefined {
  let node: unknown = document.ast.contents;
  for (const segment of path) {
    if (isMap(node)) {
      let next: unknown;
      for (const item of node.items)
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)) next = item.value;
      node = next;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return isScalar(node) ? node : undefined;
}

/**
 * Inner offset -> host offset. Exact for literal block scalars (`|`, the usual way to embed a file: every line
 * is the host line minus the block's indentation) and for scalars whose raw text is the value itself (plain or
 * quoted without escapes); anything else (folded, escaped) maps every offset to the start of the scalar.
 */
function offsetMap(hostText: string, node: Node & { type?: string }, value: string): (offset: number) => number {
  const [start, end] = node.range!;
  const fallback = () => start;
  if (node.type === 'BLOCK_LITERAL') {
    const header = hostText.indexOf('\n', start);
    if (header === -1 || header >= end) return fallback;
    const body = hostText.slice(header + 1, end);
    const rawLines = body.split('\n');
    const explicit = /^[|][+-]?([1-9])|^[|]([1-9])/.exec(hostText.slice(start, header));
    const indentOf = (l: string) => l.match(/^ */)![0].length;
    const contentLines = rawLines.filter((l) => l.trim() !== '');
    if (contentLines.length === 0) return fallback;
    const indent = explicit
      ? Number(explicit[1] ?? explicit[2]) + baseIndent(hostText, start)
      : minimum(contentLines.map(indentOf), 0);
    const innerStarts: number[] = [];
    const hostStarts: number[] = [];
    let inner = 0;
    let host = header + 1;
    const rebuilt: string[] = [];
    for (const line of rawLines) {
      const cut = Math.min(indent, line.length);
      innerStarts.push(inner);
      hostStarts.push(host + cut);
      rebuilt.push(line.slice(cut));
      inner += line.length - cut + 1;
      host += line.length + 1;
    }
    // Only trust the map when the lines really are the value (chomping aside).
    if (!rebuilt.join('\n').startsWith(value.slice(0, trailingNewlines(value)))) return fallback;
    return (offset) => {
      let lo = 0;
      let hi = innerStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (innerStarts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return Math.min(hostStarts[lo] + (offset - innerStarts[lo]), end);
    };
  }
  const raw = hostText.slice(start, end);
  const shift = raw === value ? 0 : raw.length === value.length + 2 && raw.slice(1, -1) === value ? 1 : -1;
  if (shift < 0) return fallback;
  return (offset) => start + shift + Math.min(Math.max(offset, 0), value.length);
}

/** Indentation of the line holding the block header (explicit indentation indicators are relative to it). */
function baseIndent(text: string, at: number): number {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return text.slice(lineStart).match(/^ */)![0].length;
}

/** Where the trailing newlines of a text begin (a loop: /\n+$/ backtracks quadratically on long runs). */
function trailingNewlines(text: string): number {
  let end = text.length;
  while (end > 0 && text[end - 1] === '\n') end--;
  return end;
}
