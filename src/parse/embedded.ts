// Text embedded in a YAML string (an Envoy bootstrap or a decK file held in a ConfigMap key, an EnvoyProxy's
// bootstrap value): parsed as a file of its own whose offsets map back into the host file, so that findings in
// it are located on the right line of the host's block scalar.
import type { Node, Scalar } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from '../yaml-nodes.js';
import { parseSource, type ParseOptions, type SourceDocument, type SourceFile } from './source.js';
import { scalarOffsets } from '../location/scalar-offsets.js';

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
 * Inner offset -> host offset: each character of the value where it was written (any scalar style; see
 * scalar-offsets.ts). When the host's source does not read as the value, every offset maps to the scalar's start.
 */
function offsetMap(hostText: string, node: Node, value: string): (offset: number) => number {
  const [start, end] = node.range!;
  const map = scalarOffsets(hostText, start, end, value);
  if (map.value !== value || value.length === 0) return () => start;
  return (offset) =>
    offset <= 0 ? map.start(0) : offset < value.length ? map.start(offset) : map.end(value.length - 1);
}
