// The posture the scan computes for the HTML report (mTLS per port with the deciding policy and its line, the
// authorization graph, entry points, excerpts with secrets left out) and the page itself (self-contained, data
// embedded safely). The page in a real browser: test/html-browser.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/engine/config.js';
import { lintStaged } from '../src/engine/run.js';
import { LocationMemo } from '../src/location/memo.js';
import { parseSource } from '../src/parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { draftPosture, REDACTED_LINE, type Posture, type PortPosture } from '../src/posture.js';
import { RULES } from '../rules/index.js';
import { formatHtml, htmlData } from '../src/report/html.js';
import { scan } from '../src/scan.js';
import { runCli, tempRepo } from './helpers.js';

async function postureOf(paths: string[], cwd = process.cwd()) {
  const result = await scan({ cwd, paths, posture: true });
  expect(result.posture).toBeDefined();
  return { result, posture: result.posture! };
}

function port(posture: Posture, id: string, number: number | null): PortPosture {
  const workload = posture.namespaces.flatMap((ns) => ns.workloads).find((w) => w.id === id);
  expect(workload, id).toBeDefined();
  const p = workload!.ports.find((x) => x.port === number);
  expect(p, `${id} port ${number}`).toBeDefined();
  return p!;
}

/** The 1-based line of the first line of `file` that contains `text` (after line `after`). */
function lineOf(file: string, text: string, after = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l, i) => i >= after && l.includes(text));
  expect(index, `${text} in ${file}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('posture: the mTLS map', () => {
  it('gives each container port its effective mode and the policy (file:line) that decided it', async () => {
    const { posture } = await postureOf(['examples']);
    const mesh = 'examples/shop/mesh.yaml';
    const http = port(posture, 'Deployment/shop/checkout', 8080);
    expect(http.mode).toBe('STRICT');
    expect(http.decidedBy?.name).toBe('PeerAuthentication shop/default');
    expect(posture.sites[http.decidedBy!.at]).toEqual({ file: mesh, line: lineOf(mesh, 'mode: STRICT') });
    const metrics = port(posture, 'Deployment/shop/checkout', 9090);
    expect(metrics.mode).toBe('PERMISSIVE');
    expect(metrics.decidedBy?.name).toBe('PeerAuthentication shop/checkout');
    expect(posture.sites[metrics.decidedBy!.at]).toEqual({ file: mesh, line: lineOf(mesh, '9090:') });
    expect(port(posture, 'CronJob/shop/cleanup', null).mode).toBe('outside');
    expect(port(posture, 'Deployment/shop/frontend', 8080).mode).toBe('STRICT');
  });

  it('shows mesh-wide, ambient, default, bypassed and Linkerd modes', async () => {
    const mtls = (await postureOf(['fixtures/mesh-mtls'])).posture;
    const catalog = port(mtls, 'Deployment/shop/dont-fire-catalog', 8080);
    expect([catalog.mode, catalog.decidedBy?.name]).toEqual(['STRICT', 'PeerAuthentication istio-system/default']);
    expect(port(mtls, 'Deployment/ambient/fire-reports', 8080).mode).toBe('PERMISSIVE');
    expect(port(mtls, 'Deployment/ambient/dont-fire-outside', 8080).mode).toBe('outside');

    const bypass = (await postureOf(['fixtures/mesh-bypass'])).posture;
    const excluded = port(bypass, 'Deployment/shop/fire-excluded-ports', 8080);
    expect(excluded.mode).toBe('bypassed');
    const workloads = 'fixtures/mesh-bypass/workloads.yaml';
    expect(bypass.sites[excluded.decidedBy!.at]).toEqual({
      file: workloads,
      line: lineOf(workloads, 'excludeInboundPorts'),
    });
    expect(port(bypass, 'Deployment/shop/fire-partial-capture', 8080).mode).toBe('STRICT');
    expect(port(bypass, 'Deployment/shop/fire-partial-capture', 9901).mode).toBe('bypassed');
    const linkerd = bypass.namespaces.find((ns) => ns.name === 'emojivoto')!.workloads[0];
    expect(linkerd.mesh).toBe('linkerd');

    const authz = (await postureOf(['fixtures/mesh-authz'])).posture;
    const inventory = port(authz, 'Deployment/store/fire-inventory', 8080);
    expect(inventory.mode).toBe('PERMISSIVE');
    expect(inventory.decidedBy).toBeUndefined();
    expect(inventory.why).toMatch(/default, PERMISSIVE/);
  });
});

describe('posture: Linkerd', () => {
  it('reads the inbound policy and skipped ports from the pod template, else the namespace', async () => {
    const dir = tempRepo({
      'mesh.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: emoji
  annotations:
    linkerd.io/inject: enabled
    config.linkerd.io/default-inbound-policy: all-unauthenticated
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: emoji}
spec:
  template:
    metadata:
      annotations:
        config.linkerd.io/skip-inbound-ports: "9090"
    spec:
      containers:
        - name: web
          ports: [{containerPort: 8080}, {containerPort: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vote, namespace: emoji}
spec:
  template:
    metadata:
      annotations:
        config.linkerd.io/default-inbound-policy: all-authenticated
    spec:
      containers:
        - name: vote
          ports: [{containerPort: 8080}]
`,
    });
    const { posture } = await postureOf(['.'], dir);
    const file = join(dir, 'mesh.yaml');
    const web = port(posture, 'Deployment/emoji/web', 8080);
    expect([web.mode, web.decidedBy?.name]).toEqual(['PERMISSIVE', 'Namespace emoji']);
    expect(posture.sites[web.decidedBy!.at]).toEqual({
      file: 'mesh.yaml',
      line: lineOf(file, 'default-inbound-policy: all-unauthenticated'),
    });
    const skipped = port(posture, 'Deployment/emoji/web', 9090);
    expect([skipped.mode, posture.sites[skipped.decidedBy!.at].line]).toEqual([
      'bypassed',
      lineOf(file, 'skip-inbound-ports'),
    ]);
    const vote = port(posture, 'Deployment/emoji/vote', 8080);
    expect([vote.mode, vote.decidedBy?.name]).toEqual(['STRICT', 'Deployment emoji/vote']);
    expect(posture.namespaces[0].workloads.map((w) => w.mesh)).toEqual(['linkerd', 'linkerd']);
  });

  it("without an annotation, applies the cluster default of the repository's Linkerd install", async () => {
    const dir = tempRepo({
      'install.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: cluster-authenticated
`,
      'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      annotations: {linkerd.io/inject: enabled}
    spec:
      containers: [{name: web, ports: [{containerPort: 8080}]}]
`,
    });
    const web = port((await postureOf(['.'], dir)).posture, 'Deployment/shop/web', 8080);
    expect([web.mode, web.decidedBy?.name]).toEqual(['STRICT', 'ConfigMap linkerd/linkerd-config']);
    expect(web.why).toContain('the cluster default applies: cluster-authenticated');
  });
});

