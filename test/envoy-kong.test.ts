// Envoy and Kong models: readers, key normalisation, extension identity, embedded positions, the route -> plugins
// index, and the Envoy detections of the shared rule ids (tls-weak-version, authz-wildcard-principal).
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/parse/source.js';
import { Graph } from '../src/model/graph.js';
import { envoyListeners, extensionOfType, hcmSites, typed } from '../src/model/envoy/index.js';
import { hostScope, kongConsumers, kongRoutes, parseServiceUrl } from '../src/model/kong/index.js';
import { envoyWeakTlsVersions } from '../rules/tls/tls-weak-version.js';
import { envoyWildcardPrincipals } from '../rules/authz/authz-wildcard-principal.js';
import { cipherWeakness } from '../rules/tls/tls-weak-cipher.js';
import { scan } from '../src/scan.js';
import { RULES } from '../rules/index.js';

function graphOf(files: Record<string, string>): Graph {
  return Graph.fromFiles(Object.entries(files).map(([name, text]) => parseSource(name, text)));
}

const kinds = (g: Graph) => g.resources.map((r) => `${r.format}:${r.kind}:${r.name}`);

describe('Envoy reader', () => {
  it('reads a bootstrap, an xDS resource list and a bare list, and leaves other YAML alone', () => {
    const g = graphOf({
      'bootstrap.yaml':
        'admin: { address: { socket_address: { address: 127.0.0.1, port_value: 9901 } } }\nstatic_resources:\n  listeners: [{ name: l1, address: { socket_address: { address: 0.0.0.0, port_value: 1 } }, filter_chains: [] }]\n  clusters: [{ name: c1, connect_timeout: 1s }]\n  secrets: [{ name: s1, tls_certificate: {} }]\n',
      'xds.yaml':
        'resources:\n  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n    name: l2\n  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n    name: c2\n',
      'list.yaml': '- name: l3\n  address: { socketAddress: { address: "::", portValue: 2 } }\n  filterChains: []\n',
      'compose.yaml': 'services:\n  web: { image: nginx }\n',
      'plain-list.yaml': '- a\n- b\n',
    });
    expect(kinds(g).sort()).toEqual([
      'envoy:EnvoyAdmin:admin',
      'envoy:EnvoyCluster:c1',
      'envoy:EnvoyCluster:c2',
      'envoy:EnvoyListener:l1',
      'envoy:EnvoyListener:l2',
      'envoy:EnvoyListener:l3',
      'envoy:EnvoySecret:s1',
    ]);
    const l3 = g.ofKind('EnvoyListener').find((r) => r.name === 'l3')!;
    expect(l3.source.base).toEqual([0]);
    expect(envoyListeners(g).find((view) => view.resource === l3)!.addresses[0]).toMatchObject({
      host: '::',
      port: 2,
      scope: 'network',
    });
  });

  it('identifies filters by @type, not by name; unwraps TypedStruct; maps deprecated names', () => {
    expect(extensionOfType('type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC')).toBe(
      'envoy.filters.http.rbac',
    );
    expect(extensionOfType('envoy.config.filter.http.rate_limit.v2.RateLimit')).toBe('envoy.filters.http.ratelimit');
    expect(extensionOfType('envoy.api.v2.auth.DownstreamTlsContext')).toBe('envoy.transport_sockets.tls');
    const byType = typed(
      {
        value: {
          name: 'my-limiter',
          typed_config: {
            '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
            type_url: 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
            value: { stat_prefix: 'x' },
          },
        },
        path: [],
      },
      'http',
    );
    expect(byType.extension).toBe('envoy.filters.http.local_ratelimit');
    expect(byType.config.path).toEqual(['typed_config', 'value']);
    const legacy = typed({ value: { name: 'envoy.http_connection_manager', config: { stat_prefix: 'x' } }, path: [] });
    expect(legacy.extension).toBe('envoy.filters.network.http_connection_manager');
    expect(legacy.legacy?.path).toEqual(['config']);
    expect(typed({ value: { name: 'envoy.ext_authz' }, path: [] }, 'http').extension).toBe(
      'envoy.filters.http.ext_authz',
    );
  });

  it('finds HTTP connection managers in snake_case and camelCase alike, keeping the real key in paths', () => {
    const hcm = (k: (s: string) => string) =>
      `${k('static_resources')}:\n  listeners:\n    - name: l\n      address: { ${k('socket_address')}: { address: 0.0.0.0, ${k('port_value')}: 80 } }\n      ${k('filter_chains')}:\n        - filters:\n            - name: x\n              ${k('typed_config')}:\n                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n                ${k('http_filters')}: [{ name: r, ${k('typed_config')}: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }]\n`;
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const k of [(s: string) => s, camel]) {
      const sites = hcmSites(graphOf({ 'a.yaml': hcm(k) }));
      expect(sites).toHaveLength(1);
      expect(sites[0].hcm.httpFilters.map((f) => f.extension)).toEqual(['envoy.filters.http.router']);
      expect(sites[0].hcm.filter.config.path).toEqual([k('filter_chains'), 0, 'filters', 0, k('typed_config')]);
    }
  });

  it('reads Envoy configs embedded in ConfigMap keys and maps positions back into the block scalar', async () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\ndata:\n  envoy.yaml: |\n    admin:\n      address:\n        socket_address:\n          address: 0.0.0.0\n          port_value: 9901\n    static_resources: {}\n';
    const g = graphOf({ 'cm.yaml': text });
    const admin = g.ofKind('EnvoyAdmin')[0];
    expect(admin).toBeDefined();
    const rule = RULES.find((r) => r.id === 'envoy-admin-exposed')!;
    const result = await scan({ stdin: { text, filename: 'cm.yaml' }, rules: [rule], configPath: false });
    expect(result.findings.map((f) => [f.file, f.range.startLine, f.range.startColumn])).toEqual([['cm.yaml', 9, 11]]);
  });
});

