// Manifests are user input: any field may hold any type. These accessors never throw, so rules stay short.

import type { Path } from '../location/locate.js';

export type { Path };

export type Obj = Readonly<Record<string, unknown>>;

const EMPTY: Obj = Object.freeze({});

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an object, or an empty object. */
export function obj(value: unknown): Obj {
  return isObj(value) ? value : EMPTY;
}

/** The value as an array, or an empty array. */
export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A map of strings (labels, annotations); non-string values are kept in their string form, as kubectl would reject them anyway. */
export function strMap(value: unknown): Readonly<Record<string, string>> {
  if (!isObj(value)) return EMPTY as Record<string, string>;
  // Usually every value is a string already: the map itself is the answer (a copy per resource, kept for the run,
  // would double its labels and annotations).
  let allStrings = true;
  for (const key in value) if (typeof value[key] !== 'string') allStrings = false;
  if (allStrings) return value as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && v !== undefined && typeof v !== 'object') out[key] = String(v);
  }
  return out;
}

/** Reads a nested value: get(x, 'spec', 'template', 'spec'). */
export function get(value: unknown, ...path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isObj(current)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** Formats a path for people: spec.template.spec.containers[0].image */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A JSON pointer (as ajv reports errors) -> a path through `data`: array indexes as numbers, keys as strings. */
export function pathOfPointer(data: unknown, pointer: string): Path {
  const out: (string | number)[] = [];
  let current = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      out.push(Number(segment));
      current = current[Number(segment)];
    } else {
      out.push(segment);
      current = isObj(current) ? current[segment] : undefined;
    }
  }
  return out;
}
