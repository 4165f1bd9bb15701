// The HTML report in a real browser: Debian's chromium (/usr/bin/chromium; .ci/run installs it with apt-get),
// driven by playwright-core (no browser download). The page of examples/ and of a generated 500-workload mesh
// opens from file:// without console errors or requests, shows the right mode for known workloads, filters,
// works from the keyboard and has no serious or critical axe-core violations. Screenshots go to a temporary folder.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatHtml } from '../src/report/html.js';
import { scan } from '../src/scan.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import { generateRepo } from '../scripts/gen-scale-repo.mjs';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `SKIPPED test/html-browser.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it.`,
  );
}

const out = mkdtempSync(join(tmpdir(), 'meshlint-html-'));

async function writeReport(name: string, cwd: string, paths: string[]): Promise<string> {
  const result = await scan({ cwd, paths, posture: true, workers: 0 });
  const file = join(out, `${name}.html`);
  writeFileSync(file, formatHtml(result));
  return file;
}

interface Opened {
  readonly page: Page;
  readonly problems: string[];
  readonly readyMs: number;
}

describe.skipIf(!available)('the HTML report in chromium', () => {
  let browser: Browser;
  let examples: string;
  let scale: string;
  let gateways: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    examples = await writeReport('examples', process.cwd(), ['examples']);
    gateways = await writeReport('gateways', process.cwd(), ['fixtures/envoy-bootstrap', 'fixtures/kong-deck']);
    const repo = mkdtempSync(join(tmpdir(), 'meshlint-scale-'));
    generateRepo(repo, 2500); // 50 namespaces x 10 workloads
    scale = await writeReport('scale', repo, ['.']);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    const started = Date.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('html[data-ready=true]');
    return { page, problems, readyMs: Date.now() - started };
  }

  async function axeViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8') });
    // A string, evaluated in the page (the project is type-checked without the DOM library).
    const violations = (await page.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`,
    )) as { id: string; impact: string; nodes: number }[];
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`);
  }

  it('examples/: the map, the deciding policy on selection, filters, keyboard, accessibility', async () => {
    const { page, problems } = await open(examples);
    // Known modes: checkout's http port is STRICT (namespace policy), its metrics port PERMISSIVE (port-level).
    const strict = page.locator('button.mode[aria-label^="Deployment checkout port 8080:"]');
    const permissive = page.locator('button.mode[aria-label^="Deployment checkout port 9090:"]');
    await expect(strict.textContent()).resolves.toBe('STRICT');
    await expect(permissive.textContent()).resolves.toBe('PERMISSIVE');
    await expect(page.locator('button.mode[aria-label^="CronJob cleanup port all:"]').textContent()).resolves.toBe(
      'outside the mesh',
    );
    await permissive.click();
    const detail = page.locator('#mtls-detail');
    await expect(detail.textContent()).resolves.toContain('PeerAuthentication shop/checkout');
    const meshLines = readFileSync('examples/shop/mesh.yaml', 'utf8').split('\n');
    const portLine = meshLines.findIndex((l) => l.includes('9090:')) + 1;
    await expect(page.locator('#mtls-detail code.decided-at').textContent()).resolves.toBe(
      `examples/shop/mesh.yaml:${portLine}`,
    );

    // Keyboard: from the map's filter, Tab reaches a mode button; Enter selects it; arrows move between modes.
    await page.locator('#mtls-q').focus();
    let focused = '';
    for (let i = 0; i < 20 && !focused.startsWith('BUTTON mode'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(`document.activeElement.tagName + ' ' + document.activeElement.className`);
    }
    expect(focused).toMatch(/^BUTTON mode/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const selected = await page.evaluate<string>(`document.activeElement.getAttribute('aria-label')`);
    expect(selected).toBeTruthy();
    expect(await page.evaluate(`document.activeElement.getAttribute('aria-pressed')`)).toBe('true');
    await expect(detail.textContent()).resolves.toContain(selected!.split(' port ')[0].replace(/^(\S+) /, '$1 shop/'));

    // The map's filter.
    await page.locator('#mtls-q').fill('frontend');
    expect(await page.locator('#mtls-map button.mode').count()).toBe(1);
    await page.locator('#mtls-q').fill('');

    // The findings' filters and sorting.
    const all = await page.locator('#f-table tbody tr').count();
    expect(all).toBeGreaterThan(5);
    await page.locator('#f-rule').selectOption({ label: 'container-privileged (2)' });
    expect(await page.locator('#f-table tbody tr').count()).toBe(2);
    await expect(page.locator('#f-count').textContent()).resolves.toMatch(/^2 findings match/);
    await page.locator('#f-rule').selectOption('');
    await page.locator('#f-q').fill('hostNetwork');
    const hostNetwork = await page.locator('#f-table tbody tr').count();
    expect(hostNetwork).toBeGreaterThan(0);
    expect(hostNetwork).toBeLessThan(all);
    await page.locator('#f-q').fill('');
    const locations = async () =>
      (await page.locator('#f-table tbody tr td.loc').allTextContents()).map((l) => {
        const [file, line, column] = l.split(':');
        return [file, Number(line), Number(column)] as const;
      });
    const byLocation = (a: readonly [string, number, number], b: readonly [string, number, number]) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2];
    await page.locator('button[data-sort=location]').click();
    const ascending = await locations();
    expect(ascending).toEqual([...ascending].sort(byLocation));
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('button[data-sort=location]').click();
    const descending = await locations();
    expect(descending).toEqual([...ascending].reverse());
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
    // Each finding carries its excerpt and its rule's documentation link.
    expect(await page.locator('#f-table pre.excerpt').count()).toBeGreaterThan(0);
    expect(await page.locator('#f-table a[href*="/docs/rules/"]').count()).toBe(all);

    // The authorization graph: checkout's callers, the wildcard edge highlighted.
    expect(await page.locator('#authz-graph path.wild').count()).toBe(1);
    expect(await page.locator('#authz-graph path.allow').count()).toBe(1);

    expect(await axeViolations(page)).toEqual([]);
    const shot = join(out, 'examples.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot of the examples report: ${shot}`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('entry points: Envoy listeners and Kong routes with their status, filtered by gap and text', async () => {
    const { page, problems } = await open(gateways);
    const rows = page.locator('#entry-table tbody tr');
    expect(await rows.count()).toBe(13);
    const row = (name: string) => page.locator('#entry-table tbody tr', { has: page.locator('th', { hasText: name }) });
    const plaintext = row('EnvoyListener fire-plaintext-public');
    expect(await plaintext.locator('td').nth(1).textContent()).toBe('0.0.0.0:8080');
    expect(await plaintext.locator('td .st').allTextContents()).toEqual(['no', 'no', 'no']);
    expect(await row('KongRoute dont-fire-orders-private').locator('td .st').allTextContents()).toEqual([
      'yes',
      'yes',
      'yes',
    ]);
    await page.locator('#entry-gap').selectOption('auth');
    const withoutAuth = await rows.locator('td:nth-child(5) .st').allTextContents();
    expect(withoutAuth.length).toBeGreaterThan(0);
    expect(withoutAuth.length).toBeLessThan(13);
    expect(withoutAuth.filter((state) => state !== 'no' && state !== 'partial')).toEqual([]);
    await page.locator('#entry-gap').selectOption('');
    await page.locator('#entry-kind').selectOption('kong-route');
    await page.locator('#entry-q').fill('other-file');
    expect(await rows.count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a page from a scan without the posture says so, and still lists the findings', async () => {
    const result = await scan({ cwd: process.cwd(), paths: ['examples'], workers: 0 });
    const file = join(out, 'no-posture.html');
    writeFileSync(file, formatHtml(result));
    const { page, problems } = await open(file);
    for (const id of ['#mtls-map', '#authz-graph', '#entry-table']) {
      await expect(page.locator(id).textContent()).resolves.toContain('did not draw the posture');
    }
    expect(await page.locator('#f-table tbody tr').count()).toBe(result.findings.filter((f) => !f.suppression).length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a 500-workload mesh: folded per namespace, searchable, modes right, interactive quickly', async () => {
    const { page, problems, readyMs } = await open(scale);
    console.log(`500-workload report: ${(readFileSync(scale).length / 1024).toFixed(0)} KiB, ready in ${readyMs} ms`);
    expect(readyMs).toBeLessThan(10_000); // the 2 s figure is measured on the corpus, see the README; this is a guard
    expect(await page.locator('details.ns').count()).toBe(50);
    expect(await page.locator('details.ns[open]').count()).toBe(0);
    await page.locator('#mtls-q').fill('team-7');
    expect(await page.locator('details.ns:not([hidden])').count()).toBe(1);
    // The generator makes app-0, app-3, app-6 and app-9 PERMISSIVE and the others STRICT.
    await expect(page.locator('button.mode[aria-label^="Deployment app-0 port 8080:"]').textContent()).resolves.toBe(
      'PERMISSIVE',
    );
    await expect(page.locator('button.mode[aria-label^="Deployment app-1 port 8080:"]').textContent()).resolves.toBe(
      'STRICT',
    );
    expect(await page.locator('#mtls-map button.mode').count()).toBe(10);
    await page.locator('button.mode[aria-label^="Deployment app-1 port 8080:"]').click();
    await expect(page.locator('#mtls-detail').textContent()).resolves.toContain('PeerAuthentication team-7/app-1');

    // The graph starts folded (one node per namespace on each side) and unfolds a namespace from the keyboard.
    const nodes = () => page.locator('#authz-graph g.node').count();
    expect(await nodes()).toBe(100);
    const team3 = page.locator('#authz-graph g.node[data-ns="team-3"]').last();
    await team3.focus();
    await page.keyboard.press('Enter');
    expect(await nodes()).toBe(100 - 2 + 20);
    await page.locator('#authz-q').fill('team-3/app-4');
    expect(await page.locator('#authz-graph path').count()).toBe(1);

    expect(await axeViolations(page)).toEqual([]);
    const shot = join(out, 'scale.png');
    await page.screenshot({ path: shot });
    console.log(`screenshot of the 500-workload report: ${shot}`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
