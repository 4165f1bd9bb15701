// Builds a kustomization the way `kustomize build` does (v5): resources (files, directories built first),
// components, generators, then the built-in transformers in kustomize's order (strategic-merge patches, patches,
// namespace, prefix and suffix, labels, annotations, JSON 6902 patches, replicas, images); at the top, hash
// suffixes on generated objects and references to renamed objects. Everything built remembers its origin.
import { basename, join, resolve } from 'node:path';
import { compileUserPattern, type UserPattern } from '../engine/pattern.js';
import { parseEmbedded } from '../parse/embedded.js';
import type { SourceDocument, SourceFile } from '../parse/source.js';
import { CLUSTER_SCOPED, splitApiVersion } from '../model/kubernetes/reader.js';
import {
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  METADATA_LABELS,
  visitMaps,
  visitScalars,
  type FieldSpec,
} from './fields.js';
import { kustomizeHash } from './hash.js';
import { applyJsonPatch, JsonPatchError, type PatchOperation } from './json-patch.js';
import { strategicMerge } from './merge.js';
import { REFERENCES } from './references.js';
import { child, clone, ensureMap, isMapNode, originOf, put, remove, trace, type Origin } from './traced.js';

import { KUSTOMIZATION_NAMES } from './names.js';

/** What a build needs from outside: parsed files (from the scan when it has them) and plain text (env files). */
export interface BuildHost {
  /** A YAML or JSON file, parsed; a string says why it cannot be. */
  yaml(absolute: string): SourceFile | string;
  text(absolute: string): string | undefined;
  isDirectory(absolute: string): boolean;
  isFile(absolute: string): boolean;
}

export interface BuiltObject {
  /** The object, as kustomize outputs it; every node's origin is recorded (see traced.ts). */
  readonly body: Record<string, unknown>;
  /** Where the object as a whole was written (its document in a resource file, or its generator entry). */
  readonly origin: Origin;
  originalName: string;
  originalNamespace: string;
  /** Names it had before the current one (prefixes and suffixes of the kustomizations that built it). */
  previousNames: string[];
  /** Generated with a content-hash name suffix still to be added at the top of the build. */
  needsHash?: boolean;
}

export interface BuildNotice {
  /** Absolute path of the file the notice is about. */
  readonly file: string;
  readonly message: string;
}

/** Fields this builder does not apply: a notice each, the rest of the kustomization is still built. */
const UNSUPPORTED = [
  'replacements',
  'vars',
  'helmCharts',
  'helmGlobals',
  'helmChartInflationGenerator',
  'transformers',
  'generators',
  'validators',
  'configurations',
  'crds',
  'openapi',
  'buildMetadata',
  'patchesJson6902Inline',
];
const KNOWN = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'replicas',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'sortOptions',
  ...UNSUPPORTED,
]);

export class BuildError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

interface Kustomization {
  readonly dir: string;
  readonly file: SourceFile;
  readonly document: SourceDocument;
  readonly value: Record<string, unknown>;
  readonly absolute: string;
}

const isRemote = (entry: string) =>
  /^(https?|git|ssh|file):\/\/|^git@|^github\.com\/|^gitlab\.com\/|^bitbucket\.org\/|\?ref=|\.git(\/\/|$)/.test(entry);

