// Work that depends on a string alone, remembered for one run: a scan of many documents meets the same strings again
// and again (kustomize bases and overlays, charts rendered per environment, copied descriptions and scripts).
import type { Detection } from './detect.js';
import { commandLinePairs, embeddedPairs, embeddedPairsOfMarkedLines, lineStart, netrcPairs } from './embedded.js';
import { nameRunsBuilt, nextNameRun } from './name-runs.js';
import { secretNameKind } from './names.js';
import { mayHoldNamedSecret, mayNameAPair, unescapeJson } from './prefilter.js';
import { findProviderSecrets, type ProviderMatch, scanProviderSecrets } from './providers.js';
import { opensLikeJson, stringShape } from './shape.js';
import { FNV1A_START, fnv1a } from '../fnv1a.js';

/** A key = value pair read from text embedded in a string, at offset `at` of that string. */
export interface TextPair {
  readonly key: string;
  readonly value: string;
  readonly at: number;
}

/**
 * What a string alone holds, read once per distinct string: its shape at once, the rest when first asked for. One
 * look-up per string met answers every question the walk asks about it (a long text is hashed and compared once, not
 * once per question).
 */
export interface StringFacts {
  /** The string. */
  readonly text: string;
  /** stringShape of the string. */
  readonly shape: number;
  /** findProviderSecrets of the string. The result is shared: never change it. */
  readonly providers: readonly ProviderMatch[];
  /** The pairs of multi-line text (properties, .env, ini ..., then scripts' flags line by line). Shared. */
  pairs(): readonly TextPair[];
  /**
   * The pairs whose key is a secret-like name. Inside embedded text only these can be found (a name gives the kind,
   * and the high-entropy test is not run there) unless the options add secret names. Shared.
   */
  namedPairs(): readonly TextPair[];
  /**
   * JSON.parse of the string; undefined when it is not JSON. When jsonMayFind() is false, an empty object stands for
   * the value (it is not kept). The value is shared: never change it.
   */
  json(): unknown;
  /**
   * Whether the string, read as embedded JSON, could hold a finding: false when it holds no escape, no provider
   * candidate, no stretch that could be a secret-like name and nothing that gives its values a kind by context.
   */
  jsonMayFind(): boolean;
  /**
   * Whether the string could hold a finding read as JSON or, when it is not JSON, as lines of text (its pairs): false
   * when it holds no escape and jsonMayFind() is false (the text is then its own unescaped JSON, and no stretch of it
   * could name a secret, so no pair of its lines is under a secret-like name either).
   */
  jsonOrLinesMayFind(): boolean;
}

export interface TextMemo {
  /** The facts of a string, short ones too: most strings of a scan are met many times. */
  readonly facts: (text: string) => StringFacts;
  /**
   * The detections of a document, by what determines them: how it was read and in which mode (`reading`) and its
   * text. A manifest copied verbatim into several places is read once. The result is shared: never change it.
   */
  readonly document: (reading: string, text: string, detect: () => readonly Detection[]) => readonly Detection[];
}

class Facts implements StringFacts {
  readonly shape: number;
  readonly providers: readonly ProviderMatch[];
  private pairsRead: readonly TextPair[] | undefined;
  private namedPairsRead: readonly TextPair[] | undefined;
  private jsonRead: unknown = UNREAD;
  private jsonMayFindRead: boolean | undefined;
  /**
   * Whether the text holds a provider candidate (hasProviderCandidate), noted by the scan for providers of a text
   * that may be JSON (jsonMayFind asks it); undefined for other texts (telling a `://` apart costs a little each).
   */
  private readonly candidate: boolean | undefined;
  constructor(readonly text: string) {
    if (opensLikeJson(text)) {
      const scan = scanProviderSecrets(text);
      this.providers = scan.matches;
      this.candidate = scan.candidate;
    } else {
      this.providers = findProviderSecrets(text);
    }
    this.shape = stringShape(text, this.providers);
  }
  pairs(): readonly TextPair[] {
    this.pairsRead ??= textPairs(this.text);
    return this.pairsRead;
  }
  namedPairs(): readonly TextPair[] {
    // Only the lines where a name run ends can hold a pair under a secret-like key (once the automaton that finds
    // them is built: until then mayNameAPair says "maybe" and every line is read), unless every pair is read already.
    this.namedPairsRead ??= mayNameAPair(this.text)
      ? (this.pairsRead ?? textPairs(this.text, nameRunsBuilt())).filter(
          (pair) => secretNameKind(pair.key) !== undefined,
        )
      : NO_PAIRS;
    return this.namedPairsRead;
  }
  json(): unknown {
    if (this.jsonRead === UNREAD) {
      const parsed = tryJson(this.text);
      // A tree no finding can be in is not kept: the walk asks only whether the text is JSON (Grafana dashboards,
      // kept for the run, were most of what the memo held and survived every young-generation collection).
      this.jsonRead = parsed === NOT_JSON ? NOT_JSON : this.jsonMayFind() ? parsed : UNKEPT_JSON;
    }
    return this.jsonRead === NOT_JSON ? undefined : this.jsonRead;
  }
  jsonOrLinesMayFind(): boolean {
    return this.text.includes('\\') || this.jsonMayFind();
  }
  jsonMayFind(): boolean {
    // Entropy is not tested inside embedded text: only named secrets and provider tokens can be found there.
    this.jsonMayFindRead ??= this.text.includes('\\')
      ? mayHoldNamedSecret(unescapeJson(this.text))
      : mayHoldNamedSecret(this.text, this.candidate); // unescaped, it is itself: its candidates may be known
    return this.jsonMayFindRead;
  }
}

