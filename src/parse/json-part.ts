// A JSON value (one part of a JSON stream, already valid for JSON.parse) that the YAML library reads without any
// problem: its value is JSON.parse's, so the library's tree is only needed to locate findings, and can be built on
// demand. Anything the library might report or read otherwise (a duplicate key, a `<<` key, tabs or CR, characters it
// treats specially, very long keys, deep nesting) leaves the part to the library as before.

/** Deeper nesting is left to the library (which reports what is too deep for it). */
const MAX_DEPTH = 200;
/** The YAML library rejects implicit keys of 1024 characters and more. */
const MAX_KEY_LENGTH = 1000;

const QUOTE = 34;
const BACKSLASH = 92;

/** Whether the YAML library reads text[start, end), a valid JSON value, with no problem (see above). */
export function jsonPartReadsCleanly(text: string, start: number, end: number): boolean {
  // One entry per open collection: the keys of an object so far, undefined for an array.
  const open: (Set<string> | undefined)[] = [];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (open.push(c === 123 ? new Set() : undefined) > MAX_DEPTH) return false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      open.pop();
    } else if (c === QUOTE) {
      let close = i + 1;
      let escaped = false;
      for (; close < end; close++) {
        const d = text.charCodeAt(close);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          close++;
        } else if (d >= 0x7f && declinedCharacter(d)) return false;
      }
      const keys = open[open.length - 1];
      if (keys !== undefined && isKey(text, close + 1, end)) {
        if (close - i > MAX_KEY_LENGTH) return false;
        const key = escaped ? (JSON.parse(text.slice(i, close + 1)) as string) : text.slice(i + 1, close);
        if (key === '<<' || keys.has(key)) return false;
        keys.add(key);
      }
      i = close;
    } else if (c === 9 /* tab */ || c === 13 /* CR */) {
      return false;
    }
  }
  return true;
}

/** Whether the string closed before `from` is a key: the next character that is not a blank is `:`. */
function isKey(text: string, from: number, end: number): boolean {
  let at = from;
  while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 10)) at++;
  return text.charCodeAt(at) === 58 /* : */;
}

/** DEL and C1 controls, line/paragraph separators, byte order mark, non-characters (as the lean reader declines). */
function declinedCharacter(c: number): boolean {
  return (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff;
}