describe('posture: who may call whom', () => {
  it('turns Istio rules into grants from sources to workloads, DENY and allow-all told apart', async () => {
    const { posture } = await postureOf(['fixtures/mesh-authz']);
    const grants = (policy: string) => posture.authz.grants.filter((g) => g.policy === policy);
    const deny = grants('AuthorizationPolicy shop/dont-fire-require-mtls');
    expect(deny).toHaveLength(1);
    expect(deny[0].action).toBe('DENY');
    expect(deny[0].sources).toEqual(['unauthenticated:unauthenticated callers']);
    expect([...deny[0].targets].sort()).toEqual(['Deployment/shop/dont-fire-api', 'Deployment/shop/dont-fire-web']);
    const allowAll = grants('AuthorizationPolicy shop/fire-allow-all');
    expect(allowAll.some((g) => g.allowAll && g.sources.includes('any:anyone (no source condition)'))).toBe(true);
    const wildcards = grants('AuthorizationPolicy shop/fire-wildcards')[0];
    const byId = new Map(posture.authz.sources.map((s) => [s.id, s]));
    expect(wildcards.sources.map((id) => byId.get(id)!.wildcard)).toEqual(wildcards.sources.map(() => true));
    const principal = byId.get('principal:cluster.local/ns/shop/sa/frontend')!;
    expect([principal.wildcard, principal.namespace]).toEqual([false, 'shop']);
  });
});

describe('posture: entry points', () => {
  it('reports TLS, authentication and rate limiting of Envoy listeners and Kong routes', async () => {
    const { posture } = await postureOf(['fixtures/envoy-bootstrap', 'fixtures/kong-deck']);
    const entry = (name: string) => posture.entryPoints.find((e) => e.name === name)!;
    const plaintext = entry('EnvoyListener fire-plaintext-public');
    expect([plaintext.tls.state, plaintext.auth.state, plaintext.match]).toEqual(['no', 'no', '0.0.0.0:8080']);
    const tls = entry('EnvoyListener fire-server-only-tls');
    expect([tls.tls.state, tls.auth.state, tls.auth.detail, tls.rateLimit.state]).toEqual([
      'yes',
      'yes',
      'ext_authz',
      'yes',
    ]);
    expect(entry('EnvoyListener dont-fire-loopback-admin-proxy').local).toBe(true);
    const route = entry('KongRoute dont-fire-orders-private');
    expect([route.tls.state, route.auth.state, route.auth.detail]).toEqual(['yes', 'yes', 'key-auth']);
    expect(entry('KongRoute fire-billing-default-protocols').tls.state).toBe('partial');
    expect(entry('KongRoute fire-search-unlimited').rateLimit.state).toBe('no');
    expect(entry('KongRoute dont-fire-grpc-stream').auth.state).toBe('n/a');
    const at = posture.sites[route.at];
    expect(at).toEqual({
      file: 'fixtures/kong-deck/kong.yaml',
      line: lineOf('fixtures/kong-deck/kong.yaml', 'dont-fire-orders-private'),
    });
  });
});

