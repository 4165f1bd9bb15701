// meshlint must read every manifest as Kubernetes does. kubectl is the ground truth: `kubectl label --local -f F`
// prints the objects it read, with no cluster. Every document of the fixtures, of a sample of ../shared/corpus and
// of inputs generated around the constructs where readers disagree is read by both: where kubectl accepts a
// document, meshlint's value must equal kubectl's JSON; where it rejects it while reading, meshlint must report a
// parse-error. Skipped, with a message, where kubectl is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { isJsonStream, splitYamlStream } from '../src/parse/stream.js';
import { encodedFiles, handWritten, manifestArbitrary } from './yaml-constructs.js';

const LABEL = 'meshlint-diff';

/**
 * What kubectl accepts and meshlint reports as a parse-error (it fails closed there, never passes): a lone `-` as a
 * scalar inside a flow collection (`[-]`), which go-yaml reads as the string "-" and the YAML parser rejects.
 */
const STRICTER = [/[[,]\s*-\s*[\],}]/];

function kubectlVersion(): string | undefined {
  try {
    return execFileSync('kubectl', ['version', '--client', '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}
const hasKubectl = kubectlVersion() !== undefined;
if (!hasKubectl)
  console.warn('kubectl-differential: kubectl is not on PATH; the differential test against kubectl is skipped.');

function corpusDir(): string | undefined {
  for (const candidate of [process.env.MESHLINT_CORPUS, '../shared/corpus', '../../shared/corpus']) {
    if (candidate && existsSync(resolve(candidate))) return resolve(candidate);
  }
  return undefined;
}

function manifestFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every document of a file as its own text, cut as Kubernetes cuts the stream. */
function documentTexts(text: string): string[] {
  if (isJsonStream(text)) {
    // A JSON stream holds one object after another; a broken one stays whole.
    const documents = parseSource('stream.json', text).documents;
    return documents.length > 1 ? documents.map((d) => text.slice(d.start, d.end)) : [text];
  }
  return splitYamlStream(text)
    .parts.map((p) => text.slice(p.start, p.end))
    .filter((t) => /^[^#\s]/m.test(t));
}

/** kubectl prints one pretty JSON object after another: split them. */
function splitJsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

interface Case {
  readonly origin: string;
  readonly text: string;
}

interface Verdict {
  readonly compared: number;
  readonly rejectedBoth: number;
  readonly skipped: number;
  /** Accepted by kubectl, a parse-error in meshlint: the known constructs of STRICTER. */
  readonly stricter: number;
  readonly differences: string[];
}

/** Reads every case with kubectl (one call for all of them) and with meshlint, and compares. */
function compare(cases: readonly Case[]): Verdict {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-kubectl-'));
  try {
    const names = cases.map((c, i) => `d${String(i).padStart(6, '0')}.${isJsonStream(c.text) ? 'json' : 'yaml'}`);
    cases.forEach((c, i) => writeFileSync(join(dir, names[i]), c.text));
    const run = spawnSync('kubectl', ['label', '--local', '-f', dir, `${LABEL}=x`, '-o', 'json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const failed = new Map<string, string>();
    for (const line of run.stderr.split('\n')) {
      const name = /d\d{6}\.(?:yaml|json)/.exec(line)?.[0];
      if (name && !failed.has(name)) failed.set(name, line);
    }
    const objects = splitJsonObjects(run.stdout);
    const accepted = names.filter((n) => !failed.has(n));
    if (objects.length !== accepted.length) {
      return {
        compared: 0,
        rejectedBoth: 0,
        skipped: 0,
        stricter: 0,
        differences: [
          `kubectl printed ${objects.length} objects for ${accepted.length} accepted documents: the documents are not one object each`,
        ],
      };
    }
    const kubectlValue = new Map(accepted.map((n, k) => [n, objects[k]]));
    let compared = 0;
    let rejectedBoth = 0;
    let skipped = 0;
    let stricter = 0;
    const differences: string[] = [];
    cases.forEach((c, i) => {
      const file = parseSource(names[i], Buffer.from(c.text));
      const parseErrors = file.problems.filter((p) => p.code === 'parse-error');
      const error = failed.get(names[i]);
      if (error !== undefined) {
        // Only errors of reading the text count; kubectl's typed decoding (a missing kind, a timestamp that is not
        // RFC 3339) is not a question of how the YAML is read.
        if (
          !/error converting YAML to JSON|error parsing|invalid Yaml document separator|json: |yaml: /.test(error) ||
          /unable to decode/.test(error)
        ) {
          skipped++;
          return;
        }
        if (parseErrors.length === 0 && !file.skipped)
          differences.push(
            `${c.origin}: kubectl rejects it (${error.trim()}), meshlint reads ${JSON.stringify(file.documents.map((d) => d.value)).slice(0, 200)}`,
          );
        else rejectedBoth++;
        return;
      }
      if (file.skipped || file.unreadDocuments) {
        skipped++; // a template (meshlint says it does not lint it) or a CustomResourceDefinition (lexed only)
        return;
      }
      const expected = kubectlValue.get(names[i]) as Record<string, unknown>;
      if (parseErrors.length > 0 && STRICTER.some((construct) => construct.test(c.text))) {
        stricter++;
        return;
      }
      if (parseErrors.length > 0 || file.documents.length !== 1) {
        differences.push(
          `${c.origin}: kubectl reads it, meshlint reports ${parseErrors.map((p) => p.message).join(' / ') || `${file.documents.length} documents`}`,
        );
        return;
      }
      const actual = withLabel(file.documents[0].value);
      compared++;
      try {
        expect(actual).toStrictEqual(JSON.parse(JSON.stringify(expected)));
      } catch {
        differences.push(
          `${c.origin}: kubectl ${JSON.stringify(expected).slice(0, 300)}\n    meshlint ${JSON.stringify(actual).slice(0, 300)}`,
        );
      }
    });
    return { compared, rejectedBoth, skipped, stricter, differences };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value as kubectl prints it after `label`: with the label added. */
function withLabel(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as { metadata?: { labels?: Record<string, string> | null } | null };
  copy.metadata ??= {};
  copy.metadata.labels ??= {};
  copy.metadata.labels[LABEL] = 'x';
  return copy;
}

/** Documents kubectl reads as objects of their own: ones with a kind, and not a List (which it expands). */
function isSingleObject(text: string): boolean {
  return (/^kind:\s*\S/m.test(text) && !/^kind:\s*["']?\w*List["']?\s*$/m.test(text)) || /^\s*\{/.test(text);
}

describe.skipIf(!hasKubectl)('meshlint reads manifests as kubectl does', () => {
  it('every document of the fixtures, a corpus sample and generated inputs', { timeout: 300_000 }, () => {
    const cases: Case[] = [];
    for (const path of manifestFiles('fixtures')) {
      documentTexts(readFileSync(path, 'utf8')).forEach(
        (text, k) => isSingleObject(text) && cases.push({ origin: `${path}#${k}`, text }),
      );
    }
    const corpus = corpusDir();
    if (corpus) {
      const files = manifestFiles(corpus).filter((f) => statSync(f).size < 512 * 1024);
      // A fixed sample: every 8th file.
      for (const path of files.filter((_, i) => i % 8 === 0)) {
        documentTexts(readFileSync(path, 'utf8')).forEach(
          (text, k) => isSingleObject(text) && cases.push({ origin: `${path}#${k}`, text }),
        );
      }
    } else {
      console.warn('kubectl-differential: ../shared/corpus not found; fixtures and generated inputs only.');
    }
    for (const [name, text] of Object.entries(handWritten())) {
      documentTexts(text).forEach((doc, k) => cases.push({ origin: `generated ${name}#${k}`, text: doc }));
    }
    fc.sample(manifestArbitrary, { numRuns: 400, seed: 11 }).forEach((text, k) =>
      cases.push({ origin: `arbitrary #${k}:\n${text}`, text }),
    );

    const verdict = compare(cases);
    console.log(
      `kubectl-differential: ${cases.length} documents; ${verdict.compared} values equal to kubectl's, ${verdict.rejectedBoth} rejected by both, ${verdict.skipped} not compared (rejected by kubectl after reading: no kind, typed fields; a template; a CRD), ${verdict.stricter} rejected by meshlint only (known, see STRICTER), ${verdict.differences.length} differences`,
    );
    expect(verdict.differences).toEqual([]);
    expect(verdict.compared).toBeGreaterThan(500);
  });

  it('cuts whole files into the documents kubectl reads', { timeout: 120_000 }, () => {
    // Whole files, one kubectl call each: the number and values of the documents, or a parse-error where kubectl
    // stops reading.
    for (const [name, text] of Object.entries({ ...handWritten(), ...encodedFiles() })) {
      const dir = mkdtempSync(join(tmpdir(), 'meshlint-kubectl-'));
      try {
        const path = join(dir, name);
        writeFileSync(path, text);
        const run = spawnSync('kubectl', ['label', '--local', '-f', path, `${LABEL}=x`, '-o', 'json'], {
          encoding: 'utf8',
        });
        const file = parseSource(name, Buffer.from(text));
        const objects = splitJsonObjects(run.stdout);
        const readingError =
          run.status !== 0 &&
          /error converting YAML to JSON|error parsing|invalid Yaml document separator|json: |yaml: /.test(
            run.stderr,
          ) &&
          !/unable to decode/.test(run.stderr);
        const values = file.documents.filter((d) => d.value !== undefined).map((d) => withLabel(d.value));
        // Every object kubectl printed before it stopped is a document meshlint read the same way.
        expect(values.slice(0, objects.length), name).toStrictEqual(objects);
        if (readingError)
          expect(
            file.problems.some((p) => p.code === 'parse-error'),
            `${name}: ${run.stderr}`,
          ).toBe(true);
        else if (run.status === 0) expect(values.length, name).toBe(objects.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
