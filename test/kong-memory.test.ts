// The Kong model of a large decK file shares what its routes have in common instead of copying it per route (issue
// 13: a decK file of 40,000 routes). Counted by identity, not by time or bytes.
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { Graph } from '../src/model/graph.js';
import { deckOf, kongRoutes } from '../src/model/kong/index.js';

/** A decK file: `services` services of `perService` routes; the first route of each has a key-auth of its own. */
function deck(services: number, perService: number): string {
  const lines = ['_format_version: "3.0"', 'plugins:', '  - name: rate-limiting', 'services:'];
  for (let s = 0; s < services; s++) {
    lines.push(`  - name: svc-${s}`, `    url: http://svc-${s}:8080`, '    plugins: [{ name: cors }]', '    routes:');
    for (let r = 0; r < perService; r++) {
      lines.push(`      - name: route-${s}-${r}`);
      if (r === 0) lines.push('        plugins: [{ name: key-auth }]');
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('Kong model memory', () => {
  const graph = Graph.fromFiles([parseSource('kong.yaml', deck(20, 10))]);
  const routes = kongRoutes(graph);

  it('routes without plugins of their own share their service plugin list', () => {
    expect(routes).toHaveLength(200);
    // 20 routes with a plugin of their own + one shared list per service (old code: a list per route, 200).
    expect(new Set(routes.map((r) => r.plugins)).size).toBe(40);
    const byName = new Map(routes.map((r) => [r.resource.name, r.plugins.map((p) => p.name)]));
    expect(byName.get('route-3-0')).toEqual(['rate-limiting', 'cors', 'key-auth']);
    expect(byName.get('route-3-1')).toEqual(['rate-limiting', 'cors']);
  });

  it('routes share the default protocols and the empty unresolved list', () => {
    expect(new Set(routes.map((r) => r.protocols)).size).toBe(1);
    expect(new Set(routes.map((r) => r.unresolved)).size).toBe(1);
    expect(routes[0].protocols).toEqual(['http', 'https']);
    expect(routes[0].unresolved).toEqual([]);
  });

  it('decK resources share their empty labels, annotations and anchor', () => {
    const resources = graph.ofFormat('kong');
    expect(resources.length).toBeGreaterThan(200);
    expect(new Set(resources.map((r) => r.labels)).size).toBe(1);
    expect(new Set(resources.map((r) => r.annotations)).size).toBe(1);
    expect(new Set(resources.map((r) => r.anchor)).size).toBe(1);
    expect(resources[0].anchor).toEqual(['name']);
    expect(resources[0].labels).toEqual({});
  });

  it("a decK file keeps its routes as the resources themselves, each route's service beside them by index", () => {
    const file = deckOf(graph.ofFormat('kong')[0])!;
    // (old code: a { resource, serviceRef } pair per route)
    expect(file.routes).toHaveLength(200);
    expect(file.routes.every((r) => r.kind === 'KongRoute')).toBe(true);
    expect(file.routeServices).toHaveLength(200);
    expect(file.routeServices[11]).toBe('svc-1');
    expect(routes[11].service?.name).toBe('svc-1');
  });

  it('a decK route view keeps its own five fields; the rest is read from them when asked', () => {
    // (old code: ten fields per route)
    expect(Object.keys(routes[0])).toHaveLength(5);
    const r = routes[0];
    expect([r.pluginsPath, r.protocolsPath, r.unresolved, r.active, r.redirectsHttps]).toEqual([
      ['name'],
      ['name'],
      [],
      true,
      false,
    ]);
    const [https] = kongRoutes(
      Graph.fromFiles([
        parseSource(
          'k.yaml',
          '_format_version: "3.0"\nservices:\n  - name: s\n    enabled: false\n    routes: [{ name: r, protocols: [https] }]\n',
        ),
      ]),
    );
    expect([https.protocolsPath, https.active, https.redirectsHttps, https.protocolsExplicit]).toEqual([
      ['protocols'],
      false,
      true,
      true,
    ]);
  });

  it("a plugin view makes its paths when a rule asks for them, from its resource's base", () => {
    const plugins = deckOf(graph.ofFormat('kong')[0])!.plugins;
    // 1 global + 20 cors + 20 key-auth.
    expect(plugins).toHaveLength(41);
    const keyAuth = plugins.find((p) => p.name === 'key-auth')!;
    expect(keyAuth.defaultsAt.path).toEqual([...keyAuth.resource.source.base, 'name']);
    // Made at each read (old code: one kept per view, with a config path kept by its field closure).
    expect(keyAuth.defaultsAt.path).not.toBe(keyAuth.defaultsAt.path);
    expect(keyAuth.field('key_names').at.path).toEqual(keyAuth.resource.source.base);
  });
});
