// Text embedded in a string (a ConfigMap's application.properties, settings.ini, .env, config.yaml, a JSON blob, a
// command line): the key = value pairs and flags in it, so that the key-name heuristic applies inside it too.
import { isHighEntropy } from './entropy.js';

export interface Pair {
  readonly key: string;
  readonly value: string;
  /** Offset of the value in the text (for locating it on its own line). */
  readonly offset: number;
}

// Declarations in shells, Dockerfiles, JavaScript, Vim script (`let g:name = ...`), Java, C# and Kotlin
// (`private static final String NAME = ...`) name the key after keywords; PHP and Perl name variables after a `$`.
// The keywords are taken off one at a time (a loop, at most a few): one pattern repeating them would backtrack.
const DECLARATION =
  /^(?:export|set|ENV|let|const|var|val|public|private|protected|internal|static|final|readonly|String|string)\s+(?:[abglstvw]:)?/;
const MAX_DECLARATION_WORDS = 6;
const LINE_PAIR = /^["']?\$?([A-Za-z_][\w.\-[\]/]*)["']?\s*(?:=|:(?![/\\]{2}))\s*(\S.*)?$/;
/** .NET appSettings: `<add key="SmtpPassword" value="..."/>`. */
const APP_SETTING = /<add\s+key="([^"\n]{1,100})"\s+value="([^"\n]{1,500})"/g;
/**
 * A `Name=value;` member of an ADO.NET or ODBC connection string. The name ends in a word character, so the blanks
 * before `=` can only be the `\s*`'s (a lazy name that could also end in blanks made recheck's fuzzer find a
 * polynomial case now and then).
 */
const CONNECTION_MEMBER = /(?:^|;)\s*([A-Za-z](?:[\w ]{0,39}\w)?)\s*=\s*([^;]*)/g;
/** A comment marker of shell, YAML, INI, properties or C-like text, and the blanks after it. */
const COMMENT_MARKER = /^(?:#+|\/\/+|;+|!)[ \t]*/;
const NPMRC_AUTH = /^\/\/[^\s:]*:(_auth(?:Token)?|_password)\s*=\s*(\S.*)?$/; // //registry.npmjs.org/:_authToken=...
const XML_PAIR = /<([A-Za-z_][\w.-]*)>([^<\n]{1,500})<\/\1>/g;
const MAX_LINES = 20_000;

/**
 * Key/value pairs of properties, ini, .env, YAML (any depth: the last key of a line), TOML, .npmrc and JSON-per-line
 * text, plus XML leaf elements. Values are unquoted, trailing commas and inline comments removed; structure openers
 * (`{`, `[`, `|`, `>`) and empty values are skipped.
 */
export function embeddedPairs(text: string): Pair[] {
  const pairs: Pair[] = [];
  let lineStart = 0;
  for (let n = 0; n < MAX_LINES && lineStart <= text.length; n++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    linePairs(pairs, text, lineStart, lineEnd);
    lineStart = lineEnd + 1;
  }
  return pairs;
}

/**
 * The pairs embeddedPairs gives of the lines that hold a mark, in the same order: `nextMark(text, from, to)` is where
 * the first mark of text[from, to) is, or -1. A pair's key and value are cut from one line, so when the caller keeps
 * only pairs whose key holds a mark (a secret-like name, see nextNameRun), the other lines need not be read.
 */
export function embeddedPairsOfMarkedLines(
  text: string,
  nextMark: (text: string, from: number, to: number) => number,
): Pair[] {
  const pairs: Pair[] = [];
  const stop = Math.min(lineStart(text, MAX_LINES), text.length);
  for (let mark = nextMark(text, 0, stop); mark !== -1; ) {
    const start = text.lastIndexOf('\n', mark) + 1;
    let end = text.indexOf('\n', mark);
    if (end === -1) end = text.length;
    linePairs(pairs, text, start, end);
    mark = end + 1 < stop ? nextMark(text, end + 1, stop) : -1;
  }
  return pairs;
}

/** Where line `n` (from 0) of the text starts; past the text's end when it has no such line. */
export function lineStart(text: string, n: number): number {
  let at = 0;
  for (let line = 0; line < n; line++) {
    const newline = text.indexOf('\n', at);
    if (newline === -1) return text.length + 1;
    at = newline + 1;
  }
  return at;
}

/** The pairs of text[lineStart, lineEnd), one line, pushed to `pairs`. */
function linePairs(pairs: Pair[], text: string, lineStart: number, lineEnd: number): void {
  const raw = text.slice(lineStart, lineEnd);
  const at = lineStart;
  let line = raw.trim();
  let lineOffset = at + raw.indexOf(line[0] ?? '');
  if (!line) return;
  if (line.startsWith('//')) {
    const npmrc = NPMRC_AUTH.exec(line);
    if (npmrc?.[2]) {
      push(pairs, npmrc[1], npmrc[2], lineOffset + line.length - npmrc[2].length);
      return;
    }
  }
  // A commented-out line is still committed: its pair counts when the value looks generated (`# password=admin`
  // documents a default; `//$client_secret = 'fnhq...'` is a secret someone switched off).
  const comment = COMMENT_MARKER.exec(line);
  const commented = comment !== null;
  if (comment) {
    lineOffset += comment[0].length;
    line = line.slice(comment[0].length);
  } else if (isDiffMarker(line)) {
    lineOffset += 1; // a removed or added line of a diff or patch: `-export NPM_TOKEN=...`
    line = line.slice(1);
  }
  if (line.startsWith('- ')) {
    const item = line.slice(2).trim();
    lineOffset += line.length - item.length;
    line = item;
  }
  if (line.startsWith('<add ')) {
    APP_SETTING.lastIndex = 0;
    for (let m = APP_SETTING.exec(line); m; m = APP_SETTING.exec(line)) {
      const valueAt = lineOffset + m.index + m[0].length - m[2].length - 1;
      if (!commented || isHighEntropy(m[2])) pairs.push({ key: m[1], value: m[2], offset: valueAt });
      connectionMembers(pairs, m[2], valueAt);
    }
    return;
  }
  if (line.includes('<') && line.includes('</')) {
    XML_PAIR.lastIndex = 0;
    for (let m = XML_PAIR.exec(line); m; m = XML_PAIR.exec(line)) {
      const value = m[2].trim();
      if (!commented || isHighEntropy(value))
        pairs.push({ key: m[1], value, offset: lineOffset + m.index + m[1].length + 2 });
    }
    return;
  }
  const m = linePair(line);
  if (m?.[2]) push(pairs, m[1], m[2], lineOffset + line.length - m[2].length, commented);
}

/** A line's key and value, after the declaration keywords (`export`, `private static String` ...) that lead it. */
function linePair(line: string): RegExpExecArray | null {
  let rest = line;
  for (let n = 0; n < MAX_DECLARATION_WORDS; n++) {
    const keyword = DECLARATION.exec(rest);
    if (!keyword) break;
    rest = rest.slice(keyword[0].length);
  }
  return (rest !== line && LINE_PAIR.exec(rest)) || LINE_PAIR.exec(line); // `set = x` names the key `set`
}

/** The members of a connection string (`Server=db;User ID=app;Password=...;`), so that `Password` names its value. */
function connectionMembers(pairs: Pair[], value: string, offset: number): void {
  if (!value.includes(';') || !value.includes('=')) return;
  CONNECTION_MEMBER.lastIndex = 0;
  for (let m = CONNECTION_MEMBER.exec(value); m; m = CONNECTION_MEMBER.exec(value)) {
    const member = m[2].trim();
    if (member) pairs.push({ key: m[1], value: member, offset: offset + m.index + m[0].length - m[2].length });
  }
}

/** A diff's `-` or `+` glued to the start of a line of text (not a list item `- x`, not a flag `--x`). */
function isDiffMarker(line: string): boolean {
  const c = line.charCodeAt(1);
  return (
    (line[0] === '-' || line[0] === '+') &&
    ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 34 || c === 39) // A-Z a-z _ $ " '
  );
}

function push(pairs: Pair[], key: string, raw: string, offset: number, commented = false): void {
  const cleaned = cleanValue(raw);
  if (!cleaned || (commented && !isHighEntropy(cleaned.value))) return;
  pairs.push({ key, value: cleaned.value, offset: offset + cleaned.skipped });
  connectionMembers(pairs, cleaned.value, offset + cleaned.skipped);
}

function cleanValue(raw: string): { value: string; skipped: number } | undefined {
  let v = raw.trim();
  if (v.endsWith(',')) v = v.slice(0, -1).trim();
  if (
    v === '' ||
    v === '{' ||
    v === '[' ||
    v === '|' ||
    v === '>' ||
    v === '|-' ||
    v === '>-' ||
    v === '{}' ||
    v === '[]'
  )
    return undefined;
  const lead = raw.length - raw.trimStart().length;
  const quote = v[0];
  if ((quote === '"' || quote === "'" || quote === '`') && v.length >= 2) {
    const close = v.indexOf(quote, 1);
    if (close > 0) return { value: v.slice(1, close), skipped: lead + 1 };
  }
  v = withoutInlineComment(v).trim();
  return v ? { value: v, skipped: lead } : undefined;
}

/** The text before an inline comment (`# ...` or `; ...` after a blank). */
function withoutInlineComment(v: string): string {
  for (let i = 1; i < v.length; i++) {
    if ((v[i] === '#' || v[i] === ';') && (v[i - 1] === ' ' || v[i - 1] === '\t')) return v.slice(0, i);
  }
  return v;
}

export interface ArgSecret {
  readonly key: string;
  readonly value: string;
}

const FLAG = /(?:^|\s)--?([A-Za-z][\w.-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g;
const CURL_USER = /(?:^|\s)(?:-u|--user)(?:=|\s+)["']?([^\s:"'=][^\s:"']*):([^\s"']+)/g;
const MYSQL_PASSWORD = /(?:^|\s)-p([^\s"'-][^\s"']*)/g;
const MYSQL_QUOTED_PASSWORD = /(?:^|\s)-p(?:"([^"\n]{1,200})"|'([^'\n]{1,200})')/g; // mysql -p"SECRET", -p'SECRET'
/** A JVM system property flag (`-Dsonar.login=...`): the property is the name, without the D. */
const JVM_PROPERTY = /^D[a-z][\w-]*\./;
/** A .netrc entry: `machine HOST login USER password SECRET` (or `default login ...`), on one line or several. */
const NETRC = /(?:\bmachine\s+\S+|\bdefault)\s+login\s+\S+\s+password\s+(\S+)/g;
const AUTH_HEADER = /\bAuthorization\s*[:=]\s*(?:Bearer|Basic|Token|Bot|token|SSWS)\s+([A-Za-z0-9._~+/=-]{8,})/gi;

/**
 * Secrets in a command line or a single argument: `--password=x`, `--token x`, `curl -u user:pass`, `mysql -pX`,
 * `Authorization: Bearer x`. The key is the flag name (checked by the caller against the name heuristic), or
 * `password` / `authorization` for the forms that say so themselves.
 */
export function commandLinePairs(text: string): ArgSecret[] {
  const out: ArgSecret[] = [];
  if (text.includes('-')) {
    FLAG.lastIndex = 0;
    for (let m = FLAG.exec(text); m; m = FLAG.exec(text))
      out.push({ key: JVM_PROPERTY.test(m[1]) ? m[1].slice(1) : m[1], value: unquote(m[2]) });
    CURL_USER.lastIndex = 0;
    for (let m = CURL_USER.exec(text); m; m = CURL_USER.exec(text)) out.push({ key: 'password', value: m[2] });
    if (/\bmysql(?:admin|dump|sh)?\b/.test(text)) {
      // mysql -pSECRET: only inside the mysql command itself (other commands' -port, -print are not passwords).
      for (const segment of text.split(/[;&|"'\n]/)) {
        if (!/\bmysql(?:admin|dump|sh)?\s/.test(segment)) continue;
        MYSQL_PASSWORD.lastIndex = 0;
        for (let m = MYSQL_PASSWORD.exec(segment); m; m = MYSQL_PASSWORD.exec(segment))
          out.push({ key: 'password', value: unquote(m[1]) });
      }
      for (const command of text.split(/[;&|\n]/)) {
        if (!/\bmysql(?:admin|dump|sh)?\s/.test(command)) continue;
        MYSQL_QUOTED_PASSWORD.lastIndex = 0;
        for (let m = MYSQL_QUOTED_PASSWORD.exec(command); m; m = MYSQL_QUOTED_PASSWORD.exec(command))
          out.push({ key: 'password', value: m[1] ?? m[2] });
      }
    }
  }
  if (/uthorization/i.test(text)) {
    AUTH_HEADER.lastIndex = 0;
    for (let m = AUTH_HEADER.exec(text); m; m = AUTH_HEADER.exec(text)) out.push({ key: 'authorization', value: m[1] });
  }
  return out;
}

/** The passwords of a .netrc file (`machine HOST login USER password SECRET`, fields on one line or several). */
export function netrcPairs(text: string): (ArgSecret & { readonly offset: number })[] {
  if (!text.includes('password') || !(text.includes('machine') || text.includes('default'))) return [];
  const out: (ArgSecret & { readonly offset: number })[] = [];
  NETRC.lastIndex = 0;
  for (let m = NETRC.exec(text); m; m = NETRC.exec(text))
    out.push({ key: 'password', value: m[1], offset: m.index + m[0].length - m[1].length });
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]) ? v.slice(1, -1) : v;
}

/** A bare flag (`--password`) whose value is the next argument, or undefined. */
export function bareFlag(arg: string): string | undefined {
  const m = /^--?([A-Za-z][\w.-]*)$/.exec(arg.trim());
  return m ? m[1] : undefined;
}

/** Base64 text decoded, when it is valid base64 of UTF-8 text; undefined otherwise. */
export function decodeBase64Text(value: string): string | undefined {
  const v = value.replace(/\s+/g, '');
  if (v.length < 4 || v.length % 4 === 1 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) return undefined;
  const bytes = Buffer.from(v, 'base64');
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return undefined;
  return text;
}