/** The kustomization file of a directory, by kustomize's names in its order of preference. */
function kustomizationFileIn(host: BuildHost, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const candidate = join(dir, name);
    if (host.isFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Every local path the kustomization of `dir` lists under resources, bases and components (files too), resolved:
 * what a Builder's `listed` is made of.
 */
export function listedBy(host: BuildHost, dir: string): string[] {
  const absolute = kustomizationFileIn(host, dir);
  const file = absolute === undefined ? undefined : host.yaml(absolute);
  const value = typeof file === 'string' ? undefined : file?.documents[0]?.value;
  if (!isMapNode(value)) return [];
  return ['resources', 'bases', 'components'].flatMap((field) =>
    (Array.isArray(value[field]) ? (value[field] as unknown[]) : [])
      .filter((entry): entry is string => typeof entry === 'string' && !isRemote(entry))
      .map((entry) => resolve(dir, entry)),
  );
}

export class Builder {
  readonly notices: BuildNotice[] = [];
  /** Environment variables the builds read (env file lines without a value): they change what a build makes. */
  readonly environment = new Set<string>();
  /**
   * What the current build read: files (kustomizations, resources, patches, generator sources) and the
   * kustomization directories it includes as resources or components (those are not deployable roots).
   */
  #consumed = new Set<string>();
  #included = new Set<string>();
  readonly #readBy = new Map<string, { consumed: ReadonlySet<string>; included: ReadonlySet<string> }>();
  readonly #built = new Map<string, BuiltObject[]>();
  readonly #building = new Set<string>();
  readonly #noticed = new Set<string>();

  /**
   * @param listed Paths the scanned kustomizations list (see listedBy): a directory not among them is built once,
   * as a root, so its objects are handed over instead of kept for another build and copied (the copy kept was
   * garbage as large as the build's output). The memo is only a cache: a directory built again without it (one
   * listed only by a base outside the scan) is built the same.
   */
  constructor(
    readonly host: BuildHost,
    readonly listed?: ReadonlySet<string>,
  ) {}

  kustomizationFile(dir: string): string | undefined {
    return kustomizationFileIn(this.host, dir);
  }

  /** Builds a deployable root: the objects `kustomize build dir` outputs, and the files it read. */
  build(dir: string): { objects: BuiltObject[]; consumed: ReadonlySet<string>; included: ReadonlySet<string> } {
    this.#consumed = new Set();
    this.#included = new Set();
    const objects = this.#accumulate(dir);
    for (const object of objects) {
      if (!object.needsHash) continue;
      const metadata = object.body.metadata as Record<string, unknown>;
      put(metadata, 'name', `${metadata.name}-${kustomizeHash(object.body)}`, originOf(metadata, 'name'));
    }
    fixReferences(objects);
    return { objects, consumed: this.#consumed, included: this.#included };
  }

  #notice(file: string, message: string): void {
    const key = `${file}\0${message}`;
    if (this.#noticed.has(key)) return;
    this.#noticed.add(key);
    this.notices.push({ file, message });
  }

  #load(dir: string, asComponent: boolean): Kustomization {
    const absolute = this.kustomizationFile(dir);
    if (!absolute) throw new BuildError(`no kustomization.yaml in ${dir}`);
    this.#consumed.add(absolute);
    const file = this.host.yaml(absolute);
    if (typeof file === 'string') throw new BuildError(file, absolute);
    const document = file.documents[0];
    if (!document || !isMapNode(document.value)) throw new BuildError('the kustomization is not a mapping', absolute);
    const value = document.value;
    if (asComponent !== (value.kind === 'Component')) {
      throw new BuildError(
        asComponent ? 'a component must have kind: Component' : 'kind: Component is only allowed under components',
        absolute,
      );
    }
    for (const key of Object.keys(value)) {
      if (UNSUPPORTED.includes(key))
        this.#notice(
          absolute,
          `kustomize field "${key}" is not supported by meshlint: the objects built here are linted without it`,
        );
      else if (!KNOWN.has(key)) this.#notice(absolute, `unknown kustomize field "${key}" ignored`);
    }
    return { dir, file, document, value, absolute };
  }

  /** The objects a kustomization directory contributes as a resource (built fully, without hashes). */
  #accumulate(dir: string): BuiltObject[] {
    const known = this.#built.get(dir);
    if (known) {
      const read = this.#readBy.get(dir)!;
      for (const file of read.consumed) this.#consumed.add(file);
      for (const included of read.included) this.#included.add(included);
      return known.map(cloneObject);
    }
    if (this.#building.has(dir)) throw new BuildError(`cycle: ${dir} includes itself`);
    this.#building.add(dir);
    const outer = { consumed: this.#consumed, included: this.#included };
    this.#consumed = new Set();
    this.#included = new Set();
    try {
      const k = this.#load(dir, false);
      const objects: BuiltObject[] = [];
      this.#accumulateTarget(k, objects);
      if (this.listed && !this.listed.has(dir)) return objects;
      this.#built.set(dir, objects);
      this.#readBy.set(dir, { consumed: this.#consumed, included: this.#included });
      return objects.map(cloneObject);
    } finally {
      for (const file of this.#consumed) outer.consumed.add(file);
      for (const included of this.#included) outer.included.add(included);
      this.#consumed = outer.consumed;
      this.#included = outer.included;
      this.#building.delete(dir);
    }
  }

  #accumulateTarget(k: Kustomization, objects: BuiltObject[]): void {
    const v = k.value;
    const origin = (path: (string | number)[]): Origin => ({ file: k.file, document: k.document, path });
    const entries = (field: string) => (Array.isArray(v[field]) ? (v[field] as unknown[]) : []);
    for (const field of ['resources', 'bases']) {
      entries(field).forEach((entry, i) => {
        if (typeof entry !== 'string') return;
        if (isRemote(entry)) {
          this.#notice(k.absolute, `remote resource "${entry}" is not fetched: the objects it adds are not linted`);
          return;
        }
        const target = resolve(k.dir, entry);
        if (this.host.isDirectory(target)) {
          if (!this.kustomizationFile(target))
            throw new BuildError(`resource directory ${entry} has no kustomization.yaml`, k.absolute);
          this.#included.add(target);
          objects.push(...this.#accumulate(target));
        } else if (this.host.isFile(target)) {
          objects.push(...this.#readResources(target));
        } else {
          throw new BuildError(`resource ${entry} (${field}[${i}]) does not exist`, k.absolute);
        }
      });
    }
    entries('components').forEach((entry) => {
      if (typeof entry !== 'string') return;
      if (isRemote(entry)) {
        this.#notice(k.absolute, `remote component "${entry}" is not fetched: what it changes is not linted`);
        return;
      }
      const target = resolve(k.dir, entry);
      if (!this.host.isDirectory(target)) throw new BuildError(`component ${entry} is not a directory`, k.absolute);
      this.#included.add(target);
      if (this.#building.has(target)) throw new BuildError(`cycle: ${target} includes itself`);
      this.#building.add(target);
      try {
        this.#accumulateTarget(this.#load(target, true), objects);
      } finally {
        this.#building.delete(target);
      }
    });
    this.#generate(k, objects, origin);
    this.#transform(k, objects, origin);
  }

  #readResources(absolute: string): BuiltObject[] {
    this.#consumed.add(absolute);
    const file = this.host.yaml(absolute);
    if (typeof file === 'string') throw new BuildError(file, absolute);
    const out: BuiltObject[] = [];
    for (const document of file.documents) {
      const value = document.value;
      if (value === undefined || value === null) continue;
      if (!isMapNode(value)) throw new BuildError('a resource document is not a mapping', absolute);
      const add = (item: unknown, path: (string | number)[]) => {
        if (!isMapNode(item)) return;
        const origin: Origin = { file, document, path };
        const body = trace(item, origin) as Record<string, unknown>;
        const metadata = isMapNode(body.metadata) ? body.metadata : {};
        // As kustomize, which clears null or empty annotations (nothing else: `labels: null` stays).
        if (
          metadata.annotations === null ||
          (isMapNode(metadata.annotations) && Object.keys(metadata.annotations).length === 0)
        )
          remove(metadata, 'annotations');
        out.push({
          body,
          origin,
          originalName: String(metadata.name ?? ''),
          originalNamespace: String(metadata.namespace ?? ''),
          previousNames: [],
        });
      };
      if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))
        value.items.forEach((item, i) => add(item, ['items', i]));
      else add(value, []);
    }
    return out;
  }

  // --- generators -------------------------------------------------------------------------------------------

  #generate(k: Kustomization, objects: BuiltObject[], origin: (path: (string | number)[]) => Origin): void {
    const options = isMapNode(k.value.generatorOptions) ? k.value.generatorOptions : {};
    for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
      const list = Array.isArray(k.value[field]) ? (k.value[field] as unknown[]) : [];
      list.forEach((entry, i) => {
        if (!isMapNode(entry)) return;
        const at = origin([field, i]);
        const generated = this.#generated(k, field, entry, at, options);
        const behavior = typeof entry.behavior === 'string' ? entry.behavior : 'create';
        const namespace = typeof entry.namespace === 'string' ? entry.namespace : '';
        const kind = field === 'configMapGenerator' ? 'ConfigMap' : 'Secret';
        const existing = objects.findIndex(
          (o) =>
            o.body.kind === kind &&
            o.originalName === generated.originalName &&
            (namespace === '' || o.originalNamespace === namespace || namespaceOf(o) === namespace),
        );
        if (behavior === 'create') {
          if (existing >= 0)
            throw new BuildError(
              `${kind} ${generated.originalName} already exists; use behavior: merge or replace`,
              k.absolute,
            );
          objects.push(generated);
        } else if (existing < 0) {
          throw new BuildError(`${kind} ${generated.originalName} to ${behavior} does not exist`, k.absolute);
        } else if (behavior === 'replace' || behavior === 'merge') {
          objects[existing] = replaceGenerated(objects[existing], generated, behavior === 'merge');
        } else {
          throw new BuildError(`unknown generator behavior "${behavior}"`, k.absolute);
        }
      });
    }
  }

  #generated(
    k: Kustomization,
    field: 'configMapGenerator' | 'secretGenerator',
    entry: Record<string, unknown>,
    at: Origin,
    globalOptions: Record<string, unknown>,
  ): BuiltObject {
    const isSecret = field === 'secretGenerator';
    const name = typeof entry.name === 'string' ? entry.name : '';
    if (!name) throw new BuildError(`${field} entry without a name`, k.absolute);
    const data: Record<string, unknown> = {};
    const dataOrigins: Record<string, Origin> = {};
    const set = (key: string, value: string, origin: Origin) => {
      data[key] = isSecret ? encodeBase64(value) : value;
      dataOrigins[key] = origin;
    };
    const literals = Array.isArray(entry.literals) ? entry.literals : [];
    literals.forEach((literal, i) => {
      if (typeof literal !== 'string') return;
      const eq = literal.indexOf('=');
      if (eq <= 0) throw new BuildError(`literal "${literal.slice(0, 40)}" is not KEY=VALUE`, k.absolute);
      const value = unquote(literal.slice(eq + 1));
      // The value's characters in the literal (after `KEY=` and an opening quote): a finding on it is shown there.
      const start = eq + 1 + (value.length < literal.length - eq - 1 ? 1 : 0);
      set(literal.slice(0, eq), value, {
        file: k.file,
        document: k.document,
        path: [...at.path, 'literals', i],
        span: [start, start + value.length],
      });
    });
    const envs = [
      ...(typeof entry.env === 'string' ? [entry.env] : []),
      ...(Array.isArray(entry.envs) ? entry.envs : []),
    ];
    envs.forEach((env, i) => {
      if (typeof env !== 'string') return;
      const absolute = resolve(k.dir, env);
      const text = this.host.text(absolute);
      if (text === undefined) throw new BuildError(`env file ${env} cannot be read`, k.absolute);
      this.#consumed.add(absolute);
      const envOrigin =
        typeof entry.env === 'string' && i === 0
          ? child(at, 'env')
          : child(child(at, 'envs'), typeof entry.env === 'string' ? i - 1 : i);
      for (const line of text.split(/\r?\n/)) {
        const trimmed = line.replace(/^\s+/, '');
        if (trimmed === '' || trimmed.startsWith('#')) continue;
        const eq = trimmed.indexOf('=');
        if (eq < 0) {
          this.environment.add(trimmed.trim());
          const fromEnvironment = process.env[trimmed.trim()];
          if (fromEnvironment !== undefined) set(trimmed.trim(), fromEnvironment, envOrigin);
          continue;
        }
        set(trimmed.slice(0, eq), trimmed.slice(eq + 1), envOrigin);
      }
    });
    const files = Array.isArray(entry.files) ? entry.files : [];
    files.forEach((spec, i) => {
      if (typeof spec !== 'string') return;
      const eq = spec.indexOf('=');
      const key = eq > 0 ? spec.slice(0, eq) : basename(spec);
      const path = eq > 0 ? spec.slice(eq + 1) : spec;
      const absolute = resolve(k.dir, path);
      const text = this.host.text(absolute);
      if (text === undefined) throw new BuildError(`file ${path} cannot be read`, k.absolute);
      this.#consumed.add(absolute);
      set(key, text, child(child(at, 'files'), i));
    });
    const entryOptions = isMapNode(entry.options) ? entry.options : {};
    const optionsAt = (key: string) =>
      key in entryOptions
        ? child(child(at, 'options'), key)
        : { file: k.file, document: k.document, path: ['generatorOptions', key] };
    const body: Record<string, unknown> = {};
    put(body, 'apiVersion', 'v1', at);
    put(body, 'kind', isSecret ? 'Secret' : 'ConfigMap', at);
    const metadata: Record<string, unknown> = {};
    put(body, 'metadata', metadata, at);
    put(metadata, 'name', name, child(at, 'name'));
    if (typeof entry.namespace === 'string') put(metadata, 'namespace', entry.namespace, child(at, 'namespace'));
    for (const key of ['labels', 'annotations']) {
      const merged: Record<string, unknown> = {};
      const origins: Record<string, Origin> = {};
      for (const [source, base] of [
        [globalOptions, ['generatorOptions', key]],
        [entryOptions, [...at.path, 'options', key]],
      ] as const) {
        if (!isMapNode(source[key])) continue;
        for (const [name, value] of Object.entries(source[key] as Record<string, unknown>)) {
          merged[name] = String(value);
          origins[name] = { file: k.file, document: k.document, path: [...base, name] };
        }
      }
      if (Object.keys(merged).length === 0) continue;
      const map: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(merged)) put(map, name, value, origins[name]);
      put(metadata, key, map, optionsAt(key));
    }
    if (Object.keys(data).length > 0 || !isSecret) {
      const map: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(data)) put(map, key, value, dataOrigins[key]);
      if (Object.keys(map).length > 0) put(body, 'data', map, at);
    }
    if (isSecret)
      put(
        body,
        'type',
        typeof entry.type === 'string' ? entry.type : 'Opaque',
        typeof entry.type === 'string' ? child(at, 'type') : at,
      );
    const immutable = entryOptions.immutable ?? globalOptions.immutable;
    if (immutable === true) put(body, 'immutable', true, optionsAt('immutable'));
    const disable = entryOptions.disableNameSuffixHash ?? globalOptions.disableNameSuffixHash;
    return {
      body,
      origin: at,
      originalName: name,
      originalNamespace: typeof entry.namespace === 'string' ? entry.namespace : '',
      previousNames: [],
      needsHash: disable !== true,
    };
  }

  // --- transformers -----------------------------------------------------------------------------------------

  #transform(k: Kustomization, objects: BuiltObject[], origin: (path: (string | number)[]) => Origin): void {
    const v = k.value;
    // Strategic-merge patches (patchesStrategicMerge: files or inline), then `patches`.
    if (Array.isArray(v.patchesStrategicMerge)) {
      v.patchesStrategicMerge.forEach((entry, i) => {
        for (const patch of this.#patchDocuments(k, entry, ['patchesStrategicMerge', i])) {
          if (!isMapNode(patch.value)) continue;
          this.#applySmp(objects, patch.value, undefined, k);
        }
      });
    }
    if (Array.isArray(v.patches)) {
      v.patches.forEach((entry, i) => {
        if (!isMapNode(entry)) return;
        const source =
          typeof entry.path === 'string' ? entry.path : typeof entry.patch === 'string' ? entry.patch : undefined;
        if (source === undefined) throw new BuildError(`patches[${i}] has neither path nor patch`, k.absolute);
        const docs = this.#patchDocuments(
          k,
          typeof entry.path === 'string' ? entry.path : { inline: ['patches', i, 'patch'] },
          ['patches', i],
        );
        const target = isMapNode(entry.target) ? entry.target : undefined;
        for (const patch of docs) {
          if (Array.isArray(patch.value)) {
            if (!target) throw new BuildError(`patches[${i}]: a JSON 6902 patch needs a target`, k.absolute);
            this.#applyJson(objects, target, operations(patch.value), k);
          } else if (isMapNode(patch.value)) {
            this.#applySmp(objects, patch.value, target, k);
          }
        }
      });
    }
    // namespace
    if (typeof v.namespace === 'string' && v.namespace !== '') {
      const at = origin(['namespace']);
      for (const object of objects) setNamespace(object.body, v.namespace, at);
    }
    // namePrefix / nameSuffix
    for (const [field, apply] of [
      ['namePrefix', (p: string, n: string) => p + n],
      ['nameSuffix', (s: string, n: string) => n + s],
    ] as const) {
      const affix = v[field];
      if (typeof affix !== 'string' || affix === '') continue;
      for (const object of objects) {
        if (object.body.kind === 'CustomResourceDefinition' || object.body.kind === 'Namespace') continue;
        const metadata = isMapNode(object.body.metadata) ? object.body.metadata : undefined;
        if (!metadata || typeof metadata.name !== 'string') continue;
        object.previousNames.push(metadata.name);
        put(metadata, 'name', apply(affix, metadata.name), originOf(metadata, 'name'));
      }
    }
    // labels, then commonLabels; commonAnnotations
    if (Array.isArray(v.labels)) {
      v.labels.forEach((entry, i) => {
        if (!isMapNode(entry) || !isMapNode(entry.pairs)) return;
        if (entry.fields !== undefined)
          this.#notice(
            k.absolute,
            `labels[${i}].fields is not supported by meshlint: those labels are applied to metadata only`,
          );
        const specs =
          entry.includeSelectors === true
            ? COMMON_LABELS
            : entry.includeTemplates === true
              ? METADATA_LABELS
              : METADATA_LABELS.slice(0, 1);
        applyPairs(objects, entry.pairs, specs, origin(['labels', i, 'pairs']));
      });
    }
    if (isMapNode(v.commonLabels)) applyPairs(objects, v.commonLabels, COMMON_LABELS, origin(['commonLabels']));
    if (isMapNode(v.commonAnnotations))
      applyPairs(objects, v.commonAnnotations, COMMON_ANNOTATIONS, origin(['commonAnnotations']));
    // patchesJson6902 (the older field)
    if (Array.isArray(v.patchesJson6902)) {
      v.patchesJson6902.forEach((entry, i) => {
        if (!isMapNode(entry) || !isMapNode(entry.target)) return;
        const docs = this.#patchDocuments(
          k,
          typeof entry.path === 'string' ? entry.path : { inline: ['patchesJson6902', i, 'patch'] },
          ['patchesJson6902', i],
        );
        for (const patch of docs)
          if (Array.isArray(patch.value)) this.#applyJson(objects, entry.target, operations(patch.value), k);
      });
    }
    // replicas
    if (Array.isArray(v.replicas)) {
      v.replicas.forEach((entry, i) => {
        if (!isMapNode(entry) || typeof entry.name !== 'string') return;
        for (const object of objects) {
          if (!['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].includes(String(object.body.kind)))
            continue;
          if (!nameMatches(object, entry.name)) continue;
          const spec = ensureMap(object.body, ['spec'], origin(['replicas', i]));
          put(spec, 'replicas', entry.count, origin(['replicas', i, 'count']));
        }
      });
    }
    // images
    if (Array.isArray(v.images)) {
      v.images.forEach((entry, i) => {
        if (!isMapNode(entry) || typeof entry.name !== 'string') return;
        const field = ['digest', 'newTag', 'newName'].find((f) => entry[f] !== undefined) ?? 'name';
        const at = origin(['images', i, field]);
        for (const object of objects) setImages(object.body, entry, at);
      });
    }
  }

  /** The documents of a patch: a file (parsed) or an inline string (parsed, located inside the kustomization). */
  #patchDocuments(k: Kustomization, entry: unknown, at: (string | number)[]): { value: unknown }[] {
    let file: SourceFile | undefined;
    if (typeof entry === 'string') {
      const inline = entry.includes('\n') || /^\s*[{[]/.test(entry) || entry.includes(': ');
      if (inline) {
        file = parseEmbedded(k.file, k.document, at);
      } else {
        const absolute = resolve(k.dir, entry);
        if (!this.host.isFile(absolute)) throw new BuildError(`patch ${entry} does not exist`, k.absolute);
        this.#consumed.add(absolute);
        const parsed = this.host.yaml(absolute);
        if (typeof parsed === 'string') throw new BuildError(parsed, absolute);
        file = parsed;
      }
    } else if (isMapNode(entry) && Array.isArray(entry.inline)) {
      file = parseEmbedded(k.file, k.document, entry.inline as (string | number)[]);
    }
    if (!file) throw new BuildError(`patch at ${at.join('.')} cannot be read`, k.absolute);
    if (file.problems.some((p) => p.code === 'parse-error'))
      throw new BuildError(`patch at ${at.join('.')} is not valid YAML`, k.absolute);
    return file.documents
      .filter((d) => d.value !== undefined && d.value !== null)
      .map((document) => ({ value: trace(document.value, { file: file!, document, path: [] }) }));
  }

  #applySmp(
    objects: BuiltObject[],
    patch: Record<string, unknown>,
    target: Record<string, unknown> | undefined,
    k: Kustomization,
  ): void {
    let selected: BuiltObject[];
    if (target) {
      selected = objects.filter((o) => selects(target, o));
    } else {
      const metadata = isMapNode(patch.metadata) ? patch.metadata : {};
      const name = typeof metadata.name === 'string' ? metadata.name : '';
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      selected = objects.filter(
        (o) =>
          o.body.kind === patch.kind &&
          nameMatches(o, name) &&
          (namespace === undefined || namespaceOf(o) === namespace || o.originalNamespace === namespace),
      );
      if (selected.length === 0)
        throw new BuildError(`patch for ${String(patch.kind)} ${name}: no such resource`, k.absolute);
    }
    for (const object of selected) {
      let body = patch;
      if (target) {
        // A targeted patch applies to each target whatever its own name and kind say.
        body = clone(patch);
        remove(body, 'apiVersion');
        remove(body, 'kind');
        if (isMapNode(body.metadata)) {
          remove(body.metadata, 'name');
          remove(body.metadata, 'namespace');
        }
      }
      const { group } = splitApiVersion(String(object.body.apiVersion ?? ''));
      if (!strategicMerge(object.body, body, { kind: String(object.body.kind), group })) {
        objects.splice(objects.indexOf(object), 1);
      }
    }
  }

  #applyJson(objects: BuiltObject[], target: Record<string, unknown>, ops: PatchOperation[], k: Kustomization): void {
    for (const object of objects.filter((o) => selects(target, o))) {
      try {
        applyJsonPatch(object.body, ops);
      } catch (error) {
        if (error instanceof JsonPatchError)
          throw new BuildError(
            `JSON patch on ${String(object.body.kind)} ${nameOf(object)}: ${error.message}`,
            k.absolute,
          );
        throw error;
      }
    }
  }
}

