// Labelled-set measurement of secret detection: provider tokens and their near misses (built at run time from the
// documented formats in test/secret-samples.ts, so nothing real is written) placed in ConfigMap values, as a plain
// value, as a line of an embedded .env file and as a bearer token in a script; then the real CLI bundle scans them and each document's findings
// are compared with its label. Prints recall and false-positive rate per provider family.
//
//   npx tsx scripts/secrets-eval.ts [dir] [tokens per format]      (default /work/secrets-eval, 20; MESHLINT_CLI=<bundle>)
//
// With --real [samples.json], the set is published samples instead: by default the committed labelled set
// (test/data/secrets-labelled.json, see test/data/README.md), or a JSON list of the same shape ({family, provider,
// positive, source, base64 or text}), each text placed whole as one ConfigMap value under a neutral key.
// test/secrets-labelled.test.ts gates the same set (as a value and as embedded text).
//
//   npx tsx scripts/secrets-eval.ts --real [samples.json|-] [dir]   (default dir: /tmp/secrets-eval-real)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LabelledSample, LABELLED_SET, loadLabelled, SAMPLES, type Sample } from '../test/secret-samples.js';

const real = process.argv[2] === '--real';
const realSamples = real
  ? process.argv[3] && process.argv[3] !== '-'
    ? resolve(process.argv[3])
    : fileURLToPath(LABELLED_SET)
  : undefined;
const dir = resolve(
  realSamples ? (process.argv[4] ?? '/tmp/secrets-eval-real') : (process.argv[2] ?? '/work/secrets-eval'),
);
const perFormat = realSamples ? 1 : Number(process.argv[3] ?? 20);
const CLI = resolve(process.env.MESHLINT_CLI ?? resolve(import.meta.dirname, '..', 'dist', 'meshlint.cjs')); // MESHLINT_CLI: compare another build

interface Label {
  readonly name: string;
  readonly sample: Sample;
  readonly positive: boolean;
  readonly form: 'value' | 'env' | 'script';
}

const labels: Label[] = [];
const documents: Record<Sample['family'], string[]> = { cloud: [], code: [], saas: [], ai: [], store: [], generic: [] };
const single = (v: string) => !v.includes('\n') && !v.includes(' ');

function add(sample: Sample, positive: boolean, value: string, key: string): void {
  // A bearer header makes whatever it holds a credential: near misses go only where their key decides.
  const forms: Label['form'][] = !single(value) ? ['value'] : positive ? ['value', 'env', 'script'] : ['value', 'env'];
  for (const form of forms) {
    const name = `${positive ? 't' : 'n'}-${labels.length}`;
    labels.push({ name, sample, positive, form });
    const data =
      form === 'value'
        ? `  ${key}: ${JSON.stringify(value)}`
        : form === 'env'
          ? `  app.env: |\n    LOG_LEVEL=info\n    ${key}=${value}\n`
          : `  deploy.sh: |\n    #!/bin/sh\n    curl -fsS -H "Authorization: Bearer ${value}" https://api.internal.example.net/deploy\n`;
    documents[sample.family].push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: eval\ndata:\n${data}\n`,
    );
  }
}

function addReal(real: LabelledSample): void {
  const name = `${real.positive ? 't' : 'n'}-${labels.length}`;
  const sample: Sample = {
    id: real.provider,
    family: real.family,
    key: 'snippet',
    token: () => '',
    nearMiss: () => '',
  };
  labels.push({ name, sample, positive: real.positive, form: 'value' });
  documents[real.family].push(
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: eval\ndata:\n  snippet: ${JSON.stringify(real.text)}\n`,
  );
}

if (realSamples) for (const sample of loadLabelled(realSamples)) addReal(sample);
for (const sample of realSamples ? [] : SAMPLES) {
  for (let i = 0; i < perFormat; i++) {
    add(sample, true, sample.token(), sample.key);
    add(sample, false, sample.nearMiss(), sample.nearKey ?? 'note');
  }
}

