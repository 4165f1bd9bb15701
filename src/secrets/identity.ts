// The identity of a secret finding for its fingerprint: a truncated salted hash, so that two secrets at the same
// path are told apart and a rotated value makes a new finding, while the fingerprint (printed in JSON and SARIF)
// cannot be turned back into the value by hashing a dictionary without the salt.
import type { SourceDocument } from '../parse/source.js';
import { sha256Hex } from '../sha256.js';

/** The salt when none is configured (the same as the engine's default `settings.secrets.fingerprintSalt`). */
export const DEFAULT_SALT = 'meshlint/secrets/v1';

export function secretIdentity(salt: string, ...parts: string[]): string {
  return sha256Hex([salt, ...parts].join('\0')).slice(0, 16);
}

/**
 * Where a secret was written, as parts of its identity: the file's path and the path in its document. A value of a
 * built object (kustomize) is named by its traced origin, not by the build: one base line that several overlays
 * build is one finding, and two overlays writing different secrets are told apart by where each wrote its own (and by
 * the value). A value of a plain document is named by its file and path, as it always was (baselines and SARIF
 * fingerprints of plain files do not move). `path` is below `base` in the document (a resource's place in it).
 */
export function writtenAt(
  file: { readonly path: string },
  document: SourceDocument,
  path: readonly (string | number)[],
  base: readonly (string | number)[] = [],
): [file: string, path: string] {
  if (!document.trace) return [file.path, path.join('/')];
  const origin = document.trace([...base, ...path]);
  return [origin.file.path, origin.path.join('/')];
}