function operations(value: unknown[]): PatchOperation[] {
  return value.map((op, i) => {
    if (!isMapNode(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new BuildError(`JSON patch operation ${i} is not {op, path}`);
    return {
      op: op.op,
      path: op.path,
      from: typeof op.from === 'string' ? op.from : undefined,
      value: op.value,
      valueOrigin: originOf(op, 'value'),
      at: originOf(value, i),
    };
  });
}

function cloneObject(object: BuiltObject): BuiltObject {
  return { ...object, body: clone(object.body), previousNames: [...object.previousNames] };
}

function nameOf(object: BuiltObject): string {
  const metadata = isMapNode(object.body.metadata) ? object.body.metadata : {};
  return typeof metadata.name === 'string' ? metadata.name : '';
}

function namespaceOf(object: BuiltObject): string {
  const metadata = isMapNode(object.body.metadata) ? object.body.metadata : {};
  return typeof metadata.namespace === 'string' ? metadata.namespace : '';
}

function nameMatches(object: BuiltObject, name: string): boolean {
  return nameOf(object) === name || object.originalName === name || object.previousNames.includes(name);
}

const targetPatterns = new Map<string, UserPattern>();
/** kustomize matches targets with Go's regexp, which is RE2: so do we (compiled once per pattern). */
function targetPattern(source: string): UserPattern {
  let pattern = targetPatterns.get(source);
  if (!pattern) {
    const compiled = compileUserPattern(`^(?:${source})$`);
    if (!compiled.ok) throw new BuildError(`patch target: ${compiled.error}`);
    targetPatterns.set(source, (pattern = compiled.pattern));
  }
  return pattern;
}

/** A patch target: group, version, kind, name (a regular expression, anchored), namespace, label and annotation selectors. */
function selects(target: Record<string, unknown>, object: BuiltObject): boolean {
  const { group, version } = splitApiVersion(String(object.body.apiVersion ?? ''));
  const metadata = isMapNode(object.body.metadata) ? object.body.metadata : {};
  const matches = (pattern: unknown, value: string) => {
    if (typeof pattern !== 'string' || pattern === '') return true;
    return targetPattern(pattern).test(value);
  };
  if (
    !matches(target.group, group) ||
    !matches(target.version, version) ||
    !matches(target.kind, String(object.body.kind))
  )
    return false;
  if (
    typeof target.name === 'string' &&
    target.name !== '' &&
    !matches(target.name, nameOf(object)) &&
    !matches(target.name, object.originalName)
  )
    return false;
  if (!matches(target.namespace, namespaceOf(object))) return false;
  if (typeof target.labelSelector === 'string' && !selectorMatches(target.labelSelector, metadata.labels)) return false;
  if (
    typeof target.annotationSelector === 'string' &&
    !selectorMatches(target.annotationSelector, metadata.annotations)
  )
    return false;
  return true;
}

/** Label selector strings: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`, comma separated. */
export function selectorMatches(selector: string, labels: unknown): boolean {
  const map = isMapNode(labels) ? labels : {};
  const has = (key: string) => Object.hasOwn(map, key);
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    if (term === '') return true;
    let m = /^([^!=\s]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3].split(',').map((s) => s.trim());
      return m[2] === 'in'
        ? has(m[1]) && values.includes(String(map[m[1]]))
        : !has(m[1]) || !values.includes(String(map[m[1]]));
    }
    m = /^([^!=\s]+)\s*(==|=|!=)(.*)$/s.exec(term); // the value is trimmed below
    if (m)
      return m[2] === '!='
        ? String(map[m[1]]) !== m[3].trim() || !has(m[1])
        : has(m[1]) && String(map[m[1]]) === m[3].trim();
    if (term.startsWith('!')) return !has(term.slice(1).trim());
    return has(term);
  });
}

