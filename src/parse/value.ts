// A parsed YAML document -> the value Kubernetes sees: what sigs.k8s.io/yaml (go-yaml v2, then JSON) makes of it.
// go-yaml v2 resolves plain scalars with YAML 1.1 rules of its own (y/yes/on are true, 0755 is octal, 1_000 is
// 1000, timestamps and 1:20 stay strings), applies merge keys in order (a `<<` after a key overrides it; in a list
// of maps the first map wins), turns map keys into strings (1 -> "1", true -> "true") and rejects what JSON cannot
// hold (.inf, .nan, null or collection keys). Every difference from that is a manifest meshlint would judge
// differently from the cluster, so this does not use the YAML library's own conversion.
import type { Document, Node } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq } from '../yaml-nodes.js';

/** Deepest nesting of collections read; deeper input is reported, as the parser itself would run out of stack. */
export const MAX_NESTING = 1000;

/** A document Kubernetes would reject, with the offset where the offending node starts. */
export class UnreadableValue extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const BOOLEANS: Record<string, boolean> = {
  y: true,
  Y: true,
  yes: true,
  Yes: true,
  YES: true,
  on: true,
  On: true,
  ON: true,
  true: true,
  True: true,
  TRUE: true,
  n: false,
  N: false,
  no: false,
  No: false,
  NO: false,
  off: false,
  Off: false,
  OFF: false,
  false: false,
  False: false,
  FALSE: false,
};
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Set([
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TAG = 'tag:yaml.org,2002:';

/** go-yaml's alias budget (decode.go allowedAliasRatio): far more aliases than nodes is an alias bomb. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

/**
 * The value of a parsed document as Kubernetes reads it. Throws UnreadableValue for what it rejects.
 * `onAliasesPast100` is told where the 101st alias is expanded (nested ones counted), the count past which the yaml
 * package and tools built on it start to refuse a document that go-yaml reads.
 */
export function kubernetesValue(
  doc: Document.Parsed,
  onAliasesPast100?: (start: number, end: number) => void,
): unknown {
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const expanding = new Set<Node>();
  let decodeCount = 0;
  let aliasCount = 0;
  let aliasesExpanded = 0;
  let counting = true;

  const offsetOf = (node: unknown): number => (node as Node)?.range?.[0] ?? doc.range[0];

  const count = (node: Node, weight: number, viaAlias: boolean) => {
    if (!counting) return;
    decodeCount += weight;
    if (viaAlias) aliasCount += weight;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
      throw new UnreadableValue(
        'The document contains excessive aliasing (an alias bomb?); Kubernetes rejects it.',
        offsetOf(node),
      );
    }
  };

  const convert = (node: unknown, depth: number, viaAlias: boolean): unknown => {
    if (node === null || node === undefined) return null;
    if (depth > MAX_NESTING)
      throw new UnreadableValue(
        `The document is nested more than ${MAX_NESTING} levels deep; meshlint does not read it.`,
        offsetOf(node),
      );
    if (isAlias(node)) {
      if (++aliasesExpanded === 101) onAliasesPast100?.(offsetOf(node), node.range?.[1] ?? offsetOf(node) + 1);
      const target = anchors.get(node.source);
      if (!target) throw new UnreadableValue(`Unknown anchor "${node.source}".`, offsetOf(node));
      if (expanding.has(target)) throw new UnreadableValue(`Anchor "${node.source}" contains itself.`, offsetOf(node));
      expanding.add(target);
      try {
        return convert(target, depth, true);
      } finally {
        expanding.delete(target);
      }
    }
    const n = node as Node;
    if (n.anchor && !viaAlias) anchors.set(n.anchor, n);
    if (viaAlias && counting && sizes.has(n)) {
      // A repeated alias: count it as go-yaml does (it decodes the node again), without walking it again.
      count(n, sizes.get(n)!, true);
      return convertUncounted(n, depth);
    }
    const before = decodeCount;
    count(n, 1, viaAlias);
    const value = isScalar(n)
      ? scalarValue(n)
      : isMap(n)
        ? mapValue(n, depth, viaAlias)
        : isSeq(n)
          ? n.items.map((item) => convert(item, depth + 1, viaAlias))
          : null;
    if (n.anchor && counting && !sizes.has(n)) sizes.set(n, decodeCount - before);
    return value;
  };

  // Repeated aliases are counted whole (above) and converted without counting again.
  const convertUncounted = (n: Node, depth: number): unknown => {
    counting = false;
    try {
      return convert(n, depth, true);
    } finally {
      counting = true;
    }
  };

  const mapValue = (map: Node & { items: unknown[] }, depth: number, viaAlias: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const item of map.items) {
      if (!isPair(item)) continue;
      if (isMergeKey(item.key)) {
        merge(out, item.value, depth, viaAlias);
        continue;
      }
      const key = specialFloatKey(item.key) ?? mapKey(convert(item.key, depth + 1, viaAlias), offsetOf(item.key));
      const value = convert(item.value, depth + 1, viaAlias);
      defineKey(out, key, value);
    }
    return out;
  };

  const merge = (out: Record<string, unknown>, source: unknown, depth: number, viaAlias: boolean) => {
    const wantMap = () =>
      new UnreadableValue('A merge key (<<) needs a map or a list of maps as its value.', offsetOf(source));
    const mergeOne = (node: unknown) => {
      const target = isAlias(node) ? anchors.get(node.source) : node;
      if (!isMap(target)) throw wantMap();
      const value = convert(node, depth + 1, viaAlias) as Record<string, unknown>;
      for (const key of Object.keys(value)) defineKey(out, key, value[key]);
    };
    if (isSeq(source)) {
      // The first map of the list wins: go-yaml applies them last to first.
      for (let k = source.items.length - 1; k >= 0; k--) mergeOne(source.items[k]);
    } else {
      mergeOne(source);
    }
  };

  const scalarValue = (node: Node & { value: unknown; type?: string; source?: string; tag?: string }): unknown => {
    const tag = node.tag;
    const text = typeof node.source === 'string' ? node.source : String(node.value ?? '');
    if (tag === `${TAG}binary`) return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (tag === `${TAG}null`) return null;
    const plain = node.type === 'PLAIN' || node.type === undefined;
    if (!tag) return plain ? plainScalarValue(text, offsetOf(node)) : text;
    if (tag === `${TAG}str` || tag === `${TAG}timestamp`) return text;
    if (tag === `${TAG}int` || tag === `${TAG}float` || tag === `${TAG}bool`) {
      const value = plainScalarValue(text, offsetOf(node));
      const ok = tag === `${TAG}bool` ? typeof value === 'boolean' : typeof value === 'number';
      if (!ok) throw new UnreadableValue(`Cannot read "${shorten(text)}" as ${tag.slice(TAG.length)}.`, offsetOf(node));
      return value;
    }
    return text; // any other tag: go-yaml keeps the text
  };

  return convert(doc.contents, 0, false);
}

