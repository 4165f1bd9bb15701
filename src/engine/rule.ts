// The contract between the engine and a rule. A rule declares metadata, messages and examples next to a pure
// check; it reports a resource and a path, never a line: the engine owns locations, severity and suppression.
import type { DocumentRef, Graph } from '../model/graph.js';
import type { Resource } from '../model/resource.js';
import type { Path, Target } from '../location/locate.js';

export type Severity = 'error' | 'warning' | 'note';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];
export const SEVERITY_RANK: Record<Severity, number> = { note: 1, warning: 2, error: 3 };

/** Settings shared by all rules (config `mesh:`), as opposed to one rule's options. */
export interface Settings {
  readonly mesh: {
    readonly rootNamespace: string;
    readonly assumeInjected: boolean;
    readonly clusterDomain?: string;
    /** Linkerd's cluster-wide default inbound policy (proxy.defaultInboundPolicy), when the repository does not hold it. */
    readonly linkerdDefaultInboundPolicy?: string;
    /** Set when the configuration file names rootNamespace: it then wins over the repository's Istio mesh config. */
    readonly rootNamespaceConfigured?: boolean;
  };
  /** The salt of every fingerprint derived from a secret value (set through secret-hardcoded's `fingerprintSalt`). */
  readonly secrets: { readonly fingerprintSalt: string };
}

/** A problem in a rule's options that its schema cannot express (a pattern RE2 cannot run), at a path in them. */
export interface OptionProblem {
  readonly path: Path;
  readonly message: string;
}

/** An example: one YAML text, or several files by name for rules that join resources across files. */
export type ExampleFiles = string | Readonly<Record<string, string>>;

export interface RuleExamples {
  /** Each must yield exactly the findings marked `# expect: <rule-id> @<start>-<end>` (keys say what it proves). */
  readonly invalid: Readonly<Record<string, ExampleFiles>>;
  /** Each must yield no finding of this rule. */
  readonly valid: Readonly<Record<string, ExampleFiles>>;
}

export type { Target };

export interface RelatedReport {
  readonly resource: Resource;
  readonly path?: Path;
  readonly message: string;
}

/**
 * A mechanical fix, declared by the rule as data (as an ESLint rule declares its fixer): the engine turns it into
 * text edits that keep the file's indentation and comments (src/engine/fix.ts), and drops it when the edited file
 * would not read back as intended. Paths are relative to the report's resource (or document).
 */
export interface Fix {
  /** What the fix does, imperative: "Set readOnlyRootFilesystem: true". */
  readonly title: string;
  readonly changes: readonly FixChange[];
}

/** A value a fix writes: a scalar, or a list of scalars (written in flow style: `[ALL]`). */
export type FixValue = string | number | boolean | readonly (string | number | boolean)[];

export type FixChange =
  /** Sets a key to a scalar (or a list of scalars), creating the maps on the way that do not exist yet. */
  | { readonly set: Path; readonly value: FixValue }
  /** Removes a key or a list item (and the map or list holding it, when it was the only entry). */
  | { readonly remove: Path };

export interface Report<M extends string> {
  /** The resource the finding is about; the path is relative to it. */
  readonly resource?: Resource;
  /**
   * For rules that walk whole documents (any format, recognised or not): the document, with `path` from its root.
   * The finding is attributed to the innermost resource that contains the path, if any.
   */
  readonly document?: DocumentRef;
  /** Path of the offending key or value; a missing one is shown at its nearest existing parent. Default: metadata.name. */
  readonly path?: Path;
  readonly target?: Target;
  /**
   * Offsets of the offending characters in the string at `path` (a password on line 7 of a properties file held in a
   * block scalar): the finding is located there when the YAML allows it exactly, on the whole value otherwise.
   */
  readonly span?: readonly [number, number];
  readonly messageId: M;
  /**
   * Values for the message's {{placeholders}}; {{resource}} is filled in by the engine. Never put a secret here. The
   * finding keeps this object and renders its message when a report reads it: do not change it after reporting.
   */
  readonly data?: Readonly<Record<string, string | number>>;
  /** A milder default than the rule's for this case (the user's configured severity still wins). */
  readonly severity?: Severity;
  /** The other resources involved (SARIF relatedLocations). */
  readonly related?: readonly RelatedReport[];
  /**
   * Extra material hashed into the fingerprint and never printed: tells apart findings with the same rule, path and
   * messageId (two secrets in one embedded text). Pass a hash, not the raw value (a secret's salted hash, say).
   */
  readonly identity?: string;
  /** A mechanical fix for this finding, when there is one that is always right. */
  readonly fix?: Fix;
}

