// A scan of a few files starts in about the time Node itself takes, because it loads only what it uses: Node's
// built-in modules that only some runs need (node:v8 for the result cache, node:worker_threads for parser threads,
// node:zlib for one token checksum, node:os for a home folder that HOME does not name, node:crypto for hashing files
// and the result cache (a few short texts are hashed without it: src/sha256.ts; the code cache is checked without it:
// src/checksum-area.ts), node:perf_hooks,
// child_process, net for a pipe's stream), the files of dist/ loaded on demand, the YAML library (bundled, run on
// first use: only files the lean reader src/parse/fast.ts declines and meshlint's configuration need it), and ICU's
// collator
// (String#localeCompare) each cost up to a millisecond or more at every start. These tests run the executable with a
// probe that records what the process loaded, so that an eager import slipping back in fails here.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { privilegedDeployment, tempRepo } from './helpers.js';

const BIN = resolve('dist/meshlint.cjs');
const DIST = resolve('dist');

/** Loaded before the program (node --require): writes at exit what was loaded after it, as JSON. */
const PROBE = `'use strict';
const before = new Set(process.moduleLoadList);
let collator = false;
const localeCompare = String.prototype.localeCompare;
String.prototype.localeCompare = function (...args) { collator = true; return localeCompare.apply(this, args); };
const vm = require('node:vm');
const scripts = [];
vm.Script = class extends vm.Script {
  constructor(code, options) { super(code, options); scripts.push(options?.filename); }
};
// The YAML library registers its symbols when it runs; meshlint's own code (src/yaml-nodes.ts) never asks for this one.
const symbolFor = Symbol.for;
let yamlLibrary = false;
Symbol.for = (key) => { if (key === 'yaml.document') yamlLibrary = true; return symbolFor(key); };
const Collator = Intl.Collator;
Intl.Collator = new Proxy(Collator, { construct(t, a) { collator = true; return new t(...a); }, apply(t, s, a) { collator = true; return t(...a); } });
process.on('exit', () => {
  const modules = process.moduleLoadList
    .filter((entry) => !before.has(entry) && entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  const builtins = modules.filter((name) => !name.startsWith('internal/'));
  const internals = modules.filter((name) => name.startsWith('internal/'));
  require('node:fs').writeFileSync(process.env.MESHLINT_PROBE_OUT, JSON.stringify({ builtins, internals, files: [...Object.keys(require.cache), ...scripts], collator, yamlLibrary }));
});
`;

const work = mkdtempSync(join(tmpdir(), 'meshlint-startup-'));
const probe = join(work, 'probe.cjs');
writeFileSync(probe, PROBE);

interface Loaded {
  readonly builtins: string[];
  /** Node's internal modules the process loaded after the probe. */
  readonly internals: string[];
  /** Files of dist/ the process required or compiled (the program, from its code cache), by name. */
  readonly dist: string[];
  readonly programLoaded: boolean;
  readonly collator: boolean;
  /** Whether the YAML library ran. */
  readonly yamlLibrary: boolean;
}

let runs = 0;
/**
 * Runs `node [args]` with the probe, its output to files (or `pipes`: as a hook or an editor reads it), and the code
 * cache in `cacheHome` (default: one shared by these tests).
 */
function loadedBy(
  args: readonly string[],
  cwd: string,
  cacheHome = join(work, 'cache'),
  pipes = false,
): Loaded & { code: number | null; stdout: string } {
  const tag = `${++runs}`;
  const out = join(work, `loaded-${tag}.json`);
  const output = join(work, `stdout-${tag}`);
  const stdout = openSync(output, 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, MESHLINT_PROBE_OUT: out, XDG_CACHE_HOME: cacheHome };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, ['--require', probe, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: pipes ? ['ignore', 'pipe', 'pipe'] : ['ignore', stdout, stdout],
  });
  closeSync(stdout);
  const loaded = JSON.parse(readFileSync(out, 'utf8')) as {
    builtins: string[];
    internals: string[];
    files: string[];
    collator: boolean;
    yamlLibrary: boolean;
  };
  const dist = loaded.files.filter((file) => file?.startsWith(`${DIST}/`)).map((file) => basename(file));
  const programLoaded = dist.includes('meshlint-main.cjs');
  const printed = pipes ? child.stdout : readFileSync(output, 'utf8');
  return {
    code: child.status,
    stdout: printed,
    builtins: loaded.builtins,
    internals: loaded.internals,
    dist,
    programLoaded,
    collator: loaded.collator,
    yamlLibrary: loaded.yamlLibrary,
  };
}

/** Node's internal modules that an ES module import of node:fs or node:crypto loads, and a small scan never uses. */
const IMPORT_FACADE_LOADS = ['internal/fs/streams', 'internal/crypto/webcrypto'];

/**
 * Node's internal modules that an ES module entry loads (its loader, and node:fs/promises with readline and the file
 * watchers for reading the file): the executable is CommonJS.
 */
const ESM_ENTRY_LOADS = ['internal/modules/esm/load', 'internal/modules/esm/module_job', 'internal/fs/promises'];

/** What a scan of a few files has no use for. */
const NOT_FOR_A_SMALL_SCAN = [
  'crypto',
  'os',
  'v8',
  'zlib',
  'worker_threads',
  'perf_hooks',
  'child_process',
  'net',
  'tty',
  'readline',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'inspector',
];

const PATTERN_CONFIG = `customRules:
  - id: image-from-registry
    severity: error
    title: Images come from the registry
    message: "{{target}} uses {{value}}."
    description: Images come from the registry.
    remediation: Use the registry.
    assert: { path: "spec.template.spec.containers[*].image", matches: "^registry[.]" }
`;

