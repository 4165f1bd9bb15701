// Text embedded in a string (a ConfigMap's application.properties, settings.ini, .env, config.yaml, a JSON blob, a
// command line): the key = value pairs and flags in it, so that the key-name heuristic applies inside it too.

export interface Pair {
  readonly key: string;
  readonly value: string;
}

const LINE_PAIR = /^(?:export\s+|set\s+)?["']?([A-Za-z_][\w.\-[\]/]*)["']?\s*(?:=|:(?![/\\]{2}))\s*(.*?)\s*$/;
const XML_PAIR = /<([A-Za-z_][\w.-]*)>([^<\n]{1,500})<\/\1>/g;
const MAX_LINES = 20_000;

/**
 * Key/value pairs of properties, ini, .env, YAML (any depth: the last key of a line), TOML and JSON-per-line text,
 * plus XML leaf elements. Values are unquoted, trailing commas and inline comments removed; structure openers
 * (`{`, `[`, `|`, `>`) and empty values are skipped.
 */
export function embeddedPairs(text: string): Pair[] {
  const pairs: Pair[] = [];
  const lines = text.split('\n', MAX_LINES);
  for (const raw of lines) {
    let line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('//') || line.startsWith('!')) continue;
    if (line.startsWith('- ')) line = line.slice(2).trim();
    if (line.includes('<') && line.includes('</')) {
      XML_PAIR.lastIndex = 0;
      for (let m = XML_PAIR.exec(line); m; m = XML_PAIR.exec(line)) pairs.push({ key: m[1], value: m[2].trim() });
      continue;
    }
    const m = LINE_PAIR.exec(line);
    if (!m) continue;
    const value = cleanValue(m[2]);
    if (value === undefined) continue;
    pairs.push({ key: m[1], value });
  }
  return pairs;
}

function cleanValue(raw: string): string | undefined {
  let v = raw.replace(/,$/, '').trim();
  if (v === '' || v === '{' || v === '[' || v === '|' || v === '>' || v === '|-' || v === '>-' || v === '{}' || v === '[]') return undefined;
  const quote = v[0];
  if ((quote === '"' || quote === "'" || quote === '`') && v.length >= 2) {
    const close = v.indexOf(quote, 1);
    if (close > 0) return v.slice(1, close);
  }
  v = v.replace(/\s+[#;].*$/, '').trim();
  return v || undefined;
}

export interface ArgSecret {
  readonly key: string;
  readonly value: string;
}

const FLAG = /(?:^|\s)--?([A-Za-z][\w.-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g;
const CURL_USER = /(?:^|\s)(?:-u|--user)[=\s]+["']?([^\s:"']+):([^\s"']+)/g;
const MYSQL_PASSWORD = /(?:^|\s)-p([^\s"'-][^\s"']*)/g;
const AUTH_HEADER = /\bAuthorization\s*[:=]\s*(?:Bearer|Basic|Token|Bot|token)\s+([A-Za-z0-9._~+/=-]{8,})/gi;

/**
 * Secrets in a command line or a single argument: `--password=x`, `--token x`, `curl -u user:pass`, `mysql -pX`,
 * `Authorization: Bearer x`. The key is the flag name (checked by the caller against the name heuristic), or
 * `password` / `authorization` for the forms that say so themselves.
 */
export function commandLinePairs(text: string): ArgSecret[] {
  const out: ArgSecret[] = [];
  if (text.includes('-')) {
    FLAG.lastIndex = 0;
    for (let m = FLAG.exec(text); m; m = FLAG.exec(text)) out.push({ key: m[1], value: unquote(m[2]) });
    CURL_USER.lastIndex = 0;
    for (let m = CURL_USER.exec(text); m; m = CURL_USER.exec(text)) out.push({ key: 'password', value: m[2] });
    if (/\bmysql(?:admin|dump|sh)?\b/.test(text)) {
      // mysql -pSECRET: only inside the mysql command itself (other commands' -port, -print are not passwords).
      for (const segment of text.split(/[;&|"'\n]/)) {
        if (!/\bmysql(?:admin|dump|sh)?\s/.test(segment)) continue;
        MYSQL_PASSWORD.lastIndex = 0;
        for (let m = MYSQL_PASSWORD.exec(segment); m; m = MYSQL_PASSWORD.exec(segment)) out.push({ key: 'password', value: unquote(m[1]) });
      }
    }
  }
  if (/uthorization/i.test(text)) {
    AUTH_HEADER.lastIndex = 0;
    for (let m = AUTH_HEADER.exec(text); m; m = AUTH_HEADER.exec(text)) out.push({ key: 'authorization', value: m[1] });
  }
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
