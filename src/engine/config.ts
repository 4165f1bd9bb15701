// .meshlint.yaml: found in the working directory or a parent (or given), validated against schemas/config.schema.json
// and each rule's option schema. Every error names the file, line and key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { config as validateConfig } from '../generated/validators.js';
import { parseSource } from '../parse/source.js';
import { formatPath, pathOfPointer, type Path } from '../model/values.js';
import { didYouMean } from '../suggest.js';
import { locate } from '../location/locate.js';
import type { AnyRule, Settings, Severity } from './rule.js';

export const CONFIG_NAMES = ['.meshlint.yaml', '.meshlint.yml'];

export interface RuleSetting {
  readonly severity?: Severity | 'off';
  readonly options?: Record<string, unknown>;
}

export interface Config {
  /** The file it came from, if any. */
  readonly path?: string;
  /** Directory that ignore patterns are relative to. */
  readonly root: string;
  readonly rules: ReadonlyMap<string, RuleSetting>;
  readonly ignore: readonly string[];
  readonly settings: Settings;
}

const DEFAULT_SETTINGS: Settings = { mesh: { rootNamespace: 'istio-system', assumeInjected: false }, secrets: { fingerprintSalt: 'meshlint/secrets/v1' } };

export class ConfigError extends Error {}

export function defaultConfig(root: string): Config {
  return { root, rules: new Map(), ignore: [], settings: DEFAULT_SETTINGS };
}

/** The nearest config file from `start` upwards, or undefined. */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadConfig(path: string, rules: readonly AnyRule[], displayPath = path): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${displayPath}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? error}).`);
  }
  return parseConfig(text, rules, displayPath, dirname(resolve(path)));
}

export function parseConfig(text: string, rules: readonly AnyRule[], displayPath: string, root: string): Config {
  const file = parseSource(displayPath, text, { yamlVersion: '1.2' });
  const problem = file.problems[0];
  if (problem) {
    const at = file.lineCounter.linePos(problem.start);
    throw new ConfigError(`${displayPath}:${at.line}:${at.col}: ${problem.message}`);
  }
  const document = file.documents[0];
  const value = document?.value ?? {};
  const fail = (path: Path, message: string): never => {
    const { range } = document ? locate(file, document, path, 'key') : { range: { startLine: 1, startColumn: 1 } };
    throw new ConfigError(`${displayPath}:${range.startLine}:${range.startColumn}: ${message}`);
  };
  if (!validateConfig(value)) {
    const error = mostSpecific(validateConfig.errors ?? []);
    fail(pointerToPath(value, error.instancePath, error), describeError(value, error));
  }
  const raw = value as { rules?: Record<string, unknown>; ignore?: string[]; mesh?: Partial<Settings['mesh']> };
  const known = new Map(rules.map((r) => [r.id, r]));
  const settings = new Map<string, RuleSetting>();
  let shared: { secrets?: Settings['secrets'] } = {};
  for (const [id, setting] of Object.entries(raw.rules ?? {})) {
    const rule = known.get(id);
    if (!rule) fail(['rules', id], `unknown rule "${id}"${didYouMean(id, [...known.keys()])}. Run meshlint --list-rules for the ids.`);
    const normalized: RuleSetting = typeof setting === 'string' ? { severity: setting as Severity | 'off' } : (setting as RuleSetting);
    if (normalized.options !== undefined) {
      if (!rule!.options) fail(['rules', id, 'options'], `rule "${id}" has no options.`);
      const validate = schemaValidator().compile(rule!.options!.schema);
      if (!validate(normalized.options)) {
        const error = mostSpecific(validate.errors ?? []);
        fail(['rules', id, 'options', ...pointerToPath(normalized.options, error.instancePath, error)], `options of "${id}": ${describeError(normalized.options, error)}`);
      }
      const problem = rule!.options!.problems?.(normalized.options)[0];
      if (problem) fail(['rules', id, 'options', ...problem.path], `options of "${id}": ${problem.message}.`);
      shared = { ...shared, ...rule!.options!.shares?.(normalized.options) };
    }
    settings.set(id, normalized);
  }
  return {
    path: displayPath,
    root,
    rules: settings,
    ignore: raw.ignore ?? [],
    settings: { mesh: { ...DEFAULT_SETTINGS.mesh, ...raw.mesh }, secrets: shared.secrets ?? DEFAULT_SETTINGS.secrets },
  };
}

// The config schema is precompiled (src/generated/validators.js); ajv itself is only needed, on first use,
// for the option schemas of rules a configuration sets options for.
let ajv: Ajv | undefined;
function schemaValidator(): Ajv {
  return (ajv ??= new Ajv({ allErrors: true, strict: false }));
}

/** Path of the failing value, plus the offending property for additionalProperties errors. */
function pointerToPath(data: unknown, pointer: string, error?: ErrorObject): Path {
  const path = pathOfPointer(data, pointer);
  return error?.keyword === 'additionalProperties' ? [...path, String(error.params.additionalProperty)] : path;
}

function mostSpecific(errors: ErrorObject[]): ErrorObject {
  // oneOf failures report every branch; the deepest error is the one that names the real problem.
  const relevant = errors.filter((e) => e.keyword !== 'oneOf');
  const pool = relevant.length ? relevant : errors;
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), pool[0]);
}

function describeError(data: unknown, error: ErrorObject): string {
  const where = formatPath(pathOfPointer(data, error.instancePath)) || 'the configuration';
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${error.params.additionalProperty}" in ${where}.`;
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'type':
      return `${where} must be ${error.params.type === 'object' ? 'a mapping' : `a ${error.params.type}`}.`;
    default:
      return `${where} ${error.message}.`;
  }
}