describe('Kong route -> plugins index', () => {
  const deck = `_format_version: "3.0"
plugins:
  - name: rate-limiting
    config: { minute: 5 }
  - name: key-auth
    enabled: false
  - name: acl
    consumer: bob
services:
  - name: s
    host: s.example.com
    plugins: [{ name: cors }]
    routes:
      - name: a
        plugins: [{ name: jwt }]
      - name: b
routes:
  - name: c
    service: { name: s }
    plugins: [{ name: ip-restriction, config: { allow: [10.0.0.0/8] } }]
`;
  it('applies global, service and route plugins; not disabled or consumer-scoped ones', () => {
    const routes = kongRoutes(graphOf({ 'kong.yaml': deck }));
    const names = Object.fromEntries(routes.map((r) => [r.resource.name, r.plugins.map((p) => p.name).sort()]));
    expect(names).toEqual({
      a: ['cors', 'jwt', 'rate-limiting'],
      b: ['cors', 'rate-limiting'],
      c: ['cors', 'ip-restriction', 'rate-limiting'],
    });
    expect(routes.every((r) => r.protocols.join() === 'http,https' && !r.protocolsExplicit)).toBe(true);
  });

  it('keeps each decK file its own configuration', () => {
    const routes = kongRoutes(
      graphOf({
        'a.yaml': '_format_version: "3.0"\nplugins: [{ name: key-auth }]\n',
        'b.yaml': '_format_version: "3.0"\nroutes: [{ name: r }]\n',
      }),
    );
    expect(routes.map((r) => [r.resource.name, r.plugins.length])).toEqual([['r', 0]]);
  });

  it('resolves Kubernetes plugins: annotation, backend Service, global KongClusterPlugin; disabled ones do not count', () => {
    const g = graphOf({
      'k.yaml': `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: i, namespace: ns, annotations: { konghq.com/plugins: "auth, old" } }
spec: { ingressClassName: kong, rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: svc, port: { number: 80 } } } }] } }] }
---
apiVersion: v1
kind: Service
metadata: { name: svc, namespace: ns, annotations: { konghq.com/plugins: limit } }
spec: { ports: [{ port: 80 }] }
---
apiVersion: configuration.konghq.com/v1
kind: KongPlugin
metadata: { name: auth, namespace: ns }
plugin: key-auth
---
apiVersion: configuration.konghq.com/v1
kind: KongPlugin
metadata: { name: old, namespace: ns }
plugin: basic-auth
disabled: true
---
apiVersion: configuration.konghq.com/v1
kind: KongPlugin
metadata: { name: limit, namespace: ns }
plugin: rate-limiting
---
apiVersion: configuration.konghq.com/v1
kind: KongClusterPlugin
metadata: { name: g, labels: { global: "true" } }
plugin: cors
`,
    });
    const [route] = kongRoutes(g);
    expect(route.resource.kind).toBe('Ingress');
    expect(route.plugins.map((p) => p.name).sort()).toEqual(['cors', 'key-auth', 'rate-limiting']);
    expect(route.unresolved).toEqual([]);
  });
});

