import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { PortcullisApp } from '../../src/index.js';

/** Debian's Chromium; .ci/run installs it (apt-get install chromium). */
const CHROMIUM = process.env.PORTCULLIS_CHROMIUM ?? '/usr/bin/chromium';
// as this machine's network is closed: no background fetches, updates or sync at startup
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('out/report.html in a real browser (headless Chromium)', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-report-'));
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  const files = app.render();
  const file = join(dir, 'report.html');
  writeFileSync(file, files.get('report.html')!);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set PORTCULLIS_CHROMIUM`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens from the file system, fetches nothing, and renders the diagram with every gateway, agent, provider and Secret', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    expect(requests).toEqual([pathToFileURL(file).href]); // self-contained: no network, no other file
    const diagram = page.locator('svg#diagram');
    const box = await diagram.boundingBox();
    expect(box!.width).toBeGreaterThan(800);
    expect(box!.height).toBeGreaterThan(300);
    const ids = await page.locator('svg#diagram g.node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));
    for (const id of [
      'gw:agents-edge/public',
      'agent:support/support-bot',
      'agent:research/batch-indexer',
      'egress:agents-egress/llm',
      'egress:agents-egress/llm-ai',
      'provider:bedrock',
      'secret:portcullis-system/research.research-assistant-api-keys',
    ])
      expect(ids).toContain(id);
    // every Secret SECRETS.md lists is in the diagram
    const listed = [...files.get('SECRETS.md')!.matchAll(/^### (.+)$/gm)].map((m) => `secret:${m[1]}`);
    expect(ids.filter((i) => i!.startsWith('secret:')).sort()).toEqual(listed.sort());
    // the edges are drawn, and the unexposed agent is shown as such
    expect(await page.locator('svg#diagram path.edge').count()).toBeGreaterThan(15);
    await expect.poll(() => page.locator('g.node.muted').getAttribute('data-id')).toBe('agent:research/batch-indexer');
    await page.close();
  });

  it('has a table per agent with the explain facts, and the diagnostics', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const agents = await page.locator('section.agent h3').allTextContents();
    expect(agents).toEqual(['support/support-bot', 'support/ticket-triage', 'research/research-assistant', 'research/partner-summarizer', 'research/batch-indexer']);
    const research = page.locator('section.agent[id="research/research-assistant"] table');
    expect(await research.locator('th').allTextContents()).toEqual(['Exposure', 'Auth', 'Headers', 'Timeouts', 'Quotas', 'Providers', 'Egress']);
    await expect.poll(() => research.innerText()).toContain('enforced by EnvoyExtensionPolicy research/research-assistant');
    expect(await research.innerText()).toContain('Authorization: moved to x-original-token');
    expect(await page.locator('ul.diagnostics li.acknowledged').innerText()).toContain('PC012');
    await page.close();
  });
});
