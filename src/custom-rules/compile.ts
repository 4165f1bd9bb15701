// A custom rule definition (data, already schema-valid) -> a rule object of the same contract as the built-in
// rules: metadata, one message, examples, and a pure check that reports a resource and a path.
import type { AnyRule, ExampleFiles, Severity } from '../engine/rule.js';
import { isHighEntropy } from '../secrets/entropy.js';
import { secretNameKind } from '../secrets/names.js';
import { didYouMean } from '../suggest.js';
import { compileCondition, type Condition, type DefinitionError } from './conditions.js';
import { formatPath, get, isObj, type Path, type Resource } from './model.js';
import { compileTarget, type TargetDefinition } from './targets.js';

export interface CustomRuleDefinition {
  readonly id: string;
  readonly severity: Severity;
  readonly securitySeverity?: number;
  readonly title: string;
  readonly message: string;
  readonly description: string;
  readonly remediation: string;
  readonly references?: readonly string[];
  readonly tags?: readonly string[];
  readonly target?: TargetDefinition;
  readonly when?: Readonly<Record<string, unknown>>;
  readonly assert: Readonly<Record<string, unknown>>;
  readonly examples?: {
    readonly invalid?: Readonly<Record<string, ExampleFiles>>;
    readonly valid?: Readonly<Record<string, ExampleFiles>>;
  };
}

export const CUSTOM_FAMILY = 'custom';
export const MESSAGE_ID = 'violation';
export const PLACEHOLDERS = ['resource', 'target', 'path', 'value'];
const DEFAULT_SECURITY_SEVERITY: Record<Severity, number> = { error: 7, warning: 4, note: 2 };

/** The rule, or the problems of its definition (paths inside the definition). `source`: its file, as shown. */
export function compileCustomRule(def: CustomRuleDefinition, source: string, errors: DefinitionError[]): AnyRule {
  for (const match of def.message.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    if (!PLACEHOLDERS.includes(match[1])) {
      errors.push({
        path: ['message'],
        message: `unknown placeholder {{${match[1]}}}${didYouMean(match[1], PLACEHOLDERS)}; the message may use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      });
    }
  }
  const select = compileTarget(def.target);
  const when: Condition | undefined = def.when ? compileCondition(def.when, ['when'], errors) : undefined;
  const assert = compileCondition(def.assert, ['assert'], errors);
  return {
    id: def.id,
    family: CUSTOM_FAMILY,
    source,
    title: def.title,
    severity: def.severity,
    securitySeverity: def.securitySeverity ?? DEFAULT_SECURITY_SEVERITY[def.severity],
    tags: [...new Set(['security', CUSTOM_FAMILY, ...(def.tags ?? [])])],
    description: def.description,
    remediation: def.remediation,
    messages: { [MESSAGE_ID]: def.message },
    ...(def.references?.length ? { references: def.references } : {}),
    examples: { invalid: def.examples?.invalid ?? {}, valid: def.examples?.valid ?? {} },
    check({ graph, settings, report }) {
      for (const item of select(graph, settings)) {
        if (when && !when(item.value).ok) continue;
        const outcome = assert(item.value);
        if (outcome.ok) continue;
        const reported = new Set<string>();
        for (const hit of outcome.hits) {
          const path = item.origin(hit.path);
          const key = path.join('\0');
          if (reported.has(key)) continue;
          reported.add(key);
          const data = {
            target: item.label,
            path: formatPath(hit.path) || '(the target)',
            value: shownValue(hit.value, hit.path, item.resource, get(item.value, ...hit.path.slice(0, -1))),
          };
          report({ resource: item.resource, path, messageId: MESSAGE_ID, data });
        }
      }
    },
  };
}

/**
 * The value for {{value}}: short, and never a secret: hidden in Secrets, under secret-like keys or next to a
 * secret-like `name` (an env var's value), and when random-looking.
 */
export function shownValue(value: unknown, path: Path, resource: Resource, parent?: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return `(a list of ${value.length})`;
  if (typeof value === 'object' && value !== null) return '(a mapping)';
  const text = String(value);
  const key = [...path].reverse().find((s): s is string => typeof s === 'string');
  // An env var ({ name: DB_PASSWORD, value: ... }) says what its value is in its name.
  const named = key === 'value' && isObj(parent) && typeof parent.name === 'string' ? parent.name : undefined;
  const secretKey = (name: string | undefined) => name !== undefined && secretNameKind(name) !== undefined;
  if (
    typeof value === 'string' &&
    ((resource.kind === 'Secret' && resource.group === '') || secretKey(key) || secretKey(named) || isHighEntropy(text))
  ) {
    return '(hidden)';
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