/**
 * `configRead`: the run read meshlint's configuration, which the YAML library reads (YAML 1.2, where the lean reader
 * reads Kubernetes' YAML 1.1).
 */
function expectLean(loaded: Loaded, configRead = false): void {
  expect(loaded.builtins.filter((name) => NOT_FOR_A_SMALL_SCAN.includes(name))).toEqual([]);
  // The replay of a stored report (src/cli/replay.ts) is required only by a run whose arguments name a cache.
  expect(loaded.dist).not.toContain('meshlint-replay.cjs');
  // Node's built-in modules are required, never imported by the executable: an import makes a facade that reads
  // every export, and node:fs's ReadStream getter loads the file streams, node:crypto's webcrypto the Web Crypto API.
  expect(loaded.internals.filter((name) => IMPORT_FACADE_LOADS.includes(name))).toEqual([]);
  expect(loaded.internals.filter((name) => ESM_ENTRY_LOADS.includes(name))).toEqual([]);
  // The packages and validators loaded on demand stay unread.
  expect(loaded.dist.filter((name) => name.startsWith('lazy-'))).toEqual([]);
  expect(loaded.yamlLibrary).toBe(configRead);
  expect(loaded.collator).toBe(false);
}

describe('a small scan loads only what it uses', () => {
  const repo = tempRepo({
    'web.yaml': privilegedDeployment('web').text,
    'other.yaml': privilegedDeployment('api').text,
  });

  it('the probe sees what a process loads', () => {
    const collating = loadedBy(['-e', "'a'.localeCompare('b'); require('node:v8')"], repo);
    expect(collating.collator).toBe(true);
    expect(collating.builtins).toContain('v8');
    // The result cache needs node:v8; parser threads need node:worker_threads.
    const cached = loadedBy(
      [BIN, 'web.yaml', '--no-config', '--cache', '--cache-location', join(work, 'results')],
      repo,
    );
    expect(cached.code).toBe(1);
    expect(cached.builtins).toContain('v8');
    expect(cached.builtins).toContain('crypto');
    expect(cached.dist).toContain('meshlint-replay.cjs');
    const threaded = loadedBy([BIN, 'web.yaml', '--no-config', '-j', '2'], repo);
    expect(threaded.code).toBe(1);
    expect(threaded.builtins).toContain('worker_threads');
    // A custom rule's pattern needs re2js, which the program requires from beside itself.
    const patterned = tempRepo({ 'web.yaml': privilegedDeployment('web').text, '.meshlint.yaml': PATTERN_CONFIG });
    const withPattern = loadedBy([BIN, 'web.yaml'], patterned);
    expect(withPattern.code).toBe(1);
    expect(withPattern.dist).toContain('lazy-re2js.cjs');
    // A file the lean reader declines (an anchor and its alias) is read by the YAML library; the files of the scans
    // below are not.
    const anchored = tempRepo({
      'web.yaml': `${privilegedDeployment('web').text}\nmetadata: &m {name: x}\nother: *m\n`,
    });
    expect(loadedBy([BIN, 'web.yaml', '--no-config'], anchored).yamlLibrary).toBe(true);
    expect(loadedBy([BIN, 'web.yaml', '--no-config'], repo).yamlLibrary).toBe(false);
  });

  it('one file, text report (twice: a first run, then with its code cache)', () => {
    const cacheHome = mkdtempSync(join(tmpdir(), 'meshlint-startup-cache-'));
    for (let i = 0; i < 2; i++) {
      const loaded = loadedBy([BIN, 'web.yaml', '--no-config'], repo, cacheHome);
      expect(loaded.code).toBe(1);
      expect(loaded.programLoaded).toBe(true);
      expectLean(loaded);
      // The first run wrote the cache the second compiles from.
      expect(readdirSync(join(cacheHome, 'meshlint', 'code'))).toHaveLength(1);
    }
  });

  it('one file, JSON report to a file, with --stats (as the benchmark runs it)', () => {
    const loaded = loadedBy(
      [BIN, 'web.yaml', '-f', 'json', '-o', join(work, 'report.json'), '--no-config', '--stats'],
      repo,
    );
    expect(loaded.code).toBe(1);
    expectLean(loaded);
  });

  it("output to pipes is written without making Node's streams for them (they load net and the socket classes)", () => {
    const loaded = loadedBy([BIN, 'web.yaml', '--no-config', '--stats'], repo, undefined, true);
    expect(loaded.code).toBe(1);
    expect(loaded.stdout).toContain('container-privileged');
    expectLean(loaded);
  });

  it('a few files with the configuration found in the repository, compact report (as a pre-commit hook runs)', () => {
    const loaded = loadedBy([BIN, '--format', 'compact', 'web.yaml', 'other.yaml'], repo);
    expect(loaded.code).toBe(1);
    expectLean(loaded, true);
  });

  it('--version: alone, the executable answers without loading the program, as the program answers with an option', () => {
    // With another option the program runs and answers.
    const program = loadedBy([BIN, '--version', '--no-config'], repo);
    expect([program.code, program.stdout, program.programLoaded]).toEqual([0, `${VERSION}\n`, true]);
    expectLean(program);
    for (const flag of ['--version', '-v']) {
      const bare = loadedBy([BIN, flag], repo);
      expect([bare.code, bare.stdout, bare.programLoaded]).toEqual([0, `${VERSION}\n`, false]);
      expectLean(bare);
    }
  });
});