describe('Envoy detections for the shared rule ids', () => {
  it('envoyWeakTlsVersions: names and enum numbers, min and max, camelCase; not TLSv1_2', () => {
    const g = graphOf({
      'a.yaml': `- name: l
  address: { socket_address: { address: 0.0.0.0, port_value: 443 } }
  filter_chains:
    - transport_socket:
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_params: { tls_minimum_protocol_version: 1, tls_maximum_protocol_version: TLSv1_3 }
    - transportSocket:
        typedConfig:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          commonTlsContext: { tlsParams: { tlsMinimumProtocolVersion: TLSv1_2, tlsMaximumProtocolVersion: TLSv1_1 } }
`,
    });
    const found = envoyWeakTlsVersions(g).map((f) => [f.path.join('.'), f.data.version]);
    expect(found.sort()).toEqual([
      [
        'filter_chains.0.transport_socket.typed_config.common_tls_context.tls_params.tls_minimum_protocol_version',
        'TLSv1_0',
      ],
      ['filter_chains.1.transportSocket.typedConfig.commonTlsContext.tlsParams.tlsMaximumProtocolVersion', 'TLSv1_1'],
    ]);
  });

  it('envoyWildcardPrincipals: any, match-all authenticated, /0 ranges in OR; not DENY, shadow, narrow AND', () => {
    const g = graphOf({
      'a.yaml': `- name: l
  address: { socket_address: { address: 0.0.0.0, port_value: 80 } }
  filter_chains:
    - filters:
        - name: r
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
            rules:
              policies:
                p1: { permissions: [{ any: true }], principals: [{ any: true }] }
                p2: { permissions: [{ any: true }], principals: [{ authenticated: {} }] }
                p3: { permissions: [{ any: true }], principals: [{ and_ids: { ids: [{ any: true }, { header: { name: a } }] } }] }
                p4: { permissions: [{ any: true }], principals: [{ authenticated: { principal_name: { prefix: "spiffe://" } } }] }
            shadow_rules:
              policies: { s: { permissions: [{ any: true }], principals: [{ any: true }] } }
        - name: d
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
            rules: { action: DENY, policies: { d: { permissions: [{ any: true }], principals: [{ any: true }] } } }
`,
    });
    const found = envoyWildcardPrincipals(g)
      .map((f) => f.data.policy)
      .sort();
    expect(found).toEqual(['p1', 'p2', 'p4']);
  });
});

