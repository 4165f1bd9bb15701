// Configuration errors name the file, line and key: shared by the configuration file and the custom rule files
// it brings in, whose schema errors are described the same way. Every problem is collected, so that one run
// lists them all.
import type { ErrorObject } from 'ajv';
import type { SourceDocument, SourceFile } from '../parse/source.js';
import { formatPath, pathOfPointer, type Path } from '../model/values.js';
import { didYouMean } from '../suggest.js';
import { locate } from '../location/locate.js';

export interface ConfigProblem {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return problem.file === undefined
    ? problem.message
    : `${problem.file}:${problem.line ?? 1}:${problem.column ?? 1}: ${problem.message}`;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: string | readonly ConfigProblem[]) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(list.map(formatConfigProblem).join('\n'));
    this.problems = list;
  }
}

/** A ConfigError at `path` of a parsed YAML document: `file:line:col: message`. */
export function locatedError(
  file: SourceFile,
  document: SourceDocument | undefined,
  path: Path,
  message: string,
): ConfigError {
  return new ConfigError([locatedProblem(file, document, path, message)]);
}

function locatedProblem(
  file: SourceFile,
  document: SourceDocument | undefined,
  path: Path,
  message: string,
): ConfigProblem {
  const { range } = document ? locate(file, document, path, 'key') : { range: { startLine: 1, startColumn: 1 } };
  return { file: file.path, line: range.startLine, column: range.startColumn, message };
}

/** Every problem found while reading a configuration; thrown together as one ConfigError. */
export class ConfigProblems {
  readonly #list: ConfigProblem[] = [];

  get count(): number {
    return this.#list.length;
  }

  add(problem: ConfigProblem): void {
    this.#list.push(problem);
  }

  at(file: SourceFile, document: SourceDocument | undefined, path: Path, message: string): void {
    this.#list.push(locatedProblem(file, document, path, message));
  }

  /** Adds the file's YAML syntax problems; true when it had any. */
  syntax(file: SourceFile): boolean {
    for (const problem of file.problems) {
      const at = file.lineCounter.linePos(problem.start);
      this.#list.push({ file: file.path, line: at.line, column: at.col, message: problem.message });
    }
    return file.problems.length > 0;
  }

  /** Adds every problem a validator found in `data` (at `base` of the document); `describe` may reword each. */
  schema(
    file: SourceFile,
    document: SourceDocument | undefined,
    base: Path,
    data: unknown,
    errors: readonly ErrorObject[],
    describe: (message: string) => string = (m) => m,
  ): void {
    for (const problem of schemaProblems(data, errors))
      this.at(file, document, [...base, ...problem.path], describe(problem.message));
  }

  /** Runs `step`, keeping the problems of a ConfigError it throws instead of stopping. */
  collect<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.#list.push(...error.problems);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (!this.#list.length) return;
    // Files in the order they were met, each from top to bottom.
    const files = [...new Set(this.#list.map((p) => p.file))];
    const sorted = [...this.#list].sort(
      (a, b) =>
        files.indexOf(a.file) - files.indexOf(b.file) ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.column ?? 0) - (b.column ?? 0),
    );
    throw new ConfigError(sorted);
  }
}

/** The first YAML syntax problem of a file as a ConfigError, if it has one. */
export function syntaxError(file: SourceFile): ConfigError | undefined {
  const problems = new ConfigProblems();
  if (!problems.syntax(file)) return undefined;
  try {
    problems.throwIfAny();
  } catch (error) {
    return error as ConfigError;
  }
  return undefined;
}

/** The most telling of a validator's errors: where (a path through `data`) and what, in words. */
export function schemaProblem(data: unknown, errors: readonly ErrorObject[]): { path: Path; message: string } {
  return schemaProblems(data, errors)[0];
}

