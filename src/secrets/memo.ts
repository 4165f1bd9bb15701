// Work that depends on a string alone, remembered for one run: a scan of many documents meets the same strings again
// and again (kustomize bases and overlays, charts rendered per environment, copied descriptions and scripts).
import type { Detection } from './detect.js';
import { commandLinePairs, embeddedPairs, netrcPairs } from './embedded.js';
import { findProviderSecrets, type ProviderMatch } from './providers.js';
import { stringShape } from './shape.js';

/** A key = value pair read from text embedded in a string, at offset `at` of that string. */
export interface TextPair {
  readonly key: string;
  readonly value: string;
  readonly at: number;
}

export interface TextMemo {
  /** findProviderSecrets, once per distinct text. The result is shared: never change it. */
  readonly providers: (text: string) => readonly ProviderMatch[];
  /** The pairs of multi-line text (properties, .env, ini ..., then scripts' flags line by line), once per text. */
  readonly textPairs: (text: string) => readonly TextPair[];
  /** stringShape, once per distinct string, short ones too: most strings of a scan are met many times. */
  readonly shape: (text: string) => number;
  /** JSON.parse, once per distinct text; undefined when it is not JSON. The value is shared: never change it. */
  readonly json: (text: string) => unknown;
  /**
   * The detections of a document, by what determines them: how it was read and in which mode (`reading`) and its
   * text. A manifest copied verbatim into several places is read once. The result is shared: never change it.
   */
  readonly document: (reading: string, text: string, detect: () => readonly Detection[]) => readonly Detection[];
}

/** Texts shorter than this are not remembered: looking them up costs about what reading them again does. */
const MIN_REMEMBERED = 16;

/** A memo for one run; each table holds at most `maxChars` characters of keys, then starts over. */
export function textMemo(maxChars = 16_000_000): TextMemo {
  const shapes = boundedTable<number>(maxChars);
  const parsedJson = boundedTable<unknown>(maxChars);
  const providers = remembered(findProviderSecrets, maxChars);
  // A string read on its own after its shape (multi-line text, pairs) is scanned for tokens once, not twice.
  const shapeOf = (text: string) => stringShape(text, providers);
  return {
    providers,
    textPairs: remembered(textPairs, maxChars),
    shape: (text) => shapes(text, shapeOf),
    json: (text) => {
      const parsed = parsedJson(text, tryJson);
      return parsed === NOT_JSON ? undefined : parsed;
    },
    document: documentTable(maxChars),
  };
}

const TEXTS_PER_FINGERPRINT = 4;

/**
 * Documents by reading and text. A document's text is found by a short fingerprint (its length and ends), then
 * compared whole: hashing every document's whole text would cost more than the copies it finds. A fingerprint keeps
 * a few texts only: generated documents that share length and ends (thousands of Deployments differing in a name)
 * would otherwise be compared with every earlier one, a cost that grows with the square of their number.
 */
function documentTable(maxChars: number): TextMemo['document'] {
  const byPrint = new Map<string, { readonly text: string; readonly detections: readonly Detection[] }[]>();
  let chars = 0;
  return (reading, text, detect) => {
    const print = `${reading}\0${text.length}\0${text.slice(0, 48)}\0${text.slice(-48)}`;
    const entries = byPrint.get(print);
    const known = entries?.find((entry) => entry.text === text);
    if (known) return known.detections;
    const detections = detect();
    if (chars + text.length > maxChars) {
      byPrint.clear();
      chars = 0;
    }
    const entry = { text, detections };
    if (!entries || !byPrint.has(print)) byPrint.set(print, [entry]);
    else if (entries.length < TEXTS_PER_FINGERPRINT) entries.push(entry);
    else return detections;
    chars += text.length;
    return detections;
  };
}

/** What the JSON table remembers for a text that is not JSON (undefined means "not read yet"). */
const NOT_JSON = Symbol('not JSON');

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function remembered<T>(compute: (text: string) => T, maxChars: number): (text: string) => T {
  const table = boundedTable<T>(maxChars);
  return (text) => (text.length < MIN_REMEMBERED ? compute(text) : table(text, compute));
}

/** A string-keyed table that computes a missing entry and forgets everything when its keys pass `maxChars`. */
function boundedTable<T>(maxChars: number): (key: string, compute: (key: string) => T) => T {
  const memo = new Map<string, T>();
  let chars = 0;
  return (key, compute) => {
    let result = memo.get(key);
    if (result === undefined) {
      result = compute(key);
      if (chars + key.length > maxChars) {
        memo.clear();
        chars = 0;
      }
      memo.set(key, result);
      chars += key.length;
    }
    return result;
  };
}

/** Properties, ini, .env, YAML, TOML, XML leaves, .npmrc; then curl -u, Authorization headers, mysql -p, --password= on any line. */
function textPairs(s: string): TextPair[] {
  const out: TextPair[] = embeddedPairs(s).map((pair) => ({ key: pair.key, value: pair.value, at: pair.offset }));
  for (const pair of netrcPairs(s)) out.push({ key: pair.key, value: pair.value, at: pair.offset });
  for (let start = 0, n = 0; start < s.length && n < 20_000; n++) {
    const newline = s.indexOf('\n', start);
    const end = newline === -1 ? s.length : newline;
    const line = s.slice(start, end);
    if (line.includes(' -') || line.includes('uthorization')) {
      for (const pair of commandLinePairs(line))
        out.push({ key: pair.key, value: pair.value, at: start + line.indexOf(pair.value) });
    }
    start = end + 1;
  }
  return out;
}
