// Documents no format reader claims (Helm values, CI workflows, any YAML) are still read, through Graph.documents, by
// a few: the secret rules (every string; in files shaped like a manifest, numbers under secret names too), the mesh
// config and Linkerd models (Helm values files, by a top-level key). Each of them looks for a top-level key named here
// or for a string. A document that holds neither is read by nobody, and the parser need not keep it (issue 13: a file
// of a million tiny documents kept a million objects, twice the memory budget). A new reader of Graph.documents names
// its keys here (test/unclaimed-documents.test.ts fails until it does).
import { ENVOY_RECOGNISING_KEYS } from './envoy/fields.js';
import { DECK_KEYS } from './kong/reader.js';

/** The top-level key of the istiod chart's values that the mesh config model reads (istio/meshconfig.ts). */
export const MESH_CONFIG_VALUE_KEY = 'meshConfig';

/** Keys of the linkerd-control-plane chart's values that tell its values file from any other YAML (linkerd/policy.ts). */
export const LINKERD_CHART_VALUE_KEYS: readonly string[] = [
  'linkerdVersion',
  'identityTrustAnchorsPEM',
  'policyController',
  'proxyInit',
  'identity',
];

/**
 * What makes an unclaimed document a manifest for the secret rules (src/secrets/documents.ts): decK, Envoy and
 * kustomization keys, or the file's name.
 */
export const MANIFEST_SHAPE = {
  deckKeys: ['_format_version', '_transform', '_konnect', '_workspace'],
  kongEntityKeys: [
    'consumers',
    'services',
    'routes',
    'plugins',
    'upstreams',
    'certificates',
    'vaults',
    'consumer_groups',
  ],
  envoyKeys: ['static_resources', 'dynamic_resources', 'layered_runtime'],
  kustomizeKeys: [
    'secretGenerator',
    'configMapGenerator',
    'generatorOptions',
    'patchesStrategicMerge',
    'namePrefix',
    'commonLabels',
  ],
  kustomizationFile: /(?:^|\/)kustomization\.ya?ml$/,
} as const;

/** Every top-level key by which a format reader claims a document or a reader of unclaimed documents reads one. */
const LOOKED_FOR = new Set<string>([
  'apiVersion',
  'kind',
  ...ENVOY_RECOGNISING_KEYS,
  ...DECK_KEYS,
  MESH_CONFIG_VALUE_KEY,
  ...LINKERD_CHART_VALUE_KEYS,
  ...MANIFEST_SHAPE.deckKeys,
  ...MANIFEST_SHAPE.kongEntityKeys,
  ...MANIFEST_SHAPE.envoyKeys,
  ...MANIFEST_SHAPE.kustomizeKeys,
]);

/**
 * Whether nothing reads this document: a mapping holding no string anywhere (only numbers, booleans and nulls at its
 * leaves) and no top-level key any reader looks for, in a file not named as a kustomization. Anything else, or
 * anything unsure (other value types), is kept.
 */
export function readByNobody(value: unknown, path: string): boolean {
  if (!isPlainObject(value) || MANIFEST_SHAPE.kustomizationFile.test(path)) return false;
  for (const key in value) if (LOOKED_FOR.has(key)) return false;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current === 'number' || typeof current === 'boolean') continue;
    if (Array.isArray(current)) for (const item of current) stack.push(item);
    else if (isPlainObject(current)) for (const key in current) stack.push(current[key]);
    else return false; // a string, or a value of another kind
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
