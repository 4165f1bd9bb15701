// Work that depends on a string alone, remembered for one run: a scan of many documents meets the same strings again
// and again (kustomize bases and overlays, charts rendered per environment, copied descriptions and scripts).
import type { Detection } from './detect.js';
import { commandLinePairs, embeddedPairs } from './embedded.js';
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
  /**
   * The detections of a document, by a key that determines its value (its text, how it was read, the reading mode):
   * a manifest copied verbatim into several places is read once. The result is shared: never change it.
   */
  readonly document: (key: string, detect: () => readonly Detection[]) => readonly Detection[];
}

/** Texts shorter than this are not remembered: looking them up costs about what reading them again does. */
const MIN_REMEMBERED = 16;

/** A memo for one run; each table holds at most `maxChars` characters of keys, then starts over. */
export function textMemo(maxChars = 16_000_000): TextMemo {
  const documents = boundedTable<readonly Detection[]>(maxChars);
  return {
    providers: remembered(findProviderSecrets, maxChars),
    textPairs: remembered(textPairs, maxChars),
    shape: remembered(stringShape, maxChars, 0),
    document: function documentMemo(key, detect) {
      return documents(key, detect);
    },
  };
}

function remembered<T>(
  compute: (text: string) => T,
  maxChars: number,
  minRemembered = MIN_REMEMBERED,
): (text: string) => T {
  const table = boundedTable<T>(maxChars);
  return function rememberedLookup(text) {
    return text.length < minRemembered ? compute(text) : table(text, compute);
  };
}

/** A string-keyed table that computes a missing entry and forgets everything when its keys pass `maxChars`. */
function boundedTable<T>(maxChars: number): (key: string, compute: (key: string) => T) => T {
  const memo = new Map<string, T>();
  let chars = 0;
  return function tableLookup(key, compute) {
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
