// Inline suppressions. In YAML comments:
//   # meshlint-disable-next-line <rule-id>[, ...] -- <reason>   (the next line that holds content)
//   # meshlint-disable <rule-id>[, ...] -- <reason>             (from here to the end of the document)
// and the annotation meshlint.io/ignore: "<rule-id>,..." on an object or on a pod template (covers what is under it).
import type { SourceFile } from '../parse/source.js';
import type { Resource } from '../model/resource.js';
import { isObj, obj, str, type Path } from '../model/values.js';

export const IGNORE_ANNOTATION = 'meshlint.io/ignore';

export interface Directive {
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  /** Rule ids it names; empty means every rule. */
  readonly rules: readonly string[];
  /** Where each of `rules` is written on the line (1-based start column, same order). */
  readonly ruleColumns: readonly number[];
  readonly reason?: string;
  /** First and last line it covers. */
  readonly fromLine: number;
  readonly toLine: number;
}

// The keyword ends the line, or a line terminator or a blank follows it (the rest, from the blank, is group 2). No
// lookahead: without one recheck proves the expression by its automaton checker, not by fuzzing, whose verdict once
// came out polynomial under load. Same matches as `#\s*(keyword)(?=\s|$)(.*)` on 500,000 random lines.
const DIRECTIVE = /(?:^|\s)#\s*(meshlint-disable(?:-next-line)?)(?:$|[\r\u2028\u2029]|([^\S\r\u2028\u2029].*))/;

export function readDirectives(file: SourceFile): Directive[] {
  if (!file.text.includes('meshlint-disable')) return [];
  const lines = file.text.split('\n');
  const following = new FollowingLines(lines);
  const directives: Directive[] = [];
  lines.forEach((text, i) => {
    const match = DIRECTIVE.exec(text);
    if (!match) return;
    const line = i + 1;
    const rest = match[2] ?? '';
    const [body, reason] = splitReason(rest);
    const listed = body.split(/\s#/)[0]; // a trailing comment is not a rule id
    const keywordEnd = match.index + match[0].indexOf(match[1]) + match[1].length;
    const listedAt = keywordEnd + rest.indexOf(listed); // its offset on the line
    const ids = [...listed.matchAll(/[^\s,]+/g)];
    const rules = ids.map((id) => id[0]);
    const ruleColumns = ids.map((id) => listedAt + id.index + 1);
    const column = text.indexOf('#', match.index) + 1;
    // Without a reason the directive ends with its rule list: a trailing comment on the line is not part of it.
    const endColumn = reason ? text.trimEnd().length + 1 : listedAt + listed.trimEnd().length + 1;
    let fromLine = line;
    let toLine = line;
    if (match[1] === 'meshlint-disable-next-line') {
      fromLine = toLine = following.nextContent(i + 1) + 1;
    } else {
      // The rest of the document: up to the next document marker (--- or ...), or the end of the file.
      toLine = following.documentEnd(i + 1);
    }
    directives.push({ line, column, endColumn, rules, ruleColumns, reason, fromLine, toLine });
  });
  return directives;
}

/**
 * For each line, the next line with content (not blank, not only a comment) and the end of its document, each found
 * by one pass from the end when first asked: directives on consecutive lines do not each read the lines after them.
 */
class FollowingLines {
  #nextContent: Int32Array | undefined;
  #documentEnd: Int32Array | undefined;
  constructor(private readonly lines: readonly string[]) {}

  /** The index of the first line from `from` that is not blank or a comment (lines.length when none). */
  nextContent(from: number): number {
    this.#nextContent ??= this.#firstFrom((line) => !/^\s*(#.*)?\r?$/.test(line));
    return this.#nextContent[Math.min(from, this.lines.length)];
  }

  /** The index of the first document marker (--- or ...) from `from` (lines.length when none): its 1-based line ends the document. */
  documentEnd(from: number): number {
    this.#documentEnd ??= this.#firstFrom((line) => /^(---|\.\.\.)(\s|$)/.test(line));
    return this.#documentEnd[Math.min(from, this.lines.length)];
  }

  /** For each line index (and lines.length), the first index from it whose line is `wanted`, by one pass from the end. */
  #firstFrom(wanted: (line: string) => boolean): Int32Array {
    const first = new Int32Array(this.lines.length + 1);
    first[this.lines.length] = this.lines.length;
    for (let i = this.lines.length - 1; i >= 0; i--) first[i] = wanted(this.lines[i]) ? i : first[i + 1];
    return first;
  }
}

function splitReason(text: string): [string, string | undefined] {
  const at = text.indexOf('--');
  if (at === -1) return [text.trim(), undefined];
  const reason = text.slice(at + 2).trim();
  return [text.slice(0, at).trim(), reason || undefined];
}

