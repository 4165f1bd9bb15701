// Istio's mesh config as the repository holds it: which ConfigMaps, IstioOperators and Helm values count, and the
// root namespace the rules then apply (an explicit .meshlint.yaml setting wins; disagreeing sources apply nothing).
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/model/graph.js';
import { meshConfigs, meshSetting, meshSettingsOf, type MeshSettings } from '../src/model/istio/index.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { parseSource } from '../src/parse/source.js';

const MESH: MeshSettings = { rootNamespace: 'istio-system', assumeInjected: false };

function graphOf(files: Record<string, string>): Graph {
  return Graph.fromFiles(Object.entries(files).map(([path, text]) => parseSource(path, text, MANIFEST_PARSE_OPTIONS)));
}

const configMap = (name: string, namespace: string, mesh: string, labels = '{}') => `---
apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ${namespace}, labels: ${labels} }
data:
  mesh: |
${mesh
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

const operator = (meshConfig: string, extra = '') => `---
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: { name: control-plane, namespace: istio-system }
spec:
  ${extra}
  meshConfig: ${meshConfig}
`;

describe('mesh config sources', () => {
  it('reads the istio ConfigMap and its revisions in the control-plane namespace only', () => {
    const graph = graphOf({
      'a.yaml':
        configMap('istio', 'istio-system', 'rootNamespace: root-a') +
        configMap('istio-canary', 'istio-system', 'enableAutoMtls: false') +
        configMap('istio', 'shop', 'rootNamespace: app-setting') +
        configMap('istio', 'custom-cp', 'rootNamespace: root-b') +
        configMap('istio', 'labelled', 'rootNamespace: root-c', '{ operator.istio.io/component: Pilot }'),
    });
    const sources = meshConfigs(graph).sources;
    expect(
      sources.map((s) => [s.revision, meshSetting(s, 'rootNamespace') ?? meshSetting(s, 'enableAutoMtls')]),
    ).toEqual([
      ['', 'root-a'],
      ['canary', false],
      ['', 'root-c'],
    ]);
  });

  it('counts a namespace that runs istiod as a control-plane namespace', () => {
    const istiod =
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: istiod, namespace: custom-cp }\nspec: { template: { spec: { containers: [{ name: discovery, image: istio/pilot }] } } }\n';
    const graph = graphOf({ 'a.yaml': configMap('istio', 'custom-cp', 'rootNamespace: root-b') + istiod });
    expect(meshConfigs(graph).sources.map((s) => meshSetting(s, 'rootNamespace'))).toEqual(['root-b']);
  });

  it('reads the mesh text as istiod does (YAML 1.1 booleans)', () => {
    const graph = graphOf({ 'a.yaml': configMap('istio', 'istio-system', 'enableAutoMtls: no') });
    expect(meshSetting(meshConfigs(graph).sources[0], 'enableAutoMtls')).toBe(false);
  });

  it("applies the istiod chart's values, and says which values files it cannot tie to istiod", () => {
    const values = 'meshConfig:\n  rootNamespace: from-values\n';
    const graph = graphOf({
      'charts/istiod/Chart.yaml': 'apiVersion: v2\nname: istiod\nversion: 1.0.0\n',
      'charts/istiod/values.yaml': values,
      'charts/istiod/values-extra.yaml': values,
      'deploy/istiod-values.yaml': values,
      'deploy/values.yaml': values,
      'deploy/profile.yaml': values,
    });
    const { sources, unapplied } = meshConfigs(graph);
    expect(sources.map((s) => ('document' in s.site ? s.site.document.file.path : ''))).toEqual([
      'charts/istiod/values.yaml',
      'charts/istiod/values-extra.yaml',
      'deploy/istiod-values.yaml',
    ]);
    // deploy/profile.yaml is no values file: not considered at all.
    expect(unapplied.map((u) => u.document.file.path)).toEqual(['deploy/values.yaml']);
  });
});

describe('GitOps releases of the istiod chart', () => {
  it("reads an Argo CD Application's valuesObject before its values string, and only for the istiod chart", () => {
    const app = (chart: string) => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${chart}, namespace: argocd }
spec:
  source:
    chart: ${chart}
    helm:
      valuesObject: { meshConfig: { rootNamespace: from-object } }
      values: |
        meshConfig:
          rootNamespace: from-string
`;
    const graph = graphOf({ 'apps.yaml': app('istiod') + app('gateway') });
    expect(meshConfigs(graph).sources.map((s) => meshSetting(s, 'rootNamespace'))).toEqual(['from-object']);
  });
});

describe('the root namespace the rules apply', () => {
  it("is the mesh config's when the configuration does not set one", () => {
    const graph = graphOf({ 'a.yaml': operator('{ rootNamespace: mesh-root }') });
    expect(meshSettingsOf(graph, MESH).rootNamespace).toBe('mesh-root');
  });

  it("is the configuration's when it sets one", () => {
    const graph = graphOf({ 'a.yaml': operator('{ rootNamespace: mesh-root }') });
    expect(meshSettingsOf(graph, { ...MESH, rootNamespaceConfigured: true }).rootNamespace).toBe('istio-system');
  });

  it('stays the default when two mesh configs disagree', () => {
    const graph = graphOf({
      'a.yaml': operator('{ rootNamespace: mesh-root }') + configMap('istio', 'istio-system', 'rootNamespace: other'),
    });
    expect(meshSettingsOf(graph, MESH).rootNamespace).toBe('istio-system');
  });
});
