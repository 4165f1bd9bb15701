// Configuration errors name the file, line and key: shared by the configuration file and the custom rule files
// it brings in, whose schema errors are described the same way.
import type { ErrorObject } from 'ajv';
import type { SourceDocument, SourceFile } from '../parse/source.js';
import { formatPath, pathOfPointer, type Path } from '../model/values.js';
import { didYouMean } from '../suggest.js';
import { locate } from '../location/locate.js';

export class ConfigError extends Error {}

/** A ConfigError at `path` of a parsed YAML document: `file:line:col: message`. */
export function locatedError(file: SourceFile, document: SourceDocument | undefined, path: Path, message: string): ConfigError {
  const { range } = document ? locate(file, document, path, 'key') : { range: { startLine: 1, startColumn: 1 } };
  return new ConfigError(`${file.path}:${range.startLine}:${range.startColumn}: ${message}`);
}

/** The first YAML syntax problem of a file as a ConfigError, if it has one. */
export function syntaxError(file: SourceFile): ConfigError | undefined {
  const problem = file.problems[0];
  if (!problem) return undefined;
  const at = file.lineCounter.linePos(problem.start);
  return new ConfigError(`${file.path}:${at.line}:${at.col}: ${problem.message}`);
}

/** The most telling of a validator's errors: where (a path through `data`) and what, in words. */
export function schemaProblem(data: unknown, errors: readonly ErrorObject[]): { path: Path; message: string } {
  const error = mostSpecific(errors);
  return { path: pointerToPath(data, error.instancePath, error), message: describeError(data, error) };
}

/** Path of the failing value, plus the offending property for additionalProperties errors. */
function pointerToPath(data: unknown, pointer: string, error?: ErrorObject): Path {
  const path = pathOfPointer(data, pointer);
  return error?.keyword === 'additionalProperties' ? [...path, String(error.params.additionalProperty)] : path;
}

function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  // oneOf failures report every branch; the deepest error is the one that names the real problem.
  const relevant = errors.filter((e) => e.keyword !== 'oneOf');
  const pool = relevant.length ? relevant : errors;
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), pool[0]);
}

function describeError(data: unknown, error: ErrorObject): string {
  const where = formatPath(pathOfPointer(data, error.instancePath)) || 'the configuration';
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown key "${error.params.additionalProperty}" in ${where}${didYouMean(String(error.params.additionalProperty), known)}.`;
    }
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'type':
      return `${where} must be ${error.params.type === 'object' ? 'a mapping' : `a ${error.params.type}`}.`;
    default:
      return `${where} ${error.message}.`;
  }
}
