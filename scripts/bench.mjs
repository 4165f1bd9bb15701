// npm run bench: speed and memory of a full scan of ../shared/corpus (or the directory given), compared with a
// bare single-core parse of the same files with the yaml package, plus a one-file cold start. Not a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateDeckRoutes,
  generateDocuments,
  generateEnvoyClusters,
  generateEnvoyClustersJson,
  generateRepo,
  generateWorkloads,
} from './gen-scale-repo.mjs';
import { generateKustomizeRepo } from './gen-kustomize-repo.mjs';
import { benchLanguageServer } from './lsp-bench.mjs';
import { benchConfig } from './bench-custom-rules.mjs';

const corpus = resolve(process.argv[2] ?? '../shared/corpus');
const bin = resolve('dist/meshlint.cjs');
const node = process.execPath;

function runStats(args, env = process.env) {
  const started = process.hrtime.bigint();
  const child = spawnSync(node, args, { encoding: 'utf8', maxBuffer: 1 << 30, env });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const line = child.stderr.split('\n').find((l) => /^[\w-]+: stats \{/.test(l));
  if (!line) throw new Error(`no stats from ${args.join(' ')} (exit ${child.status}): ${child.stderr.slice(0, 500)}`);
  return { ...JSON.parse(line.slice(line.indexOf('{'))), processWall: wall };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`corpus: ${corpus}`);
const scans = [1, 2, 3].map(() => runStats([bin, corpus, '-f', 'json', '-o', '/dev/null', '--no-config', '--stats']));
const bare = [1, 2, 3].map(() => runStats(['scripts/bare-parse.mjs', corpus]));
const scan = scans.sort((a, b) => a.processWall - b.processWall)[1];
const parse = bare.sort((a, b) => a.processWall - b.processWall)[1];

// One file, cold process: 20 runs alternating with `node -e 0` (Node's own start, the floor), so that the ratio
// holds on a machine whose speed drifts. The code cache (in the user's cache folder) is filled by a first run, as
// any run after the first finds it; `no code cache` gives each run an empty cache folder (a first run ever).
const oneFile = resolve(corpus, 'microservices-demo/kubernetes-manifests/frontend.yaml');
const oneFileArgs = [bin, oneFile, '-f', 'json', '-o', '/dev/null', '--no-config', '--stats'];
// CPU of a bare Node, read the way --stats reads meshlint's: the process's own resource usage as it ends.
const bareNode = [
  '-e',
  'const u = process.resourceUsage(); console.error(`node: stats ${JSON.stringify({ cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 })}`)',
];
function timed(args, env) {
  const started = process.hrtime.bigint();
  const child = spawnSync(node, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (child.status === null || child.status > 1) throw new Error(`${args.join(' ')}: exit ${child.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}
let single = [];
const floor = [];
// Node parses the NODE_EXTRA_CA_CERTS bundle at every start (a 219 KB bundle: ~30 ms of `node -e 0` on the project's
// machines), which meshlint cannot skip: the one-file figures are also taken without it, to show meshlint's own part.
const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutExtraCerts } = process.env;
const singleNoCerts = [];
const floorNoCerts = [];
const noCodeCache = [];
const startup = { '--version': [], '--list-rules': [] };
try {
  statSync(oneFile);
  runStats(oneFileArgs);
  for (let i = 0; i < 20; i++) {
    single.push(runStats(oneFileArgs));
    floor.push(runStats(bareNode));
    if (extraCerts) {
      singleNoCerts.push(runStats(oneFileArgs, withoutExtraCerts));
      floorNoCerts.push(runStats(bareNode, withoutExtraCerts));
    }
    for (const flag of Object.keys(startup)) startup[flag].push(timed([bin, flag]));
  }
  for (let i = 0; i < 5; i++) {
    const empty = mkdtempSync(join(tmpdir(), 'meshlint-bench-xdg-'));
    noCodeCache.push(timed(oneFileArgs, { XDG_CACHE_HOME: empty }));
    rmSync(empty, { recursive: true, force: true });
  }
} catch (error) {
  // another corpus without that file: skip the one-file figures
  if (error.code !== 'ENOENT') throw error;
  single = [];
}
const medianMs = (values) => (median(values) * 1000).toFixed(0);

// Warm re-run with the cache: first run fills it, the median of three warm runs is reported.
const cacheDir = mkdtempSync(join(tmpdir(), 'meshlint-bench-cache-'));
const cacheArgs = [
  bin,
  corpus,
  '-f',
  'json',
  '-o',
  '/dev/null',
  '--no-config',
  '--stats',
  '--cache-location',
  join(cacheDir, 'cache.bin'),
];
const coldCached = runStats(cacheArgs);
const warm = [1, 2, 3].map(() => runStats(cacheArgs)).sort((a, b) => a.processWall - b.processWall)[1];
rmSync(cacheDir, { recursive: true, force: true });

// The language server with the corpus as its workspace: didChange -> publishDiagnostics for one-file edits.
const lsp = await benchLanguageServer(corpus);
// Custom rules: 50 rules of every view and operator (scripts/bench-custom-rules.mjs) against none, in paired runs
// (alternating order); "quiet" evaluates the same assertions but reports nothing, which separates the cost of the
// rules from the cost of their findings (located, fingerprinted, written like any other).
const rulesDir = mkdtempSync(join(tmpdir(), 'meshlint-bench-rules-'));
const configs = { none: '{}\n', firing: benchConfig(50), quiet: benchConfig(50, true) };
for (const [name, text] of Object.entries(configs)) writeFileSync(join(rulesDir, `${name}.yaml`), text);
const customRun = (name) =>
  runStats([bin, corpus, '-f', 'json', '-o', '/dev/null', '-c', join(rulesDir, `${name}.yaml`), '--stats']);
const customPairs = { firing: [], quiet: [] };
for (let i = 0; i < 3; i++) {
  for (const variant of ['firing', 'quiet']) {
    const pair =
      i % 2
        ? { with: customRun(variant), none: customRun('none') }
        : { none: customRun('none'), with: customRun(variant) };
    customPairs[variant].push(pair);
  }
}
rmSync(rulesDir, { recursive: true, force: true });
const pairedRatio = (pairs, key) => median(pairs.map((p) => p.with[key] / p.none[key]));
const customRows = Object.entries(customPairs).map(([variant, pairs]) => [
  `50 custom rules (${variant}) / none: CPU, wall, peak RSS (median of 3 pairs)`,
  `${pairedRatio(pairs, 'cpuSeconds').toFixed(2)}, ${pairedRatio(pairs, 'processWall').toFixed(2)}, ${pairedRatio(pairs, 'peakRssMb').toFixed(2)} (findings ${pairs[0].none.findings} -> ${pairs[0].with.findings})`,
]);

// Scaling: generated repositories of 10k, 20k and 50k resources; time per resource should stay flat.
const scale = [10_000, 20_000, 50_000].map((n) => {
  let count = 0;
  const stats = scanGenerated((dir) => {
    count = generateRepo(dir, n);
  });
  return { n, count, stats };
});

// Shapes that used to be quadratic: rules time per resource for 500 and 8,000 workloads, all in one namespace or
// spread over namespaces; and 20,000 documents in one file against the same documents spread over files.
function scanGenerated(generate) {
  const dir = mkdtempSync(join(tmpdir(), 'meshlint-bench-shape-'));
  try {
    generate(dir);
    return {
      ...runStats([bin, dir, '-f', 'json', '-o', '/dev/null', '--no-config', '--stats']),
      inputMb: megabytesIn(dir),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
/** Size of every file under dir, in MB (the input a memory budget is measured against). */
function megabytesIn(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  return bytes / 1048576;
}
const rulesPerResource = (stats) => (stats.phasesMs.rules * 1000) / stats.resources;
const workloadShapes = ['one namespace', 'spread'].map((shape) => {
  const [small, large] = [500, 8000].map((w) => scanGenerated((dir) => generateWorkloads(dir, w, shape === 'spread')));
  return { shape, small, large };
});
// One large decK file (routes) and one large Envoy bootstrap (clusters): rules and CPU per object for 2,000 and
// 40,000 of them. Linear shapes measure at or below 1 (the small file carries fixed costs); a lookup over the whole
// document per finding made the decK rules ratio 5.6.
const perObject = (n, ms) => (ms * 1000) / n;
const fileShapes = [
  ['decK routes', generateDeckRoutes],
  ['Envoy clusters', generateEnvoyClusters],
].map(([shape, generate]) => {
  const [small, large] = [2000, 40_000].map((n) => ({ n, stats: scanGenerated((dir) => generate(dir, n)) }));
  return { shape, small, large };
});
// The same Envoy bootstrap written as JSON (on one line): its findings are located without the YAML library.
const envoyJson = scanGenerated((dir) => generateEnvoyClustersJson(dir, 40_000));
// Memory: peak RSS against the budget of twice the input plus 150 MB, for 100,000 and 1,000,000 tiny documents (and,
// in the rows, the large decK and Envoy files and the generated repositories).
const budgetMb = (inputMb) => 2 * inputMb + 150;
const tinyDocuments = [100_000, 1_000_000].map((n) =>
  scanGenerated((dir) =>
    writeFileSync(join(dir, 'tiny.yaml'), Array.from({ length: n }, (_, i) => `a: ${i % 10}\n`).join('---\n')),
  ),
);
/** "peak MB / budget = ratio" of a run against twice its input plus 150 MB. */
const againstBudget = (stats) =>
  `${stats.peakRssMb.toFixed(0)} / ${budgetMb(stats.inputMb).toFixed(0)} = ${(stats.peakRssMb / budgetMb(stats.inputMb)).toFixed(2)}`;
const [oneFileDocs, spreadDocs] = [true, false].map((oneFile) =>
  scanGenerated((dir) => generateDocuments(dir, 20_000, oneFile)),
);
// Kustomize: 50 bases with 3 overlays each, built and linted, against the same objects written as plain files.
const kustomizeDir = mkdtempSync(join(tmpdir(), 'meshlint-bench-kustomize-'));
const generated = generateKustomizeRepo(kustomizeDir, 50);
const pick = (dir) =>
  [1, 2, 3]
    .map(() => runStats([bin, dir, '-f', 'json', '-o', '/dev/null', '--no-config', '--stats']))
    .sort((a, b) => a.processWall - b.processWall)[1];
const built = pick(generated.kustomize);
const plain = pick(generated.plain);
rmSync(kustomizeDir, { recursive: true, force: true });

const rows = [
  ['files', scan.files],
  ['MB', parse.megabytes.toFixed(1)],
  ['documents', scan.documents],
  ['resources', scan.resources],
  ['findings', scan.findings],
  ['full scan wall s (median of 3, whole process)', scan.processWall.toFixed(2)],
  ['full scan CPU s', scan.cpuSeconds.toFixed(2)],
  ['full scan peak RSS MB', scan.peakRssMb.toFixed(0)],
  ['bare yaml parse wall s (single core, median of 3)', parse.processWall.toFixed(2)],
  ['bare yaml parse peak RSS MB', parse.peakRssMb.toFixed(0)],
  ['scan / bare parse', (scan.processWall / parse.processWall).toFixed(2)],
  ['scan / bare parse, CPU (what a loaded machine still measures)', (scan.cpuSeconds / parse.cpuSeconds).toFixed(2)],
  ['full scan peak RSS / (2 x input + 150 MB)', (scan.peakRssMb / budgetMb(parse.megabytes)).toFixed(2)],
  ...(single.length
    ? [
        [
          'one file, cold process, median of 20: wall ms, CPU ms',
          `${medianMs(single.map((r) => r.processWall))}, ${medianMs(single.map((r) => r.cpuSeconds))}`,
        ],
        [
          'node -e 0 in the same runs: wall ms, CPU ms',
          `${medianMs(floor.map((r) => r.processWall))}, ${medianMs(floor.map((r) => r.cpuSeconds))}`,
        ],
        [
          'one file / node -e 0: wall, CPU (median of 20 pairs)',
          `${median(single.map((r, i) => r.processWall / floor[i].processWall)).toFixed(2)}, ${median(single.map((r, i) => r.cpuSeconds / floor[i].cpuSeconds)).toFixed(2)}`,
        ],
        ...(extraCerts
          ? [
              [
                'without NODE_EXTRA_CA_CERTS: one file / node -e 0, wall ms (median of 20)',
                `${medianMs(singleNoCerts.map((r) => r.processWall))} / ${medianMs(floorNoCerts.map((r) => r.processWall))}`,
              ],
            ]
          : []),
        // What meshlint adds to Node's own start, which it cannot change (the CA bundle is parsed before any script).
        [
          `meshlint's own part: one file - node -e 0, wall ms, median of 20 pairs${extraCerts ? ' (as run; without NODE_EXTRA_CA_CERTS)' : ''}`,
          [[single, floor], ...(extraCerts ? [[singleNoCerts, floorNoCerts]] : [])]
            .map(([runs, floors]) => medianMs(runs.map((r, i) => r.processWall - floors[i].processWall)))
            .join(', '),
        ],
        ['one file, no code cache (a first run), wall ms, median of 5', medianMs(noCodeCache)],
        [
          '--version, --list-rules: wall ms (median of 20)',
          `${medianMs(startup['--version'])}, ${medianMs(startup['--list-rules'])}`,
        ],
      ]
    : []),
  ['cache: first run wall s', coldCached.processWall.toFixed(2)],
  ['cache: warm re-run wall s (median of 3)', warm.processWall.toFixed(2)],
  ['cache: warm / cold scan', (warm.processWall / scan.processWall).toFixed(2)],
  [
    `kustomize: ${generated.roots} overlays of 50 bases, wall s (median of 3)`,
    `${built.processWall.toFixed(2)} (${built.resources} resources, build phase ${built.phasesMs?.build ?? '?'} ms)`,
  ],
  [
    'kustomize: the same objects as plain files, wall s',
    `${plain.processWall.toFixed(2)} (${plain.resources} resources)`,
  ],
  ['kustomize: built / plain', (built.processWall / plain.processWall).toFixed(2)],
  ['lsp: workspace loaded, first diagnostics s', (lsp.firstDiagnosticsMs / 1000).toFixed(2)],
  [
    `lsp: didChange -> publishDiagnostics ms, median / p90 / max of ${lsp.edits} edits`,
    `${lsp.medianMs.toFixed(0)} / ${lsp.p90Ms.toFixed(0)} / ${lsp.maxMs.toFixed(0)}`,
  ],
  ...(lsp.cpuMsPerEdit !== undefined
    ? [
        [
          'lsp: server CPU ms per edit, mean (Deployment, PeerAuthentication, Kong, Envoy)',
          `${lsp.cpuMsPerEdit.toFixed(0)} (${lsp.cpuMsPerEditByFile.map((v) => v.toFixed(0)).join(', ')})`,
        ],
      ]
    : []),
  ...(single.length
    ? [
        [
          'lsp: edit median / one-file cold process',
          (lsp.medianMs / (median(single.map((r) => r.processWall)) * 1000)).toFixed(2),
        ],
      ]
    : []),
  ...customRows,
  ...scale.map(({ n, stats }) => [
    `generated ${n / 1000}k: resources, wall s, peak MB, µs/resource`,
    `${stats.resources} resources, ${stats.processWall.toFixed(2)} s, ${stats.peakRssMb.toFixed(0)} MB, ${((stats.processWall * 1e6) / stats.resources).toFixed(0)}`,
  ]),
  ...workloadShapes.map(({ shape, small, large }) => [
    `workloads ${shape}: rules µs/resource 500 / 8,000, ratio`,
    `${rulesPerResource(small).toFixed(0)} / ${rulesPerResource(large).toFixed(0)}, ${(rulesPerResource(large) / rulesPerResource(small)).toFixed(2)}`,
  ]),
  ...fileShapes.flatMap(({ shape, small, large }) => {
    const rules = [small, large].map(({ n, stats }) => perObject(n, stats.phasesMs.rules));
    const cpu = [small, large].map(({ n, stats }) => perObject(n, stats.cpuSeconds * 1000));
    return [
      [
        `${shape}, one file: rules µs per object 2,000 / 40,000, ratio`,
        `${rules[0].toFixed(0)} / ${rules[1].toFixed(0)}, ${(rules[1] / rules[0]).toFixed(2)}`,
      ],
      [
        `${shape}, one file: CPU µs per object 2,000 / 40,000, ratio; peak MB of the large`,
        `${cpu[0].toFixed(0)} / ${cpu[1].toFixed(0)}, ${(cpu[1] / cpu[0]).toFixed(2)}; ${large.stats.peakRssMb.toFixed(0)}`,
      ],
    ];
  }),
  ...tinyDocuments.map((stats) => [
    `${stats.documents / 1000}k tiny documents (${stats.inputMb.toFixed(1)} MB): wall s, CPU s, peak MB / budget`,
    `${stats.processWall.toFixed(2)}, ${stats.cpuSeconds.toFixed(2)}, ${againstBudget(stats)}`,
  ]),
  ...fileShapes.map(({ shape, large }) => [
    `${shape}, one file of 40,000 (${large.stats.inputMb.toFixed(1)} MB): peak MB / budget`,
    againstBudget(large.stats),
  ]),
  [
    `Envoy clusters as JSON, one file of 40,000 (${envoyJson.inputMb.toFixed(1)} MB): peak MB / budget`,
    againstBudget(envoyJson),
  ],
  ...scale.map(({ n, stats }) => [
    `generated ${n / 1000}k (${stats.inputMb.toFixed(1)} MB): peak MB / budget`,
    againstBudget(stats),
  ]),
  [
    '20k documents: one file / spread wall s, ratio',
    `${oneFileDocs.processWall.toFixed(2)} / ${spreadDocs.processWall.toFixed(2)}, ${(oneFileDocs.processWall / spreadDocs.processWall).toFixed(2)}`,
  ],
  [
    '20k documents: one file / spread CPU s, ratio',
    `${oneFileDocs.cpuSeconds.toFixed(2)} / ${spreadDocs.cpuSeconds.toFixed(2)}, ${(oneFileDocs.cpuSeconds / spreadDocs.cpuSeconds).toFixed(2)}`,
  ],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