describe('Kong consumers on Kubernetes', () => {
  it('resolve their credential Secrets and the credential type', () => {
    const g = graphOf({
      'kong.yaml': `_format_version: "3.0"
consumers:
  - username: a
    keyauth_credentials: [{ key: abc123 }, { key: "{vault://env/a-key}" }]
    basicauth_credentials: [{ username: a, password: 5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8 }]
certificates:
  - cert: x
    key: "\${{ env \\"DECK_CERT_KEY\\" }}"
plugins:
  - name: rate-limiting
    config: { redis: { password: hunter2 } }
`,
      'k8s.yaml': `apiVersion: v1
kind: Secret
metadata: { name: a-key, namespace: ns, labels: { konghq.com/credential: key-auth } }
stringData: { key: s3cr3t }
---
apiVersion: configuration.konghq.com/v1
kind: KongConsumer
metadata: { name: a, namespace: ns }
username: a
credentials: [a-key]
`,
    });
    expect(kongConsumers(g)[0].credentials[0]).toMatchObject({ name: 'a-key', type: 'key-auth' });
  });
});

describe('Envoy and Kong readers on hostile shapes', () => {
  it('never throw: wrong types everywhere, nulls, numbers for objects', async () => {
    const { lint } = await import('../src/engine/run.js');
    const { defaultConfig } = await import('../src/engine/config.js');
    const shapes = [
      'static_resources: { listeners: [null, 1, "x", { name: 3, address: 7, filter_chains: { a: 1 } }], clusters: "no" }\nadmin: { address: [1] }\n',
      'staticResources: { listeners: [{ filterChains: [{ filters: [{ name: envoy.filters.network.http_connection_manager, typedConfig: { "@type": 5, httpFilters: 9 } }], transportSocket: { typedConfig: null } }], defaultFilterChain: [] }] }\n',
      'resources: [{ "@type": type.googleapis.com/envoy.config.listener.v3.Listener, filter_chains: [{ filters: [{ typed_config: { "@type": type.googleapis.com/udpa.type.v1.TypedStruct, type_url: 7, value: [] } }] }] }]\n',
      '- { name: l, address: { socket_address: null }, filter_chains: [{ transport_socket: { name: tls, typed_config: { "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext, common_tls_context: { validation_context: 5, tls_params: [] } } } }] }\n',
      '- { name: r, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC, rules: { policies: [1, 2], action: {} } } }\n',
      '_format_version: "3.0"\nservices: [null, { name: 1, url: 5, routes: "x", plugins: [{ name: cors, config: [] }] }]\nroutes: [{ service: [], protocols: "http" }]\nplugins: [{ name: ip-restriction, config: { allow: "0.0.0.0/0" } }, 3]\nconsumers: [{ keyauth_credentials: [null] }]\n_plugin_configs: []\n',
      'apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: { name: f }\nspec: { configPatches: [null, { applyTo: LISTENER, patch: { value: 3 } }, { applyTo: HTTP_FILTER, patch: { value: { name: x } } }] }\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { envoy.yaml: "static_resources:\\n  listeners: [: :\\n", kong.yml: "_format_version: 3\\nservices: 5\\n" }\n',
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i, annotations: { konghq.com/plugins: ",, :," } }\nspec: { ingressClassName: kong, rules: [{ http: { paths: [{ backend: 5 }] } }] }\n',
    ];
    const files = shapes.map((text, i) => parseSource(`f${i}.yaml`, text));
    const result = lint({ files, rules: RULES, config: defaultConfig('.') });
    expect(result.notices.filter((n) => /internal error/.test(n.message))).toEqual([]);
    expect(result.stats.resources).toBeGreaterThan(5);
  });
});

