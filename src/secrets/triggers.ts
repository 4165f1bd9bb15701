// What in a text could make a finding of the manifest heuristics, found by one pass over the text: so that a stretch
// of text without any (a whole document, or the span of a subtree the lean reader read) is not walked value by value.
// Each test is conservative: it may see a trigger where no finding is, never miss one. A value read from a text
// differs from its stretch of the text only by escapes (a backslash, itself a trigger), line folding (blanks and line
// breaks) and a single-quoted scalar's `''`: a name, a token or a random run has none of these, so it is a stretch of
// the text as written.
import { SECRET_NAME_RUNS } from './names.js';
import { isHighEntropy } from './entropy.js';
import { CANDIDATE_PREFIXES, candidateAt, userinfoEnd } from './providers.js';

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

const NAMES = automaton(SECRET_NAME_RUNS.whole, SECRET_NAME_RUNS.glued);
/**
 * Names of the walk's context (detect.ts) that make values secret without a secret word of their own: registry
 * `auths` entries, JSON Web Keys (`kty`), Envoy's `session_ticket_keys`. Kong's credential lists and kinds hold
 * `credential` or `secret`, a kustomize `secretGenerator` holds `secret`: those are name runs already.
 */
const NAMES_AND_CONTEXT = automaton(
  [...SECRET_NAME_RUNS.whole, 'auths', 'kty', 'sessionticketkeys'],
  SECRET_NAME_RUNS.glued,
);

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
 * a JVM property flag is named without its D.
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
 * joins tokens) starts where a token does (see tokenStartsAt), at or after `from`.
 */
function runStartsToken(text: string, i: number, length: number, from: number): boolean {
  let left = length;
  for (let j = i; j >= from; j--) {
    const c = text.charCodeAt(j);
    if (!isAlnum(c)) continue;
    if (--left === 0) return tokenStartsAt(text, j, c);
  }
  return false;
}

/** The run of base64-like characters the high-entropy test needs: this long, with a letter and a digit. */
const ENTROPY_RUN = 20;

/**
 * A run of base64-like characters (text[start, end), all of them, as long as they go) holds a value the high-entropy
 * test passes. Such a value has no blank or quote, so it is a stretch of the text: a whole run (a scalar, a flag's or a
 * pair's value after a blank, `:` or a quote) or what follows a `=` in one (`KEY=value`, `--token=value`).
 */
function holdsHighEntropy(text: string, start: number, end: number): boolean {
  if (end - start <= 200 && isHighEntropy(text.slice(start, end))) return true;
  for (let i = Math.max(start, end - 201); i < end - ENTROPY_RUN; i++)
    if (text.charCodeAt(i) === 61 && isHighEntropy(text.slice(i + 1, end))) return true;
  return false;
}

/**
 * Escapes that may change what a text spells (a backslash before another character is none in YAML or JSON, and
 * stays as written: regular expressions' `\d`, `\.`): YAML's and JSON's that stand for a letter, a digit, a `/` or a
 * `_` or take one away (`\u0077`, `\n`), a backslash (JSON in a string), and an escaped line break (joins lines).
 */
const SPELLING_ESCAPES = '0abefnrtvNLP_/\\xuU\n\r';

// Character classes of ASCII: one table look-up a character.
const LETTER = 1;
const DIGIT = 2;
/** + / _ = -: base64-like, neither a letter nor a digit. */
const BASE64_SIGN = 3;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++)
  CLASS[c] =
    isUpper(c) || isLower(c) ? LETTER : isDigit(c) ? DIGIT : '+/_=-'.includes(String.fromCharCode(c)) ? BASE64_SIGN : 0;
/** The automaton's symbol of a letter (either case) or digit. */
const SYMBOL = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (CLASS[c] === LETTER || CLASS[c] === DIGIT) SYMBOL[c] = symbolOf(isUpper(c) ? c | 32 : c);

/**
 * Pairs of characters (first * 128 + second) that may open a trigger other than a name or a run: a provider
 * candidate, `-u`, `my` (mysql), an escape. Looked at on the rare hit (pairTrigger).
 */
const PAIRS = new Uint8Array(128 * 128);
for (const opening of [...CANDIDATE_PREFIXES, '-u', 'mysql', ...[...SPELLING_ESCAPES].map((c) => `\\${c}`)])
  PAIRS[opening.charCodeAt(0) * 128 + opening.charCodeAt(1)] = 1;

/** The trigger that opens at `i` (a pair of PAIRS): an escape, `-u`, `mysql`, a provider candidate that may be one. */
function pairTrigger(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 92) return true; // an escape may spell anything
  if (c === 45 && codeAt(text, i + 1) === 117) return true; // -u, --user: curl's password (see commandLinePairs)
  if (c === 109 && text.startsWith('mysql', i)) return true; // mysql -p: a password (see commandLinePairs)
  const prefix = candidateAt(text, i);
  return prefix !== undefined && providerCandidate(text, i, prefix);
}

/**
 * A scan of one text from a position on: finds the next trigger, and can go on from where it stopped (the automaton's
 * state and the current base64 run are kept) or start again further on.
 */
class Scan {
  state = 0;
  /** Letters and digits read since the scan (re)started. */
  read = 0;
  run = 0;
  runLetter = false;
  runDigit = false;
  /** Where the scan (re)started, and where it goes on. */
  from = 0;
  at = 0;

  /**
   * @param all every trigger of TextTriggers; otherwise name runs alone (and the characters that lowercase to ASCII
   *   letters, which may spell one)
   */
  constructor(
    readonly text: string,
    readonly automaton: Automaton,
    readonly all: boolean,
  ) {}

