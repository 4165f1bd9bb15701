// The options of secret-hardcoded (validated by the engine against the schema from .meshlint.yaml
// `rules.secret-hardcoded.options`), compiled once per scan.

export interface SecretOptions {
  /** Extra secret-like key names: case-insensitive regular expressions matched against the whole key name. */
  readonly secretNames: readonly string[];
  /** Values that are never reported (exact match). */
  readonly allowValues: readonly string[];
  /** Values that are never reported: regular expressions (searched in the value). */
  readonly allowPatterns: readonly string[];
  /** The high-entropy check for strings under no secret-like name (a note). */
  readonly entropy: boolean;
  /** Salt of the value hash in fingerprints; set your own to keep fingerprints unguessable. */
  readonly fingerprintSalt: string;
}

export const SECRET_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    secretNames: {
      description: 'Extra secret-like key names: case-insensitive regular expressions matched against the whole key (env name, map key, flag).',
      type: 'array',
      items: { type: 'string', minLength: 1 },
    },
    allowValues: { description: 'Values never reported (exact match), for known non-secrets.', type: 'array', items: { type: 'string' } },
    allowPatterns: { description: 'Values never reported: regular expressions searched in the value.', type: 'array', items: { type: 'string', minLength: 1 } },
    entropy: { description: 'Report high-entropy strings under no secret-like name (a note). Default true.', type: 'boolean' },
    fingerprintSalt: { description: 'Salt of the value hash in fingerprints; set a private one to keep fingerprints unguessable.', type: 'string' },
  },
} as const;

export function compileSecretOptions(options: Partial<SecretOptions>): { names: RegExp[]; allow: (value: string) => boolean } {
  const names = (options.secretNames ?? []).flatMap((p) => safeRegex(`^(?:${p})$`, 'i'));
  const values = new Set(options.allowValues ?? []);
  const patterns = (options.allowPatterns ?? []).flatMap((p) => safeRegex(p, ''));
  return { names, allow: (value) => values.has(value) || patterns.some((re) => re.test(value)) };
}

function safeRegex(source: string, flags: string): RegExp[] {
  try {
    return [new RegExp(source, flags)];
  } catch {
    return [];
  }
}
