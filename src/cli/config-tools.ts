// --print-config and --init: the configuration as a run applies it, and a starter file that fits the repository.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import * as path from 'node:path';
import { defaultConfig, findConfig, loadConfig, type Config } from '../engine/config.js';
import type { AnyRule } from '../engine/rule.js';
import { Graph, readResources } from '../model/graph.js';
import { meshConfigName, meshConfigs, meshRootNamespace, meshSetting } from '../model/istio/meshconfig.js';
import { parseSource } from '../parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../model/kubernetes/reader.js';
import { discover } from '../scan.js';
import { compareText } from '../arrays.js';

export interface EffectiveConfig {
  readonly file: string;
  /** The configuration file that applies (looked up from the working directory upwards), or null. */
  readonly configFile: string | null;
  /** Whether an `ignore` pattern of the configuration skips the file. */
  readonly ignored: boolean;
  readonly mesh: Config['settings']['mesh'];
  /** Every rule with the severity it runs at ('off' when it does not run) and its options. */
  readonly rules: Record<string, { severity: string; options?: unknown }>;
}

export function effectiveConfig(
  cwd: string,
  file: string,
  configOption: string | false | undefined,
  rules: readonly AnyRule[],
): EffectiveConfig {
  const configPath = configOption === false ? undefined : configOption ? resolve(cwd, configOption) : findConfig(cwd);
  const config = configPath
    ? loadConfig(configPath, rules, relative(cwd, configPath) || configPath)
    : defaultConfig(cwd);
  const fromRoot = relative(config.root, resolve(cwd, file)).split(path.sep).join('/');
  const ignored = config.ignore.some((pattern) => globMatches(fromRoot, pattern.replace(/^\.?\//, '')));
  const effective: EffectiveConfig['rules'] = {};
  for (const rule of [...rules, ...config.custom.rules].sort((a, b) => compareText(a.id, b.id))) {
    const setting = config.rules.get(rule.id);
    const options = rule.options ? { ...(rule.options.defaults as object), ...setting?.options } : undefined;
    effective[rule.id] = { severity: setting?.severity ?? rule.severity, ...(options ? { options } : {}) };
  }
  return { file, configFile: config.path ?? null, ignored, mesh: config.settings.mesh, rules: effective };
}

function globMatches(file: string, pattern: string): boolean {
  // path.matchesGlob is the same minimatch-style matching as the discovery's globs (Node 20.17 and later).
  const matchesGlob = (path as unknown as { matchesGlob?: (p: string, g: string) => boolean }).matchesGlob;
  if (!matchesGlob) return false;
  return matchesGlob(file, pattern) || matchesGlob(file, `${pattern.replace(/\/$/, '')}/**`);
}

/** Mesh settings read from the repository's manifests, each with the reason shown in the starter file. */
export interface InferredMesh {
  readonly rootNamespace: { value: string; why: string };
  readonly assumeInjected: { value: boolean; why: string };
}

export function inferMesh(graph: Graph): InferredMesh {
  const resources = graph.resources;
  const of = (kind: string) => resources.filter((r) => r.kind === kind);
  // The mesh config the scan itself reads (ConfigMap istio, IstioOperator, istiod Helm values): one reader for both.
  const root = meshRootNamespace(graph);
  const set = meshConfigs(graph).sources.filter((s) => typeof meshSetting(s, 'rootNamespace') === 'string');
  const rootNamespace = root
    ? { value: root.value, why: `rootNamespace of the mesh config in ${meshConfigName(root.source)}` }
    : set.length > 0
      ? {
          value: 'istio-system',
          why: `the mesh configs of this repository disagree (${set.map(meshConfigName).join(', ')}): Istio's default`,
        }
      : { value: 'istio-system', why: "Istio's default; no meshConfig in this repository says otherwise" };
  const namespaces = of('Namespace').length;
  const meshPolicies = resources.filter(
    (r) => r.group === 'security.istio.io' || r.group === 'networking.istio.io',
  ).length;
  const assumeInjected =
    namespaces > 0
      ? {
          value: false,
          why: `the repository holds ${namespaces} Namespace object(s), whose labels say which workloads are injected`,
        }
      : meshPolicies > 0
        ? {
            value: true,
            why: `no Namespace objects, but ${meshPolicies} Istio resource(s): the workloads are meant to be in the mesh`,
          }
        : { value: false, why: 'no Namespace objects and no Istio resources in this repository' };
  return { rootNamespace, assumeInjected };
}

export async function starterConfig(cwd: string): Promise<string> {
  const files = await discover(['.'], cwd, defaultConfig(cwd), []);
  const parsed = files.flatMap((file) => {
    try {
      return [parseSource(relative(cwd, file), readFileSync(file), MANIFEST_PARSE_OPTIONS)];
    } catch {
      return [];
    }
  });
  const mesh = inferMesh(new Graph(readResources(parsed), parsed));
  return [
    '# meshlint configuration (https://github.com/meshlint/meshlint#configuration)',
    '# rules: { container-no-limits: warning }   # per rule: error | warning | note | off',
    'rules: {}',
    '# ignore: [vendor/**]                      # globs, relative to this file',
    'ignore: []',
    'mesh:',
    `  rootNamespace: ${mesh.rootNamespace.value}   # ${mesh.rootNamespace.why}`,
    `  assumeInjected: ${mesh.assumeInjected.value}   # ${mesh.assumeInjected.why}`,
    '',
  ].join('\n');
}
