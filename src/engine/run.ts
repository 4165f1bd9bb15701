// The runner: parse problems and rule reports -> located, suppressed, severity-resolved, sorted findings.
import { isAbsolute, relative, sep } from 'node:path';
import { documentCount, type SourceDocument, type SourceFile } from '../parse/source.js';
import type { LocatedRequests, LocationRequest } from '../parse/pool.js';
import { Graph, readResources, type FormatReader, type ReadFailure, FORMAT_READERS } from '../model/graph.js';
import { meshConfigTexts, meshSettingsOf } from '../model/istio/meshconfig.js';
import { describe, resourceKey, type Resource } from '../model/resource.js';
import { get, type Path } from '../model/values.js';
import { rangeOfOffsets, type Range, type Target } from '../location/locate.js';
import { LocationMemo } from '../location/memo.js';
import {
  ENGINE_RULES,
  type AnyRule,
  type Fix,
  type FixChange,
  type FixValue,
  type Report,
  type Settings,
  type Severity,
} from './rule.js';
import { redactSecrets } from '../secrets/redact.js';
import { narrowToSpan } from '../location/span.js';
import { joinPath } from '../location/as-read.js';
import { sameItems } from '../arrays.js';
import {
  DirectiveIndex,
  IGNORE_ANNOTATION,
  ignoreScopes,
  mayCarryIgnoreScopes,
  readDirectives,
  scopeCovers,
  type Directive,
  type IgnoreScope,
} from './suppress.js';
import type { Config } from './config.js';
import { didYouMean } from '../suggest.js';
import { pathMessage, plainFinding, renderMessage, type MessagePart } from './message.js';
import { milliseconds } from '../clock.js';
import { sha256Hex } from '../sha256.js';

export interface RelatedLocation {
  readonly file: string;
  readonly range: Range;
  readonly message: string;
  /** When the message names paths: its parts (see engine/message.ts). */
  readonly messageParts?: readonly MessagePart[];
}

export interface Suppression {
  readonly via: 'comment' | 'annotation';
  readonly justification?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** When the message names paths (the builds that made the resource): its parts (see engine/message.ts). */
  readonly messageParts?: readonly MessagePart[];
  readonly file: string;
  readonly range: Range;
  /** The resource the finding is about, when there is one. */
  readonly resource?: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
  };
  /** Path of the offending node in its document (as far as it exists). */
  readonly path: Path;
  readonly related: readonly RelatedLocation[];
  /** Stable across edits elsewhere in the file: rule, file, resource and path, never the line. */
  readonly fingerprint: string;
  readonly suppression?: Suppression;
  /** The rule's mechanical fix, as data with paths from the document root (see engine/fix.ts). */
  readonly fix?: FindingFix;
}

export interface FindingFix {
  readonly title: string;
  /** Index of the document (in its file) the changes apply to. */
  readonly document: number;
  readonly changes: readonly FixChange[];
}

export interface Notice {
  readonly file?: string;
  readonly message: string;
  /** When the message names paths: its parts (see engine/message.ts). */
  readonly messageParts?: readonly MessagePart[];
  /**
   * What was left out: 'helm-chart' (a chart meshlint cannot render), 'kustomize' (a field, remote resource or
   * build meshlint could not apply). Summaries count these so that a skipped input never reads as "no problems".
   */
  readonly kind?: 'helm-chart' | 'kustomize';
  /** The file (or standard input) was not linted at all: counted in every format's summary. */
  readonly notLinted?: boolean;
}

export interface LintResult {
  readonly findings: readonly Finding[];
  readonly notices: readonly Notice[];
  /** The rules that were enabled for this run. */
  readonly rules: readonly AnyRule[];
  /** documents: parsed and read; unreadDocuments: of kinds no rule reads (CRDs), lexed only. */
  readonly stats: {
    readonly files: number;
    readonly documents: number;
    readonly unreadDocuments: number;
    readonly resources: number;
  };
  /** Milliseconds each rule's check took (for --stats), slowest first. */
  readonly ruleTimes: readonly (readonly [string, number])[];
}

export interface LintInput {
  readonly files: readonly SourceFile[];
  readonly rules: readonly AnyRule[];
  readonly config: Config;
  readonly readers?: readonly FormatReader[];
  /** The run's location memo: given by a caller that resolves locations ahead (parser threads, --cache). */
  readonly locations?: LocationMemo;
  /**
   * The graph the rules see, when the caller keeps one (the language server: the workspace's graph focused on the
   * changed files); only findings in `files` are then reported. Default: a graph of `files`.
   */
  readonly graph?: Graph;
  /** The report's root (absolute): a document that is no resource is named by its path relative to it. */
  readonly root?: string;
  /** Objects built from the files (a kustomization's output): each build is a graph of its own. */
  readonly builds?: readonly BuiltGraph[];
  /** Files the builds consumed: not read as objects of their own (their parse problems and directives count). */
  readonly consumed?: ReadonlySet<SourceFile>;
}

/**
 * The objects one deployable root builds (src/kustomize): linted together, apart from every other root, so that
 * an overlay's policies select that overlay's workloads. Findings are located where each value was written (the
 * documents' `trace`), name the build, and one origin reached through several builds is reported once.
 */
