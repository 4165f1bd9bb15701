// The language server driven as an editor drives it: `meshlint --lsp` from the committed bundle, JSON-RPC over its
// standard input and output; open, change, watch files, apply every code action, hover.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyTextEdits, fileUri, startClient } from '../scripts/lsp-client.mjs';
import { tempRepo } from './helpers.js';

const BIN = 'dist/meshlint.cjs';

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
`;
const POLICY = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE # during the migration
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: { app: web } # selected by the Service
    spec:
      containers:
        - name: app # the shop front end
          image: nginx:1.27
          securityContext:
            privileged: true
`;

type Client = Awaited<ReturnType<typeof startClient>>;
type Diagnostic = {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  code: string;
  severity: number;
  message: string;
  codeDescription?: { href: string };
  relatedInformation?: { location: { uri: string }; message: string }[];
  data?: { fingerprint: string };
};
type Publication = { version?: number; diagnostics: Diagnostic[] };

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
});

async function start(files: Record<string, string>) {
  const root = tempRepo(files);
  const client = await startClient({ bin: BIN, root });
  clients.push(client);
  return { root, client };
}

const codes = (p: Publication) => p.diagnostics.map((d) => d.code).sort();

describe('meshlint --lsp', () => {
  it('publishes diagnostics for an open document, judged with the other files of the workspace', async () => {
    const { root, client } = await start({ 'ns.yaml': NAMESPACE, 'pa.yaml': POLICY, 'web.yaml': DEPLOYMENT });
    expect(client.initialized.capabilities).toMatchObject({
      textDocumentSync: 2,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    });
    const uri = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    const first: Publication = await client.waitFor(uri);
    expect(first.version).toBe(1);
    expect(codes(first)).toEqual([
      'container-capabilities',
      'container-mutable-image',
      'container-no-limits',
      'container-no-seccomp',
      'container-privilege-escalation',
      'container-privileged',
      'container-run-as-root',
      'container-writable-rootfs',
      'mtls-not-strict',
      'workload-default-service-account',
    ]);
    // The PeerAuthentication in pa.yaml decides the mode: the diagnostic says so and points there.
    const mtls = first.diagnostics.find((d) => d.code === 'mtls-not-strict')!;
    expect(mtls.message).toContain('PERMISSIVE, decided by PeerAuthentication shop/default');
    expect(mtls.relatedInformation?.[0].location.uri).toBe(fileUri(join(root, 'pa.yaml')));
    expect(mtls.codeDescription?.href).toMatch(/docs\/rules\/mtls-not-strict\.md$/);
    const privileged = first.diagnostics.find((d) => d.code === 'container-privileged')!;
    expect(privileged).toMatchObject({
      severity: 1,
      range: { start: { line: 14, character: 12 }, end: { line: 14, character: 28 } },
    });
  });

  it('lints the unsaved text as it changes', async () => {
    const { root, client } = await start({ 'ns.yaml': NAMESPACE, 'pa.yaml': POLICY, 'web.yaml': DEPLOYMENT });
    const uri = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    await client.waitFor(uri);
    const version = await client.change(
      uri,
      DEPLOYMENT.replace('privileged: true', 'privileged: false\n            readOnlyRootFilesystem: true'),
    );
    const changed: Publication = await client.waitFor(uri, (p: Publication) => p.version === version);
    expect(codes(changed)).not.toContain('container-privileged');
    expect(codes(changed)).not.toContain('container-writable-rootfs');
    expect(codes(changed)).toContain('mtls-not-strict');
    // A broken edit is a located parse error, not silence.
    const broken = await client.change(uri, DEPLOYMENT.replace('labels: { app: web }', 'labels: { app: web'));
    const parse: Publication = await client.waitFor(uri, (p: Publication) => p.version === broken);
    expect(codes(parse)).toContain('parse-error');
  });

  it('applies every code action of every diagnostic, and each one makes its finding go away', async () => {
    const { root, client } = await start({ 'ns.yaml': NAMESPACE, 'pa.yaml': POLICY, 'web.yaml': DEPLOYMENT });
    let applied = 0;
    for (const [name, original] of [
      ['web.yaml', DEPLOYMENT],
      ['pa.yaml', POLICY],
    ] as const) {
      const uri = await client.open(join(root, name), original);
      const opened: Publication = await client.waitFor(uri);
      expect(opened.diagnostics.length).toBeGreaterThan(0);
      for (const diagnostic of opened.diagnostics) {
        const actions = (await client.connection.sendRequest('textDocument/codeAction', {
          textDocument: { uri },
          range: diagnostic.range,
          context: { diagnostics: [diagnostic] },
        })) as {
          title: string;
          kind: string;
          edit: { changes: Record<string, { range: Diagnostic['range']; newText: string }[]> };
        }[];
        expect(
          actions.some((a) => a.title.startsWith(`Suppress ${diagnostic.code} on this line`)),
          diagnostic.code,
        ).toBe(true);
        for (const action of actions) {
          expect(action.kind).toBe('quickfix');
          const text = applyTextEdits(original, action.edit.changes[uri]);
          const version = await client.change(uri, text);
          const after: Publication = await client.waitFor(uri, (p: Publication) => p.version === version);
          expect(
            after.diagnostics.map((d) => d.data?.fingerprint),
            `${action.title}`,
          ).not.toContain(diagnostic.data?.fingerprint);
          expect(codes(after)).not.toContain('parse-error');
          expect(codes(after)).not.toContain('suppression-without-reason');
          // Back to the original for the next action.
          const reset = await client.change(uri, original);
          await client.waitFor(uri, (p: Publication) => p.version === reset);
          applied++;
        }
      }
      await client.close(uri);
    }
    // A suppression for each finding, and the rules' own fixes (privileged, escalation, read-only root, STRICT).
    expect(applied).toBeGreaterThanOrEqual(8 + 4);
  });

  it('updates other open documents once an edit elsewhere changes their findings', async () => {
    const { root, client } = await start({ 'ns.yaml': NAMESPACE, 'pa.yaml': POLICY, 'web.yaml': DEPLOYMENT });
    const web = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    expect(codes(await client.waitFor(web))).toContain('mtls-not-strict');
    const pa = await client.open(join(root, 'pa.yaml'), POLICY);
    await client.waitFor(pa);
    const seen = client.count(web);
    await client.change(pa, POLICY.replace('PERMISSIVE', 'STRICT'));
    const updated: Publication = await client.waitFor(web, (p: Publication) => !codes(p).includes('mtls-not-strict'), {
      after: seen,
    });
    expect(codes(updated)).toContain('container-privileged');
  });

  it('follows files changed on disk and the configuration', async () => {
    const { root, client } = await start({ 'ns.yaml': NAMESPACE, 'pa.yaml': POLICY, 'web.yaml': DEPLOYMENT });
    const web = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    expect(codes(await client.waitFor(web))).toContain('mtls-not-strict');
    expect(client.registrations.map((r: { method: string }) => r.method)).toContain('workspace/didChangeWatchedFiles');

    // The Namespace no longer injects sidecars: the workload is out of the mesh.
    let seen = client.count(web);
    writeFileSync(join(root, 'ns.yaml'), NAMESPACE.replace('enabled', 'disabled'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(join(root, 'ns.yaml')), type: 2 }],
    });
    await client.waitFor(web, (p: Publication) => !codes(p).includes('mtls-not-strict'), { after: seen });

    // .meshlint.yaml turns a rule off; an invalid one is reported on itself and the defaults apply.
    seen = client.count(web);
    writeFileSync(join(root, '.meshlint.yaml'), 'rules:\n  container-privileged: off\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(join(root, '.meshlint.yaml')), type: 2 }],
    });
    const quiet: Publication = await client.waitFor(
      web,
      (p: Publication) => !codes(p).includes('container-privileged'),
      { after: seen },
    );
    expect(codes(quiet)).toContain('container-writable-rootfs');

    seen = client.count(web);
    writeFileSync(join(root, '.meshlint.yaml'), 'rules:\n  no-such-rule: off\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(join(root, '.meshlint.yaml')), type: 2 }],
    });
    const config: Publication = await client.waitFor(fileUri(join(root, '.meshlint.yaml')));
    expect(config.diagnostics[0].message).toMatch(/no-such-rule/);
    await client.waitFor(web, (p: Publication) => codes(p).includes('container-privileged'), { after: seen });

    // A deleted file leaves the graph.
    seen = client.count(web);
    rmSync(join(root, 'ns.yaml'));
    writeFileSync(join(root, '.meshlint.yaml'), 'mesh:\n  assumeInjected: true\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: fileUri(join(root, 'ns.yaml')), type: 3 },
        { uri: fileUri(join(root, '.meshlint.yaml')), type: 2 },
      ],
    });
    const assumed: Publication = await client.waitFor(web, (p: Publication) => codes(p).includes('mtls-not-strict'), {
      after: seen,
    });
    expect(assumed.diagnostics.find((d) => d.code === 'mtls-not-strict')!.message).not.toContain(
      'istio-injection=enabled',
    );
  });

  it("honours the configuration's ignore, as discovery does", async () => {
    const { root, client } = await start({
      '.meshlint.yaml': 'ignore:\n  - vendor/**\nrules:\n  networkpolicy-no-default-deny: off\n',
      'vendor/web.yaml': DEPLOYMENT,
      'web.yaml': DEPLOYMENT,
    });
    const vendored = await client.open(join(root, 'vendor/web.yaml'), DEPLOYMENT);
    const own = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    expect(codes(await client.waitFor(own))).toContain('container-privileged');
    // Notifications are handled in order: the vendored file was handled first, and nothing was published for it.
    expect(client.count(vendored)).toBe(0);
  });

  it('explains the rule on hover', async () => {
    const { root, client } = await start({ 'web.yaml': DEPLOYMENT });
    const uri = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    await client.waitFor(uri);
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 14, character: 14 },
    })) as { contents: { kind: string; value: string } };
    expect(hover.contents.kind).toBe('markdown');
    expect(hover.contents.value).toContain('**Containers must not run privileged or share host namespaces**');
    expect(hover.contents.value).toContain('**Why.**');
    expect(hover.contents.value).toContain('**How to fix.**');
    const nothing = await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 0 },
    });
    expect(nothing).toBeNull();
  });

  it('clears the diagnostics of a closed document and exits cleanly', async () => {
    const { root, client } = await start({ 'web.yaml': DEPLOYMENT });
    const uri = await client.open(join(root, 'web.yaml'), DEPLOYMENT);
    await client.waitFor(uri);
    const seen = client.count(uri);
    await client.close(uri);
    await client.waitFor(uri, (p: Publication) => p.diagnostics.length === 0, { after: seen });
    clients.splice(clients.indexOf(client), 1);
    expect(await client.stop()).toBe(0);
  });
});