/**
 * An overlay's generator with behavior merge or replace (kustomize's CopyMergeMetaDataFieldsFrom): the new object
 * keeps the old one's name, namespace, hash option, labels and annotations under its own; merge keeps old data too.
 */
function replaceGenerated(old: BuiltObject, generated: BuiltObject, merge: boolean): BuiltObject {
  const body = generated.body;
  const metadata = body.metadata as Record<string, unknown>;
  const oldMetadata = isMapNode(old.body.metadata) ? old.body.metadata : {};
  for (const key of ['labels', 'annotations']) {
    const before = isMapNode(oldMetadata[key]) ? (oldMetadata[key] as Record<string, unknown>) : {};
    const after = isMapNode(metadata[key]) ? (metadata[key] as Record<string, unknown>) : {};
    if (Object.keys(before).length + Object.keys(after).length === 0) continue;
    put(metadata, key, mergedMap(before, after), originOf(metadata, key) ?? originOf(oldMetadata, key));
  }
  for (const key of ['name', 'namespace']) {
    if (oldMetadata[key] === undefined) remove(metadata, key);
    else put(metadata, key, oldMetadata[key], originOf(oldMetadata, key));
  }
  if (merge) {
    for (const key of ['data', 'binaryData']) {
      const before = isMapNode(old.body[key]) ? (old.body[key] as Record<string, unknown>) : undefined;
      if (!before) continue;
      const after = isMapNode(body[key]) ? (body[key] as Record<string, unknown>) : {};
      put(body, key, mergedMap(before, after), originOf(body, key) ?? originOf(old.body, key));
    }
  }
  return {
    body,
    origin: old.origin,
    originalName: old.originalName,
    originalNamespace: old.originalNamespace,
    previousNames: [...old.previousNames],
    needsHash: old.needsHash,
  };
}

