// Values that remember where they were written. A built object is plain data (what rules read); beside it, every
// map and list keeps, for each of its keys or items, the file, document and path that set it: the base line, the
// patch line, the kustomization field. Transformations go through these helpers so that origins follow the data.
import type { SourceDocument, SourceFile } from '../parse/source.js';
import type { Path } from '../model/values.js';

export interface Origin {
  readonly file: SourceFile;
  readonly document: SourceDocument;
  readonly path: Path;
  /** The value is these characters of the string at `path` (see TracedLocation.span). */
  readonly span?: readonly [number, number];
}

export type Node = Record<string, unknown> | unknown[];
type Key = string | number;

const childOrigins = new WeakMap<object, Map<Key, Origin>>();
/** Origin maps that copies share (clone): copied before one of them changes. */
const shared = new WeakSet<Map<Key, Origin>>();

function ownOrigins(node: Node): Map<Key, Origin> | undefined {
  let map = childOrigins.get(node);
  if (map && shared.has(map)) childOrigins.set(node, (map = new Map(map)));
  return map;
}

export function isMapNode(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function isNode(value: unknown): value is Node {
  return Array.isArray(value) || isMapNode(value);
}

export function originOf(node: Node, key: Key): Origin | undefined {
  return childOrigins.get(node)?.get(key);
}

export function setOrigin(node: Node, key: Key, origin: Origin | undefined): void {
  if (!origin) return;
  let map = ownOrigins(node);
  if (!map) childOrigins.set(node, (map = new Map()));
  map.set(key, origin);
}

/**
 * The origin of a key under another origin. A built object holds one per key and item: each holds its parent and
 * its key, and makes its path when asked (a copy of the path per key cost more than the built objects themselves).
 */
class KeyOrigin implements Origin {
  constructor(
    readonly parent: Origin,
    readonly key: Key,
  ) {}

  get file(): SourceFile {
    return this.root().file;
  }

  get document(): SourceDocument {
    return this.root().document;
  }

  get path(): Path {
    const keys: Key[] = [];
    let origin: Origin = this;
    for (; origin instanceof KeyOrigin; origin = origin.parent) keys.push(origin.key);
    return [...origin.path, ...keys.reverse()];
  }

  /** The nearest origin that is not a key's: the one holding the file and document. */
  root(): Origin {
    let origin: Origin = this;
    while (origin instanceof KeyOrigin) origin = origin.parent;
    return origin;
  }
}

export function child(origin: Origin, key: Key): Origin {
  return new KeyOrigin(origin, key);
}

/** A deep copy of a value read from a document, every key and item remembering its place there. */
export function trace(value: unknown, origin: Origin): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const at = child(origin, i);
      out.push(trace(item, at));
      setOrigin(out, i, at);
    });
    return out;
  }
  if (isMapNode(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const at = child(origin, k);
      out[k] = trace(v, at);
      setOrigin(out, k, at);
    }
    return out;
  }
  return value;
}

/** A value made by a transformation (a label, a generated key): it and everything under it come from `origin`. */
export function made(value: unknown, origin: Origin): unknown {
  if (Array.isArray(value)) {
    const out = value.map((item) => made(item, origin));
    out.forEach((_, i) => setOrigin(out, i, origin));
    return out;
  }
  if (isMapNode(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = made(v, origin);
      setOrigin(out, k, origin);
    }
    return out;
  }
  return value;
}

/** A deep copy keeping the origins (one base built into several overlays is copied, not shared). */
export function clone<T>(value: T): T {
  let out: Node;
  if (Array.isArray(value)) {
    out = value.map((item) => clone(item));
  } else if (isMapNode(value)) {
    const copy: Record<string, unknown> = {};
    // (Object.keys: no [key, value] array per entry, as Object.entries makes)
    for (const k of Object.keys(value)) copy[k] = clone(value[k]);
    out = copy;
  } else {
    return value;
  }
  // All of them, deleted keys' too (see removeBy); shared until one of the copies changes.
  const origins = childOrigins.get(value);
  if (origins) {
    shared.add(origins);
    childOrigins.set(out, origins);
  }
  return out as T;
}

/** Sets a key with its origin. */
export function put(node: Record<string, unknown>, key: string, value: unknown, origin: Origin | undefined): void {
  node[key] = value;
  setOrigin(node, key, origin);
}

export function remove(node: Record<string, unknown>, key: string): void {
  delete node[key];
  ownOrigins(node)?.delete(key);
}

/** Deletes a key, remembering what deleted it: a rule asking for the missing field is shown the deletion. */
export function removeBy(node: Record<string, unknown>, key: string, origin: Origin | undefined): void {
  delete node[key];
  if (origin) setOrigin(node, key, origin);
  else ownOrigins(node)?.delete(key);
}

/** A new list from items and their origins. */
export function list(items: readonly { value: unknown; origin: Origin | undefined }[]): unknown[] {
  const out = items.map((item) => item.value);
  items.forEach((item, i) => setOrigin(out, i, item.origin));
  return out;
}

export function itemsOf(node: unknown[]): { value: unknown; origin: Origin | undefined }[] {
  return node.map((value, i) => ({ value, origin: originOf(node, i) }));
}

/**
 * Where a path of a built object was written: the origin of its deepest existing node, plus the part of the path
 * that does not exist (a rule may name a missing field; it is shown at its nearest parent, as for plain files).
 */
export function originAt(root: unknown, rootOrigin: Origin, path: Path): Origin {
  let node = root;
  let origin = rootOrigin;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const next =
      Array.isArray(node) && typeof key === 'number'
        ? node[key]
        : isMapNode(node) && Object.hasOwn(node, key)
          ? node[key as string]
          : undefined;
    const at = isNode(node) ? originOf(node, key) : undefined;
    if (!at) return below(origin, path.slice(i));
    // A deleted key keeps the origin of what deleted it.
    if (next === undefined) return isMapNode(node) ? below(at, path.slice(i + 1)) : below(origin, path.slice(i));
    node = next;
    origin = at;
  }
  return below(origin, [], origin.span);
}

/** A plain origin: `rest` (a path that does not exist in the built object) under `origin`. */
function below(origin: Origin, rest: Path, span?: readonly [number, number]): Origin {
  const path = [...origin.path, ...rest];
  return span
    ? { file: origin.file, document: origin.document, path, span }
    : { file: origin.file, document: origin.document, path };
}

/** Creates (or returns) the map at `path` under `node`, new levels taking `origin`. */
export function ensureMap(
  node: Record<string, unknown>,
  path: readonly string[],
  origin: Origin,
): Record<string, unknown> {
  let current = node;
  for (const key of path) {
    let next = current[key];
    if (!isMapNode(next)) {
      next = {};
      put(current, key, next, origin);
    }
    current = next as Record<string, unknown>;
  }
  return current;
}
