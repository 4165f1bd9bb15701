// Whether a text could hold a name secretNameKind accepts, in one pass over its characters: the prefilter of embedded
// text (the pairs of a multi-line value, the keys of embedded JSON are read only when it says yes).
import { SECRET_NAME_RUNS } from './names.js';

// The name runs, matched by an Aho-Corasick automaton over the letters and digits of the text, lowercased (what
// tokens() keeps: every other character only separates tokens, so the automaton steps over it).

const SYMBOLS = 36; // a-z, 0-9
const symbolOf = (lower: number) => (lower >= 97 ? lower - 97 : lower - 48 + 26);

interface Automaton {
  /** The next state, by state * SYMBOLS + symbol. */
  readonly next: Int32Array;
  /** 1 when a word (glued or whole) ends at the state, else 0. */
  readonly output: Uint8Array;
  /** 1 when a glued word ends at the state (no start condition), else 0. */
  readonly glued: Uint8Array;
  /** The lengths of the whole runs that end at the state (they must start where a token does). */
  readonly whole: readonly (readonly number[])[];
}

function automaton(whole: readonly string[], glued: readonly string[]): Automaton {
  const next: number[][] = [new Array(SYMBOLS).fill(-1)];
  const fail: number[] = [0];
  const gluedAt: number[] = [0];
  const wholeAt: number[][] = [[]];
  const add = (word: string, isGlued: boolean) => {
    let state = 0;
    for (const ch of word) {
      const symbol = symbolOf(ch.charCodeAt(0));
      if (next[state][symbol] === -1) {
        next[state][symbol] = next.length;
        next.push(new Array(SYMBOLS).fill(-1));
        fail.push(0);
        gluedAt.push(0);
        wholeAt.push([]);
      }
      state = next[state][symbol];
    }
    if (isGlued) gluedAt[state] = 1;
    else if (!wholeAt[state].includes(word.length)) wholeAt[state].push(word.length);
  };
  for (const word of whole) add(word, false);
  for (const word of glued) add(word, true);
  // Breadth first: each state's failure link, and the outputs of the shorter words that end where it does.
  const queue: number[] = [];
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const child = next[0][symbol];
    if (child === -1) next[0][symbol] = 0;
    else queue.push(child);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head];
    for (let symbol = 0; symbol < SYMBOLS; symbol++) {
      const child = next[state][symbol];
      if (child === -1) {
        next[state][symbol] = next[fail[state]][symbol];
        continue;
      }
      const link = next[fail[state]][symbol];
      fail[child] = link;
      gluedAt[child] |= gluedAt[link];
      for (const length of wholeAt[link]) if (!wholeAt[child].includes(length)) wholeAt[child].push(length);
      queue.push(child);
    }
  }
  return {
    next: Int32Array.from(next.flat()),
    output: Uint8Array.from(wholeAt, (lengths, state) => (lengths.length > 0 || gluedAt[state] === 1 ? 1 : 0)),
    glued: Uint8Array.from(gluedAt),
    whole: wholeAt,
  };
}

// Built on first use (see mayNameASecretOnceWorthIt): a scan of a few files never builds it.
let names: Automaton | undefined;
const namesAutomaton = () => (names ??= automaton(SECRET_NAME_RUNS.whole, SECRET_NAME_RUNS.glued));

const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isLower(c) || isUpper(c) || isDigit(c);
/** The character code at `i`, or 0 outside the text (reading past the ends would deoptimize the scan). */
const codeAt = (text: string, i: number) => (i >= 0 && i < text.length ? text.charCodeAt(i) : 0);
/** Non-ASCII characters that lowercase to ASCII letters (KELVIN SIGN to k, CAPITAL I WITH DOT ABOVE to i + a dot). */
const lowersToAscii = (c: number) => c === 0x212a || c === 0x130;

/**
 * A token of tokens() starts at `i` (a letter or digit `c`): after a character that is neither; at a capital after a
 * small letter or a digit; at a capital between a capital and a small letter (`APIKey`: API, Key). Also after `-D`:
 * a JVM property flag is named without its D (commandLinePairs).
 */