/** kyaml's base64 for generated Secrets: lines of 70 characters, each ending in a newline once there are two or more. */
export function encodeBase64(value: string): string {
  const encoded = Buffer.from(value, 'utf8').toString('base64');
  const lines = Math.floor(encoded.length / 70) + 1;
  if (lines === 1) return encoded;
  // Joined once: appended line by line, the value (kept with the Secret) was a chain of two pieces per line.
  const pieces: string[] = [];
  for (let i = 0; i < encoded.length; i += 70) pieces.push(encoded.slice(i, i + 70), '\n');
  return pieces.join('');
}

function unquote(value: string): string {
  if (
    value.length >= 2 &&
    ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
  )
    return value.slice(1, -1);
  return value;
}

function setNamespace(body: Record<string, unknown>, namespace: string, at: Origin): void {
  const kind = String(body.kind);
  if (!CLUSTER_SCOPED.has(kind)) {
    const metadata = ensureMap(body, ['metadata'], at);
    put(metadata, 'namespace', namespace, at);
  }
  // Bindings of ServiceAccounts in the default namespace follow them into the new one (kustomize's defaultOnly).
  if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && Array.isArray(body.subjects)) {
    for (const subject of body.subjects) {
      if (!isMapNode(subject) || subject.kind !== 'ServiceAccount') continue;
      if (subject.namespace === undefined || subject.namespace === 'default') put(subject, 'namespace', namespace, at);
    }
  }
}