// Settings named like credentials that are not credentials, and references: near misses of the name heuristic.
const NOT_CREDENTIALS: [string, string][] = [
  ['hideCredentials', 'Enabled'],
  ['auth_credential_type', 'client_secret_basic'],
  ['key_names', 'apikey'],
  ['PASSWORD_POLICY', 'strong'],
  ['DB_PASSWORD_FILE', '/run/secrets/db/password'],
  ['API_TOKEN', '${API_TOKEN}'],
  ['SECRET_NAME', 'db-credentials'],
  ['tokenEndpoint', 'https://auth.shop.svc/token'],
  ['GITHUB_TOKEN', '${{ secrets.GITHUB_TOKEN }}'],
  ['client_secret', '{vault://env/client-secret}'],
  ['STRIPE_SECRET_KEY', 'sk_live_****************************abcd'],
  ['SLACK_BOT_TOKEN', 'xoxb-***'],
  ['REDIS_PASSWORD', 'changeme'],
  ['ADMIN_PASSWORD', '########'],
  ['JWT_SECRET', 'xxxxxxxxxxxxxxxx'],
  ['AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
];
for (const [key, value] of realSamples ? [] : NOT_CREDENTIALS) {
  const sample: Sample = { id: `setting ${key}`, family: 'generic', key, token: () => value, nearMiss: () => value };
  for (let i = 0; i < 5; i++) add(sample, false, value, key);
}

mkdirSync(dir, { recursive: true });
for (const family of Object.keys(documents)) rmSync(join(dir, `${family}.yaml`), { force: true }); // only this script's files: the folder may hold other sets
for (const [family, docs] of Object.entries(documents)) writeFileSync(join(dir, `${family}.yaml`), docs.join('---\n'));

const inputs = Object.keys(documents).map((family) => join(dir, `${family}.yaml`));
const run = spawnSync(process.execPath, [CLI, ...inputs, '--no-config', '-f', 'json', '--fail-on', 'none'], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
});
if (run.status !== 0) throw new Error(`meshlint exited ${run.status}: ${run.stderr}`);
const report = JSON.parse(run.stdout) as {
  findings: { ruleId: string; severity: string; resource: { name: string } | null }[];
};
const secretFindings = report.findings.filter((f) => f.ruleId.startsWith('secret-') && f.resource);
const flagged = new Set(secretFindings.map((f) => f.resource!.name));
// Errors only: without the high-entropy and password-hash notes, which say "may be a credential".
const flaggedAsError = new Set(secretFindings.filter((f) => f.severity !== 'note').map((f) => f.resource!.name));

const rows: string[] = [
  '| family | tokens | found | recall | near misses | flagged | false-positive rate |',
  '|---|---|---|---|---|---|---|',
];
const misses = new Map<string, number>();
const falseAlarms = new Map<string, number>();
for (const family of Object.keys(documents) as Sample['family'][]) {
  const mine = labels.filter((l) => l.sample.family === family);
  const tokens = mine.filter((l) => l.positive);
  const near = mine.filter((l) => !l.positive);
  const found = tokens.filter((l) => flagged.has(l.name)).length;
  const raised = near.filter((l) => flagged.has(l.name)).length;
  for (const l of tokens)
    if (!flagged.has(l.name))
      misses.set(`${l.sample.id} (${l.form})`, (misses.get(`${l.sample.id} (${l.form})`) ?? 0) + 1);
  for (const l of near)
    if (flagged.has(l.name))
      falseAlarms.set(`${l.sample.id} (${l.form})`, (falseAlarms.get(`${l.sample.id} (${l.form})`) ?? 0) + 1);
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}%`;
  rows.push(
    `| ${family} | ${tokens.length} | ${found} | ${pct(found, tokens.length)} | ${near.length} | ${raised} | ${pct(raised, near.length)} |`,
  );
}
const total = (positive: boolean) => labels.filter((l) => l.positive === positive);
const foundAll = total(true).filter((l) => flagged.has(l.name)).length;
const raisedAll = total(false).filter((l) => flagged.has(l.name)).length;
rows.push(
  `| all | ${total(true).length} | ${foundAll} | ${((100 * foundAll) / total(true).length).toFixed(1)}% | ${total(false).length} | ${raisedAll} | ${((100 * raisedAll) / total(false).length).toFixed(1)}% |`,
);
console.log(
  realSamples
    ? `${labels.length} published samples from ${realSamples}, each whole as a ConfigMap value.\n`
    : `${SAMPLES.length} formats, ${perFormat} of each, as a ConfigMap value, an embedded .env line and a curl Authorization header in a script; near misses as a value and an .env line.\n`,
);
console.log(rows.join('\n'));
const foundAsError = total(true).filter((l) => flaggedAsError.has(l.name)).length;
const raisedAsError = total(false).filter((l) => flaggedAsError.has(l.name)).length;
console.log(
  `\nerrors only (notes left out): ${foundAsError} of ${total(true).length} tokens found, ${raisedAsError} of ${total(false).length} near misses flagged`,
);
if (misses.size) console.log(`\nmissed: ${[...misses].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
if (falseAlarms.size) console.log(`false alarms: ${[...falseAlarms].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