export interface BuiltGraph {
  /** How users name the build: the root's directory ("overlays/prod"). */
  readonly name: string;
  /** An in-memory file whose documents are the built objects, each with a `trace`. */
  readonly file: SourceFile;
  /** The kustomization file: a related location of every finding on these objects. */
  readonly definedIn: { readonly file: SourceFile; readonly document: SourceDocument };
}

export type { LocationRequest };

export interface StagedLint {
  /**
   * Every location the findings need, made as they are read (each read gives them anew; none once finished): a caller
   * may resolve them ahead into the run's location memo.
   */
  readonly requests: Iterable<LocationRequest>;
  /**
   * The graph of the plain files the rules read (for views a report needs beyond findings: src/posture.ts); the
   * objects kustomize builds are in graphs of their own, not in it.
   */
  readonly graph: Graph;
  /** How many findings the rules made (before suppressions and baselines). */
  readonly findingCount: number;
  /**
   * Locates the findings (from `located`, what locateAll found for `requests` read in the same order; else from the
   * memo, or anew), applies suppressions and severities, sorts.
   */
  finish(located?: LocatedRequests): LintResult;
}

export function lint(input: LintInput): LintResult {
  return lintStaged(input).finish();
}

/** A related location, to be located when the lint finishes. */
interface RelatedRequest {
  readonly at: LocationRequest;
  readonly file: string;
  readonly message: string;
}

/** What finish needs of the few findings that have more than a location. */
interface Extras {
  /** A secret inside a longer string (embedded text): narrowed to its own line and column. */
  readonly span?: readonly [number, number];
  readonly relatedAt?: readonly RelatedRequest[];
  /** The builds whose objects gave this finding (kustomize roots), named in its message. */
  readonly builtBy?: BuiltGraph[];
}

/**
 * The findings of a lint until it finishes, in the order found. Each finding is one object, the one the result
 * holds; where it is to be located and its resource are held by the finding itself (see LintFinding), what few
 * findings need beyond that is kept beside them by index, not in a wrapper per finding. (On a file of 84,000 findings
 * the wrappers, an unlocated and a located copy of each finding were ~30 MB alive at once, all of it in the old
 * generation, which V8 rarely collects late in a run; arrays beside the findings, grown by pushes, left ~4 MB of
 * garbage in V8's large-object space.)
 */
class PendingFindings {
  findings: LintFinding[] = [];
  extras = new Map<number, Extras>();

  add(finding: LintFinding, extras?: Extras): number {
    const index = this.findings.push(finding) - 1;
    if (extras) this.extras.set(index, extras);
    return index;
  }

  /**
   * The locations not known yet: each finding's, then its related ones', each made when the iterator comes to it. (An
   * iterator object, not a generator: resuming a generator per request cost a scan of 54,000 findings ~0.1 s.)
   */
  requests(): Iterable<LocationRequest> {
    return { [Symbol.iterator]: () => new PendingRequests(this) };
  }

  /** Lets go of everything but the findings themselves (they are the result's). */
  release(): void {
    this.findings = [];
    this.extras = new Map();
  }
}

/**
 * Iterates over the location requests of pending findings (see PendingFindings.requests): each finding's own (when it
 * has one with no range), then its related ones with no range. settle counts them in this order (see LocatedRequests).
 */
class PendingRequests implements Iterator<LocationRequest> {
  #finding = 0;
  /** The related requests of the finding before #finding, and the next of them to give. */
  #related: readonly RelatedRequest[] = NONE_RELATED;
  #nextRelated = 0;

  constructor(readonly pending: PendingFindings) {}

  next(): IteratorResult<LocationRequest> {
    const { pending } = this;
    for (;;) {
      while (this.#nextRelated < this.#related.length) {
        const { at } = this.#related[this.#nextRelated++];
        if (!at.range) return { value: at, done: false };
      }
      if (this.#finding >= pending.findings.length) return { value: undefined, done: true };
      const i = this.#finding++;
      this.#related = pending.extras.get(i)?.relatedAt ?? NONE_RELATED;
      this.#nextRelated = 0;
      const at = pending.findings[i].toLocate();
      if (at && !at.range) return { value: at, done: false };
    }
  }
}

/** Values for a message's {{placeholders}}, as a rule reports them (see Report.data). */
type MessageValues = Readonly<Record<string, string | number>>;

/**
 * A finding as made by every stage: the very object the result holds. Its range (unless known when it is made),
 * related locations, configured severity and suppression are filled in by finish, in place.
 *
 * Its message is rendered when read (by a report, the cache, the editor), from what the rule gave: the rule's
 * template, the report's values and the resource's name, all alive anyway. The text of each of 84,000 findings of
 * one decK file was ~17 MB kept from the rules to the report, most of it in the old generation; rendered when
 * written, each dies young. A message that is text already (a parse problem) is kept as such. Its fingerprint, when
 * it is on a resource where the resource is written (nearly every finding), is computed when read too, from the rule,
 * the resource and the path (a hash per read: a report reads it once); kept, it was 48 bytes a finding.
 *
 * Fields are made in one order by the constructor, so findings share a hidden class and hold them in the object
 * itself; what a message and a fingerprint are made of is private (a spread or a structured copy of a finding never
 * carries it: the cache and relativeToRoot copy the message and fingerprint themselves).
 */
class LintFinding implements Finding {
  readonly ruleId: string;
  severity: Severity;
  readonly file: string;
  /**
   * Its path; when it is located in its resource's document (see #at), the path in the resource, whole when the
   * resource is at the document's root: `path` is made from the resource's base when read (a path kept per finding
   * was ~84 bytes, and the locator reads base and path as one, see LocatedAsRead).
   */
  readonly #path: Path;
  range: Range;
  related: readonly RelatedLocation[] = NONE_RELATED;
  /**
   * Its fix: the rule's (paths in the resource, whose base and document make the report's fix when read: a fix made
   * per finding, with its changes and each path joined to the base, was ~5 MB for generated-50k's 34,000), or one
   * with paths from the document root already. A field of every finding, even when undefined: a property added after
   * V8 sized the class's objects (by the first findings made, often without a fix) went to a property array of its
   * own (~40 B a finding).
   */
  readonly #fix: Fix | FindingFix | undefined;
  /** The rule's template, or the message itself when #values is undefined. */
  readonly #template: string;
  /** The report's values; with no resource, also what {{resource}} names (a document by its path, at SUBJECT). */
  readonly #values: MessageValues | undefined;
  /**
   * Where the finding is to be located until finish: undefined when its range was known when it was made; its target
   * alone when that is its path in its resource's document (nearly every finding: a request object each was ~56 bytes
   * kept per finding until the lint finished); else the request. Once located: undefined, or null when the fingerprint
   * was made when the finding was (see located).
   */
  #at: LocationRequest | Target | undefined | null;
  /** The resource it is about (its annotations may suppress it; its summary, `resource`, is made when read). */
  readonly #resource: Resource | undefined;
  /** The fingerprint; or, while #resource is kept for it, what the rule says beyond its id (see fingerprintOf). */
  readonly #print: string;
  declare messageParts?: readonly MessagePart[];
  declare suppression?: Suppression;

