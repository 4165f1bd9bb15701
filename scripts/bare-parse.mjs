// The baseline for npm run bench: read and parse every manifest file of a directory with the yaml package,
// on one core, the way a minimal linter would (parseAllDocuments + toJS), and nothing else.
import { readFileSync } from 'node:fs';
import { globby } from 'globby';
import { parseAllDocuments } from 'yaml';

const dir = process.argv[2];
const started = performance.now();
const files = await globby('**/*.{yaml,yml,json}', {
  cwd: dir,
  absolute: true,
  gitignore: true,
  ignore: ['**/node_modules/**'],
  dot: true,
});
let bytes = 0;
let documents = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += Buffer.byteLength(text);
  try {
    for (const doc of parseAllDocuments(text)) {
      documents++;
      try {
        doc.toJS();
      } catch {
        /* alias bombs and the like */
      }
    }
  } catch {
    /* absurd nesting */
  }
}
const usage = process.resourceUsage();
process.stderr.write(
  `bare-parse: stats ${JSON.stringify({ files: files.length, megabytes: bytes / 1048576, documents, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMb: usage.maxRSS / 1024 })}\n`,
);