  /** Starts again at `from` (nothing before it is a part of what is found after). */
  restart(from: number): void {
    this.state = 0;
    this.read = 0;
    this.run = 0;
    this.runLetter = false;
    this.runDigit = false;
    this.from = from;
    this.at = from;
  }

  /** A word of the automaton that ends at `i` (in `state`) is a name run: it ends a token, and a whole run starts one. */
  nameEndsAt(i: number, c: number, state: number, read: number): boolean {
    const { text, automaton, from } = this;
    if (!endsToken(text, i, c)) return false;
    if (automaton.glued[state] === 1) return true;
    for (const length of automaton.whole[state]) if (length <= read && runStartsToken(text, i, length, from)) return true;
    return false;
  }

  /** The first trigger at or after `at` and before `end`, or -1 (then `at` is `end`). */
  next(end: number): number {
    const { text, all } = this;
    const { next, output } = this.automaton;
    let { state, read, run, runLetter, runDigit } = this;
    let found = -1;
    let i = this.at;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? CLASS[c] : 0;
      if (kind !== 0) {
        run++;
        if (kind === LETTER) runLetter = true;
        else if (kind === DIGIT) runDigit = true;
        if (kind !== BASE64_SIGN) {
          read++;
          state = next[state * SYMBOLS + SYMBOL[c]];
          if (output[state] === 1 && this.nameEndsAt(i, c, state, read)) {
            found = i;
            break;
          }
        }
      } else {
        if (run > 0) {
          if (all && run >= ENTROPY_RUN && runLetter && runDigit && holdsHighEntropy(text, i - run, i)) {
            found = i - 1; // a random value ends here (the scan goes on at the character after it)
            run = 0;
            break;
          }
          run = 0;
          runLetter = false;
          runDigit = false;
        }
        if (c >= 128 && lowersToAscii(c)) {
          found = i;
          break;
        }
      }
      if (all && c < 128 && i + 1 < text.length) {
        const after = text.charCodeAt(i + 1);
        if (after < 128 && PAIRS[c * 128 + after] === 1 && pairTrigger(text, i)) {
          found = i;
          break;
        }
      }
    }
    if (found === -1 && all && run >= ENTROPY_RUN && runLetter && runDigit && holdsHighEntropy(text, end - run, end)) {
      found = end - 1; // a run up to the end of the stretch
      run = 0;
    }
    this.state = state;
    this.read = read;
    this.run = run;
    this.runLetter = runLetter;
    this.runDigit = runDigit;
    this.at = found === -1 ? end : found + 1;
    return found;
  }
}

/**
 * A provider candidate that may be a finding. `://` only when user information ending in `@` follows (a URL with a
 * password or a token as its user); a PEM block unless its label is one of the public ones (no private key).
 */
function providerCandidate(text: string, i: number, prefix: string): boolean {
  if (prefix === '://') return codeAt(text, userinfoEnd(text, i + 3)) === 64;
  if (prefix === '-----BEGIN') return !PUBLIC_PEM_BLOCKS.some((block) => text.startsWith(block, i));
  return true;
}

const PUBLIC_PEM_BLOCKS = ['-----BEGIN CERTIFICATE-----', '-----BEGIN PUBLIC KEY-----'];

/** The first name run (see SECRET_NAME_RUNS) of text[from, to) as tokens() reads names, or -1. */
export function nextNameRun(text: string, from: number, to: number): number {
  const scan = new Scan(text, NAMES, false);
  scan.restart(from);
  return scan.next(to);
}

/**
 * Whether some part of the text could be a name secretNameKind accepts: false only when no run of its tokens is one
 * of SECRET_NAME_RUNS. Any name cut from the text (a key of embedded JSON, a key of a `key=value` line, a flag) is such
 * a run, so a text without one names no secret. Coarse on purpose (words of different names run together): it only
 * has to be sure.
 */
export function mayNameASecret(text: string): boolean {
  return nextNameRun(text, 0, text.length) !== -1;
}

/**
 * The triggers of one text for the manifest heuristics of detect.ts: a backslash, a provider candidate, a name run,
 * a name of the walk's context, `-u` or `mysql` (command lines that name a password themselves), a base64 run that
 * may be random. `clean(start, end)` says whether text[start, end) holds none: then nothing read from that stretch can
 * be a finding, whatever its structure (the context the stretch is read in, its key above all, is the caller's to
 * judge). Asked about stretches in increasing order (a walk in text order), the text is scanned at most once.
 */
export class TextTriggers {
  readonly #scan: Scan;
  /** The last trigger found (the scan goes on after it), or -1 when the scan stopped at the end of a stretch. */
  #found = -1;
  #lastStart = 0;

  constructor(text: string) {
    this.#scan = new Scan(text, NAMES_AND_CONTEXT, true);
  }

  clean(start: number, end: number): boolean {
    const scan = this.#scan;
    if (start < this.#lastStart) {
      // Out of order (a map's integer keys come first): scanned apart.
      const apart = new Scan(scan.text, NAMES_AND_CONTEXT, true);
      apart.restart(start);
      return apart.next(end) === -1;
    }
    this.#lastStart = start;
    // The scan has read everything from at most `start` up to its trigger (or its stop): nothing before the trigger.
    if (this.#found >= start) return this.#found >= end;
    if (scan.at < start) scan.restart(start);
    this.#found = scan.next(end);
    return this.#found === -1;
  }
}

/** Every trigger of text[start, end) (see TextTriggers), in order: for tests and measurements. */
export function triggersIn(text: string, start = 0, end = text.length): number[] {
  const scan = new Scan(text, NAMES_AND_CONTEXT, true);
  scan.restart(start);
  const found: number[] = [];
  for (let at = scan.next(end); at !== -1; at = scan.next(end)) found.push(at);
  return found;
}
