// Helpers for tests that need a repository on disk and the CLI as a user runs it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../src/cli/main.js';

/** A temporary directory holding these files (paths relative to it). */
export function tempRepo(files: Readonly<Record<string, string>>, prefix = 'meshlint-repo-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export async function runCli(args: readonly string[], cwd: string, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv: args,
    cwd,
    env: {},
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

const DIGEST = 'sha256:4f5f2c2a6a4e1b1f9d0b54bc7b3e4d6e0c4a4f6b5d1a1f0e2c3b4a5d6e7f8a9b0';

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
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }
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
  lines[at] = '          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: true }';
  const header = Array.from({ length: above }, (_, i) => `# comment ${i + 1}`);
  return { text: [...header, ...lines].join('\n'), line: above + at + 1 };
}
