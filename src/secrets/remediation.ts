// The fix for a hardcoded secret depends on where it sits: Kubernetes reads Secrets by reference, a GitHub workflow
// has the secrets context, decK substitutes environment variables and Kong resolves vault references, Envoy takes
// secrets over SDS. The message names the one that fits.
import type { DocumentRef, Graph } from '../model/graph.js';
import type { Path } from '../model/values.js';
import { isObj } from '../model/values.js';

const FIXES = {
  workflow: 'store it as a repository or environment secret and read it from the secrets context (${{ secrets.NAME }})',
  gitlab: 'store it as a masked, protected CI/CD variable and read it from the environment',
  deck: 'replace it with a Kong vault reference ({vault://env/NAME}) or decK environment substitution (${{ env "DECK_NAME" }})',
  deckKeyAuth:
    'supply it with decK environment substitution (${{ env "DECK_NAME" }}): key-auth keys cannot be vault references',
  envoy: 'deliver it over SDS (an sds_config secret) or from a file mounted from a Secret (a DataSource filename)',
  kongCrd: 'move it into a Secret and reference it (configFrom.secretKeyRef, or configPatches valueFrom)',
  configMap:
    'move it into a Secret managed outside the repository (ExternalSecret, SealedSecret, SOPS) and mount or reference that instead of the ConfigMap',
  kustomize:
    'generate the Secret from an env file or files kept out of git (secretGenerator envs/files), or use an ExternalSecret',
  kubernetes:
    'reference a Secret instead (valueFrom.secretKeyRef, envFrom.secretRef, a secret volume), managed outside the repository (ExternalSecret, SealedSecret, SOPS)',
  other: 'supply it from the environment or a secret store at deploy time',
} as const;

export function remediationFor(graph: Graph, ref: DocumentRef, path: Path): string {
  const file = ref.file.path;
  if (/(?:^|\/)\.github\/workflows\/[^/]+$/.test(file) || /(?:^|\/)action\.ya?ml$/.test(file)) return FIXES.workflow;
  if (/(?:^|\/)\.gitlab-ci\.ya?ml$/.test(file)) return FIXES.gitlab;
  const root = ref.document.value;
  if (
    isObj(root) &&
    ('_format_version' in root || '_konnect' in root || '_workspace' in root || isDeckWithoutHeader(root))
  ) {
    return path.includes('keyauth_credentials') ? FIXES.deckKeyAuth : FIXES.deck;
  }
  const resource = graph.resourceAt(ref, path);
  if (resource?.format === 'kong') return path.includes('keyauth_credentials') ? FIXES.deckKeyAuth : FIXES.deck;
  if (resource?.format === 'envoy' || resource?.kind === 'EnvoyFilter') return FIXES.envoy;
  if (resource?.kind === 'KongPlugin' || resource?.kind === 'KongClusterPlugin') return FIXES.kongCrd;
  if (resource?.kind === 'ConfigMap') return FIXES.configMap;
  if (isObj(root) && ('secretGenerator' in root || /(?:^|\/)kustomization\.ya?ml$/.test(file))) return FIXES.kustomize;
  if (resource?.format === 'kubernetes') return FIXES.kubernetes;
  if (isObj(root) && ('static_resources' in root || 'dynamic_resources' in root || 'resources' in root))
    return FIXES.envoy;
  return FIXES.other;
}

const DECK_ENTITY_LISTS = new Set([
  'services',
  'routes',
  'consumers',
  'plugins',
  'upstreams',
  'certificates',
  'ca_certificates',
  'vaults',
  'consumer_groups',
  'snis',
  'targets',
  'keys',
  'key_sets',
]);

/** A decK file without `_format_version`: Kong entity lists and decK's own `_` keys (`_info`), nothing else. */
function isDeckWithoutHeader(root: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(root);
  return (
    keys.some((k) => DECK_ENTITY_LISTS.has(k)) &&
    keys.every((k) => k.startsWith('_') || (DECK_ENTITY_LISTS.has(k) && Array.isArray(root[k])))
  );
}
