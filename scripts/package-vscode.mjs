// Packages integrations/vscode-extension as a .vsix with @vscode/vsce: the extension bundled with its language
// client (esbuild; `vscode` is the host's), and a copy of the meshlint bundle as its fallback server. Nothing is
// written into the source folder: everything is staged in a temporary directory.
// node scripts/package-vscode.mjs [out-dir]   (default: the working directory)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const SOURCE = resolve('integrations/vscode-extension');

export async function packageExtension(outDir = process.cwd()) {
  const stage = mkdtempSync(join(tmpdir(), 'meshlint-vscode-'));
  try {
    const manifest = JSON.parse(readFileSync(join(SOURCE, 'package.json'), 'utf8'));
    // One version for meshlint and its extension.
    manifest.version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const file of ['README.md', '.vscodeignore']) copyFileSync(join(SOURCE, file), join(stage, file));
    // The extension ships meshlint's bundle: the same licence and third-party notices go with it.
    copyFileSync('LICENSE', join(stage, 'LICENSE'));
    cpSync(join(SOURCE, 'src'), join(stage, 'src'), { recursive: true });
    await build({
      entryPoints: [join(SOURCE, 'src/extension.js')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      outfile: join(stage, 'dist/extension.js'),
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    mkdirSync(join(stage, 'server'));
    // The CLI's files (the executable, the program it loads, the lazily loaded packages and validators): all of
    // dist/ but the Action.
    for (const file of readdirSync('dist').filter((name) => name !== 'action.mjs'))
      copyFileSync(resolve('dist', file), join(stage, 'server', file));
    mkdirSync(outDir, { recursive: true });
    const vsix = join(resolve(outDir), `${manifest.name}-${manifest.version}.vsix`);
    execFileSync(resolve('node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], {
      cwd: stage,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return vsix;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await packageExtension(process.argv[2]));
}
