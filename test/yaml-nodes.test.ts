// src/yaml-nodes.ts tells node kinds without the YAML library, and src/parse/source.ts counts lines without it: both
// must answer as the library does, on its nodes and on the lean reader's location trees.
import * as yaml from 'yaml';
import { describe, expect, it } from 'vitest';
import { keyNode, treeMap, treePair, treeSeq } from '../src/parse/fast.js';
import { lineCounterOf } from '../src/parse/source.js';
import * as nodes from '../src/yaml-nodes.js';

type Check = (node: unknown) => boolean;
/** Each check: [ours, the library's]. */
const KINDS: [Check, Check][] = [
  [nodes.isAlias, yaml.isAlias],
  [nodes.isMap, yaml.isMap],
  [nodes.isPair, yaml.isPair],
  [nodes.isScalar, yaml.isScalar],
  [nodes.isSeq, yaml.isSeq],
  [nodes.isNode, yaml.isNode],
];

/** Every node and pair of a parsed document, and values that are no node. */
function samples(): unknown[] {
  const doc = yaml.parseDocument('a: &x {b: [1, "two", *x]}\nc: !!str 3\n? [k]\n: |\n  text\n');
  const found: unknown[] = [doc, doc.contents, null, undefined, 0, 'text', {}, [], new yaml.Scalar(1)];
  yaml.visit(doc, {
    Node: (_, node) => void found.push(node),
    Pair: (_, pair) => void found.push(pair),
  });
  return found;
}

describe('YAML node kinds told without the library (src/yaml-nodes.ts)', () => {
  it("answer as the library's own checks on its nodes, of every kind", () => {
    const found = samples();
    for (const [ours, library] of KINDS) expect(found.map(ours)).toEqual(found.map(library));
    // Each kind occurs, so a check that answered false for all would fail.
    for (const [, library] of KINDS) expect(found.some(library)).toBe(true);
  });

  it("the lean reader's location-tree nodes are, to the library, the nodes they stand for", () => {
    const key = keyNode('a', 0, 1);
    const tree = [
      treeMap(false, [treePair(key, treeSeq(true, [keyNode(1, 4, 5)]))]),
      treeSeq(false),
      treePair(key, null),
      key,
    ];
    const kinds = (check: (node: unknown) => boolean) => tree.map((node) => check(node));
    expect(kinds(yaml.isMap)).toEqual([true, false, false, false]);
    expect(kinds(yaml.isSeq)).toEqual([false, true, false, false]);
    expect(kinds(yaml.isPair)).toEqual([false, false, true, false]);
    expect(kinds(yaml.isScalar)).toEqual([false, false, false, true]);
    for (const [ours, library] of KINDS) expect(kinds(ours)).toEqual(kinds(library));
  });
});

describe('line counting without the library (lineCounterOf)', () => {
  it("gives every offset the line and column the library's LineCounter gives", () => {
    const text = 'a: 1\n\nb:\n  - "two\n    lines"\r\n  - x\nlast';
    const library = new yaml.LineCounter();
    library.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) library.addNewLine(i + 1);
    const counted = lineCounterOf(text);
    expect([...counted.lineStarts]).toEqual(library.lineStarts);
    for (let offset = -1; offset <= text.length + 1; offset++)
      expect(counted.linePos(offset)).toEqual(library.linePos(offset));
  });
});
