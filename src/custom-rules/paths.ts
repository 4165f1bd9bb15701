// The paths of custom rule conditions: `spec.servers[*].port.number`, `spec.containers[name=app].image`,
// `metadata.labels["app.kubernetes.io/name"]`. Parsed once when the rule is loaded; expanded against a value
// into concrete paths, each with its value or none (so that a finding can point at the nearest existing parent).
import { isObj, type Path } from './model.js';

export type Segment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'every' }
  | { readonly kind: 'select'; readonly key: string; readonly value: string };

export type ParsedPath = { ok: true; segments: Segment[] } | { ok: false; error: string };

export function parsePath(source: string): ParsedPath {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (why: string): ParsedPath => ({
    ok: false,
    error: `invalid path "${source}" at character ${i + 1}: ${why}`,
  });
  while (i < source.length) {
    const c = source[i];
    if (c === '[') {
      const close = closingBracket(source, i);
      if (close === -1) return fail('"[" without "]"');
      const inner = source.slice(i + 1, close).trim();
      if (inner === '*') segments.push({ kind: 'every' });
      else if (/^\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (/^(["']).*\1$/s.test(inner)) segments.push({ kind: 'key', key: inner.slice(1, -1) });
      else {
        const eq = inner.indexOf('=');
        if (eq <= 0) return fail('expected [*], [N], [key=value] or ["key"]');
        const value = inner.slice(eq + 1).trim();
        segments.push({
          kind: 'select',
          key: inner.slice(0, eq).trim(),
          value: /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value,
        });
      }
      i = close + 1;
      if (i < source.length && source[i] !== '.' && source[i] !== '[') return fail('expected "." or "[" after "]"');
      if (source[i] === '.') {
        i++;
        if (i >= source.length) return fail('path ends with "."');
      }
      continue;
    }
    let end = i;
    while (end < source.length && source[end] !== '.' && source[end] !== '[') end++;
    const key = source.slice(i, end);
    if (key === '' || key.includes(']')) return fail('empty or malformed key');
    segments.push({ kind: 'key', key });
    i = end;
    if (source[i] === '.') {
      i++;
      if (i >= source.length) return fail('path ends with "."');
    }
  }
  if (segments.length === 0) return { ok: false, error: `invalid path "${source}": empty` };
  return { ok: true, segments };
}

/** The "]" closing the bracket at `open`, skipping a quoted key. */
function closingBracket(source: string, open: number): number {
  let quote: string | undefined;
  for (let j = open + 1; j < source.length; j++) {
    const c = source[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return j;
  }
  return -1;
}

/** One concrete path a pattern reached: its value when it exists. */
export interface Match {
  readonly path: Path;
  readonly exists: boolean;
  readonly value: unknown;
}

export interface Expansion {
  readonly matches: readonly Match[];
  /** The deepest concrete path reached before the pattern selected nothing (where "nothing there" is shown). */
  readonly base: Path;
}

/**
 * Every concrete path the pattern names in `root`. A missing key yields one match that does not exist (its path
 * still names the key); [*] and [key=value] yield one match per element they select, possibly none.
 */
export function expand(root: unknown, segments: readonly Segment[]): Expansion {
  let current: Match[] = [{ path: [], exists: true, value: root }];
  let base: Path = [];
  for (const segment of segments) {
    const next: Match[] = [];
    for (const m of current) {
      if (!m.exists) {
        // Below a missing value nothing exists either; keep naming the path for the nearest-parent location.
        if (segment.kind === 'key' || segment.kind === 'index')
          next.push({
            path: [...m.path, segment.kind === 'key' ? segment.key : segment.index],
            exists: false,
            value: undefined,
          });
        continue;
      }
      const v = m.value;
      switch (segment.kind) {
        case 'key': {
          const has =
            isObj(v) && Object.hasOwn(v, segment.key) && v[segment.key] !== undefined && v[segment.key] !== null;
          next.push({
            path: [...m.path, segment.key],
            exists: has,
            value: has ? (v as Record<string, unknown>)[segment.key] : undefined,
          });
          break;
        }
        case 'index': {
          const has =
            Array.isArray(v) && segment.index < v.length && v[segment.index] !== undefined && v[segment.index] !== null;
          next.push({
            path: [...m.path, segment.index],
            exists: has,
            value: has ? (v as unknown[])[segment.index] : undefined,
          });
          break;
        }
        case 'every':
          if (Array.isArray(v))
            v.forEach(
              (item, i) =>
                item !== null && item !== undefined && next.push({ path: [...m.path, i], exists: true, value: item }),
            );
          else if (isObj(v))
            for (const [k, item] of Object.entries(v))
              if (item !== null && item !== undefined) next.push({ path: [...m.path, k], exists: true, value: item });
          break;
        case 'select':
          if (Array.isArray(v)) {
            v.forEach((item, i) => {
              const field = isObj(item) ? item[segment.key] : undefined;
              if (field !== undefined && field !== null && typeof field !== 'object' && String(field) === segment.value)
                next.push({ path: [...m.path, i], exists: true, value: item });
            });
          }
          break;
      }
    }
    if (next.length === 0) {
      base = current.length === 1 ? current[0].path : commonPrefix(current.map((m) => m.path));
      return { matches: [], base };
    }
    current = next;
  }
  return { matches: current, base: current.length === 1 ? current[0].path : commonPrefix(current.map((m) => m.path)) };
}

function commonPrefix(paths: readonly Path[]): Path {
  if (paths.length === 0) return [];
  let n = paths[0].length;
  for (const p of paths) {
    let i = 0;
    while (i < n && i < p.length && p[i] === paths[0][i]) i++;
    n = i;
  }
  return paths[0].slice(0, n);
}