describe('Kong upstream hosts as Kubernetes DNS resolves them', () => {
  const dns = { clusterDomain: 'corp.internal', namespaces: new Set(['payments']) };
  it('reads in-cluster forms: svc, svc.ns, svc.ns.svc, names under the configured cluster domain', () => {
    expect(hostScope('orders', dns)).toBe('cluster');
    expect(hostScope('realtime-dev.supabase-realtime', dns)).toBe('cluster');
    expect(hostScope('api.payments', dns)).toBe('cluster');
    expect(hostScope('orders.shop.svc', dns)).toBe('cluster');
    expect(hostScope('orders.shop.svc.corp.internal', dns)).toBe('cluster');
    expect(hostScope('orders.shop.svc.cluster.local')).toBe('cluster');
  });
  it('reads public names, IP addresses, absolute names and templates apart', () => {
    expect(hostScope('example.com', dns)).toBe('external');
    expect(hostScope('api.example.de', dns)).toBe('external');
    expect(hostScope('orders.shop.svc.cluster.local', dns)).toBe('external');
    expect(hostScope('orders.', dns)).toBe('external');
    expect(hostScope('10.0.0.7', dns)).toBe('external');
    expect(hostScope('127.0.0.1', dns)).toBe('loopback');
    expect(hostScope('${{ env "DECK_HOST" }}', dns)).toBe('unknown');
  });
  it('parses service urls with the URL parser: user info is not the host', () => {
    expect(parseServiceUrl('http://svc:@ext.example.com:8080/')).toEqual({ protocol: 'http', host: 'ext.example.com' });
    expect(parseServiceUrl('grpc://orders.shop:9000')).toEqual({ protocol: 'grpc', host: 'orders.shop' });
    expect(parseServiceUrl('http://[::1]:8001')).toEqual({ protocol: 'http', host: '::1' });
    expect(parseServiceUrl('not a url')).toEqual({});
  });
});

describe('weak cipher suites', () => {
  it('names CBC, 3DES, RC4 and RSA key exchange in OpenSSL and IANA spellings, and passes AEAD ECDHE and TLS 1.3 suites', () => {
    expect(cipherWeakness('ECDHE-RSA-AES128-SHA')).toMatch(/CBC/);
    expect(cipherWeakness('AES256-SHA')).toMatch(/CBC mode without forward secrecy/);
    expect(cipherWeakness('DES-CBC3-SHA')).toMatch(/3DES/);
    expect(cipherWeakness('RC4-SHA')).toMatch(/RC4/);
    expect(cipherWeakness('AES128-GCM-SHA256')).toMatch(/forward secrecy/);
    expect(cipherWeakness('TLS_RSA_WITH_AES_128_CBC_SHA')).toMatch(/CBC/);
    expect(cipherWeakness('TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA')).toMatch(/3DES/);
    for (const strong of [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'DHE-RSA-AES256-GCM-SHA384',
      'TLS_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    ]) {
      expect(cipherWeakness(strong)).toBeUndefined();
    }
  });
});

describe('attributing a finding to its resource in a large document', () => {
  it('finds the innermost resource by walking the path once, not by visiting every resource of the document', () => {
    const routes = Array.from({ length: 3000 }, (_, r) => `      - name: route-${r}\n        paths: ["/r${r}"]`);
    const text = `_format_version: "3.0"\nservices:\n  - name: svc\n    url: http://svc:80\n    routes:\n${routes.join('\n')}\n`;
    const file = parseSource('kong.yaml', text);
    const graph = Graph.fromFiles([file]);
    // Count how often a resource's source is read: once per resource to build the index, never per lookup.
    let reads = 0;
    const counted = graph.resources.map((r) => {
      const source = r.source;
      return Object.defineProperty({ ...r }, 'source', {
        get: () => {
          reads++;
          return source;
        },
      });
    });
    const watched = new Graph(counted, [file]);
    const ref = { file, document: file.documents[0]! };
    for (let r = 0; r < 3000; r++) {
      const found = watched.resourceAt(ref, ['services', 0, 'routes', r, 'paths', 0]);
      expect(found?.name).toBe(`route-${r}`);
    }
    expect(watched.resourceAt(ref, ['services', 0, 'url'])?.kind).toBe('KongService');
    expect(watched.resourceAt(ref, ['_format_version'])).toBeUndefined();
    expect(reads).toBeLessThanOrEqual(counted.length);
  });
});
