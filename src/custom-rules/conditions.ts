// The conditions of custom rules: a path with one operator, combined by all, any and not. Compiled once when the
// rule is loaded (paths parsed, patterns compiled on RE2); an evaluation says whether the condition holds and
// where: the paths that failed (for findings) or those that satisfied it (what a `not` then reports).
import { compileUserPattern } from '../engine/pattern.js';
import { expand, parsePath, type Match } from './paths.js';
import { isObj, type Path } from './model.js';
import { appendAll } from '../arrays.js';

export const OPERATORS = [
  'exists',
  'absent',
  'equals',
  'in',
  'notIn',
  'matches',
  'startsWith',
  'gte',
  'lte',
  'truthy',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** A concrete place a condition was decided at, in the target's value, with the value found there. */
export interface Hit {
  readonly path: Path;
  readonly value: unknown;
}

export interface Outcome {
  readonly ok: boolean;
  /** ok: the places that satisfied it; not ok: the places that failed. */
  readonly hits: readonly Hit[];
}

export type Condition = (value: unknown) => Outcome;

/** A problem in a condition, with the path to the offending key inside the rule definition. */
export interface DefinitionError {
  readonly path: Path;
  readonly message: string;
}

type Raw = Readonly<Record<string, unknown>>;

export function compileCondition(raw: Raw, at: Path, errors: DefinitionError[]): Condition {
  const combinators = (['all', 'any', 'not'] as const).filter((k) => k in raw);
  const operators = OPERATORS.filter((k) => k in raw);
  const kinds = [...combinators, ...operators];
  if (kinds.length !== 1) {
    errors.push({
      path: kinds.length ? [...at, kinds[1]] : at,
      message: kinds.length
        ? `a condition has exactly one of all, any, not or an operator; this one has ${kinds.join(' and ')}.`
        : `a condition needs all, any, not, or a path with one of the operators ${OPERATORS.join(', ')}.`,
    });
    return () => ({ ok: true, hits: [] });
  }
  const kind = kinds[0];
  if (kind === 'all' || kind === 'any' || kind === 'not') {
    for (const extra of ['path', 'quantifier'].filter((k) => k in raw))
      errors.push({
        path: [...at, extra],
        message: `"${extra}" belongs to a condition with an operator, not to "${kind}".`,
      });
    if (kind === 'not') return negate(compileCondition(raw.not as Raw, [...at, 'not'], errors));
    const parts = (raw[kind] as Raw[]).map((c, i) => compileCondition(c, [...at, kind, i], errors));
    return kind === 'all' ? every(parts) : some(parts);
  }
  if (typeof raw.path !== 'string') {
    errors.push({ path: at, message: `the operator "${kind}" needs a "path".` });
    return () => ({ ok: true, hits: [] });
  }
  const parsed = parsePath(raw.path);
  if (!parsed.ok) {
    errors.push({ path: [...at, 'path'], message: parsed.error });
    return () => ({ ok: true, hits: [] });
  }
  const test = operatorTest(kind, raw[kind], [...at, kind], errors);
  const segments = parsed.segments;
  const anyOf = raw.quantifier === 'any';
  return (value) => {
    const { matches, base } = expand(value, segments);
    if (matches.length === 0) {
      // The path selects nothing ([*] over nothing, no element with key=value): nothing exists there, so only
      // `exists` fails; every other operator holds for all of the (no) values.
      const ok = kind !== 'exists';
      return { ok, hits: [{ path: base, value: undefined }] };
    }
    const passed: Hit[] = [];
    const failed: Hit[] = [];
    for (const m of matches) (test(m) ? passed : failed).push({ path: m.path, value: m.value });
    if (anyOf) return passed.length ? { ok: true, hits: passed } : { ok: false, hits: failed };
    return failed.length ? { ok: false, hits: failed } : { ok: true, hits: passed };
  };
}

function every(parts: readonly Condition[]): Condition {
  return (value) => {
    const passed: Hit[] = [];
    const failed: Hit[] = [];
    for (const part of parts) {
      const outcome = part(value);
      appendAll(outcome.ok ? passed : failed, outcome.hits);
    }
    return failed.length ? { ok: false, hits: failed } : { ok: true, hits: passed };
  };
}

function some(parts: readonly Condition[]): Condition {
  return (value) => {
    let first: Outcome | undefined;
    for (const part of parts) {
      const outcome = part(value);
      if (outcome.ok) return outcome;
      first ??= outcome;
    }
    return first!; // none held: shown where the first alternative failed
  };
}

function negate(part: Condition): Condition {
  return (value) => {
    const outcome = part(value);
    return { ok: !outcome.ok, hits: outcome.hits };
  };
}

function operatorTest(kind: Operator, operand: unknown, at: Path, errors: DefinitionError[]): (m: Match) => boolean {
  switch (kind) {
    case 'exists':
      return (m) => m.exists;
    case 'absent':
      return (m) => !m.exists;
    case 'equals':
      return (m) => m.exists && sameValue(m.value, operand);
    case 'in': {
      const list = operand as unknown[];
      return (m) => m.exists && list.some((o) => sameValue(m.value, o));
    }
    case 'notIn': {
      const list = operand as unknown[];
      return (m) => !m.exists || !list.some((o) => sameValue(m.value, o));
    }
    case 'matches': {
      const compiled = compiledPattern(operand as string);
      if (!compiled.ok) {
        errors.push({ path: at, message: compiled.error });
        return () => true;
      }
      return (m) => {
        const text = scalarText(m.value);
        return text !== undefined && compiled.pattern.test(text);
      };
    }
    case 'startsWith': {
      const prefix = operand as string;
      return (m) => scalarText(m.value)?.startsWith(prefix) === true;
    }
    case 'gte': {
      const bound = operand as number;
      return (m) => {
        const n = numeric(m.value);
        return n !== undefined && n >= bound;
      };
    }
    case 'lte': {
      const bound = operand as number;
      return (m) => {
        const n = numeric(m.value);
        return n !== undefined && n <= bound;
      };
    }
    case 'truthy': {
      const wanted = operand as boolean;
      return (m) => isTruthy(m) === wanted;
    }
  }
}

// Rule sets repeat their patterns; compiling one on RE2 takes milliseconds.
const patterns = new Map<string, ReturnType<typeof compileUserPattern>>();
function compiledPattern(source: string): ReturnType<typeof compileUserPattern> {
  let compiled = patterns.get(source);
  if (!compiled) patterns.set(source, (compiled = compileUserPattern(source)));
  return compiled;
}

/** Strings, numbers and booleans as text (a port 80 matches "^80$"); objects and lists have none. */
function scalarText(value: unknown): string | undefined {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
}

/** Numbers, and strings that are plain decimal numbers ("8080"); quantities like 500m are not numbers here. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Missing, null, false, 0, "", "false", empty lists and maps are falsy. */
function isTruthy(m: Match): boolean {
  if (!m.exists) return false;
  const v = m.value;
  if (typeof v === 'string') return v !== '' && v.toLowerCase() !== 'false';
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Equality of YAML values: scalars by type and value, lists and maps element by element. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}
