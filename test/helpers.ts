// Helpers for tests that need a repository on disk, in-memory linting, or the CLI as a user runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSource } from '../src/parse/source.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { defaultConfig, type RuleSetting } from '../src/engine/config.js';
import { lint } from '../src/engine/run.js';
import { main } from '../src/cli/main.js';
import { RULES } from '../rules/index.js';

/**
 * networkpolicy-no-default-deny notes every namespace that has workloads. Tests about something else turn it off
 * with this configuration, as the fixture folders do; a test that brings its own .meshlint.yaml decides itself.
 */
export const QUIET_CONFIG = 'rules:\n  networkpolicy-no-default-deny: off\n';

/** A temporary directory holding these files (paths relative to it), with QUIET_CONFIG unless it has a config. */
export function tempRepo(files: Readonly<Record<string, string | Buffer>>, prefix = 'meshlint-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFiles(
    dir,
    '.meshlint.yaml' in files || '.meshlint.yml' in files ? files : { '.meshlint.yaml': QUIET_CONFIG, ...files },
  );
  return dir;
}

export function writeFiles(dir: string, files: Readonly<Record<string, string | Buffer>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Lints in-memory files with every rule (QUIET_CONFIG's rule off). */
export function lintTexts(files: Record<string, string | Uint8Array>) {
  const rules = new Map<string, RuleSetting>([['networkpolicy-no-default-deny', { severity: 'off' }]]);
  return lint({
    files: Object.entries(files).map(([name, text]) => parseSource(name, text, MANIFEST_PARSE_OPTIONS)),
    rules: RULES,
    config: { ...defaultConfig('.'), rules },
  });
}

export const PINNED = 'nginx:1.27@sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b';

export async function runCli(
  args: readonly string[],
  cwd: string,
  stdin = '',
  env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv: args,
    cwd,
    // By default only where meshlint keeps its cache (test/setup.ts): colour and the rest as in a bare environment.
    env,
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

const DIGEST = 'sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b';

/** A workload every built-in rule accepts. */
export function secureDeployment(name: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      serviceAccountName: ${name}
      containers:
        - name: app
          image: registry.local/${name}:1.0@${DIGEST}
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, capabilities: { drop: [ALL] } }
          resources: { limits: { cpu: 100m, memory: 64Mi } }
`;
}

/**
 * The same workload with one error: container-privileged on line `privilegedLine` (returned), after `above`
 * extra comment lines at the top.
 */
export function privilegedDeployment(name: string, above = 0): { text: string; line: number } {
  const lines = secureDeployment(name).split('\n');
  const at = lines.findIndex((l) => l.includes('securityContext:'));
  lines[at] =
    '          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: true, runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }, capabilities: { drop: [ALL] } }';
  const header = Array.from({ length: above }, (_, i) => `# comment ${i + 1}`);
  return { text: [...header, ...lines].join('\n'), line: above + at + 1 };
}

/** The YAML and JSON files under a directory, sorted. */
export function manifestFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The shared corpus of real manifests (MESHLINT_CORPUS, or ../shared/corpus), when this machine has it. */
export function corpusDir(): string | undefined {
  for (const candidate of [process.env.MESHLINT_CORPUS, '../shared/corpus', '../../shared/corpus']) {
    if (candidate && existsSync(resolve(candidate))) return resolve(candidate);
  }
  return undefined;
}

/**
 * Runs `body` (a module's code, importing `imports`: name -> path from the repository root) in a child process with
 * V8's natives syntax (`%HaveSameMap`: what hidden class an object or string has is told only to it), and returns
 * what it printed.
 */
export function runWithNatives(imports: Record<string, string>, body: string): string {
  const dir = tempRepo({});
  const script = join(dir, 'natives.mts');
  const lines = Object.entries(imports).map(
    ([name, path]) => `import { ${name} } from ${JSON.stringify(pathToFileURL(resolve(path)).href)};`,
  );
  writeFileSync(
    script,
    `${lines.join('\n')}\nconst same = new Function('v', 'w', 'return %HaveSameMap(v, w)');\n${body}\n`,
  );
  return execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], {
    encoding: 'utf8',
  }).trim();
}
