// Work that depends on a string alone, remembered for one run: a scan of many documents meets the same strings again
// and again (kustomize bases and overlays, charts rendered per environment, copied descriptions and scripts).
import { commandLinePairs, embeddedPairs } from './embedded.js';
import { findProviderSecrets, type ProviderMatch } from './providers.js';

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
}

/** Texts shorter than this are not remembered: looking them up costs about what reading them again does. */
const MIN_REMEMBERED = 16;

/** A memo for one run; each table holds at most `maxChars` characters of text, then starts over. */
export function textMemo(maxChars = 16_000_000): TextMemo {
  return {
    providers: remembered(findProviderSecrets, maxChars),
    textPairs: remembered(textPairs, maxChars),
  };
}

function remembered<T>(compute: (text: string) => T, maxChars: number): (text: string) => T {
  const memo = new Map<string, T>();
  let chars = 0;
  return (text) => {
    if (text.length < MIN_REMEMBERED) return compute(text);
    let result = memo.get(text);
    if (result === undefined) {
      result = compute(text);
      if (chars + text.length > maxChars) {
        memo.clear();
        chars = 0;
      }
      memo.set(text, result);
      chars += text.length;
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
