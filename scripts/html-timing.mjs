// How fast an HTML report becomes interactive in headless chromium (Debian's /usr/bin/chromium, no download):
// opens the page N times and prints the median time from navigation start until the page's script has drawn every
// view and attached every handler (html[data-ready]), and how long a findings filter then takes to answer.
//   node scripts/html-timing.mjs report.html [runs=7]
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, runs = '7'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/html-timing.mjs <report.html> [runs]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const ready = [];
const filter = [];
const errors = [];
for (let i = 0; i < Number(runs); i++) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  // Records the moment the page marks itself ready, on the page's own clock.
  await page.addInitScript(
    `new MutationObserver((_, o) => { if (document.documentElement && document.documentElement.dataset.ready) { window.__readyAt = performance.now(); o.disconnect(); } }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] })`,
  );
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'commit' });
  await page.waitForSelector('html[data-ready=true]', { timeout: 60_000 });
  ready.push(await page.evaluate('window.__readyAt'));
  filter.push(
    await page.evaluate(
      `(() => { const t = performance.now(); const s = document.getElementById('f-severity'); s.value = '0'; s.dispatchEvent(new Event('change')); return performance.now() - t; })()`,
    ),
  );
  await page.close();
}
await browser.close();
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(
  JSON.stringify({
    runs: ready.map(Math.round),
    medianReadyMs: Math.round(median(ready)),
    medianFilterMs: Math.round(median(filter)),
    errors,
  }),
);
