// Which documents get the full secret heuristics: manifests meshlint reads (any resource in the document), and Kong
// decK files, Envoy bootstraps and kustomizations recognised by shape (their readers may not exist yet, and a
// kustomization need not declare apiVersion/kind). Everything else (CI workflows, compose files, Helm values) is not
// meshlint's: only provider patterns are reported there.
import type { DocumentRef, Graph } from '../model/graph.js';
import { MANIFEST_SHAPE } from '../model/unclaimed.js';
import { isObj } from '../model/values.js';
import { type SourceDocument, sliceReading } from '../parse/source.js';
import { type DetectOptions, type Detection, detectSecrets } from './detect.js';
import { mayHoldProviderToken } from './prefilter.js';

const {
  deckKeys: DECK_KEYS,
  kongEntityKeys: KONG_ENTITY_KEYS,
  envoyKeys: ENVOY_KEYS,
  kustomizeKeys: KUSTOMIZE_KEYS,
} = MANIFEST_SHAPE;

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
  if (
    keys.length > 0 &&
    keys.every((k) => (KONG_ENTITY_KEYS as readonly string[]).includes(k) && Array.isArray(value[k]))
  )
    return true; // decK without _format_version (compose has a services *map*)
  if (ENVOY_KEYS.some((k) => isObj(value[k])) || (isObj(value.admin) && 'address' in value.admin)) return true;
  if (typeof value['@type'] === 'string' && value['@type'].includes('envoy')) return true;
  if (Array.isArray(value.resources) && value.resources.some((r) => isObj(r) && typeof r['@type'] === 'string'))
    return true; // Envoy xDS files
  if (KUSTOMIZE_KEYS.some((k) => k in value) || MANIFEST_SHAPE.kustomizationFile.test(ref.file.path)) return true;
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
  if (!mayFindIn(text, opts)) return NOTHING;
  if (!opts.memo) return detectSecrets(document.value, opts);
  return opts.memo.document(`${opts.mode} ${reading}`, text, () => detectSecrets(document.value, opts));
}

const NOTHING: readonly Detection[] = Object.freeze([]);

/**
 * Whether a document read from this text could hold a finding. In a foreign document provider tokens are all that is
 * looked for, and one scan of the text tells (see prefilter.ts). Manifests are always walked: the test that would
 * skip one (no secret word, context kind or high-entropy run anywhere in its text) skips half of the corpus's
 * documents, but costs more than the walks it saves.
 */
function mayFindIn(text: string, opts: DetectOptions): boolean {
  return opts.mode !== 'foreign' || mayHoldProviderToken(text);
}
