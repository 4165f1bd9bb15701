// Custom rules from the configuration: `customRules:` (inline) and `customRulesDir:` (a folder of YAML files, one
// rule per document). Each definition is validated against schemas/custom-rule.schema.json (precompiled) and
// compiled; every problem is a ConfigError at its file, line and key. Rule files are data: nothing in them runs,
// and they may only come from inside the configuration's folder (symbolic links that leave it are refused).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { customRule as validateCustomRule } from '../generated/validators.js';
import { parseSource, type SourceDocument, type SourceFile } from '../parse/source.js';
import { type ConfigError, ConfigProblems, locatedError } from '../engine/config-errors.js';
import type { AnyRule } from '../engine/rule.js';
import type { DefinitionError } from './conditions.js';
import { compileCustomRule, type CustomRuleDefinition } from './compile.js';
import type { Path } from './model.js';
import { crypto } from '../lazy-packages.js';

export interface CustomRules {
  readonly rules: readonly AnyRule[];
  /** Absolute paths of the rule files (never scanned as manifests). */
  readonly files: readonly string[];
  /** Changes whenever a definition does (part of the --cache key). */
  readonly key: string;
}

export interface CustomRuleSources {
  /** The parsed configuration file and document, where inline rules are located. */
  readonly configFile: SourceFile;
  readonly configDocument?: SourceDocument;
  readonly inline?: readonly unknown[];
  readonly dir?: string;
  /** The configuration's folder. */
  readonly root: string;
  readonly builtIns: readonly AnyRule[];
}

export const NO_CUSTOM_RULES: CustomRules = { rules: [], files: [], key: '' };

export function loadCustomRules(sources: CustomRuleSources): CustomRules {
  const { configFile, configDocument, root } = sources;
  const builtIn = new Set(sources.builtIns.map((r) => r.id));
  const rules: AnyRule[] = [];
  const definedIn = new Map<string, string>();
  const files: string[] = [];
  const definitions: unknown[] = [];

  const problems = new ConfigProblems();
  const add = (value: unknown, file: SourceFile, document: SourceDocument | undefined, at: Path) => {
    const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
    if (!validateCustomRule(value)) {
      const named = id !== undefined ? ` "${id}"` : '';
      problems.schema(
        file,
        document,
        at,
        value,
        validateCustomRule.errors ?? [],
        (m) => `custom rule${named}: ${m.replace('the configuration', 'the rule')}`,
      );
      return;
    }
    const definition = value as CustomRuleDefinition;
    if (builtIn.has(definition.id))
      return problems.at(
        file,
        document,
        [...at, 'id'],
        `custom rule id "${definition.id}" is the id of a built-in rule; choose another.`,
      );
    const earlier = definedIn.get(definition.id);
    if (earlier)
      return problems.at(
        file,
        document,
        [...at, 'id'],
        `custom rule id "${definition.id}" is already defined in ${earlier}.`,
      );
    const errors: DefinitionError[] = [];
    const rule = compileCustomRule(definition, file.path, errors);
    if (errors.length) {
      for (const error of errors)
        problems.at(file, document, [...at, ...error.path], `custom rule "${definition.id}": ${error.message}`);
      return;
    }
    definedIn.set(definition.id, file.path);
    rules.push(rule);
    definitions.push(value);
  };

  (sources.inline ?? []).forEach((value, i) => add(value, configFile, configDocument, ['customRules', i]));

  if (sources.dir !== undefined) {
    const dirError = (message: string) => locatedError(configFile, configDocument, ['customRulesDir'], message);
    for (const absolute of ruleFiles(resolve(root, sources.dir), root, dirError)) {
      const shown = posix.join(posix.dirname(configFile.path), relative(root, absolute).split(sep).join('/'));
      let text: string;
      try {
        text = readFileSync(absolute, 'utf8');
      } catch (error) {
        problems.add({
          message: `${shown}: cannot read the custom rule file (${(error as NodeJS.ErrnoException).code ?? error}).`,
        });
        continue;
      }
      const file = parseSource(shown, text, { yamlVersion: '1.2' });
      if (problems.syntax(file)) continue;
      files.push(absolute);
      for (const document of file.documents) {
        if (document.value === undefined || document.value === null) continue;
        add(document.value, file, document, []);
      }
    }
  }
  problems.throwIfAny();
  const key = rules.length ? crypto().createHash('sha256').update(JSON.stringify(definitions)).digest('hex') : '';
  return { rules, files, key };
}

/** The YAML files under `dir`, sorted; the folder and every file must resolve inside `root` (links followed). */
function ruleFiles(dir: string, root: string, dirError: (message: string) => ConfigError): string[] {
  let realRoot: string;
  let realDir: string;
  try {
    realRoot = realpathSync(root);
    realDir = realpathSync(dir);
  } catch {
    throw dirError(`customRulesDir: no such folder ${relative(root, dir) || '.'}.`);
  }
  if (!inside(realRoot, realDir))
    throw dirError(
      "customRulesDir must be a folder inside the configuration's folder (symbolic links that leave it are refused).",
    );
  if (!statSync(realDir).isDirectory()) throw dirError('customRulesDir must name a folder.');
  const out: string[] = [];
  const walk = (current: string, depth: number) => {
    if (depth > 8) return;
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const path = join(current, entry.name);
      if (entry.name.startsWith('.')) continue;
      let real = path;
      if (entry.isSymbolicLink()) {
        try {
          real = realpathSync(path);
        } catch {
          throw dirError(`customRulesDir: ${relative(root, path)} is a broken symbolic link.`);
        }
        if (!inside(realRoot, real))
          throw dirError(
            `customRulesDir: ${relative(root, path)} is a symbolic link that leaves the configuration's folder; refused.`,
          );
      }
      const stats = statSync(real);
      if (stats.isDirectory()) walk(path, depth + 1);
      else if (stats.isFile() && /\.ya?ml$/i.test(entry.name)) out.push(path);
    }
  };
  walk(dir, 0);
  return out;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
