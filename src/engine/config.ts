// .meshlint.yaml: found in the working directory or a parent (or given), validated against schemas/config.schema.json
// and each rule's option schema. Every error names the file, line and key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { config as validateConfig } from '../generated/validators.js';
import { parseSource } from '../parse/source.js';
import type { Path } from '../model/values.js';
import { didYouMean } from '../suggest.js';
import { loadCustomRules, NO_CUSTOM_RULES, type CustomRules } from '../custom-rules/load.js';
import { ConfigError, locatedError, schemaProblem, syntaxError } from './config-errors.js';
import type { AnyRule, Settings, Severity } from './rule.js';

export { ConfigError } from './config-errors.js';

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
  /** Kustomize roots are built and their objects linted (instead of their files one by one). */
  readonly kustomize: { readonly enabled: boolean };
  readonly helm: HelmSettings;
  /** Rules defined as data (customRules:, customRulesDir:), run next to the built-in ones. */
  readonly custom: CustomRules;
}

export interface HelmSettings {
  /** A chart directory (Chart.yaml) meshlint cannot render: 'notice' says so in every summary, 'ignore' does not. */
  readonly charts: 'notice' | 'ignore';
  /** Findings on rendered output are located in the templates named by its `# Source:` comments. */
  readonly attributeToTemplates: boolean;
}

const DEFAULT_HELM: HelmSettings = { charts: 'notice', attributeToTemplates: true };

const DEFAULT_SETTINGS: Settings = { mesh: { rootNamespace: 'istio-system', assumeInjected: false } };

export function defaultConfig(root: string): Config {
  return { root, rules: new Map(), ignore: [], settings: DEFAULT_SETTINGS, custom: NO_CUSTOM_RULES, kustomize: { enabled: true }, helm: DEFAULT_HELM };
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
  const syntax = syntaxError(file);
  if (syntax) throw syntax;
  const document = file.documents[0];
  const value = document?.value ?? {};
  const fail = (path: Path, message: string): never => {
    throw locatedError(file, document, path, message);
  };
  if (!validateConfig(value)) {
    const problem = schemaProblem(value, validateConfig.errors ?? []);
    fail(problem.path, problem.message);
  }
  const raw = value as { rules?: Record<string, unknown>; ignore?: string[]; mesh?: Partial<Settings['mesh']>; customRules?: unknown[]; customRulesDir?: string; kustomize?: { enabled?: boolean }; helm?: Partial<HelmSettings> };
  const custom = raw.customRules !== undefined || raw.customRulesDir !== undefined
    ? loadCustomRules({ configFile: file, configDocument: document, inline: raw.customRules, dir: raw.customRulesDir, root, builtIns: rules })
    : NO_CUSTOM_RULES;
  const known = new Map([...rules, ...custom.rules].map((r) => [r.id, r]));
  const settings = new Map<string, RuleSetting>();
  for (const [id, setting] of Object.entries(raw.rules ?? {})) {
    const rule = known.get(id);
    if (!rule) fail(['rules', id], `unknown rule "${id}"${didYouMean(id, [...known.keys()])}. Run meshlint --list-rules for the ids.`);
    const normalized: RuleSetting = typeof setting === 'string' ? { severity: setting as Severity | 'off' } : (setting as RuleSetting);
    if (normalized.options !== undefined) {
      if (!rule!.options) fail(['rules', id, 'options'], `rule "${id}" has no options.`);
      const validate = schemaValidator().compile(rule!.options!.schema);
      if (!validate(normalized.options)) {
        const problem = schemaProblem(normalized.options, validate.errors ?? []);
        fail(['rules', id, 'options', ...problem.path], `options of "${id}": ${problem.message}`);
      }
    }
    settings.set(id, normalized);
  }
  return {
    path: displayPath,
    root,
    rules: settings,
    ignore: raw.ignore ?? [],
    settings: { mesh: { ...DEFAULT_SETTINGS.mesh, ...raw.mesh } },
    custom,
    kustomize: { enabled: raw.kustomize?.enabled ?? true },
    helm: { ...DEFAULT_HELM, ...raw.helm },
  };
}

// The config schema is precompiled (src/generated/validators.js); ajv itself is only needed, on first use,
// for the option schemas of rules a configuration sets options for.
let ajv: Ajv | undefined;
function schemaValidator(): Ajv {
  return (ajv ??= new Ajv({ allErrors: true, strict: false }));
}