const NO_PAIRS: readonly TextPair[] = Object.freeze([]);

/** A memo for one run; its tables hold at most `maxChars` characters of keys each, then start over. */
export function textMemo(maxChars = 16_000_000): TextMemo {
  const facts = boundedTable<StringFacts>(maxChars);
  const read = (text: string) => new Facts(text);
  return {
    facts: (text) => facts(text, read),
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
  // A print's slot holds one document (most prints) or a few, each its text alone when nothing was found in it
  // (most documents): an entry object and a one-element list per document were ~60 bytes kept for the run.
  const byPrint = new Map<number, Remembered | Remembered[]>();
  let chars = 0;
  return (reading, text, detect) => {
    const print = documentPrint(reading, text);
    const slot = byPrint.get(print);
    const known = Array.isArray(slot) ? slot.find((entry) => textOf(entry) === text) : slot;
    if (known !== undefined && textOf(known) === text) return typeof known === 'string' ? NOTHING : known.detections;
    const detections = detect();
    if (chars + text.length > maxChars) {
      byPrint.clear();
      chars = 0;
    }
    const entry: Remembered = detections.length === 0 ? text : { text, detections };
    const current = byPrint.get(print);
    if (current === undefined) byPrint.set(print, entry);
    else if (!Array.isArray(current)) byPrint.set(print, [current, entry]);
    else if (current.length < TEXTS_PER_FINGERPRINT) current.push(entry);
    else return detections;
    chars += text.length;
    return detections;
  };
}

/** A document remembered by the table: its text alone when nothing was found in it, else text and detections. */
type Remembered = string | { readonly text: string; readonly detections: readonly Detection[] };

function textOf(entry: Remembered): string {
  return typeof entry === 'string' ? entry : entry.text;
}

const NOTHING: readonly Detection[] = Object.freeze([]);

/**
 * A document's fingerprint: a hash of its reading, length and first and last 48 characters, as a small integer. (A
 * string of them was ~110 characters and its pieces per document, kept for the run.) Texts of one print are compared
 * whole, so two prints that hash alike only share their few places.
 */
export function documentPrint(reading: string, text: string): number {
  const read = fnv1a(reading, FNV1A_START ^ text.length);
  const head = fnv1a(text, read, 0, Math.min(48, text.length));
  return fnv1a(text, head, Math.max(0, text.length - 48)) >>> 2; // a small integer: no heap number per key
}

/** What a string's facts hold for a text that is not JSON, and for one not parsed yet. */
const NOT_JSON = Symbol('not JSON');
/** What json() gives for JSON in which nothing can be found. */
const UNKEPT_JSON = Object.freeze({});
const UNREAD = Symbol('not read yet');

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
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

/**
 * Properties, ini, .env, YAML, TOML, XML leaves, .npmrc; then curl -u, Authorization headers, mysql -p, --password= on
 * any line. `namedLinesOnly`: of the first ones, only the pairs of lines where a name run ends (all that can be under
 * a secret-like key).
 */
function textPairs(s: string, namedLinesOnly = false): TextPair[] {
  const lines = namedLinesOnly ? embeddedPairsOfMarkedLines(s, nextNameRun) : embeddedPairs(s);
  const out: TextPair[] = lines.map((pair) => ({ key: pair.key, value: pair.value, at: pair.offset }));
  for (const pair of netrcPairs(s)) out.push({ key: pair.key, value: pair.value, at: pair.offset });
  for (const [start, end] of commandLines(s)) {
    const line = s.slice(start, end);
    for (const pair of commandLinePairs(line))
      out.push({ key: pair.key, value: pair.value, at: start + line.indexOf(pair.value) });
  }
  return out;
}

/** Lines of a text read for flags, at most this many from its start. */
const MAX_COMMAND_LINES = 20_000;

/**
 * The [start, end) of each line (of the first MAX_COMMAND_LINES) that holds ` -` or `uthorization`: found by searching
 * the text for those two, not by cutting every line out of it (descriptions and scripts are long and mostly flagless).
 * Each search resumes where its last hit was, so the text is read a bounded number of times whatever it holds.
 */
export function* commandLines(s: string): Generator<readonly [number, number]> {
  const stop = lineStart(s, MAX_COMMAND_LINES); // past which no line is read
  let dash = -2;
  let header = -2;
  for (let from = 0; from < stop; ) {
    if (dash !== -1 && dash < from) dash = s.indexOf(' -', from);
    if (header !== -1 && header < from) header = s.indexOf('uthorization', from);
    const hit = dash === -1 ? header : header === -1 ? dash : Math.min(dash, header);
    if (hit === -1 || hit >= stop) return;
    const start = s.lastIndexOf('\n', hit) + 1;
    const newline = s.indexOf('\n', hit);
    const end = newline === -1 ? s.length : newline;
    yield [start, end];
    from = end + 1;
  }
}