function applyPairs(
  objects: BuiltObject[],
  pairs: Record<string, unknown>,
  specs: readonly FieldSpec[],
  at: Origin,
): void {
  for (const object of objects) {
    for (const spec of specs) {
      visitMaps(object.body, spec, at, (map) => {
        for (const [key, value] of Object.entries(pairs))
          put(map, key, value === null ? '' : String(value), child(at, key));
      });
    }
  }
}

/** kustomize's image.Split: name, tag and digest (a registry port is not a tag). */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = Math.max(slash, 0);
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0))
    return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at + 1) };
  if (at >= 0 && colon >= 0)
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon + 1, offset + at),
      digest: image.slice(offset + at + 1),
    };
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: '' };
}

function setImages(node: unknown, entry: Record<string, unknown>, at: Origin): void {
  if (Array.isArray(node)) {
    for (const item of node) setImages(item, entry, at);
    return;
  }
  if (!isMapNode(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value) {
        if (!isMapNode(container) || typeof container.image !== 'string') continue;
        const parts = splitImage(container.image);
        if (parts.name !== entry.name) continue;
        let { name, tag, digest } = parts;
        if (typeof entry.newName === 'string' && entry.newName !== '') name = entry.newName;
        const newTag = entry.newTag === undefined || entry.newTag === null ? '' : String(entry.newTag);
        const newDigest = typeof entry.digest === 'string' ? entry.digest : '';
        if (newTag && newDigest) [tag, digest] = [newTag, newDigest];
        else if (newTag) [tag, digest] = [newTag, ''];
        else if (newDigest) [tag, digest] = ['', newDigest];
        put(container, 'image', `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`, at);
      }
    }
    setImages(value, entry, at);
  }
}

