// Packages only some runs need, loaded on first use. Their callers are synchronous (a user's pattern is compiled
// while the configuration is read), so they are required, not imported: the build ships each as a self-contained
// CommonJS file beside the bundles (dist/lazy-<name>.cjs, see scripts/build.mjs; the YAML library aside, see yaml()),
// and a run that never asks for one never parses its code. From the sources they come from node_modules. Node's
// built-in modules that a scan of a few files does not need are required on first use as well (each costs a
// millisecond or more to load).
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Os from 'node:os';
import type * as V8 from 'node:v8';
import type * as Vm from 'node:vm';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';
import type * as Tty from 'node:tty';
import type * as Re2js from 're2js';
import type * as AjvPackage from 'ajv';
import type * as YamlPackage from 'yaml';

/** Defined (true) by the build in the bundles; undefined when running from the sources. */
declare const MESHLINT_BUNDLE: boolean | undefined;

const requireHere = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

function load<T>(name: LazyPackage): T {
  let module = loaded.get(name);
  if (module === undefined) {
    module = requireHere(typeof MESHLINT_BUNDLE === 'boolean' ? `./lazy-${name}.cjs` : name);
    loaded.set(name, module);
  }
  return module as T;
}

/** The packages loaded this way: each becomes dist/lazy-<name>.cjs. */
export const LAZY_PACKAGES = ['re2js', 'ajv'] as const;
export type LazyPackage = (typeof LAZY_PACKAGES)[number];

/** RE2's linear-time engine, for user patterns (src/engine/pattern.ts). */
export const re2js = (): typeof Re2js => load('re2js');
/** ajv, for the option schemas of rules a configuration sets options for. */
export const ajv = (): typeof AjvPackage => load('ajv');

let yamlPackage: typeof YamlPackage | undefined;
/**
 * The YAML library, for the files the lean reader (src/parse/fast.ts) declines, meshlint's configuration, syntax
 * trees that locating asks for, and fixes; its nodes' kinds are told without it (src/yaml-nodes.ts). Unlike the
 * packages above it stays in the bundle, where esbuild wraps a package that is required into a function run on its
 * first require: a run that needs it (a repository with a configuration, as a pre-commit hook's) compiles it from the
 * program's code cache, where a file of its own would be compiled afresh at every such start (~4 ms on Node 20).
 */
export const yaml = (): typeof YamlPackage =>
  // In the bundle, its own require, which esbuild resolves into the bundled package.
  (yamlPackage ??= typeof MESHLINT_BUNDLE === 'boolean' ? require('yaml') : requireHere('yaml'));

/** node:crypto, for hashing files and the result cache's keys and encryption (short texts: src/sha256.ts). */
export const crypto = (): typeof Crypto => requireHere('node:crypto');
/** node:os, for the home folder where HOME does not name it (src/user-cache-dir.ts). */
export const os = (): typeof Os => requireHere('node:os');
/** node:v8, for the result cache's serialisation and the scan thread's one forced collection. */
export const v8 = (): typeof V8 => requireHere('node:v8');
/** node:vm, for the scan thread's one forced collection (src/cli/scan-thread.ts). */
export const vm = (): typeof Vm => requireHere('node:vm');
/** node:worker_threads, for parser threads. */
export const workerThreads = (): typeof WorkerThreads => requireHere('node:worker_threads');
/** node:zlib, for the CRC-32 some token formats carry. */
export const zlib = (): typeof Zlib => requireHere('node:zlib');
/** node:tty, to tell whether a stream is a terminal before Node's own streams are made (src/cli/replay.ts). */
export const tty = (): typeof Tty => requireHere('node:tty');
