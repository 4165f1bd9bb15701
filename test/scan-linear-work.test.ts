// Issue 13: no cost may grow faster than the input. A scan of one file of N documents must search its text a number
// of characters proportional to N, not to N x the file (the search to the text's end once per document that made
// firstDocumentEnd quadratic, 7bff563, was seen only as a memory test's timeout). Counted, not timed: every character
// a string search or a regular expression passes over is added up while a whole scan runs (all rules, suppressions,
// locations, the JSON report), and the count per input character must stay flat from 500 to 4,000 documents.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { formatResult } from '../src/report/index.js';
import { lintTexts } from './helpers.js';

/** Characters passed over by string searches and regular expressions since `start()`. */
class SearchedCharacters {
  count = 0;
  /** Runs of a regular expression (each exec, anchored or not). */
  runs = 0;
  /**
   * Array items passed over by Array methods (each callback call, each item an indexOf/includes passed, each sorted),
   * by array iteration (for...of, spreads) and map entries read by Object.entries.
   */
  items = 0;
  private readonly restore: (() => void)[] = [];

  reset(): void {
    this.count = 0;
    this.runs = 0;
    this.items = 0;
  }

  start(): void {
    const counter = this;
    this.countArrayItems();
    const { indexOf, lastIndexOf, includes } = String.prototype;
    const exec = RegExp.prototype.exec;
    // A search from `from` that fails passed over the rest of the text; one that succeeds, up to the match's end.
    String.prototype.indexOf = function (this: string, search: string, from?: number) {
      const at = indexOf.call(this, search, from);
      const start = Math.max(0, Math.min(from ?? 0, this.length));
      counter.count += (at === -1 ? this.length : at + search.length) - start;
      return at;
    };
    String.prototype.includes = function (this: string, search: string, from?: number) {
      return this.indexOf(search, from) !== -1;
    };
    String.prototype.lastIndexOf = function (this: string, search: string, from?: number) {
      const at = lastIndexOf.call(this, search, from);
      const start = Math.min(from ?? this.length, this.length);
      counter.count += start - (at === -1 ? 0 : at);
      return at;
    };
    // String's match, replace, search and split go through exec once it is replaced (V8's slow path).
    RegExp.prototype.exec = function (this: RegExp, text: string) {
      const from = this.global || this.sticky ? this.lastIndex : 0;
      const match = exec.call(this, text);
      counter.runs++;
      // An expression anchored at the start (no m flag) is tried at its start only: one attempt, not a pass.
      const anchored = this.source.startsWith('^') && !this.multiline;
      const length = String(text).length;
      counter.count += anchored || this.sticky ? 1 : (match ? match.index + match[0].length : length) - from;
      return match;
    };
    this.restore.push(() => {
      Object.assign(String.prototype, { indexOf, lastIndexOf, includes });
      RegExp.prototype.exec = exec;
    });
  }

  stop(): void {
    for (const undo of this.restore.splice(0)) undo();
  }

  private countArrayItems(): void {
    const counter = this;
    const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const saved: Record<string, (...args: unknown[]) => unknown> = {};
    // Methods that call back per item (stopping early or not): count the calls.
    for (const name of ['map', 'filter', 'forEach', 'some', 'every', 'find', 'findIndex', 'flatMap', 'reduce']) {
      const original = proto[name];
      saved[name] = original;
      proto[name] = function (this: unknown[], callback: unknown, ...rest: unknown[]) {
        if (typeof callback !== 'function') return original.call(this, callback, ...rest);
        const counted = function (this: unknown, ...args: unknown[]) {
          counter.items++;
          return (callback as (...a: unknown[]) => unknown).apply(this, args);
        };
        return original.call(this, counted, ...rest);
      };
    }
    // Searches pass over the items up to the one found; a sort reads every item (at least).
    for (const name of ['indexOf', 'includes']) {
      const original = proto[name];
      saved[name] = original;
      proto[name] = function (this: unknown[], ...args: unknown[]) {
        const at = (saved.indexOf as (...a: unknown[]) => number).apply(this, args);
        counter.items += at === -1 ? this.length : at + 1;
        return original.apply(this, args);
      };
    }
    // for...of, spreads and destructuring of arrays: each item their iterator gives.
    const iterate = Array.prototype[Symbol.iterator];
    Array.prototype[Symbol.iterator] = function (this: unknown[]) {
      const items = iterate.call(this);
      return {
        next() {
          const step = items.next();
          if (!step.done) counter.items++;
          return step;
        },
        [Symbol.iterator]() {
          return this;
        },
      } as ArrayIterator<unknown>;
    } as typeof iterate;
    this.restore.push(() => {
      Array.prototype[Symbol.iterator] = iterate;
    });
    // Object.entries: the rules' way to read a map (labels, selectors) item by item.
    const { entries } = Object;
    Object.entries = ((o: object) => {
      const list = entries(o);
      counter.items += list.length;
      return list;
    }) as typeof Object.entries;
    this.restore.push(() => {
      Object.entries = entries;
    });
    saved.sort = proto.sort;
    proto.sort = function (this: unknown[], ...args: unknown[]) {
      counter.items += this.length;
      return saved.sort.apply(this, args);
    };
    this.restore.push(() => Object.assign(proto, saved));
  }
}