/** Each problem a validator found, once: where (a path through `data`) and what, in words. */
export function schemaProblems(data: unknown, errors: readonly ErrorObject[]): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const seen = new Set<string>();
  for (const error of relevantErrors(data, errors)) {
    const path = pointerToPath(data, error.instancePath, error);
    const message = describeError(data, error, errors);
    const key = `${JSON.stringify(path)} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/** Path of the failing value, plus the offending property for additionalProperties errors. */
function pointerToPath(data: unknown, pointer: string, error?: ErrorObject): Path {
  const path = pathOfPointer(data, pointer);
  return error?.keyword === 'additionalProperties' ? [...path, String(error.params.additionalProperty)] : path;
}

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

/**
 * A failed oneOf reports every branch; only the branch that got furthest names the real problem (the deepest
 * errors under the oneOf's value; a wrong type says only that another branch was meant, so it yields to the rest).
 */
function relevantErrors(data: unknown, errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const plain = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  const depth = (e: ErrorObject) => pointerToPath(data, e.instancePath, e).length;
  const dropped = new Set<ErrorObject>();
  // Outermost alternatives first; inner ones then choose among what is left.
  for (const alternative of [...alternatives].sort((a, b) => a.instancePath.length - b.instancePath.length)) {
    const under = plain.filter((e) => !dropped.has(e) && within(e.instancePath, alternative.instancePath));
    if (!under.length) continue;
    const deepest = Math.max(...under.map(depth));
    let keep = under.filter((e) => depth(e) === deepest);
    if (keep.some((e) => e.keyword !== 'type')) keep = keep.filter((e) => e.keyword !== 'type');
    else keep = keep.slice(0, 1);
    for (const e of under) if (!keep.includes(e)) dropped.add(e);
  }
  const left = plain.filter((e) => !dropped.has(e));
  return left.length ? left : errors.slice(0, 1);
}

const TYPE_NOUNS: Record<string, [string, string]> = {
  array: ['a list', 'lists'],
  object: ['a mapping', 'mappings'],
  string: ['a string', 'strings'],
  boolean: ['true or false', 'true or false values'],
  integer: ['a whole number', 'whole numbers'],
  number: ['a number', 'numbers'],
  null: ['null', 'nulls'],
};

interface SchemaNode {
  type?: string | string[];
  title?: string;
  items?: SchemaNode;
  properties?: Record<string, unknown>;
}

/** What a schema expects, in words: "a list of globs", "a string". */
function expected(schema: SchemaNode | undefined, type: string, plural = false): string {
  const [one, many] = TYPE_NOUNS[type] ?? [`a ${type}`, `${type}s`];
  if (type === 'array' && schema?.items && typeof schema.items === 'object') {
    const itemType = Array.isArray(schema.items.type) ? schema.items.type[0] : schema.items.type;
    const items = schema.items.title
      ? `${schema.items.title}s`
      : itemType
        ? expected(schema.items, itemType, true)
        : undefined;
    if (items) return `${plural ? many : one} of ${items}`;
  }
  if (schema?.title && !plural && /^[a-z][a-z -]*$/.test(schema.title)) return `a ${schema.title} (${one})`;
  return plural ? many : one;
}

function describeError(data: unknown, error: ErrorObject, all: readonly ErrorObject[]): string {
  const where = formatPath(pathOfPointer(data, error.instancePath)) || 'the configuration';
  const schema = error.parentSchema as SchemaNode | undefined;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(schema?.properties ?? {});
      return `unknown key "${params.additionalProperty}" in ${where}${didYouMean(String(params.additionalProperty), known)}.`;
    }
    case 'required':
      return `${where} needs the key "${params.missingProperty}".`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}.`;
    case 'type': {
      // Several branches that each wanted another type: name them all ("a string or a list of strings").
      const sameSite = all.filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath);
      const wanted = [
        ...new Set(
          sameSite.map((e) => expected(e.parentSchema as SchemaNode, String((e.params as { type: string }).type))),
        ),
      ];
      return `${where} must be ${wanted.join(' or ')}.`;
    }
    case 'minLength':
      return params.limit === 1
        ? `${where} must not be empty.`
        : `${where} must have at least ${params.limit} characters.`;
    case 'minItems':
      return params.limit === 1
        ? `${where} must not be an empty list.`
        : `${where} must have at least ${params.limit} items.`;
    case 'minProperties':
      return `${where} must not be empty.`;
    case 'minimum':
      return `${where} must be ${params.limit} or more.`;
    case 'maximum':
      return `${where} must be ${params.limit} or less.`;
    default:
      return `${where} ${error.message}.`;
  }
}
