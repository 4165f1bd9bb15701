// What kind of YAML node a value is, told without the YAML library: the library is loaded on first use
// (src/lazy-packages.ts), and a scan of files the lean reader (src/parse/fast.ts) reads never needs it, while
// locating and reading values ask these questions of every tree. The library marks each of its nodes with a
// registered symbol (Symbol.for: shared by every copy of the library), so these answer as its own isMap, isSeq, ...
// do, on its nodes and on the lean reader's location trees, which carry the same mark (test/yaml-nodes.test.ts).
import type { Alias, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/** The property under which the library keeps a node's kind, and the kinds. */
export const NODE_TYPE = Symbol.for('yaml.node.type');
export const ALIAS = Symbol.for('yaml.alias');
export const MAP = Symbol.for('yaml.map');
export const PAIR = Symbol.for('yaml.pair');
export const SCALAR = Symbol.for('yaml.scalar');
export const SEQ = Symbol.for('yaml.seq');

function kindOf(node: unknown): unknown {
  return node !== null && typeof node === 'object' ? (node as { [NODE_TYPE]?: unknown })[NODE_TYPE] : undefined;
}

export const isAlias = (node: unknown): node is Alias => kindOf(node) === ALIAS;
export const isMap = <K = unknown, V = unknown>(node: unknown): node is YAMLMap<K, V> => kindOf(node) === MAP;
export const isPair = <K = unknown, V = unknown>(node: unknown): node is Pair<K, V> => kindOf(node) === PAIR;
export const isScalar = <T = unknown>(node: unknown): node is Scalar<T> => kindOf(node) === SCALAR;
export const isSeq = <T = unknown>(node: unknown): node is YAMLSeq<T> => kindOf(node) === SEQ;
export function isNode<T = unknown>(node: unknown): node is Node<T> {
  const kind = kindOf(node);
  return kind === ALIAS || kind === MAP || kind === SCALAR || kind === SEQ;
}