/** One file of `n` documents of the kinds a repository holds, with findings, suppressions and a refused reading. */
function stream(n: number): string {
  const kinds = [
    (i: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ns-${i % 7}\nspec:\n  selector:\n    matchLabels: {app: app-${i}}\n  template:\n    metadata:\n      labels: {app: app-${i}}\n    spec:\n      containers:\n        - name: app\n          image: registry.example/app:${i}\n          env:\n            - name: DB_PASSWORD\n              value: "p4ss-${i}-Zk8q2Lm9Xw"\n`,
    (i: number) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${i - 1}\n  namespace: ns-${(i - 1) % 7}\nspec:\n  selector: {app: app-${i - 1}}\n  ports:\n    - name: http\n      port: 80\n`,
    (i: number) =>
      `# meshlint-disable-next-line mtls-not-strict -- migrating\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: pa-${i}\n  namespace: ns-${i % 7}\nspec:\n  mtls:\n    mode: PERMISSIVE\n`,
    // Anchors: read by the YAML library, not the lean reader.
    (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  labels: &labels {team: t${i % 5}}\n  annotations: *labels\ndata:\n  key: value-${i}\n`,
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length](i)).join('---\n');
}

describe('work of a scan grows with its input, whatever the shape', () => {
  const searched = new SearchedCharacters();
  beforeEach(() => searched.reset());
  afterEach(() => searched.stop());

  async function perInputCharacter(n: number) {
    const text = stream(n);
    searched.reset();
    searched.start();
    const result = await scan({ stdin: { text, filename: 'all.yaml' }, configPath: false, workers: 0 });
    const report = await formatResult('json', result, { color: false, cwd: process.cwd() });
    searched.stop();
    return {
      perCharacter: searched.count / text.length,
      itemsPerCharacter: searched.items / text.length,
      reportPerCharacter: report.length / text.length,
      findings: result.findings.length,
    };
  }

  it('one file of 4,000 documents: characters searched, array items passed over, and the report, per input character within 1.5x of 500 documents', async () => {
    const small = await perInputCharacter(500);
    const large = await perInputCharacter(4_000);
    // The scans did find things (rules, locations and suppressions all ran), in proportion.
    expect(small.findings).toBeGreaterThan(500);
    expect(large.findings / small.findings).toBeCloseTo(8, 0);
    // The counter sees the scan's searches: each character is passed over at least once.
    expect(small.perCharacter).toBeGreaterThan(1);
    expect(large.perCharacter / small.perCharacter).toBeLessThan(1.5);
    expect(small.itemsPerCharacter).toBeGreaterThan(0.1);
    expect(large.itemsPerCharacter / small.itemsPerCharacter).toBeLessThan(1.5);
    // A finding naming every other resource of its kind makes the report grow with the square of them (the JSON
    // report of 16,000 such documents was over V8's largest string).
    expect(large.reportPerCharacter / small.reportPerCharacter).toBeLessThan(1.5);
  }, 120_000);

  /** Regular-expression runs and array items per input character of a scan of one file (all rules, no report). */
  async function workPerCharacter(text: string) {
    searched.reset();
    searched.start();
    const result = await scan({ stdin: { text, filename: 'shop.yaml' }, configPath: false, workers: 0 });
    searched.stop();
    return { runs: searched.runs / text.length, items: searched.items / text.length, findings: result.findings.length };
  }

  const deployment = (i: number, labels = `app: app-${i}`) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: app-${i}}\n  template:\n    metadata:\n      labels: {${labels}}\n    spec:\n      containers:\n        - name: app\n          image: registry.example/app:${i}\n          ports: [{containerPort: 8080}]\n`;
  const resource = (kind: string, name: string, spec: string, apiVersion = 'security.istio.io/v1') =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n${spec}`;
  const requireClaim =
    '  rules:\n    - when:\n        - key: request.auth.claims[iss]\n          values: ["https://issuer.example"]\n';
  const jwtRules = '  jwtRules:\n    - issuer: https://issuer.example\n';
  const selector = (labels: string) => `  selector:\n    matchLabels: {${labels}}\n`;

  /**
   * Shapes where many policies meet many workloads of one namespace: each of `n` items adds a few documents. What a
   * rule derives from a policy's selection (or from its namespace) must be derived once, not once per policy.
   */
  const shapes: Record<string, (i: number) => string[]> = {
    // Each RequestAuthentication selects every workload (jwt-not-enforced read each workload's policies again for
    // each: 7,250 verdicts for 517 workloads on the corpus).
    'one namespace of N workloads, N/8 RequestAuthentications without a selector': (i) => [
      deployment(i),
      ...(i === 0 ? [resource('AuthorizationPolicy', 'require-token', requireClaim)] : []),
      ...(i % 8 === 0 ? [resource('RequestAuthentication', `jwt-${i}`, jwtRules)] : []),
    ],
    // No workload is in the scan: the policies that could cover each RequestAuthentication are read, and those
    // without a selector cover every one.
    'one namespace of N RequestAuthentications whose workloads are elsewhere': (i) => [
      resource('RequestAuthentication', `jwt-${i}`, selector(`app: app-${i}`) + jwtRules),
      ...(i % 8 === 0 ? [resource('AuthorizationPolicy', `require-token-${i}`, requireClaim)] : []),
      ...(i % 8 === 4
        ? [
            resource(
              'AuthorizationPolicy',
              `health-${i}`,
              `${selector(`app: app-${i}`)}  rules:\n    - to: [{operation: {paths: ["/healthz"]}}]\n`,
            ),
          ]
        : []),
    ],
    // Every workload has the same namespace-wide candidates: the oldest was chosen (and copied as a conflict) for
    // each (mtls-policy-ineffective: 838 ms at 3,200 workloads).
    'one namespace of N workloads, N/8 namespace-wide PeerAuthentications': (i) => [
      deployment(i),
      ...(i % 8 === 0 ? [resource('PeerAuthentication', `pa-${i}`, '  mtls:\n    mode: STRICT\n')] : []),
    ],
    // PeerAuthentications sharing one selector, each with a port exception (mtls-port-exception: 3.5 s at 1,200).
    'one namespace of N workloads, N PeerAuthentications sharing a selector, with port exceptions': (i) => [
      deployment(i, `app: app-${i}, tier: web`),
      resource(
        'PeerAuthentication',
        `pa-${i}`,
        `${selector('tier: web')}  mtls: {mode: STRICT}\n  portLevelMtls:\n    8080: {mode: DISABLE}\n`,
      ),
    ],
    // Namespace-wide AuthorizationPolicies naming principals, in the mesh (authz-requires-mtls read every workload's
    // ports and policies again for each).
    'one namespace of N workloads in the mesh, N/4 namespace-wide AuthorizationPolicies with principals': (i) => [
      ...(i === 0
        ? ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n']
        : []),
      deployment(i),
      ...(i % 4 === 0
        ? [
            resource(
              'AuthorizationPolicy',
              `ap-${i}`,
              `  rules:\n    - from: [{source: {principals: ["cluster.local/ns/shop/sa/sa-${i}"]}}]\n`,
            ),
          ]
        : []),
    ],
    // NetworkPolicies that select nothing: the nearest label was searched among every workload's labels for each,
    // and other objects' labels were read again for each (policy-selects-nothing: 2.7 s at 1,200).
    'one namespace of N workloads, N NetworkPolicies that select nothing': (i) => [
      deployment(i),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: shop\n  labels: {app: cm-${i}}\ndata: {a: b}\n`,
      resource(
        'NetworkPolicy',
        `np-${i}`,
        `  podSelector: {matchLabels: {app: ap-${i}x}}\n  ingress: [{}]\n`,
        'networking.k8s.io/v1',
      ),
    ],
  };

  // Mesh-wide PeerAuthentications cover every workload of the mesh: which are in the mesh was read for each.
  shapes['N workloads in 50 namespaces, N/4 mesh-wide PeerAuthentications'] = (i) => [
    deployment(i).replace('namespace: shop', `namespace: ns-${i % 50}`),
    ...(i % 4 === 0
      ? [resource('PeerAuthentication', `pa-${i}`, '  mtls: {mode: PERMISSIVE}\n').replace('shop', 'istio-system')]
      : []),
  ];

  // DestinationRules of one wildcard host: each filtered every Service of the scan by the host and read every workload
  // behind them again (mtls-destination-rule-plaintext: 2.6 s at 1,200).
  shapes['one namespace in the mesh of N Services, N DestinationRules of one wildcard host'] = (i) => [
    ...(i === 0
      ? ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n']
      : []),
    deployment(i),
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: shop\nspec:\n  selector: {app: app-${i}}\n  ports: [{port: 80, targetPort: 8080}]\n`,
    resource(
      'DestinationRule',
      `dr-${i}`,
      `  host: "*.shop.svc.cluster.local"\n  trafficPolicy: {tls: {mode: ${i % 2 ? 'DISABLE' : 'SIMPLE'}}}\n`,
      'networking.istio.io/v1',
    ),
  ];
  // Root-namespace RequestAuthentications and AuthorizationPolicies apply to every workload of the mesh: each finding
  // named the whole list of workloads again (nameList).
  shapes['N workloads in 50 namespaces, N/8 root-namespace RequestAuthentications and AuthorizationPolicies'] = (i) => [
    deployment(i).replace('namespace: shop', `namespace: ns-${i % 50}`),
    ...(i % 8 === 0
      ? [
          resource('RequestAuthentication', `jwt-${i}`, jwtRules).replace('shop', 'istio-system'),
          resource(
            'AuthorizationPolicy',
            `ap-${i}`,
            '  rules: [{from: [{source: {notPrincipals: ["cluster.local/ns/x/sa/y"]}}]}]\n',
          ).replace('shop', 'istio-system'),
        ]
      : []),
  ];

  // Principals naming service accounts the namespace does not hold: each finding relates the first accounts that
  // exist, looked up by name (a search of the namespace's ServiceAccounts each).
  shapes['one namespace of N ServiceAccounts, N AuthorizationPolicies naming unknown ones'] = (i) => [
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-${i}\n  namespace: shop\n`,
    resource(
      'AuthorizationPolicy',
      `ap-${i}`,
      `  rules:\n    - from: [{source: {principals: ["cluster.local/ns/shop/sa/sa-${i}x", "cluster.local/ns/shop/sa/sa-${i}y"]}}]\n`,
    ),
  ];

  // Suppression comments in every document of one file: the directive that covers a finding was searched among all
  // the file's directives for each finding (0.7 s of 1.2 s for 2,400 documents).
  const suppressed: Record<string, (i: number) => string[]> = {
    'one file of N documents with suppression comments': (i) => [
      `# meshlint-disable container-no-seccomp -- batch ${i}\n# meshlint-disable-next-line container-no-limits -- batch ${i}\n${deployment(i)}`,
    ],
  };

  /** Shapes written as one text of `n` parts. */
  const wholeTexts: Record<string, (n: number) => string> = {
    // Directives on consecutive lines each read the lines after them for the next line with content.
    'a stack of N directive comments': (n) =>
      `${'# meshlint-disable-next-line container-no-limits -- generated\n'.repeat(n)}${deployment(0)}`,
    // The routes of a service without plugins of their own share its plugins: each read all of them
    // (kong-no-auth, rate-limit-missing, terminatingPlugin).
    'a decK service of N routes and N/4 plugins': (n) =>
      `_format_version: "3.0"\nservices:\n  - name: shop\n    url: https://shop.example.com\n    plugins:\n${Array.from(
        { length: n / 4 },
        (_, i) =>
          `      - name: request-transformer\n        instance_name: rt-${i}\n        config: {add: {headers: ["x-${i}:1"]}}\n`,
      ).join(
        '',
      )}    routes:\n${Array.from({ length: n }, (_, i) => `      - name: r-${i}\n        protocols: [https]\n        paths: [/p${i}]\n`).join('')}`,
    // Each service's upstream was searched among all the file's upstreams (kong-upstream-plaintext).
    'a decK file of N upstreams and N services naming them': (n) =>
      `_format_version: "3.0"\nupstreams:\n${Array.from({ length: n }, (_, i) => `  - name: up-${i}\n    targets: [{target: "10.0.0.${i % 250}:80"}]\n`).join('')}services:\n${Array.from({ length: n }, (_, i) => `  - name: s-${i}\n    host: up-${(i * 7) % n}\n    protocol: http\n    routes: [{name: r-${i}, protocols: [https], paths: [/p${i}]}]\n`).join('')}`,
  };

  for (const [shape, text] of Object.entries(wholeTexts)) {
    it(`${shape}: regular-expression runs and array items per input character within 1.5x from 400 to 3,200`, async () => {
      const small = await workPerCharacter(text(400));
      const large = await workPerCharacter(text(3_200));
      expect(small.findings).toBeGreaterThan(0);
      expect(large.runs / small.runs).toBeLessThan(1.5);
      expect(large.items / small.items).toBeLessThan(1.5);
    }, 120_000);
  }

  for (const [shape, items] of Object.entries({ ...shapes, ...suppressed })) {
    it(`${shape}: regular-expression runs and array items per input character within 1.5x from 400 to 3,200`, async () => {
      const text = (n: number) =>
        Array.from({ length: n }, (_, i) => items(i))
          .flat()
          .join('---\n');
      const small = await workPerCharacter(text(400));
      const large = await workPerCharacter(text(3_200));
      expect(small.findings).toBeGreaterThan(50); // the rules ran and found things
      expect(small.items).toBeGreaterThan(0.1);
      expect(large.runs / small.runs).toBeLessThan(1.5);
      expect(large.items / small.items).toBeLessThan(1.5);
    }, 120_000);
  }

  it('the count catches a search to the text end per document (the quadratic firstDocumentEnd of 7bff563)', () => {
    const text = stream(2_000);
    const parts: [number, number][] = [];
    for (let at = 0, next = text.indexOf('\n---\n'); at < text.length; next = text.indexOf('\n---\n', at)) {
      const end = next === -1 ? text.length : next + 1;
      parts.push([at, end]);
      at = next === -1 ? text.length : next + 5;
    }
    searched.start();
    for (const [start] of parts) text.indexOf('\n%', start);
    searched.stop();
    expect(searched.count / text.length).toBeGreaterThan(parts.length / 3);
  });
});

