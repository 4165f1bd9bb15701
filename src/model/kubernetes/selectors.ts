// Label selectors compiled once and answered from an index of label pairs, so that selecting among N workloads costs
// the size of the smallest matching posting list instead of N (every Service, policy and Server selects).
import { arr, get, isObj, str, strMap } from '../values.js';

type Labels = Readonly<Record<string, string>>;

export interface CompiledSelector {
  /** key=value pairs that must all be present (matchLabels, or the whole map of a plain selector). */
  readonly pairs: readonly (readonly [string, string])[];
  /** Tests the rest (matchExpressions); undefined when there is nothing else to test. */
  readonly rest?: (labels: Labels) => boolean;
  /** A selector that matches nothing (not an object, an expression without key or with an unknown operator). */
  readonly none: boolean;
}

const NOTHING: CompiledSelector = { pairs: [], none: true };

/** A Kubernetes label selector: matchLabels and matchExpressions; a plain map is read as matchLabels (Service, ReplicationController). */
export function compileSelector(selector: unknown): CompiledSelector {
  if (!isObj(selector)) return NOTHING;
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  const pairs = Object.entries(strMap(isLabelSelector ? selector.matchLabels : selector));
  if (!isLabelSelector) return { pairs, none: false };
  const tests: ((labels: Labels) => boolean)[] = [];
  for (const expression of arr(selector.matchExpressions)) {
    const key = str(get(expression, 'key'));
    const operator = str(get(expression, 'operator'));
    const values = arr(get(expression, 'values')).map(String);
    if (key === undefined) return NOTHING;
    switch (operator) {
      case 'In':
        tests.push((labels) => Object.hasOwn(labels, key) && values.includes(labels[key]));
        break;
      case 'NotIn':
        tests.push((labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key]));
        break;
      case 'Exists':
        tests.push((labels) => Object.hasOwn(labels, key));
        break;
      case 'DoesNotExist':
        tests.push((labels) => !Object.hasOwn(labels, key));
        break;
      default:
        return NOTHING;
    }
  }
  return { pairs, rest: tests.length ? (labels) => tests.every((test) => test(labels)) : undefined, none: false };
}

/** A selector of exact labels only (Istio's workload selectors). */
export function labelsSelector(labels: Labels): CompiledSelector {
  return { pairs: Object.entries(labels), none: false };
}

export function selectorMatches(compiled: CompiledSelector, labels: Labels): boolean {
  if (compiled.none) return false;
  for (const [key, value] of compiled.pairs) if (labels[key] !== value) return false;
  return compiled.rest === undefined || compiled.rest(labels);
}

export function matchesSelector(labels: Labels, selector: unknown): boolean {
  return selectorMatches(compileSelector(selector), labels);
}

/** Items by label pair, in their original order; `select` returns what a linear filter would, in the same order. */
export class LabelIndex<T> {
  readonly #items: readonly T[];
  readonly #labelsOf: (item: T) => Labels;
  /**
   * Items by label key, then value: no string made per pair (a `key\0value` string per workload label, kept with its
   * flat copy as the Map's key, was ~100 bytes per pair for the run).
   */
  readonly #byPair = new Map<string, Map<string, T[]>>();

  constructor(items: readonly T[], labelsOf: (item: T) => Labels) {
    this.#items = items;
    this.#labelsOf = labelsOf;
    for (const item of items) {
      const labels = labelsOf(item);
      for (const key in labels) {
        let byValue = this.#byPair.get(key);
        if (!byValue) this.#byPair.set(key, (byValue = new Map()));
        const list = byValue.get(labels[key]);
        if (list) list.push(item);
        else byValue.set(labels[key], [item]);
      }
    }
  }

  select(compiled: CompiledSelector): readonly T[] {
    if (compiled.none) return [];
    let candidates = this.#items;
    for (const [key, value] of compiled.pairs) {
      const list = this.#byPair.get(key)?.get(value);
      if (!list) return [];
      if (list.length < candidates.length) candidates = list;
    }
    if (compiled.pairs.length <= 1 && compiled.rest === undefined) return candidates;
    return candidates.filter((item) => selectorMatches(compiled, this.#labelsOf(item)));
  }
}