describe('posture: excerpts', () => {
  it('keeps the lines of findings, and leaves out every line a secret finding covers', async () => {
    const secret = 'Zq8vK2mX9pL4wR7tY1nB';
    const dir = tempRepo({
      'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: nginx:latest
          env:
            - {name: DB_PASSWORD, value: "${secret}"}
`,
    });
    const { result, posture } = await postureOf(['.'], dir);
    const secretFinding = result.findings.find((f) => f.ruleId === 'secret-hardcoded');
    expect(secretFinding).toBeDefined();
    expect(posture.excerpts[`app.yaml:${secretFinding!.range.startLine}`]).toBe(REDACTED_LINE);
    const image = result.findings.find((f) => f.ruleId === 'container-mutable-image')!;
    expect(posture.excerpts[`app.yaml:${image.range.startLine}`]).toBe('          image: nginx:latest');
    expect(JSON.stringify(posture)).not.toContain(secret.slice(4));
    const page = formatHtml(result);
    expect(page).not.toContain(secret.slice(4));
  });
});

describe('posture: robustness', () => {
  const seeds = readdirSync('fixtures', { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && /mesh|envoy|kong/.test(e.parentPath))
    .map((e) => readFileSync(join(e.parentPath, e.name)));

  it('never throws on mutated mesh manifests, and every site is a line of its file', () => {
    expect(seeds.length).toBeGreaterThan(10);
    const config = defaultConfig('.');
    const secretRules = new Set(RULES.filter((r) => r.family === 'secrets').map((r) => r.id));
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      edits: fc.array(
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let bytes = Buffer.from(seeds[seed]);
        for (const [at, byte, kind] of edits) {
          const i = bytes.length ? at % bytes.length : 0;
          if (kind === 'flip' && bytes.length) bytes[i] = byte;
          else if (kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
          else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
        }
        const file = parseSource('fuzz.yaml', bytes, MANIFEST_PARSE_OPTIONS);
        const locations = new LocationMemo();
        const staged = lintStaged({ files: [file], rules: RULES, config, locations });
        const draft = draftPosture(staged.graph, [file], config.settings, locations);
        const result = staged.finish();
        const posture = draft.finish(result.findings, result.findings, secretRules);
        const lines = file.text.split('\n').length;
        for (const site of posture.sites) {
          expect(site.file).toBe('fuzz.yaml');
          expect(site.line).toBeGreaterThanOrEqual(1);
          expect(site.line).toBeLessThanOrEqual(lines);
        }
        expect(formatHtml({ ...result, posture })).toMatch(/<\/html>\n$/);
      }),
      { numRuns: 120 },
    );
  });
});

describe('the HTML page', () => {
  it('is one self-contained document: no external script, style, image or font', async () => {
    const { result } = await postureOf(['examples']);
    const page = formatHtml(result);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<link\b|<img\b|<iframe\b|\bsrc\s*=|@import|url\((?!#)/i);
    expect(page).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    // The only URLs are links to the rules' documentation (navigation, not requests).
    const urls = page.match(/https?:\/\/[^"'\s<)]+/g) ?? [];
    expect(urls.filter((u) => !u.includes('/docs/rules/') && u !== 'http://www.w3.org/2000/svg')).toEqual([]);
  });

  it('embeds the data so that no text in it can end the script element', async () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const dir = tempRepo({
      'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: "nginx:${hostile}"
`,
    });
    const { result } = await postureOf(['.'], dir);
    expect(result.findings.some((f) => f.message.includes(hostile))).toBe(true);
    const page = formatHtml(result);
    const scripts = page.match(/<script\b/g) ?? [];
    expect(scripts).toHaveLength(2);
    const json = /<script type="application\/json" id="meshlint-data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(htmlData(result))));
  });

  it('counts, totals and what was not linted are in the page without script', async () => {
    const dir = tempRepo({
      'ok.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n',
      'compose.yaml': 'services:\n  web:\n    image: nginx\n',
    });
    const { code, stderr } = await runCli(['.', '-f', 'html', '-o', 'report.html'], dir);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(page).toMatch(/<dt>Errors<\/dt><dd>1<\/dd>/);
    expect(page).toMatch(/<code>broken\.yaml:\d+<\/code>: not read \(parse error\)/);
    expect(page).toContain('<code>compose.yaml</code>: 1 document of no format meshlint reads');
  });

  it('embeds no posture when the scan drew none (the browser test checks what the page says then)', async () => {
    const result = await scan({ cwd: process.cwd(), paths: ['examples'] });
    expect(result.posture).toBeUndefined();
    const data = JSON.parse(/id="meshlint-data">([\s\S]*?)<\/script>/.exec(formatHtml(result))![1]);
    expect(data.posture).toBeNull();
    expect(data.findings.length).toBe(result.findings.length);
  });

  it('asks the scan for the posture, also with --cache (a whole previous run has none)', async () => {
    const dir = tempRepo({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' });
    await runCli(['.', '--cache', '-f', 'json'], dir);
    const { code } = await runCli(['.', '--cache', '-f', 'html', '-o', 'report.html'], dir);
    expect(code).toBe(0);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    const data = JSON.parse(/id="meshlint-data">([\s\S]*?)<\/script>/.exec(page)![1]);
    expect(data.posture).not.toBeNull();
  });
});
