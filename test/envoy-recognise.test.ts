// Recognising a document as Envoy's costs a look at its own keys, not a probe of every field's spellings: most
// documents of a scan are another format's, and each of them goes through the Envoy reader (issue 13, CPU of a file of
// a million tiny documents). Counted in property lookups, not in time.
import { describe, expect, it } from 'vitest';
import { readEnvoy } from '../src/model/envoy/reader.js';
import { parseSource } from '../src/parse/source.js';

/** The number of property lookups (has, get, own-property descriptor) `read` makes on `value`. */
function lookups(value: object, read: (proxied: object) => unknown): { count: number; result: unknown } {
  let count = 0;
  const counting = new Proxy(value, {
    has: (target, key) => (count++, Reflect.has(target, key)),
    get: (target, key, receiver) => (count++, Reflect.get(target, key, receiver)),
    getOwnPropertyDescriptor: (target, key) => (count++, Reflect.getOwnPropertyDescriptor(target, key)),
  });
  const result = read(counting);
  return { count, result };
}

describe('recognising Envoy documents', () => {
  const file = parseSource('t.yaml', 'a: 1\n');
  const document = file.documents[0];
  const readValue = (value: object) => readEnvoy(file, { ...document, value, ast: document.ast } as typeof document);

  it('a document of other keys is turned down after a look at its own keys (about 60 lookups before)', () => {
    const { count, result } = lookups({ a: 1, b: 'x' }, readValue);
    expect(result).toBeUndefined();
    expect(count).toBeLessThanOrEqual(4);
  });

  it('a list of other objects is turned down item by item the same way', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ id: i }));
    let total = 0;
    const proxied = items.map((item) => {
      const probe = lookups(item, (p) => p);
      return new Proxy(probe.result as object, {
        has: (t, k) => (total++, Reflect.has(t, k)),
        get: (t, k, r) => (total++, Reflect.get(t, k, r)),
        getOwnPropertyDescriptor: (t, k) => (total++, Reflect.getOwnPropertyDescriptor(t, k)),
      });
    });
    expect(readEnvoy(file, { ...document, value: proxied, ast: document.ast } as typeof document)).toBeUndefined();
    expect(total / items.length).toBeLessThanOrEqual(4);
  });

  it('documents with Envoy fields in any spelling are still read', () => {
    for (const text of [
      '- name: c\n  connect_timeout: 1s\n',
      '- name: c\n  connectTimeout: 1s\n',
      '- name: c\n  hidden_envoy_deprecated_hosts: []\n  type: STATIC\n',
      "'@type': type.googleapis.com/envoy.config.listener.v3.Listener\nname: l\n",
      'name: envoy.filters.http.rbac\ntypedConfig:\n  "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC\n',
      'staticResources:\n  clusters:\n  - name: c\n    connectTimeout: 1s\n',
      "resources:\n- '@type': type.googleapis.com/envoy.config.cluster.v3.Cluster\n  name: c\n",
      '- name: l\n  address: {socket_address: {address: 0.0.0.0}}\n  filter_chains: []\n',
    ]) {
      const f = parseSource('e.yaml', text);
      expect(readEnvoy(f, f.documents[0])?.length, text).toBeGreaterThan(0);
    }
  });
});