function tokenStartsAt(text: string, i: number, c: number): boolean {
  const before = codeAt(text, i - 1);
  if (!isAlnum(before)) return true;
  if (isUpper(c)) {
    if (isLower(before) || isDigit(before)) return true;
    if (isUpper(before) && isLower(codeAt(text, i + 1))) return true;
  }
  return before === 68 && codeAt(text, i - 2) === 45;
}

/** A token of tokens() ends at `i` (a letter or digit `c`): see tokenStartsAt. */
function endsToken(text: string, i: number, c: number): boolean {
  const after = codeAt(text, i + 1);
  if (!isAlnum(after)) return true;
  if (isUpper(after)) {
    if (isLower(c) || isDigit(c)) return true;
    if (isUpper(c) && isLower(codeAt(text, i + 2))) return true;
  }
  return false;
}

/**
 * Whether the run of `length` letters and digits that ends at `i` (other characters between them skipped, as tokens()
 * joins tokens) starts where a token does (see tokenStartsAt).
 */
function runStartsToken(text: string, i: number, length: number): boolean {
  let left = length;
  for (let j = i; j >= 0; j--) {
    const c = text.charCodeAt(j);
    if (!isAlnum(c)) continue;
    if (--left === 0) return tokenStartsAt(text, j, c);
  }
  return false;
}

/** A word of the automaton ends at `i` (in `state`) and is a name run: it ends a token, and a whole run starts one. */
function nameRunEndsAt(text: string, i: number, c: number, state: number, { glued, whole }: Automaton): boolean {
  if (!endsToken(text, i, c)) return false;
  if (glued[state] === 1) return true;
  for (const length of whole[state]) if (runStartsToken(text, i, length)) return true;
  return false;
}

// Character classes of ASCII: one table look-up a character. 0: neither a letter nor a digit.
const SYMBOL_PLUS_ONE = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isAlnum(c)) SYMBOL_PLUS_ONE[c] = symbolOf(isUpper(c) ? c | 32 : c) + 1;

/**
 * Where the first name run of text[from, to) ends (see SECRET_NAME_RUNS: a run of tokens, as tokens() splits a name,
 * that every name secretNameKind accepts holds), or -1. A character that lowercases to an ASCII letter counts as one.
 */
export function nextNameRun(text: string, from: number, to: number): number {
  const runs = namesAutomaton();
  const { next, output } = runs;
  let state = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const symbol = c < 128 ? SYMBOL_PLUS_ONE[c] : 0;
    if (symbol === 0) {
      if (c >= 128 && lowersToAscii(c)) return i;
      continue;
    }
    state = next[state * SYMBOLS + symbol - 1];
    if (output[state] === 1 && nameRunEndsAt(text, i, c, state, runs)) return i;
  }
  return -1;
}

/**
 * Whether some part of the text could be a name secretNameKind accepts: false only when no run of its tokens is one
 * of SECRET_NAME_RUNS. Any name cut from the text (a key of embedded JSON, a key of a `key=value` line, a flag) is such
 * a run: its first token starts where a token of the text does (it follows a blank, a quote, `=`, `-`, `-D` ...), its
 * last ends where one does, and the characters between its tokens are skipped here as tokens() drops them. So a text
 * without one names no secret. Coarse on purpose (words of different names run together): it only has to be sure.
 */
export function mayNameASecret(text: string): boolean {
  return nextNameRun(text, 0, text.length) !== -1;
}

/** Whether the automaton is built: mayNameASecretOnceWorthIt then answers exactly. */
export function nameRunsBuilt(): boolean {
  return names !== undefined;
}

/** The characters of text mayNameASecretOnceWorthIt answers "maybe" for before it builds the automaton. */
const MAYBE_BEFORE_AUTOMATON = 16_384;
let charsBeforeAutomaton = 0;

/**
 * mayNameASecret once the automaton is worth building: until the texts asked about add up to MAYBE_BEFORE_AUTOMATON
 * characters, each is a "maybe" (the caller then reads its names exactly), because building the automaton (about a
 * millisecond and a half of code run once, cold) costs more than reading the names of a few short texts, which is
 * all a scan of a file or two asks.
 */
export function mayNameASecretOnceWorthIt(text: string): boolean {
  if (names === undefined && (charsBeforeAutomaton += text.length) <= MAYBE_BEFORE_AUTOMATON) return true;
  return mayNameASecret(text);
}
