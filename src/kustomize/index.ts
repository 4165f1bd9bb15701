// The seam between a scan and kustomize: finds the kustomizations among the scanned files, builds every
// deployable root (one that no other scanned kustomization includes), and hands the engine one graph of built
// objects per root, plus the files those builds consumed (linted only as part of the objects they build).
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lineCounterOf, parseSource, type SourceDocument, type SourceFile } from '../parse/source.js';
import type { Path } from '../model/values.js';
import { BuildError, Builder, listedBy, type BuildHost, type BuiltObject } from './build.js';
import { originAt } from './traced.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import type { BuiltGraph, Notice } from '../engine/run.js';
import { pathMessage } from '../engine/message.js';

export interface KustomizeOutcome {
  readonly builds: readonly BuiltGraph[];
  /** Files of the scan (and files read for the builds) that builds consumed: not linted on their own. */
  readonly consumed: ReadonlySet<SourceFile>;
  /** YAML files the builds read that the scan did not discover (a base outside the scanned paths). */
  readonly extraFiles: readonly SourceFile[];
  readonly notices: readonly Notice[];
  /**
   * Absolute paths of every file outside the scan the builds read or looked for (for the --cache: a change to any of
   * them, or one appearing, is a change).
   */
  readonly inputs: readonly string[];
  /** Environment variables the builds read (sorted): a change to any of them is a change too. */
  readonly environment: readonly string[];
}

export interface KustomizeOptions {
  readonly cwd: string;
  /** Paths shown to users, from absolute paths. */
  readonly display: (absolute: string) => string;
  readonly maxFileBytes: number;
}

import { isKustomizationFile } from './names.js';

export { isKustomizationFile };

export function buildKustomizations(files: readonly SourceFile[], options: KustomizeOptions): KustomizeOutcome {
  const byAbsolute = new Map(files.map((file) => [resolve(options.cwd, file.path), file]));
  const roots = [...byAbsolute.keys()]
    .filter(isKustomizationFile)
    .map((path) => dirname(path))
    .sort();
  if (roots.length === 0)
    return { builds: [], consumed: new Set(), extraFiles: [], notices: [], inputs: [], environment: [] };
  const extra = new Map<string, SourceFile | string>();
  // Every path outside the scan a build looked at, found or not: a file that appears later changes the build.
  const looked = new Set<string>();
  const look = (absolute: string) => {
    if (!byAbsolute.has(absolute)) looked.add(absolute);
    return absolute;
  };
  const statOf = statCache();
  const host: BuildHost = {
    yaml(absolute) {
      look(absolute);
      const known = byAbsolute.get(absolute) ?? extra.get(absolute);
      if (known) return known;
      let parsed: SourceFile | string;
      try {
        const stats = statSync(absolute);
        parsed =
          stats.size > options.maxFileBytes
            ? `larger than ${options.maxFileBytes} bytes`
            : parseSource(options.display(absolute), readFileSync(absolute), MANIFEST_PARSE_OPTIONS);
      } catch (error) {
        parsed = `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`;
      }
      extra.set(absolute, parsed);
      return parsed;
    },
    text(absolute) {
      try {
        return readFileSync(look(absolute), 'utf8');
      } catch {
        return undefined;
      }
    },
    isDirectory: (absolute) => statOf(look(absolute))?.isDirectory() ?? false,
    isFile: (absolute) => statOf(look(absolute))?.isFile() ?? false,
  };
  const builder = new Builder(host, new Set(roots.flatMap((root) => listedBy(host, root))));
  const notices: Notice[] = [];
  const built = new Map<string, ReturnType<Builder['build']>>();
  const components: string[] = [];
  for (const root of roots) {
    const kustomization = host.yaml(builder.kustomizationFile(root) ?? '');
    if (typeof kustomization !== 'string' && isComponent(kustomization)) {
      components.push(root);
      continue;
    }
    try {
      built.set(root, builder.build(root));
    } catch (error) {
      // Its files stay plain manifests (linted as before), so nothing goes unlinted silently.
      const at = (error instanceof BuildError && error.file) || builder.kustomizationFile(root) || root;
      const reason =
        error instanceof BuildError
          ? error.message
          : `internal error: ${(error as Error)?.message ?? error}; please report this`;
      notices.push({
        file: options.display(at),
        kind: 'kustomize',
        ...pathMessage(
          'kustomization ',
          { path: options.display(root) || '.' },
          ` could not be built (${reason}): its files are linted as plain manifests`,
        ),
      });
    }
  }
  const included = new Set([...built.values()].flatMap((b) => [...b.included]));
  for (const root of components) {
    if (!included.has(root))
      notices.push({
        file: options.display(builder.kustomizationFile(root)!),
        kind: 'kustomize',
        message: 'a kustomize component that no scanned kustomization includes is not linted',
      });
  }
  for (const notice of builder.notices)
    notices.push({ file: options.display(notice.file), kind: 'kustomize', message: notice.message });

  const builds: BuiltGraph[] = [];
  const consumed = new Set<SourceFile>();
  for (const [root, { objects, consumed: read }] of built) {
    for (const absolute of read) {
      const file = byAbsolute.get(absolute) ?? extra.get(absolute);
      if (file && typeof file !== 'string') consumed.add(file);
    }
    if (included.has(root)) continue;
    const kustomization = host.yaml(builder.kustomizationFile(root)!) as SourceFile;
    builds.push({
      name: options.display(root) || '.',
      file: builtFile(kustomization.path, objects),
      definedIn: { file: kustomization, document: kustomization.documents[0] },
    });
  }
  const extraFiles = [...extra.values()].filter((f): f is SourceFile => typeof f !== 'string');
  // The scanned files are keyed by the scan itself.
  const inputs = [...new Set([...looked, ...[...built.values()].flatMap((b) => [...b.consumed])])]
    .filter((absolute) => !byAbsolute.has(absolute))
    .sort();
  return { builds, consumed, extraFiles, notices, inputs, environment: [...builder.environment].sort() };
}

/** stat, remembered for one scan (bases are looked at by every overlay). */
function statCache(): (absolute: string) => ReturnType<typeof statSync> | undefined {
  const stats = new Map<string, ReturnType<typeof statSync> | undefined>();
  return (absolute) => {
    if (!stats.has(absolute)) {
      try {
        stats.set(absolute, statSync(absolute));
      } catch {
        stats.set(absolute, undefined);
      }
    }
    return stats.get(absolute);
  };
}

function isComponent(file: SourceFile): boolean {
  const value = file.documents[0]?.value as { kind?: unknown } | undefined;
  return value?.kind === 'Component';
}

/** An in-memory file whose documents are built objects; each traces its paths back to where they were written. */
function builtFile(path: string, objects: readonly BuiltObject[]): SourceFile {
  const documents = objects.map(
    (object, index): SourceDocument => ({
      index,
      value: object.body,
      start: 0,
      end: 0,
      get ast(): never {
        throw new Error('a built object has no syntax tree of its own; locate it through trace()');
      },
      trace: (path: Path) => originAt(object.body, object.origin, path),
    }),
  );
  return { path, text: '', lineCounter: lineCounterOf(''), documents, problems: [] };
}
