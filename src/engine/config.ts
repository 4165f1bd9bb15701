// .meshlint.yaml: found in the working directory or a parent (or given), validated against schemas/config.schema.json
// and each rule's option schema. Every error names the file, line and key.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Ajv } from 'ajv';
import { config as validateConfig } from '../generated/validators.js';
import { parseSource } from '../parse/source.js';
import { didYouMean } from '../suggest.js';
import { loadCustomRules, NO_CUSTOM_RULES, type CustomRules } from '../custom-rules/load.js';
import { ConfigError, ConfigProblems } from './config-errors.js';
import { ajv as ajvPackage } from '../lazy-packages.js';
import type { AnyRule, Settings, Severity } from './rule.js';

export { ConfigError, type ConfigProblem } from './config-errors.js';

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

const DEFAULT_SETTINGS: Settings = {
  mesh: { rootNamespace: 'istio-system', assumeInjected: false, clusterDomain: 'cluster.local' },
  secrets: { fingerprintSalt: 'meshlint/secrets/v1' },
};

export function defaultConfig(root: string): Config {
  return {
    root,
    rules: new Map(),
    ignore: [],
    settings: DEFAULT_SETTINGS,
    custom: NO_CUSTOM_RULES,
    kustomize: { enabled: true },
    helm: DEFAULT_HELM,
  };
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

/** Far beyond any real configuration; a larger file is a mistake (or a device). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadConfig(path: string, rules: readonly AnyRule[], displayPath = path): Config {
  let text: string;
  try {
    // A FIFO would block forever and a link to /dev/zero never ends: only a regular file, of a sane size.
    const stats = statSync(path);
    if (!stats.isFile()) throw new ConfigError(`${displayPath}: the configuration file is not a regular file.`);
    if (stats.size > MAX_CONFIG_BYTES)
      throw new ConfigError(
        `${displayPath}: the configuration file is ${(stats.size / 1048576).toFixed(1)} MB; the limit is ${MAX_CONFIG_BYTES / 1048576} MB.`,
      );
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `${displayPath}: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? error}).`,
    );
  }
  return parseConfig(text, rules, displayPath, dirname(resolve(path)));
}

export function parseConfig(text: string, rules: readonly AnyRule[], displayPath: string, root: string): Config {
  const file = parseSource(displayPath, text, { yamlVersion: '1.2' });
  const problems = new ConfigProblems();
  if (problems.syntax(file)) problems.throwIfAny();
  const document = file.documents[0];
  const value = document?.value ?? {};
  if (!validateConfig(value)) problems.schema(file, document, [], value, validateConfig.errors ?? []);
  // What the schema rejected is left out below; everything else is still checked, so that one run lists every problem.
  const raw = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as {
    rules?: unknown;
    ignore?: unknown;
    mesh?: unknown;
    customRules?: unknown;
    customRulesDir?: unknown;
  };
  const customRules = Array.isArray(raw.customRules) ? raw.customRules : undefined;
  const customRulesDir = typeof raw.customRulesDir === 'string' && raw.customRulesDir ? raw.customRulesDir : undefined;
  const custom =
    (customRules !== undefined || customRulesDir !== undefined
      ? problems.collect(() =>
          loadCustomRules({
            configFile: file,
            configDocument: document,
            inline: customRules,
            dir: customRulesDir,
            root,
            builtIns: rules,
          }),
        )
      : undefined) ?? NO_CUSTOM_RULES;
  const known = new Map([...rules, ...custom.rules].map((r) => [r.id, r]));
  const settings = new Map<string, RuleSetting>();
  let shared: { secrets?: Settings['secrets'] } = {};
  const ruleSettings =
    raw.rules && typeof raw.rules === 'object' && !Array.isArray(raw.rules)
      ? (raw.rules as Record<string, unknown>)
      : {};
  for (const [id, setting] of Object.entries(ruleSettings)) {
    const rule = known.get(id);
    if (!rule) {
      problems.at(
        file,
        document,
        ['rules', id],
        `unknown rule "${id}"${didYouMean(id, [...known.keys()])}. Run meshlint --list-rules for the ids.`,
      );
      continue;
    }
    const normalized: RuleSetting | undefined =
      typeof setting === 'string'
        ? { severity: setting as Severity | 'off' }
        : setting && typeof setting === 'object'
          ? (setting as RuleSetting)
          : undefined;
    if (!normalized) continue;
    if (normalized.options !== undefined) {
      if (!rule.options) {
        problems.at(file, document, ['rules', id, 'options'], `rule "${id}" has no options.`);
        continue;
      }
      const validate = schemaValidator().compile(rule.options.schema);
      if (!validate(normalized.options)) {
        problems.schema(
          file,
          document,
          ['rules', id, 'options'],
          normalized.options,
          validate.errors ?? [],
          (m) => `options of "${id}": ${m}`,
        );
        continue;
      }
      // Checks a schema cannot express (patterns that must compile on RE2): every one is reported.
      for (const problem of rule.options.problems?.(normalized.options) ?? [])
        problems.at(
          file,
          document,
          ['rules', id, 'options', ...problem.path],
          `options of "${id}": ${problem.message}.`,
        );
      shared = { ...shared, ...rule.options.shares?.(normalized.options) };
    }
    settings.set(id, normalized);
  }
  problems.throwIfAny();
  const typed = value as {
    ignore?: string[];
    mesh?: Partial<Settings['mesh']>;
    kustomize?: { enabled?: boolean };
    helm?: Partial<HelmSettings>;
  };
  return {
    path: displayPath,
    root,
    rules: settings,
    ignore: typed.ignore ?? [],
    settings: {
      mesh: {
        ...DEFAULT_SETTINGS.mesh,
        ...typed.mesh,
        ...(typeof typed.mesh?.rootNamespace === 'string' ? { rootNamespaceConfigured: true } : {}),
      },
      secrets: shared.secrets ?? DEFAULT_SETTINGS.secrets,
    },
    custom,
    kustomize: { enabled: typed.kustomize?.enabled ?? true },
    helm: { ...DEFAULT_HELM, ...typed.helm },
  };
}

// The config schema is precompiled (src/generated/validators.js); ajv itself is only needed, on first use,
// for the option schemas of rules a configuration sets options for.
let ajv: Ajv | undefined;
function schemaValidator(): Ajv {
  return (ajv ??= new (ajvPackage().Ajv)({ allErrors: true, strict: false, verbose: true }));
}