const DOT = 46;
const PLUS = 43;
const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
/**
 * The first characters of every spelling of NULLS, BOOLEANS and SPECIAL_FLOATS but '', lower-cased as `| 0x20` does
 * it (which maps `.`, `+`, `-` and `~` to themselves).
 */
const NAMED_SCALAR_STARTS = [...'~nyotf.+-'].map((c) => c.charCodeAt(0));

/** Whether a null, boolean or special float (but '') may start with the character `code` (plainScalarValue's look-ups). */
export function mayStartNamedScalar(code: number): boolean {
  return NAMED_SCALAR_STARTS.includes(code | 0x20);
}

/** Whether text is one or more decimal digits only. */
function isDecimalDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return text.length > 0;
}

/** A plain (unquoted, untagged) scalar as go-yaml v2 resolves it; `offset` locates a rejection. */
export function plainScalarValue(text: string, offset: number): unknown {
  const first = text.charCodeAt(0); // NaN for ''
  // Every null, boolean and special float spelling is at most five characters long, and starts with one of a few
  // characters (most scalars do not: the look-ups below are left out for them).
  if (text.length <= 5 && (Number.isNaN(first) || mayStartNamedScalar(first))) {
    if (NULLS.has(text)) return null;
    if (text in BOOLEANS) return BOOLEANS[text];
    if (SPECIAL_FLOATS.has(text))
      throw new UnreadableValue(
        `"${text}" cannot be represented in JSON; Kubernetes rejects the document. Quote it if it is a string.`,
        offset,
      );
  }
  if (first === DOT) {
    const value = goParseFloat(text);
    return value === undefined ? text : finite(value, text, offset);
  }
  if (first === PLUS || first === MINUS || (first >= DIGIT_0 && first <= DIGIT_9)) {
    // The common number, decimal digits without a leading zero: what goParseInt reads of it, without the regexes.
    if (first !== DIGIT_0 && isDecimalDigits(text)) return Number(text);
    const digits = text.replace(/_/g, '');
    const int = goParseInt(digits);
    if (int !== undefined) return int;
    if (YAML_STYLE_FLOAT.test(digits)) {
      const value = Number(digits);
      if (!Number.isNaN(value)) return finite(value, text, offset);
    }
    if (/^-?0b[01]+$/.test(digits)) return (digits.startsWith('-') ? -1 : 1) * parseInt(digits.replace(/^-?0b/, ''), 2);
  }
  return text;
}

function finite(value: number, text: string, offset: number): number {
  if (!Number.isFinite(value))
    throw new UnreadableValue(
      `"${shorten(text)}" is out of range for a number; Kubernetes rejects the document.`,
      offset,
    );
  return value;
}