  /** `values` undefined: `template` is the message itself. (Arguments, not an object of them: one fewer per finding.) */
  constructor(
    ruleId: string,
    severity: Severity,
    file: string,
    resource: Resource | undefined,
    path: Path,
    print: string,
    at: LocationRequest | Target | undefined,
    range: Range | undefined,
    template: string,
    values: MessageValues | undefined,
    fix?: Fix | FindingFix,
  ) {
    this.ruleId = ruleId;
    this.severity = severity;
    this.file = file;
    this.#path = path;
    this.range = range as Range;
    this.#fix = fix;
    this.#template = template;
    this.#values = values;
    this.#at = at;
    this.#resource = resource;
    this.#print = print;
  }

  /**
   * Whether it is on its resource, where the resource is written (see #at, #path). (Not a private method: a class with
   * one gives each of its objects a brand field, 8 bytes a finding.)
   */
  isInResource(): boolean {
    return this.#resource !== undefined && (this.#at === undefined || typeof this.#at === 'string');
  }

  get path(): Path {
    return this.isInResource() ? joinPath(this.#resource!.source.base, this.#path) : this.#path;
  }

  /** Its path in its resource, when it is on its resource where the resource is written (nothing made). */
  get pathInResource(): Path | undefined {
    return this.isInResource() ? this.#path : undefined;
  }

  /** Where it is to be located, while it is not (see #at). */
  request(): LocationRequest | undefined {
    const at = this.#at;
    if (typeof at !== 'string') return at ?? undefined;
    const { file, document } = this.#resource!.source;
    return { file, document, path: this.path, target: at };
  }

  /** As request, with the path in the resource below the resource's base (for locateAll: no path made). */
  toLocate(): LocationRequest | undefined {
    const at = this.#at;
    if (typeof at !== 'string') return at ?? undefined;
    const { file, document, base } = this.#resource!.source;
    return base.length === 0
      ? { file, document, path: this.#path, target: at }
      : { file, document, path: this.#path, base, target: at };
  }

  /** Its target, when it is to be located at its path in its resource's document (see #at). */
  get targetInResource(): Target | undefined {
    return typeof this.#at === 'string' ? this.#at : undefined;
  }

  get fix(): FindingFix | undefined {
    const fix = this.#fix;
    if (fix === undefined || 'document' in fix) return fix;
    const { base, document } = this.#resource!.source;
    return { title: fix.title, document: document.index, changes: fixChangesBelow(base, fix.changes) };
  }

  get subject(): Resource | undefined {
    return this.#resource;
  }

  /**
   * What it says of its resource, made at each read (a report reads it once): kept, one per resource, it was ~56 bytes
   * each and a WeakMap's entry to share it (~2 MB of table for 48,000 resources, in V8's large-object space).
   */
  get resource(): Finding['resource'] {
    const resource = this.#resource;
    return (
      resource && {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        namespace: resource.namespace,
        name: resource.name,
      }
    );
  }

  /** Located: what locating needed is let go of (null: its fingerprint is #print, made when it was found). */
  located(): void {
    this.#at = typeof this.#at === 'string' ? undefined : null;
  }

  get fingerprint(): string {
    const resource = this.#resource;
    if (resource === undefined || !this.isInResource()) return this.#print;
    return fingerprint(this.ruleId, this.file, resourceKey(resource), this.#path, this.#print);
  }

  /** A copy with the message as text (JSON.stringify reads no getter). */
  toJSON(): Finding {
    return plainFinding(this);
  }

  /** The message, made anew at each read (cheap; a report reads it once). */
  get message(): string {
    if (this.messageParts) return renderMessage(this.messageParts, (path) => path);
    if (this.#values === undefined) return this.#template;
    const resource = this.#resource ? describe(this.#resource) : (this.#values as Subjected)[SUBJECT];
    return interpolate(this.#template, { resource, ...redacted(this.#values) });
  }
}

const NO_VALUES: MessageValues = Object.freeze({});

/**
 * The key of a finding's values that holds what {{resource}} names when it has no resource (a symbol: no template
 * names it, and redaction reads only text keys). One field fewer for every finding; kept by the few it names.
 */
const SUBJECT = Symbol('subject');
type Subjected = MessageValues & { readonly [SUBJECT]: string };

/** A finding whose message is text already (a parse problem, a directive's): on the document, not a resource. */
function textFinding(
  ruleId: string,
  severity: Severity,
  message: string,
  file: string,
  fingerprint: string,
  range: Range,
): LintFinding {
  return new LintFinding(ruleId, severity, file, undefined, [], fingerprint, undefined, range, message, undefined);
}

/** A graph the rules run on: the plain files, or the objects of one build. */
interface Unit {
  readonly graph: Graph;
  readonly build?: BuiltGraph;
}

/**
 * Runs the rules, leaving the findings' locations to `finish` so that they can be resolved in bulk first. Stages:
 * parse (the files' parse problems and suppression directives), graph, rules; then, in finish: locate, suppress
 * (and severities), sort.
 */
export function lintStaged({
  files,
  rules,
  config,
  readers = FORMAT_READERS,
  locations = new LocationMemo(),
  graph: given,
  builds = [],
  consumed,
  root,
}: LintInput): StagedLint {
  const enabled = rules.filter((rule) => config.rules.get(rule.id)?.severity !== 'off');
  const pending = new PendingFindings();
  const notices: Notice[] = [];
  const directivesByFile = parseDiagnostics(files, rules, enabled, pending, notices);
  const plainFiles = consumed ? files.filter((file) => !consumed.has(file)) : files;
  const unreadable = unreadableDocuments(enabled, pending, notices);
  const units: Unit[] = [
    { graph: given ?? new Graph(readResources(plainFiles, readers, undefined, unreadable), plainFiles) },
    ...builds.map((build) => ({
      graph: new Graph(readResources([build.file], readers, undefined, unreadable), [build.file]),
      build,
    })),
  ];
  const resources = units.flatMap((unit) => unit.graph.resources);
  // With a graph of the caller's, findings are reported for `files` only (rules may judge more than that).
  const reported = given && new Set(files.map((f) => f.path));
  annotationDiagnostics(units[0].graph, files, rules, enabled, pending);
  embeddedDiagnostics(units, enabled, pending, reported);
  const ruleTimes = runRules(units, enabled, config, pending, notices, reported, root);
  return {
    get requests() {
      return pending.requests();
    },
    graph: units[0].graph,
    findingCount: pending.findings.length,
    finish(located?: LocatedRequests): LintResult {
      const findings = settle(pending, locations, located, config, directivesByFile, files);
      // Located: what locating needed is let go of (the caller may hold this object through the report).
      pending.release();
      findings.sort(compareFindings);
      const documents = files.reduce((n, f) => n + documentCount(f), 0);
      const unreadDocuments = files.reduce((n, f) => n + (f.unreadDocuments ?? 0), 0);
      ruleTimes.sort((a, b) => b[1] - a[1]);
      return {
        findings,
        notices,
        rules: enabled,
        stats: { files: files.length, documents, unreadDocuments, resources: resources.length },
        ruleTimes,
      };
    },
  };
}

/** Stage parse: each file's parse problems, and the findings about its suppression directives (returned by file). */
function parseDiagnostics(
  files: readonly SourceFile[],
  rules: readonly AnyRule[],
  enabled: readonly AnyRule[],
  pending: PendingFindings,
  notices: Notice[],
): Map<SourceFile, Directive[]> {
  const enabledById = new Map(enabled.map((rule) => [rule.id, rule]));
  const knownIds = new Set(rules.map((rule) => rule.id));
  const directivesByFile = new Map<SourceFile, Directive[]>();
  for (const file of files) {
    if (file.skipped) notices.push({ file: file.path, message: `skipped: ${file.skipped}`, notLinted: true });
    for (const problem of file.problems) {
      const rule = enabledById.get(problem.code);
      if (!rule) continue;
      pending.add(
        textFinding(
          rule.id,
          rule.severity,
          redactSecrets(problem.message),
          file.path,
          fingerprint(rule.id, file.path, '', [], problem.message),
          rangeOfOffsets(file, problem.start, problem.end),
        ),
      );
    }
    const directives = readDirectives(file);
    directivesByFile.set(file, directives);
    for (const directive of directives) {
      const range = {
        startLine: directive.line,
        startColumn: directive.column,
        endLine: directive.line,
        endColumn: directive.endColumn,
      };
      // The text comes from the rule's own `messages`, like any rule's.
      const reportDirective = (
        id: string,
        messageId: string,
        data: Record<string, string>,
        key: string,
        at = range,
      ) => {
        const rule = enabledById.get(id);
        if (!rule) return;
        const message = interpolate(rule.messages[messageId], data);
        const print = fingerprint(
          id,
          file.path,
          '',
          [],
          `${key}\0${directive.rules.join(',')}\0${directive.reason ?? ''}`,
        );
        pending.add(textFinding(id, rule.severity, message, file.path, print, at));
      };
      if (!directive.reason) reportDirective(ENGINE_RULES.suppressionWithoutReason, 'noReason', {}, 'no-reason');
      directive.rules.forEach((id, i) => {
        if (knownIds.has(id)) return;
        // An unknown id is pointed at where it is written.
        const startColumn = directive.ruleColumns[i];
        reportDirective(
          ENGINE_RULES.suppressionUnknownRule,
          'unknownRule',
          { rule: id, suggestion: didYouMean(id, [...knownIds]) },
          id,
          { ...range, startColumn, endColumn: startColumn + id.length },
        );
      });
    }
  }
  return directivesByFile;
}

/** Stage graph: an unknown rule id in a meshlint.io/ignore annotation, reported as the comment form's is (at the annotation's value). */
function annotationDiagnostics(
  graph: Graph,
  files: readonly SourceFile[],
  rules: readonly AnyRule[],
  enabled: readonly AnyRule[],
  pending: PendingFindings,
): void {
  const rule = enabled.find((r) => r.id === ENGINE_RULES.suppressionUnknownRule);
  if (!rule) return;
  const linted = new Set(files);
  const knownIds = rules.map((r) => r.id);
  const known = new Set(knownIds);
  // A nested resource (an Envoy fragment in an EnvoyFilter) lies inside its host: each annotation is read once.
  const seen = new Set<string>();
  for (const resource of graph.resources) {
    if (!linted.has(resource.source.file)) continue;
    for (const scope of ignoreScopes(resource)) {
      const path = [...scope.path, 'metadata', 'annotations', IGNORE_ANNOTATION];
      const key = `${resource.source.file.path}\0${resource.source.document.index}\0${[...resource.source.base, ...path].join('/')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const id of scope.rules) {
        if (known.has(id)) continue;
        const { finding, extras } = toFinding(
          graph,
          rule,
          rule.severity,
          {
            resource,
            path,
            target: 'value',
            messageId: 'unknownRule',
            identity: id,
            data: { rule: id, suggestion: didYouMean(id, knownIds) },
          },
          undefined,
        );
        pending.add(finding, extras);
      }
    }
  }
}

/** A document the model could not read: a parse-error finding there (its findings are missing), never silence. */
function unreadableDocuments(enabled: readonly AnyRule[], pending: PendingFindings, notices: Notice[]): ReadFailure {
  const parseError = enabled.find((rule) => rule.id === ENGINE_RULES.parseError);
  return (file, document, error) => {
    const message = `This document could not be processed (${describeFailure(error)}); its findings are missing. Please report this.`;
    if (!parseError) {
      notices.push({ file: file.path, message, notLinted: true });
      return;
    }
    const print = fingerprint(parseError.id, file.path, `#${document.index}`, [], 'unprocessed');
    const range = rangeOfOffsets(file, document.start, document.start + 1);
    pending.add(textFinding(parseError.id, parseError.severity, message, file.path, print, range));
  };
}

function describeFailure(error: unknown): string {
  return error instanceof RangeError ? 'too large or too deeply nested' : String((error as Error)?.message ?? error);
}

/**
 * Stage rules: every enabled rule's check over each graph (the plain files, each build); returns milliseconds per
 * rule. A finding on built objects is keyed by where it is located and what it says: several builds of one base
 * line give one finding that names them all.
 */
function runRules(
  units: readonly Unit[],
  enabled: readonly AnyRule[],
  config: Config,
  pending: PendingFindings,
  notices: Notice[],
  reported: ReadonlySet<string> | undefined,
  root: string | undefined,
): [string, number][] {
  const ruleTimes: [string, number][] = [];
  // A built object's finding by its key: its index in `pending`.
  const built = new Map<string, number>();
  // The repository's own mesh config (Istio's root namespace) refines the configured settings, graph by graph.
  const unitSettings = new Map(units.map(({ graph }) => [graph, settingsFor(graph, config.settings)]));
  for (const rule of enabled) {
    if (!rule.check) continue;
    const options = { ...(rule.options?.defaults ?? {}), ...(config.rules.get(rule.id)?.options ?? {}) };
    const started = milliseconds();
    const shared = new SharedValues();
    for (const { graph, build } of units) {
      const report = (r: Report<string>) => {
        const severity = r.severity ?? rule.severity;
        const { finding, extras, key } = toFinding(graph, rule, severity, r, root, build !== undefined, shared);
        if (reported && !reported.has(finding.file)) return;
        if (!build) {
          pending.add(finding, extras);
          return;
        }
        const known = built.get(key);
        if (known !== undefined) {
          const builtBy = pending.extras.get(known)!.builtBy!;
          if (!builtBy.includes(build)) builtBy.push(build);
          return;
        }
        built.set(key, pending.add(finding, { ...extras, builtBy: [build] }));
      };
      try {
        rule.check({ graph, options, settings: unitSettings.get(graph)!, report });
      } catch (error) {
        notices.push({
          message: `internal error in rule ${rule.id}: ${(error as Error)?.message ?? error}; its findings are incomplete. Please report this.`,
        });
      }
    }
    ruleTimes.push([rule.id, milliseconds() - started]);
  }
  return ruleTimes;
}

/** The settings rules apply to one graph: the configuration's, with what the graph's mesh config says. */
export function settingsFor(graph: Graph, settings: Settings): Settings {
  const mesh = meshSettingsOf(graph, settings.mesh);
  return mesh === settings.mesh ? settings : { ...settings, mesh };
}

/**
 * Stage graph: texts held in strings that the model read because their system must read them (Istio's mesh config in
 * a ConfigMap): their parse problems are reported where they are in the host file, once however many builds read them.
 */
function embeddedDiagnostics(
  units: readonly Unit[],
  enabled: readonly AnyRule[],
  pending: PendingFindings,
  reported: ReadonlySet<string> | undefined,
): void {
  const enabledById = new Map(enabled.map((rule) => [rule.id, rule]));
  const seen = new Set<string>();
  for (const { graph } of units) {
    for (const { file, what } of meshConfigTexts(graph)) {
      const host = file.origin?.file;
      if (!host || (reported && !reported.has(host.path))) continue;
      for (const problem of file.problems) {
        const rule = enabledById.get(problem.code);
        const range = rangeOfOffsets(file, problem.start, problem.end);
        const key = `${problem.code}\0${host.path}\0${range.startLine}:${range.startColumn}\0${problem.message}`;
        if (!rule || seen.has(key)) continue;
        seen.add(key);
        const message = redactSecrets(`${problem.message.replace(/\.$/, '')} (in ${what}).`);
        const print = fingerprint(rule.id, host.path, 'embedded', [], problem.message);
        pending.add(textFinding(rule.id, rule.severity, message, host.path, print, range));
      }
    }
  }
}

/** A rule's report as a finding: message, fingerprint, and where it must be located (not yet where it is). */
function toFinding(
  graph: Graph,
  rule: AnyRule,
  severity: Severity,
  r: Report<string>,
  root: string | undefined,
  keyed = false,
  shared?: SharedValues,
): { finding: LintFinding; extras?: Extras; key: string } {
  let file: SourceFile;
  let document: SourceFile['documents'][number];
  let path: Path;
  let resource = r.resource;
  if (resource) {
    ({ file, document } = resource.source);
    // concat sizes the array exactly (a spread grows it in steps): one path is kept per finding.
    path = resource.source.base.concat(r.path ?? resource.anchor);
  } else if (r.document) {
    ({ file, document } = r.document);
    path = r.path ?? [];
    resource = graph.resourceAt(r.document, path);
  } else {
    throw new TypeError(`rule ${rule.id} reported neither a resource nor a document`);
  }
  const template = rule.messages[r.messageId];
  if (template === undefined) throw new TypeError(`rule ${rule.id} reported unknown messageId "${r.messageId}"`);
  const relatedAt = r.related?.map((rel): RelatedRequest => {
    const src = rel.resource.source;
    const { at } = traced({
      file: src.file,
      document: src.document,
      path: src.base.concat(rel.path ?? rel.resource.anchor),
      target: 'pair' as const,
    });
    return { file: at.file.path, message: rel.message, at };
  });
  // (Traced only on a built object: a plain finding keeps its request and span as they are, with no object made.)
  let at: LocationRequest = { file, document, path, target: r.target ?? 'pair' };
  let span = r.span;
  if (document.trace) ({ at, span } = traced(at, span));
  const extra = r.identity === undefined ? r.messageId : `${r.messageId}\0${r.identity}`;
  // Nearly every finding is located at its path in its resource's document: its target alone is kept to locate it,
  // and its fingerprint is made from its resource when read (see LintFinding).
  const source = resource?.source;
  const ofResource =
    source !== undefined &&
    !document.trace &&
    at.file === source.file &&
    at.document === source.document &&
    at.path === path &&
    at.range === undefined &&
    at.note === undefined;
  // A built object's finding is identified by where it was written, whichever build (and name) reached it.
  const print = ofResource
    ? extra
    : document.trace
      ? fingerprint(rule.id, at.file.path, `#${at.document.index}`, at.path, extra)
      : resource
        ? fingerprint(rule.id, file.path, resourceKey(resource), relativePath(path, resource), extra)
        : fingerprint(rule.id, file.path, `#${document.index}`, path, extra);
  // Paths of a fix are relative to what the report names; text held in a YAML string (file.origin) is not edited,
  // nor is a built object (its values come from several files).
  // A fix on the report's resource is kept as the rule gave it (one object for a run of equal ones) and made into the
  // report's when read (see LintFinding.fix); on a document, its paths are from the document root already.
  const fix: Fix | FindingFix | undefined =
    r.fix && !file.origin && !document.trace
      ? r.resource
        ? (shared?.fix(r.fix) ?? r.fix)
        : { title: r.fix.title, document: document.index, changes: r.fix.changes }
      : undefined;
  const values = shared ? shared.of(r.data) : (r.data ?? NO_VALUES);
  // On its resource: its path in it (the resource's shared anchor, a shared path of one segment, or a copy of exact
  // size).
  const kept =
    ofResource && source.base.length > 0
      ? r.resource && r.path === undefined
        ? r.resource.anchor
        : pathInResource(path, source.base.length)
      : path;
  const finding = new LintFinding(
    rule.id,
    severity,
    at.file.path,
    resource,
    kept,
    print,
    ofResource ? at.target : at,
    undefined,
    template,
    resource ? values : { ...values, [SUBJECT]: documentName(file.path, root) },
    fix,
  );
  // Where a built object's value was written, when it is not where it is located (rare: kept as text).
  if (at.note) finding.messageParts = [finding.message, ` (${at.note})`];
  const extras: Extras | undefined =
    span || relatedAt?.length ? { span, relatedAt: relatedAt?.length ? relatedAt : undefined } : undefined;
  // The key that merges a finding reached through several builds: only findings on built objects need one.
  if (!keyed) return { finding, extras, key: '' };
  const key = [
    rule.id,
    at.file.path,
    at.document.index,
    at.path.join('\0'),
    at.target,
    span?.join(':') ?? '',
    extra,
    JSON.stringify(r.data ?? {}),
  ].join('\0');
  return { finding, extras, key };
}

/**
 * A rule's message values, one object for a run of findings whose values are equal: most rules report the same few
 * texts again and again (on a decK file of 84,000 findings, ~76,000 of them had values equal to the finding's before
 * of the same rule), and each object the rule made was ~32-40 bytes kept per finding until the report.
 */
class SharedValues {
  #last: MessageValues = NO_VALUES;
  #lastFix: Fix | undefined;

  of(data: MessageValues | undefined): MessageValues {
    if (data !== undefined && data !== this.#last && !sameValues(data, this.#last)) this.#last = data;
    return data === undefined ? NO_VALUES : this.#last;
  }

  /** The rule's fix, or the equal one its previous finding kept (a rule fixing many workloads alike gives equal ones). */
  fix(fix: Fix): Fix {
    const last = this.#lastFix;
    if (last === undefined || !sameFix(fix, last)) this.#lastFix = fix;
    return this.#lastFix!;
  }
}

/** The changes of a fix with their paths below `base` (each path of exact size, unlike a spread). */
function fixChangesBelow(base: Path, changes: readonly FixChange[]): FixChange[] {
  return changes.map((c) =>
    'set' in c ? { set: base.concat(c.set), value: c.value } : { remove: base.concat(c.remove) },
  );
}

function sameFix(a: Fix, b: Fix): boolean {
  if (a === b) return true;
  if (a.title !== b.title || a.changes.length !== b.changes.length) return false;
  return a.changes.every((change, i) => {
    const other = b.changes[i]!;
    if ('set' in change)
      return 'set' in other && sameItems(change.set, other.set) && sameFixValue(change.value, other.value);
    return 'remove' in other && sameItems(change.remove, other.remove);
  });
}

function sameFixValue(a: FixValue, b: FixValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return sameItems(a, b);
  return a === b;
}

function sameValues(a: MessageValues, b: MessageValues): boolean {
  let keys = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
    keys++;
  }
  for (const _ in b) keys--;
  return keys === 0;
}

/** The related locations of a finding that has none (frozen: shared by every such finding). */
const NONE_RELATED: readonly never[] = Object.freeze([]);

/**
 * A location on a built object, moved to where the value was written (see SourceDocument.trace), with the finding's
 * span in what is located there: a value written as some characters of a longer string (a generator's `KEY=VALUE`
 * literal) is shown at those characters, or at the finding's own span inside them when the value is them as written.
 * A span of a value that is not written there as it is (a generator's env file or file, named by its entry) is not
 * applied to what is: the finding is shown at the whole place.
 */
function traced(
  at: LocationRequest,
  span?: readonly [number, number],
): { at: LocationRequest; span?: readonly [number, number] } {
  const trace = at.document.trace;
  if (!trace) return { at, span };
  const origin = trace(at.path);
  const moved: LocationRequest = {
    file: origin.file,
    document: origin.document,
    path: origin.path,
    target: at.target,
    ...(origin.range ? { range: origin.range } : {}),
    ...(origin.note ? { note: origin.note } : {}),
  };
  const written = origin.span;
  if (at.target !== 'value' || !(written || span)) return { at: moved, span };
  const value = get(at.document.value, ...at.path);
  const text = get(origin.document.value, ...origin.path);
  if (!written) return { at: moved, span: text === value ? span : undefined };
  const asWritten = typeof text === 'string' && text.slice(written[0], written[1]) === value;
  return { at: moved, span: span && asWritten ? [written[0] + span[0], written[0] + span[1]] : written };
}

/**
 * Stages locate and suppress, in place: each finding's range (from the memo, where locateAll put it) and related
 * locations, its configured severity, and its suppression by comment or annotation (kept and marked, not dropped).
 */
function settle(
  pending: PendingFindings,
  locations: LocationMemo,
  answers: LocatedRequests | undefined,
  config: Config,
  directivesByFile: ReadonlyMap<SourceFile, Directive[]>,
  files: readonly SourceFile[],
): Finding[] {
  // The requests' ordinals, counted as PendingRequests gives them: the next request with no range is this one.
  let ordinal = 0;
  const asked = () => answers?.rangeOf(ordinal++);
  const located = (at: LocationRequest, answer?: Range) =>
    at.range ?? answer ?? locations.rangeOf(at.file, at.document, at.path, at.target);
  // A secret inside a longer string (embedded text) is narrowed to its own line and column.
  const narrowed = (at: LocationRequest, span: readonly [number, number], answer: Range | undefined) => {
    const value = get(at.document.value, ...at.path);
    const range = located(at, answer);
    return typeof value === 'string' && at.target === 'value' && !at.range
      ? narrowToSpan(at.file, at.document, at.path, range, value, span)
      : range;
  };
  const scopesByResource = new Map<Resource, readonly IgnoreScope[]>();
  const fileByPath = new Map(files.map((f) => [f.path, f]));
  const directiveIndexes = new Map<SourceFile, DirectiveIndex>();
  for (const [file, directives] of directivesByFile)
    if (directives.length > 0) directiveIndexes.set(file, new DirectiveIndex(directives));
  const { findings, extras } = pending;
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i];
    const extra = extras.get(i);
    const target = finding.targetInResource;
    if (target !== undefined && !extra?.span) {
      // (No request made: see LintFinding.#at.)
      const { file, document } = finding.subject!.source;
      finding.range = asked() ?? locations.rangeOf(file, document, finding.path, target);
    } else {
      const request = finding.request();
      if (request) {
        const answer = request.range ? undefined : asked();
        finding.range = extra?.span ? narrowed(request, extra.span, answer) : located(request, answer);
      }
    }
    if (extra?.relatedAt || extra?.builtBy) {
      const related = (extra.relatedAt ?? []).map(
        (r): RelatedLocation => ({
          file: r.file,
          range: located(r.at, r.at.range ? undefined : asked()),
          message: r.message,
        }),
      );
      for (const build of extra.builtBy ?? []) {
        const { file, document } = build.definedIn;
        related.push({
          file: file.path,
          range: located({ file, document, path: [], target: 'key' }),
          ...pathMessage('built by ', { path: build.name }),
        });
      }
      finding.related = related;
    }
    if (extra?.builtBy) {
      finding.messageParts = [
        finding.message,
        ' (built by ',
        ...extra.builtBy.flatMap((b, i): MessagePart[] => (i ? [', ', { path: b.name }] : [{ path: b.name }])),
        ')',
      ];
    }
    const configured = config.rules.get(finding.ruleId)?.severity;
    if (configured && configured !== 'off') finding.severity = configured;
    const suppression = suppressionFor(
      finding,
      finding.subject,
      scopesByResource,
      fileByPath.get(finding.file),
      directiveIndexes,
    );
    if (suppression) finding.suppression = suppression;
    finding.located();
  }
  return findings;
}

function suppressionFor(
  finding: Finding,
  resource: Resource | undefined,
  scopesByResource: Map<Resource, readonly IgnoreScope[]>,
  file: SourceFile | undefined,
  directiveIndexes: ReadonlyMap<SourceFile, DirectiveIndex>,
): Suppression | undefined {
  const directives = file && directiveIndexes.get(file);
  const directive = directives?.covering(finding.ruleId, finding.range.startLine);
  if (directive) return { via: 'comment', justification: directive.reason };
  // Only resources of files that mention the annotation are read for it (and remembered).
  if (!resource || !mayCarryIgnoreScopes(resource)) return undefined;
  let scopes = scopesByResource.get(resource);
  if (!scopes) scopesByResource.set(resource, (scopes = ignoreScopes(resource)));
  if (scopes.length === 0) return undefined;
  const relative = (finding as LintFinding).pathInResource ?? relativePath(finding.path, resource);
  for (const scope of scopes) {
    if (scopeCovers(scope, finding.ruleId, relative))
      return { via: 'annotation', justification: `${IGNORE_ANNOTATION} annotation` };
  }
  return undefined;
}

/**
 * The tail of `path` from `from` (a path in a resource): of one segment, a frozen array shared by every finding with
 * it (on a decK file, 80,000 findings at a route's or a service's `name` or `url`), else a copy of exact size.
 */
function pathInResource(path: Path, from: number): Path {
  if (path.length !== from + 1) return path.slice(from);
  const segment = path[from];
  let shared = SINGLE_SEGMENT_PATHS.get(segment);
  if (shared === undefined) {
    shared = Object.freeze([segment]);
    // (Bounded: indexes and keys beyond these are copied.)
    if (SINGLE_SEGMENT_PATHS.size < 1024) SINGLE_SEGMENT_PATHS.set(segment, shared);
  }
  return shared;
}

const SINGLE_SEGMENT_PATHS = new Map<string | number, Path>();

/** A path from the document root made relative to a resource (itself for a resource at the root: most are). */
function relativePath(path: Path, resource: Resource): Path {
  const base = resource.source.base.length;
  return base === 0 ? path : path.slice(base);
}

/** Values interpolated into a message come from manifests: none may print a secret whole. */
function redacted(data: Readonly<Record<string, string | number>> | undefined): Record<string, string | number> {
  // A copy of the rule's object (its hidden class shared), values replaced in place: an empty object given the keys
  // one by one may get a hidden class of its own per finding (see locatedFinding).
  const out: Record<string, string | number> = { ...data };
  for (const key in out) {
    const value = out[key];
    if (typeof value === 'string') out[key] = redactSecrets(value);
  }
  return out;
}

/** A document's file as the report shows it: relative to the report's root, like every location. */
function documentName(path: string, root: string | undefined): string {
  return root && isAbsolute(path) ? relative(root, path).split(sep).join('/') || path : path;
}

export function interpolate(template: string, data: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

export function fingerprint(ruleId: string, file: string, resource: string, path: Path, extra: string): string {
  const digest = sha256Hex([ruleId, file, resource, path.join('/'), extra].join('\0'));
  // Its first 32 characters as a string of their own (joined from two halves): a slice of 32 would be a view that
  // keeps the whole 64-character digest alive with it, ~64 bytes more per finding.
  return [digest.slice(0, 16), digest.slice(16, 32)].join('');
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.startLine - b.range.startLine ||
    a.range.startColumn - b.range.startColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
