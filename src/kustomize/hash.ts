// The name suffix kustomize gives generated ConfigMaps and Secrets: sha256 of a JSON encoding (Go's encoding/json:
// keys sorted, HTML characters escaped) of kind, name, data (and type for Secrets), its first ten hex digits with
// 0, 1, 3, a, e swapped for letters that cannot spell words. kustomize's hasher looks the name up as one field
// called "metadata/name", which never exists: the name it encodes is always empty, and so is ours.
import { isMapNode } from './traced.js';
import { crypto } from '../lazy-packages.js';

export function kustomizeHash(object: Record<string, unknown>): string {
  const field = (value: unknown) =>
    value === undefined || value === null ? '' : isMapNode(value) ? value : String(value);
  let encoded: Record<string, unknown>;
  if (object.kind === 'Secret') {
    encoded = { kind: 'Secret', type: field(object.type), name: '', data: field(object.data) };
    if (isMapNode(object.stringData)) encoded.stringData = object.stringData;
  } else {
    encoded = { kind: 'ConfigMap', name: '', data: field(object.data) };
    if (isMapNode(object.binaryData)) encoded.binaryData = object.binaryData;
  }
  const hex = crypto().createHash('sha256').update(goJson(encoded), 'utf8').digest('hex');
  return [...hex.slice(0, 10)].map((c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c] ?? c).join('');
}

/** JSON as Go's json.Marshal writes it: map keys sorted, <, >, & and U+2028/9 escaped, \b and \f as \u00XX. */
export function goJson(value: unknown): string {
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isMapNode(value)) {
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((k) => `${goString(k)}:${goJson(value[k])}`).join(',')}}`;
  }
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

function goString(text: string): string {
  // Runs that need no escape are added as one slice and the pieces joined once: added character by character, a
  // generated ConfigMap holding a file of a megabyte was a chain of a million pieces before it was hashed.
  // (By UTF-16 unit: every escaped character is below the surrogates, so a pair is never split.)
  const pieces = ['"'];
  let run = 0; // where the characters not yet added start
  for (let i = 0; i < text.length; i++) {
    const escaped = goEscape(text.charCodeAt(i));
    if (escaped === undefined) continue;
    if (run < i) pieces.push(text.slice(run, i));
    pieces.push(escaped);
    run = i + 1;
  }
  if (run < text.length) pieces.push(text.slice(run));
  pieces.push('"');
  return pieces.join('');
}

function goEscape(code: number): string | undefined {
  if (code === 0x22) return '\\"';
  if (code === 0x5c) return '\\\\';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x09) return '\\t';
  if (code < 0x20 || code === 0x3c || code === 0x3e || code === 0x26 || code === 0x2028 || code === 0x2029)
    return `\\u${code.toString(16).padStart(4, '0')}`;
  return undefined;
}