/** A map key's value as the string sigs.k8s.io/yaml makes of it (1 -> "1", true -> "true"); null or a collection is rejected. */
export function mapKey(key: unknown, offset: number): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (typeof key === 'number') return Number.isInteger(key) ? String(key) : goFormatFloat32(key);
  throw new UnreadableValue(
    key === null
      ? 'A null map key cannot be represented in JSON; Kubernetes rejects the document.'
      : 'A map or list used as a map key cannot be represented in JSON; Kubernetes rejects the document.',
    offset,
  );
}

/** The text of a plain key that is a special float (.inf, .nan), as sigs.k8s.io/yaml writes it; undefined otherwise. */
/** A plain (unquoted, untagged) map key as go-yaml reads it: `yes` is "true", `0x10` is "16", `e0` stays "e0". */
export function plainKeyText(source: string, at: number): string {
  return specialFloatKeyText(source) ?? mapKey(plainScalarValue(source, at), at);
}

export function specialFloatKeyText(text: string): string | undefined {
  if (!SPECIAL_FLOATS.has(text)) return undefined;
  return /nan/i.test(text) ? '.nan' : text.startsWith('-') ? '-.inf' : '.inf';
}

/** .inf and .nan cannot be values in JSON, but as keys sigs.k8s.io/yaml writes them as text. */
function specialFloatKey(key: unknown): string | undefined {
  if (!isScalar(key) || key.tag || (key as { type?: string }).type !== 'PLAIN') return undefined;
  return specialFloatKeyText((key as { source?: string }).source ?? '');
}

function isMergeKey(key: unknown): boolean {
  return (
    isScalar(key) &&
    (key as { type?: string }).type === 'PLAIN' &&
    (key as { source?: string }).source === '<<' &&
    (!key.tag || key.tag === `${TAG}merge`)
  );
}

/** Mappings of up to this many keys are made at their exact size (see `plainObject`); most in manifests have 1-5. */
export const MAX_EXACT_KEYS = 8;

type PlainConstructor = new (
  keys: readonly string[],
  values: readonly unknown[],
  from: number,
  count: number,
) => Record<string, unknown>;

/**
 * A constructor of plain objects (prototype Object.prototype, as `{}` has). V8 sizes an object made by `{}` for four
 * properties in the object (56 bytes for one or two keys), and puts a fifth and later ones in a separate property
 * array; the objects a constructor makes are shrunk to what its first instances used. One constructor per key
 * count, so that every object it makes has exactly that many fields in itself: 32 bytes for one key, 40 for two,
 * 64 for five (96 from `{}`).
 */
function plainConstructor(): PlainConstructor {
  function Plain(
    this: Record<string, unknown>,
    keys: readonly string[],
    values: readonly unknown[],
    from: number,
    count: number,
  ) {
    for (let i = from; i < from + count; i++) defineKey(this, keys[i], values[i]);
  }
  Plain.prototype = Object.prototype;
  return Plain as unknown as PlainConstructor;
}

const PLAIN_BY_KEY_COUNT: readonly PlainConstructor[] = Array.from({ length: MAX_EXACT_KEYS + 1 }, plainConstructor);

/**
 * The mapping of keys[from, from + count) to values[from, from + count), in that order, as a plain object (keys
 * distinct): of exact size up to MAX_EXACT_KEYS keys.
 */
export function plainObject(
  keys: readonly string[],
  values: readonly unknown[],
  from: number,
  count: number,
): Record<string, unknown> {
  if (count <= MAX_EXACT_KEYS) return new PLAIN_BY_KEY_COUNT[count](keys, values, from, count);
  return grownObject(keys, values, from, count);
}

/** The same mapping as an object grown key by key from `{}` (for one with more keys than MAX_EXACT_KEYS, or to come). */
export function grownObject(
  keys: readonly string[],
  values: readonly unknown[],
  from: number,
  count: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = from; i < from + count; i++) defineKey(out, keys[i], values[i]);
  return out;
}

/** Object keys such as __proto__ must become own data properties, as JSON.parse makes them. */
export function defineKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** strconv.ParseInt(s, 0, 64) then ParseUint: sign, 0x / 0o / 0b / leading-0 octal prefixes; undefined otherwise. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, body] = m;
  let value: number;
  if (/^0[xX]/.test(body)) value = Number.parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = Number.parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) value = Number.parseInt(body.slice(2), 2);
  else if (body.length > 1 && body.startsWith('0')) value = Number.parseInt(body.slice(1), 8);
  else value = Number(body);
  // Beyond uint64 (and negative beyond int64) go-yaml falls through to a float: the same double here.
  return sign === '-' ? -value : value;
}

function goParseFloat(s: string): number | undefined {
  return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : undefined;
}

/** strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml writes a float map key. */
function goFormatFloat32(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  const f = Math.fround(value);
  // Shortest digits that round-trip through float32.
  let digits = 1;
  let repr = f.toPrecision(digits);
  while (digits < 9 && Math.fround(Number(repr)) !== f) repr = f.toPrecision(++digits);
  const [mantissa, exponent] = Number(repr).toExponential().split('e');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(Number(repr));
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
