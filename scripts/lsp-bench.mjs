// The language server's edit latency: `meshlint --lsp` on a whole corpus as the workspace, a few of its files opened
// and edited one keystroke-sized change after another; the time from sending didChange to receiving the
// publishDiagnostics of that version, measured by the client (JSON-RPC over pipes included). Part of npm run bench;
// alone: node scripts/lsp-bench.mjs [corpus] [edits per file].
import { readFileSync } from 'node:fs';
import { clockTicks } from './lsp-cpu.mjs';
import { join, resolve } from 'node:path';
import { startClient } from './lsp-client.mjs';

/** Files of ../shared/corpus of different systems (a workload, a PeerAuthentication, Kong decK, an Envoy bootstrap). */
export const EDITED_FILES = [
  'microservices-demo/kubernetes-manifests/frontend.yaml',
  'istio/pilot/pkg/serviceregistry/ambient/testdata/peer-authn-strict-in.yaml',
  'kong-go-database-reconciler/tests/integration/testdata/apply/007-plugin-conditional/updated.yaml',
  'envoy-gateway/internal/xds/bootstrap/testdata/render/custom-server-port.yaml',
];

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

export async function benchLanguageServer(
  corpus,
  { bin = resolve('dist/meshlint.cjs'), editsPerFile = 25, files = EDITED_FILES } = {},
) {
  const started = performance.now();
  const client = await startClient({ bin, root: corpus });
  const latencies = [];
  const perFile = {};
  /** The server's CPU milliseconds per edit, by file (from /proc: what the machine's load does not inflate). */
  const cpuMs = [];
  let firstDiagnosticsMs;
  try {
    for (const file of files) {
      const path = join(corpus, file);
      let text;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // another corpus without this file
      }
      const uri = await client.open(path, text);
      await client.waitFor(uri, () => true, { timeoutMs: 600_000 });
      firstDiagnosticsMs ??= performance.now() - started;
      const mine = [];
      const cpuBefore = clockTicks(client.pid);
      for (let i = 0; i < editsPerFile; i++) {
        // Typing at the end of the first line: a comment that grows by one character per edit.
        text = text.replace(
          /^([^\n]*?)( #x*)?\n/,
          (_, line, mark) => `${line} #${'x'.repeat(mark ? mark.length - 1 : 0)}\n`,
        );
        const sent = performance.now();
        const version = await client.change(uri, text);
        const published = await client.waitFor(uri, (p) => p.version === version);
        latencies.push(published.at - sent);
        mine.push(published.at - sent);
      }
      perFile[file] = percentile(mine, 0.5);
      const cpuAfter = clockTicks(client.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpuMs.push(((cpuAfter - cpuBefore) * 10) / editsPerFile);
      await client.close(uri);
    }
  } finally {
    await client.stop();
  }
  return {
    edits: latencies.length,
    firstDiagnosticsMs,
    medianMs: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    maxMs: Math.max(...latencies),
    /** Median by file. */
    perFile,
    cpuMsPerEdit: cpuMs.length ? cpuMs.reduce((a, b) => a + b, 0) / cpuMs.length : undefined,
    cpuMsPerEditByFile: cpuMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = resolve(process.argv[2] ?? '../shared/corpus');
  const result = await benchLanguageServer(corpus, { editsPerFile: Number(process.argv[3] ?? 25) });
  console.log(JSON.stringify(result, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)));
}