export interface RuleContext<M extends string, O> {
  readonly graph: Graph;
  readonly options: O;
  readonly settings: Settings;
  report(report: Report<M>): void;
}

export interface RuleOptions<O> {
  /** JSON Schema of the options object (validated with ajv when a config sets them). */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly defaults: O;
  /** Problems beyond the schema; each is a configuration error located at its path. */
  readonly problems?: (options: Partial<O>) => readonly OptionProblem[];
  /** Shared settings that these options set for every rule (secret-in-manifest salts with the same salt). */
  readonly shares?: (options: Partial<O>) => { readonly secrets?: Settings['secrets'] };
}

export interface Rule<M extends string = string, O = unknown> {
  /** Stable id, kebab-case; never changes once released. */
  readonly id: string;
  /** The folder under rules/ (the concern: tls, authz, workload ...); given by rules/index.ts, not by the rule file. */
  readonly family: string;
  /** What the rule wants, imperative, no trailing period. */
  readonly title: string;
  readonly severity: Severity;
  /** 0.1-10.0, for GitHub code scanning's security severity. */
  readonly securitySeverity: number;
  readonly tags: readonly string[];
  /** Why it matters: the semantics and the reasoning behind the rule (Markdown). */
  readonly description: string;
  /** How to fix it (Markdown, ends with a period). */
  readonly remediation: string;
  readonly messages: Readonly<Record<M, string>>;
  readonly options?: RuleOptions<O>;
  /** Upstream sources for the semantics the rule encodes. */
  readonly references?: readonly string[];
  readonly examples: RuleExamples;
  /** For rules defined as data (custom rules): the file that defines them, as shown to users. */
  readonly source?: string;
  /** Absent for diagnostics the engine itself emits (parse errors, suppression problems). */
  readonly check?: (context: RuleContext<M, O>) => void;
}

// Rules differ in their options type; a list of rules holds any of them.
// biome-ignore lint/suspicious/noExplicitAny: the options of a rule in a heterogeneous list are unknown by design
export type AnyRule = Rule<string, any>;

/** What a rule file declares: everything but its family, which is the folder it sits in. */
export type RuleDefinition<M extends string = string, O = unknown> = Omit<Rule<M, O>, 'family'>;

export function defineRule<const M extends string, O = undefined>(rule: RuleDefinition<M, O>): RuleDefinition<M, O> {
  return rule;
}

/** A rule file's definition with its family (the folder it sits in): how the generated rules/index.ts lists it. */
export function inFamily<M extends string, O>(family: string, rule: RuleDefinition<M, O>): Rule<M, O> {
  // The definition itself, given its family: a copy would read the prose that the bundles make getters of
  // (scripts/build.mjs), and copying the getters as such costs more at every start than the copy did.
  return Object.assign(rule, { family });
}

/** Ids of the findings the engine emits itself; their metadata lives in rules/core like any rule's. */
export const ENGINE_RULES = {
  parseError: 'parse-error',
  duplicateKey: 'yaml-duplicate-key',
  yamlPortability: 'yaml-portability',
  suppressionWithoutReason: 'suppression-without-reason',
  suppressionUnknownRule: 'suppression-unknown-rule',
} as const;

/** Dedents a template literal so examples can be written indented inside the rule file. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  // Every rule's examples are dedented when the rules load, at every start: plain string operations, no regular
  // expressions and no callbacks (a few milliseconds at each start otherwise).
  let raw = strings[0];
  for (let i = 0; i < values.length; i++) raw += String(values[i]) + strings[i + 1];
  if (raw.startsWith('\n')) raw = raw.slice(1);
  const lastBreak = raw.lastIndexOf('\n');
  if (lastBreak >= 0 && isBlank(raw, lastBreak + 1)) raw = raw.slice(0, lastBreak + 1);
  const lines = raw.split('\n');
  let indent = Infinity;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let spaces = 0;
    while (line.charCodeAt(spaces) === 32) spaces++;
    if (spaces < indent) indent = spaces;
  }
  if (indent === Infinity || indent === 0) return lines.join('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].slice(indent);
  return lines.join('\n');
}

/** Whether text from `start` holds only spaces and tabs. */
function isBlank(text: string, start: number): boolean {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