/**
 * A file's directives by line: which one suppresses a finding, found among those near its line, not by reading every
 * directive of the file for each finding (a generated file may carry one per document).
 */
export class DirectiveIndex {
  /** Directives that cover one line (disable-next-line), by that line, in file order. */
  readonly #oneLine = new Map<number, Directive[]>();
  /**
   * The others (disable: to the end of the document), by their last line, in file order. Those of one document share
   * it, and documents do not overlap, so only the group of the first last line at or after a line can cover it.
   */
  readonly #toEnd = new Map<number, Directive[]>();
  readonly #ends: number[] = [];
  readonly #order = new Map<Directive, number>();

  constructor(directives: readonly Directive[]) {
    directives.forEach((d, i) => {
      this.#order.set(d, i);
      const [byLine, line] = d.fromLine === d.toLine ? [this.#oneLine, d.fromLine] : [this.#toEnd, d.toLine];
      const group = byLine.get(line);
      if (group) group.push(d);
      else byLine.set(line, [d]);
    });
    this.#ends.push(...this.#toEnd.keys());
    this.#ends.sort((a, b) => a - b);
  }

  /** The first directive of the file that suppresses the rule on the line, as a search of them all in order finds. */
  covering(ruleId: string, line: number): Directive | undefined {
    const single = this.#oneLine.get(line)?.find((d) => directiveCovers(d, ruleId, line));
    let block: Directive | undefined;
    for (const d of this.#toEnd.get(this.#firstEndFrom(line)) ?? []) {
      if (d.fromLine > line) break; // in file order: the rest start later
      if (directiveCovers(d, ruleId, line)) {
        block = d;
        break;
      }
    }
    if (!single || !block) return single ?? block;
    return this.#order.get(single)! < this.#order.get(block)! ? single : block;
  }

  /** The smallest last line of a to-the-end group that is at or after `line` (-1 when none). */
  #firstEndFrom(line: number): number {
    let low = 0;
    let high = this.#ends.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#ends[middle] < line) low = middle + 1;
      else high = middle;
    }
    return low < this.#ends.length ? this.#ends[low] : -1;
  }
}

export function directiveCovers(directive: Directive, ruleId: string, line: number): boolean {
  return (
    line >= directive.fromLine &&
    line <= directive.toLine &&
    (directive.rules.length === 0 || directive.rules.includes(ruleId))
  );
}

export interface IgnoreScope {
  /** Path relative to the resource of the object carrying the annotation ([] for the resource itself). */
  readonly path: Path;
  readonly rules: readonly string[];
}

/** The meshlint.io/ignore annotations of a resource: on itself and on any nested object's metadata (pod templates). */
export function ignoreScopes(resource: Resource): readonly IgnoreScope[] {
  if (!mayCarryIgnoreScopes(resource)) return NO_SCOPES;
  const scopes: IgnoreScope[] = [];
  const visit = (value: unknown, path: (string | number)[], depth: number): void => {
    if (depth > 12) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i], depth + 1));
      return;
    }
    if (!isObj(value)) return;
    const annotation = str(obj(obj(value.metadata).annotations)[IGNORE_ANNOTATION]);
    if (annotation !== undefined) scopes.push({ path, rules: annotation.split(/[\s,]+/).filter(Boolean) });
    for (const [key, child] of Object.entries(value)) {
      if (key !== 'metadata' && typeof child === 'object' && child !== null) visit(child, [...path, key], depth + 1);
    }
  };
  visit(resource.body, [], 0);
  return scopes;
}

const NO_SCOPES: readonly IgnoreScope[] = Object.freeze([]);

/** False when the resource's file does not mention the annotation at all (most files): it has no ignore scopes. */
export function mayCarryIgnoreScopes(resource: Resource): boolean {
  // A resource seen through text held in one of its strings (a ConfigMap's mesh config) has its host's annotations.
  const file = resource.source.file;
  return mentionsIgnoreAnnotation(file.origin?.file ?? file);
}

// Searched once per file, not once per resource: a file of many resources would otherwise be read many times over.
const fileMentionsIgnore = new WeakMap<SourceFile, boolean>();

function mentionsIgnoreAnnotation(file: SourceFile): boolean {
  let mentions = fileMentionsIgnore.get(file);
  if (mentions === undefined) fileMentionsIgnore.set(file, (mentions = file.text.includes(IGNORE_ANNOTATION)));
  return mentions;
}

export function scopeCovers(scope: IgnoreScope, ruleId: string, path: Path): boolean {
  return (
    scope.path.every((segment, i) => path[i] === segment) && (scope.rules.length === 0 || scope.rules.includes(ruleId))
  );
}
