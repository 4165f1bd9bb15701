// Which documents get the full secret heuristics: manifests meshlint reads (any resource in the document), and Kong
// decK files, Envoy bootstraps and kustomizations recognised by shape (their readers may not exist yet, and a
// kustomization need not declare apiVersion/kind). Everything else (CI workflows, compose files, Helm values) is not
// meshlint's: only provider patterns are reported there.
import type { DocumentRef, Graph } from '../model/graph.js';
import { isObj } from '../model/values.js';
import { type SourceDocument, sliceReading } from '../parse/source.js';
import { type DetectOptions, type Detection, detectSecrets } from './detect.js';
import { hasProviderCandidate } from './providers.js';

const DECK_KEYS = ['_format_version', '_transform', '_konnect', '_workspace'];
const KONG_ENTITY_KEYS = [
  'consumers',
  'services',
  'routes',
  'plugins',
  'upstreams',
  'certificates',
  'vaults',
  'consumer_groups',
];
const ENVOY_KEYS = ['static_resources', 'dynamic_resources', 'layered_runtime'];
const KUSTOMIZE_KEYS = [
  'secretGenerator',
  'configMapGenerator',
  'generatorOptions',
  'patchesStrategicMerge',
  'namePrefix',
  'commonLabels',
];

export function isManifestDocument(graph: Graph, ref: DocumentRef): boolean {
  const withResources = graph.memo(
    'secrets:documentsWithResources',
    (g) => new Set<SourceDocument>(g.resources.map((r) => r.source.document)),
  );
  if (withResources.has(ref.document)) return true;
  const value = ref.document.value;
  if (!isObj(value)) return false;
  if (DECK_KEYS.some((k) => k in value)) return true;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => KONG_ENTITY_KEYS.includes(k) && Array.isArray(value[k]))) return true; // decK without _format_version (compose has a services *map*)
  if (ENVOY_KEYS.some((k) => isObj(value[k])) || (isObj(value.admin) && 'address' in value.admin)) return true;
  if (typeof value['@type'] === 'string' && value['@type'].includes('envoy')) return true;
  if (Array.isArray(value.resources) && value.resources.some((r) => isObj(r) && typeof r['@type'] === 'string'))
    return true; // Envoy xDS files
  if (KUSTOMIZE_KEYS.some((k) => k in value) || /(?:^|\/)kustomization\.ya?ml$/.test(ref.file.path)) return true;
  return false;
}

/**
 * detectSecrets on a document's value. A document whose value follows from its own text is remembered by that text,
 * its reading (lean YAML or strict JSON) and the mode: the same text read the same way is the same value, so a
 * manifest copied into several places (vendored charts, examples, kustomize bases) is read once per run. Other
 * documents (built by a kustomization, read by the YAML library, rebuilt from a thread) are always read.
 */
export function documentSecrets(ref: DocumentRef, opts: DetectOptions): readonly Detection[] {
  const { document, file } = ref;
  const reading = document.end > document.start ? sliceReading(file, document) : undefined;
  if (!reading) return detectSecrets(document.value, opts);
  const text = file.text.slice(document.start, document.end);
  if (opts.mode === 'foreign' && !mayHoldProviderToken(text)) return NOTHING;
  if (!opts.memo) return detectSecrets(document.value, opts);
  return opts.memo.document(`${opts.mode} ${reading}`, text, () => detectSecrets(document.value, opts));
}

const NOTHING: readonly Detection[] = Object.freeze([]);

/**
 * A document read from its own text can hold a provider token only if that text holds a candidate prefix, or a
 * backslash: an escape in a double-quoted scalar (or in JSON) can spell a prefix (`\u0067hp_`) or join the lines of one
 * token. The other ways a value differs from its text cannot make one: folding joins lines with a space or a line
 * break, which no token holds, and a single-quoted scalar's `''` becomes `'`, which no prefix holds. In a foreign
 * document (not a manifest) provider tokens are all that is looked for: without one, the walk is skipped.
 */
export function mayHoldProviderToken(text: string): boolean {
  return text.includes('\\') || hasProviderCandidate(text);
}
