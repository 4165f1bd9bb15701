// Redaction of any text meshlint prints: every provider token, private key and URL password in it is replaced by
// its public preview (prefix plus at most 4 characters) or by `[redacted]`. Messages interpolate values from the
// manifests (schema-invalid echoes an offending value), so the engine passes every one of them through here.
import { findProviderSecrets } from './providers.js';

export function redactSecrets(text: string): string {
  const found = findProviderSecrets(text);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of [...found].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, m.start) + (m.preview || '[redacted]');
    at = m.end;
  }
  return out + text.slice(at);
}
