import { existsSync, mkdirSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutionRun, runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { retriesFromHistory } from '../../src/report/html/attempts.js';
import { renderHtmlReport } from '../../src/report/html/render.js';
import type { FailoverReport } from '../../src/report/types.js';

/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium` package) loads the
 * reports of a succeeded, a failed and a suppressed drill, run here in-process like the scenario
 * tests, and of a report whose history strings carry markup. Each page must load with no console
 * error and no request of any kind, draw one bar per step of the report and show the RTO. A
 * screenshot of each goes to test-output/<scenario>.png for a human to look at.
 */

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = 'test-output';

interface Case {
  scenario: string;
  outcome: FailoverReport['outcome'];
  report: FailoverReport;
  html: string;
}

/** The execution of the drill whose report has the outcome the case is about. */
function executionWith(executions: readonly ExecutionRun[], outcome: string): ExecutionRun {
  const found = executions.find((e) => e.report?.outcome === outcome);
  if (!found?.report) {
    const seen = executions.map((e) => e.report?.outcome ?? 'no report').join(', ');
    throw new Error(`no execution ended ${outcome} (saw: ${seen})`);
  }
  return found;
}

async function drilled(scenario: string, outcome: FailoverReport['outcome']): Promise<Case> {
  const result = await runDrill(findScenario(scenario), { seed: 1 });
  const execution = executionWith(result.executions, outcome);
  const report = execution.report as FailoverReport;
  return {
    scenario,
    outcome,
    report,
    html: renderHtmlReport(report, { retries: retriesFromHistory(execution.history) }),
  };
}

/**
 * The little of the DOM these checks call inside the page, typed here: the project compiles
 * without the DOM library (its code runs in Node and Lambda only).
 */
interface Drawn {
  getBBox(): { width: number };
  checkVisibility(): boolean;
}
interface BrowserWindow {
  getComputedStyle(element: unknown): { color: string; backgroundColor: string };
  pwned?: number;
}

interface Loaded {
  page: Page;
  errors: string[];
  requests: string[];
}

let browser: Browser;
const cases: Case[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the HTML report's browser test needs it. Install it with ` +
        '`npm run browser:ensure` (scripts/ensure-chromium.sh: apt-get install chromium, with sudo when not root), ' +
        'or point CHROMIUM at a Chromium or Chrome binary.',
    );
  }
  cases.push(
    await drilled('region-outage', 'succeeded'),
    await drilled('promotion-refused', 'failed'),
    await drilled('duplicate-alarm', 'suppressed'),
  );
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  mkdirSync(OUTPUT, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

/** Loads a report with every request refused and recorded, and every console error kept. */
async function load(html: string): Promise<Loaded> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    // setContent itself navigates nowhere; anything else is the page fetching something.
    if (request.url() === 'about:blank') return void request.continue();
    requests.push(request.url());
    return void request.abort();
  });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, errors, requests };
}

describe('the HTML report in headless Chromium', () => {
  it.each([
    ['region-outage', 'succeeded'],
    ['promotion-refused', 'failed'],
    ['duplicate-alarm', 'suppressed'],
  ])(
    '%s (%s): loads offline, one bar per step, the RTO shown; screenshot written',
    async (scenario, outcome) => {
      const c = cases.find((x) => x.scenario === scenario) as Case;
      expect(c.report.outcome).toBe(outcome);

      const { page, errors, requests } = await load(c.html);

      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const drawn = await page.$$eval('svg.timeline g.bar', (bars) =>
        bars.map((bar) => ({
          step: bar.getAttribute('data-step'),
          critical: bar.getAttribute('data-critical'),
          title: bar.querySelector(':scope > title')?.textContent ?? '',
          visible: (bar as unknown as Drawn).getBBox().width > 0,
        })),
      );
      expect(drawn).toHaveLength(c.report.steps.length);
      expect(drawn.map((b) => b.step).sort()).toEqual(c.report.steps.map((s) => s.step).sort());
      for (const bar of drawn) {
        expect(bar.title.startsWith(`${bar.step}: `)).toBe(true);
        expect(bar.visible).toBe(true);
      }
      expect(drawn.some((b) => b.critical === 'true')).toBe(true);
      const rto = await page.$eval('#rto', (el) => ({
        text: el.querySelector('.value')?.textContent,
        shown: (el as unknown as Drawn).checkVisibility(),
      }));
      expect(rto).toEqual({
        text: c.report.rtoSeconds === null ? 'n/a' : `${c.report.rtoSeconds} s`,
        shown: true,
      });
      expect(await page.$eval('#verdict .outcome', (el) => el.textContent)).toBe(outcome);
      // Every bar lies inside the chart: nothing cut off at either edge.
      const cut = await page.$$eval('svg.timeline', ([svg]) => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('g.bar rect')]
          .map((r) => r.getBoundingClientRect())
          .filter((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5).length;
      });
      expect(cut).toBe(0);

      await page.screenshot({ path: `${OUTPUT}/${scenario}.png`, fullPage: true });
      expect(existsSync(`${OUTPUT}/${scenario}.png`)).toBe(true);
      await page.close();
    },
  );

  it('prints black on white with the raw timeline open, folded on screen', async () => {
    const c = cases.find((x) => x.scenario === 'region-outage') as Case;
    const { page } = await load(c.html);
    const rawShown = () =>
      page.$eval('details.raw table', (el) => (el as unknown as Drawn).checkVisibility());

    expect(await rawShown()).toBe(false);
    await page.emulateMediaType('print');

    expect(await rawShown()).toBe(true);
    expect(
      await page.$eval('body', (el) => {
        const style = (globalThis as unknown as BrowserWindow).getComputedStyle(el);
        return [style.color, style.backgroundColor];
      }),
    ).toEqual(['rgb(0, 0, 0)', 'rgb(255, 255, 255)']);
    await page.close();
  });

  it('shows markup from the history as text: no element, no script, no request comes of it', async () => {
    const base = (cases.find((x) => x.scenario === 'promotion-refused') as Case).report;
    const hostile: FailoverReport = {
      ...base,
      fencing: [
        {
          resource: 'ecs us-east-1/<img src=https://example.com/x.png onerror="window.pwned=1">',
          action: 'scale to 0',
          outcome: 'unconfirmed',
          detail: '<script>window.pwned=2</script>',
        },
      ],
      failure: { error: 'AwsRequestError', cause: '</code><iframe src="https://example.com"></iframe>' },
    };

    const { page, errors, requests } = await load(renderHtmlReport(hostile));

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).pwned)).toBeUndefined();
    expect(await page.$$eval('img, iframe, script', (els) => els.length)).toBe(0);
    expect(await page.$eval('#fencing td', (el) => el.textContent)).toBe(
      'ecs us-east-1/<img src=https://example.com/x.png onerror="window.pwned=1">',
    );
    await page.close();
  });
});
