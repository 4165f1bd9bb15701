// The identity of a secret finding for its fingerprint: a truncated salted hash, so that two secrets at the same
// path are told apart and a rotated value makes a new finding, while the fingerprint (printed in JSON and SARIF)
// cannot be turned back into the value by hashing a dictionary without the salt.
import { createHash } from 'node:crypto';

/** The salt when none is configured (the same as the engine's default `settings.secrets.fingerprintSalt`). */
export const DEFAULT_SALT = 'meshlint/secrets/v1';

export function secretIdentity(salt: string, ...parts: string[]): string {
  return createHash('sha256')
    .update([salt, ...parts].join('\0'))
    .digest('hex')
    .slice(0, 16);
}
