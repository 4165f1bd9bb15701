// What every rule reads (resources, Kong plugin views) keeps V8's fast properties and one hidden class per kind of
// object: a resource made another object's prototype, or an object literal with a getter, is a dictionary of its own,
// and the sites that read all resources went megamorphic (on the corpus: format, source, resourceAt's index).
// Checked with V8's own predicates (%HasFastProperties, %HaveSameMap), compiled for this file only; never by time.
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Graph } from '../src/model/graph.js';
import { meshConfigs, meshSetting } from '../src/model/istio/index.js';
import { deckOf } from '../src/model/kong/index.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { parseSource } from '../src/parse/source.js';

setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
setFlagsFromString('--no-allow-natives-syntax');

const MESH_CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |
    rootNamespace: root-a
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
`;

describe('object shapes the rules read', () => {
  it('a resource whose text holds the mesh config stays a fast object of the one class of Kubernetes resources', () => {
    const graph = Graph.fromFiles([parseSource('mesh.yaml', MESH_CONFIG_MAP, MANIFEST_PARSE_OPTIONS)]);
    const [source] = meshConfigs(graph).sources;
    expect(meshSetting(source, 'rootNamespace')).toBe('root-a');
    // The mesh config's site: the ConfigMap seen inside its text (old code: Object.create(configMap), which made the
    // ConfigMap a prototype, a dictionary of its own).
    const site = 'resource' in source.site ? source.site.resource : undefined;
    expect(site?.kind).toBe('ConfigMap');
    expect(site?.format).toBe('kubernetes');
    expect(site?.apiVersion).toBe('v1');
    expect(site?.source.file).not.toBe(graph.resources[0].source.file);
    const [configMap, service] = graph.resources;
    expect(configMap.kind).toBe('ConfigMap');
    expect(hasFastProperties(configMap)).toBe(true);
    expect(haveSameMap(configMap, service)).toBe(true);
  });

  it('Kong plugin views are fast objects of one class', () => {
    const text = `_format_version: "3.0"
plugins:
  - name: cors
  - name: key-auth
    config: { key_names: [apikey] }
`;
    const graph = Graph.fromFiles([parseSource('kong.yaml', text)]);
    const plugins = deckOf(graph.ofFormat('kong')[0])!.plugins;
    expect(plugins.map((p) => p.name)).toEqual(['cors', 'key-auth']);
    // (Old code: an object literal with a getter, a new closure per view: every view a dictionary.)
    expect(plugins.every(hasFastProperties)).toBe(true);
    expect(haveSameMap(plugins[0], plugins[1])).toBe(true);
    expect(plugins[1].field('key_names').at.path).toEqual(['plugins', 1, 'config', 'key_names']);
    expect(plugins[0].defaultsAt.path).toEqual(['plugins', 0, 'name']);
  });
});