const REFERENCES_BY_REFERRER = new Map<string, (typeof REFERENCES)[number][]>();
for (const reference of REFERENCES) {
  const list = REFERENCES_BY_REFERRER.get(reference.referrer) ?? [];
  list.push(reference);
  REFERENCES_BY_REFERRER.set(reference.referrer, list);
}

/** References to objects that were renamed (prefix, suffix, hash) follow them, as kustomize's name references do. */
function fixReferences(objects: BuiltObject[]): void {
  const renamed = objects.filter((o) => nameOf(o) !== o.originalName);
  if (renamed.length === 0) return;
  for (const referrer of objects) {
    for (const reference of REFERENCES_BY_REFERRER.get(String(referrer.body.kind)) ?? []) {
      visitScalars(referrer.body, reference.path, (value) => {
        const target = renamed.find(
          (o) =>
            o.body.kind === reference.kind &&
            o.originalName === value &&
            (CLUSTER_SCOPED.has(reference.kind) || namespaceOf(o) === namespaceOf(referrer)),
        );
        return target ? nameOf(target) : undefined;
      });
    }
    // RoleBinding subjects name ServiceAccounts (and their namespace).
    if (
      (referrer.body.kind === 'RoleBinding' || referrer.body.kind === 'ClusterRoleBinding') &&
      Array.isArray(referrer.body.subjects)
    ) {
      for (const subject of referrer.body.subjects) {
        if (!isMapNode(subject) || subject.kind !== 'ServiceAccount' || typeof subject.name !== 'string') continue;
        const target = renamed.find(
          (o) =>
            o.body.kind === 'ServiceAccount' &&
            o.originalName === subject.name &&
            (subject.namespace === undefined || namespaceOf(o) === subject.namespace),
        );
        if (target) put(subject, 'name', nameOf(target), originOf(subject, 'name'));
      }
    }
  }
}

/** `before` with `after` written over it, each value keeping the origin it had in its own map. */
function mergedMap(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const from of [before, after]) for (const [k, v] of Object.entries(from)) put(map, k, v, originOf(from, k));
  return map;
}
