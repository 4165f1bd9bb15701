// The options of secret-hardcoded (validated by the engine against the schema from .meshlint.yaml
// `rules.secret-hardcoded.options`), compiled once per scan. Configured patterns run on RE2; one RE2 cannot run is a
// configuration error (located by the engine), never dropped.
import { compileUserPattern, type UserPattern } from '../engine/pattern.js';
import type { OptionProblem } from '../engine/rule.js';

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
      description:
        'Extra secret-like key names: case-insensitive regular expressions matched against the whole key (env name, map key, flag).',
      type: 'array',
      items: { type: 'string', minLength: 1 },
    },
    allowValues: {
      description: 'Values never reported (exact match), for known non-secrets.',
      type: 'array',
      items: { type: 'string' },
    },
    allowPatterns: {
      description: 'Values never reported: regular expressions searched in the value.',
      type: 'array',
      items: { type: 'string', minLength: 1 },
    },
    entropy: {
      description: 'Report high-entropy strings under no secret-like name (a note). Default true.',
      type: 'boolean',
    },
    fingerprintSalt: {
      description: 'Salt of the value hash in fingerprints; set a private one to keep fingerprints unguessable.',
      type: 'string',
    },
  },
} as const;

/** Compiles the configured patterns on RE2 (linear time whatever they are); the problems name the option and item. */
export function compileSecretOptions(options: Partial<SecretOptions>): {
  names: UserPattern[];
  allow: (value: string) => boolean;
  problems: OptionProblem[];
} {
  const problems: OptionProblem[] = [];
  const compile = (
    key: 'secretNames' | 'allowPatterns',
    wrap: (p: string) => string,
    ignoreCase: boolean,
  ): UserPattern[] =>
    (options[key] ?? []).flatMap((source, index) => {
      const compiled = compileUserPattern(wrap(source), { ignoreCase });
      if (compiled.ok) return [compiled.pattern];
      problems.push({ path: [key, index], message: compiled.error.replace(wrap(source), source) });
      return [];
    });
  const names = compile('secretNames', (p) => `^(?:${p})$`, true);
  const patterns = compile('allowPatterns', (p) => p, false);
  const values = new Set(options.allowValues ?? []);
  return { names, allow: (value) => values.has(value) || patterns.some((re) => re.test(value)), problems };
}