describe('findings that name the other resources involved name a bounded number', () => {
  it('mtls-policy-ineffective: each of 30 namespace-wide policies names 6 competitors, relates 10 and counts the rest', () => {
    const policies = Array.from(
      { length: 30 },
      (_, i) =>
        `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: pa-${i}\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICT\n`,
    );
    const findings = lintTexts({ 'pa.yaml': policies.join('---\n') }).findings.filter(
      (f) => f.ruleId === 'mtls-policy-ineffective',
    );
    expect(findings).toHaveLength(30);
    for (const finding of findings) {
      expect(finding.message.match(/PeerAuthentication shop\/pa-\d+/g)).toHaveLength(7); // itself and 6 others
      expect(finding.message).toContain('(+23 more) as the namespace-wide policy');
      expect(finding.related).toHaveLength(10);
      const itself = `PeerAuthentication ${finding.message.split(' ')[1]} competes at the same scope`;
      expect(finding.related.map((r) => r.message)).not.toContain(itself);
      expect(finding.related[0].message).toMatch(/^PeerAuthentication shop\/pa-\d+ competes at the same scope$/);
    }
    expect(findings[0].message).toMatch(/^PeerAuthentication shop\/pa-0 competes with PeerAuthentication shop\/pa-1, /);
  });
});
