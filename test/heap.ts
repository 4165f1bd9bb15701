// Heap snapshots for the memory tests: objects counted after full collections (deterministic, never bytes or time).
import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
export const collect = runInNewContext('gc') as () => void;

export interface Snapshot {
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
  readonly snapshot: {
    readonly meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] };
  };
}

/** The heap now, after full collections. */
export async function heapSnapshot(): Promise<Snapshot> {
  collect();
  collect();
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  return JSON.parse(chunks.join('')) as Snapshot;
}

/**
 * Heap objects of a type (`object`, `string`, `concatenated string`...) whose name, property edges and size (bytes
 * of the object itself) match.
 */
export function countNodes(
  heap: Snapshot,
  type: string,
  matches: (name: string, edge: (property: string) => string | undefined, selfSize: number) => boolean,
): number {
  const { node_fields, edge_fields, node_types, edge_types } = heap.snapshot.meta;
  const [N, E] = [node_fields.length, edge_fields.length];
  const [typeAt, nameAt, edgesAt, sizeAt] = ['type', 'name', 'edge_count', 'self_size'].map((f) =>
    node_fields.indexOf(f),
  );
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => edge_fields.indexOf(f));
  const property = edge_types[0].indexOf('property');
  const wanted = node_types[0].indexOf(type);
  let count = 0;
  for (let i = 0, e = 0; i < heap.nodes.length; i += N) {
    const edges = heap.nodes[i + edgesAt];
    if (heap.nodes[i + typeAt] === wanted) {
      const first = e;
      const edge = (name: string) => {
        for (let k = first; k < first + edges * E; k += E)
          if (heap.edges[k + edgeTypeAt] === property && heap.strings[heap.edges[k + edgeNameAt]] === name)
            return heap.strings[heap.nodes[heap.edges[k + toAt] + nameAt]];
        return undefined;
      };
      if (matches(heap.strings[heap.nodes[i + nameAt]], edge, heap.nodes[i + sizeAt])) count++;
    }
    e += edges * E;
  }
  return count;
}
