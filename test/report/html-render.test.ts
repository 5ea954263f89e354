import { describe, expect, it } from 'vitest';
import { rebuildReport } from '../../src/history/rebuild.js';
import { renderHtmlReport } from '../../src/report/html/render.js';
import type { FailoverReport } from '../../src/report/types.js';
import { recorded } from '../history/recorded.js';

/**
 * The HTML rendering of recorded drill executions (test/fixtures/history): a succeeded
 * region-outage and a failed promotion-refused, rebuilt from their histories as
 * `failover report --history-file` does.
 */
const reportOf = (name: 'region-outage' | 'promotion-refused'): FailoverReport => {
  const saved = recorded(name);
  return rebuildReport(saved.events, saved.execution);
};

/** HTML-escaped text, written out here rather than imported, so a broken escape cannot hide. */
const escaped = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** Each bar's opening tag: `<g class="bar ..." data-step=... >`. */
const barTags = (html: string) => [...html.matchAll(/<g class="bar[^"]*"[^>]*>/g)].map((m) => m[0]);
const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
const barOf = (html: string, step: string) => barTags(html).find((t) => attr(t, 'data-step') === step);
/** The whole `<g class="bar">...</g>` of a step, marks included. */
const barBody = (html: string, step: string) =>
  new RegExp(
    `<g class="bar[^"]*" data-step="${step}"[\\s\\S]*?</text>(?:<g class="mark[\\s\\S]*?</g>)*</g>`,
  ).exec(html)?.[0] ?? '';

const ALLOWED_TAGS = new Set(
  [
    '!DOCTYPE',
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'header',
    'p',
    'h1',
    'h2',
    'dl',
    'dt',
    'dd',
    'section',
    'div',
    'span',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'figure',
    'svg',
    'defs',
    'pattern',
    'line',
    'g',
    'rect',
    'text',
    'circle',
    'path',
    'ul',
    'ol',
    'li',
    'details',
    'summary',
    'code',
    'strong',
    'footer',
  ].map((t) => t.toLowerCase()),
);

describe('renderHtmlReport', () => {
  it('draws one bar per row of the report’s steps, grouped by lane', () => {
    for (const name of ['region-outage', 'promotion-refused'] as const) {
      const report = reportOf(name);

      const html = renderHtmlReport(report);

      const drawn = barTags(html).map((t) => attr(t, 'data-step'));
      expect(drawn).toHaveLength(report.steps.length);
      expect([...drawn].sort()).toEqual(report.steps.map((s) => s.step).sort());
    }
  });

  it('puts the verdict and summary first, then RTO, user-facing RTO and RPO with their evidence', () => {
    const report = reportOf('region-outage');

    const html = renderHtmlReport(report);

    const at = (needle: string) => html.indexOf(needle);
    expect(at('id="verdict"')).toBeGreaterThan(0);
    expect(at('id="verdict"')).toBeLessThan(at('id="figures"'));
    expect(at('id="figures"')).toBeLessThan(at('id="timeline"'));
    expect(at('id="timeline"')).toBeLessThan(at('id="fencing"'));
    expect(at('id="fencing"')).toBeLessThan(at('id="readiness"'));
    expect(at('id="readiness"')).toBeLessThan(at('id="actions"'));
    expect(at('id="actions"')).toBeLessThan(at('id="raw-timeline"'));
    expect(html).toContain(`<p class="summary" id="summary">${escaped(report.summary)}</p>`);
    expect(html).toMatch(
      new RegExp(
        `id="rto"><span class="label">RTO \\(orchestrated\\)</span><span class="value">${report.rtoSeconds} s<`,
      ),
    );
    expect(html).toContain(`${report.userFacingRtoSeconds} s`);
    expect(html).toContain(escaped(report.rpo.basis));
    expect(html).toContain(`to the target verified serving ${report.verifiedAt}`);
    expect(html).toMatch(/<details class="raw"><summary>Raw timeline: \d+ events/);
  });

  it('runs the compute branch in its own lane beside the database branch, and marks the critical path', () => {
    const report = reportOf('region-outage');

    const html = renderHtmlReport(report);

    const lane = (step: string) => attr(barOf(html, step) ?? '', 'data-lane');
    const critical = (step: string) => attr(barOf(html, step) ?? '', 'data-critical');
    expect(lane('scale-target')).toBe('2');
    expect(lane('promote-database')).toBe('1');
    expect(lane('fence-old-primary')).toBe('1');
    // The scale-up ended after the promotion: the traffic shift waited for it, not for the database.
    expect(critical('scale-target')).toBe('true');
    expect(critical('promote-database')).toBe('false');
    expect(critical('fence-old-primary')).toBe('false');
    expect(critical('shift-traffic')).toBe('true');
    expect(critical(report.steps.at(-1)?.step ?? '')).toBe('true');
    expect(critical('normalize-input')).toBe('true');
    expect(barOf(html, 'scale-target')).toMatch(/class="bar outcome-succeeded critical"/);
  });

  it('puts the critical path on the slower branch when the database is the slower one', () => {
    const report = reportOf('region-outage');
    const at = (step: string, end: 'startedAt' | 'endedAt') =>
      Date.parse(report.steps.find((s) => s.step === step)?.[end] ?? '');
    // The promotion now ends after the scale-up, still before the traffic shift starts.
    const promotedAt = new Date((at('scale-target', 'endedAt') + at('shift-traffic', 'startedAt')) / 2);
    expect(promotedAt.getTime()).toBeGreaterThan(at('scale-target', 'endedAt'));
    const slowPromotion: FailoverReport = {
      ...report,
      steps: report.steps.map((s) =>
        s.step === 'promote-database' ? { ...s, endedAt: promotedAt.toISOString() } : s,
      ),
    };

    const html = renderHtmlReport(slowPromotion);

    expect(attr(barOf(html, 'promote-database') ?? '', 'data-critical')).toBe('true');
    expect(attr(barOf(html, 'fence-old-primary') ?? '', 'data-critical')).toBe('true');
    expect(attr(barOf(html, 'scale-target') ?? '', 'data-critical')).toBe('false');
  });

  it('shows a failed run’s failure first and what a human must still do', () => {
    const report = reportOf('promotion-refused');

    const html = renderHtmlReport(report);

    expect(report.outcome).toBe('failed');
    expect(html).toContain('class="verdict verdict-failed"');
    expect(html.indexOf('id="failure"')).toBeLessThan(html.indexOf('id="figures"'));
    expect(html).toContain('<code>AwsRequestError</code>');
    expect(html).toContain('InvalidGlobalClusterStateFault');
    expect(html).toContain('<h2>What a human must still do</h2>');
    expect(report.actions.length).toBeGreaterThan(0);
    for (const action of report.actions) expect(html).toContain(`<li>${escaped(action)}</li>`);
    expect(attr(barOf(html, 'promote-database') ?? '', 'data-outcome')).toBe('failed');
    expect(barBody(html, 'promote-database')).toContain('data-mark="failed"');
    expect(html).toMatch(
      /id="rto"><span class="label">RTO \(orchestrated\)<\/span><span class="value">n\/a</,
    );
  });

  it('escapes every string from the history: no markup from a resource name, a cause or a reason gets through', () => {
    const report = reportOf('promotion-refused');
    const evil = '<img src=x onerror=alert(1)>';
    const hostile: FailoverReport = {
      ...report,
      planName: `<script>alert('plan')</script>`,
      executionName: 'exec" onmouseover="alert(2)',
      reason: `</title><iframe src="https://example.com"></iframe>`,
      summary: `${evil} summary`,
      failure: {
        error: '<b>AwsRequestError</b>',
        cause: `</code></p><script src="https://x/y.js"></script>`,
      },
      fencing: [
        {
          resource: `ecs ${evil}`,
          action: '<svg onload=alert(3)>',
          outcome: 'unconfirmed',
          detail: "' onclick='x",
        },
      ],
      actions: [`run <a href="javascript:alert(4)">this</a>`],
      readiness: { ready: false, problems: ['<style>body{display:none}</style>'] },
      steps: report.steps.map((s, i) => (i === 0 ? { ...s, outcome: '"><script>alert(5)</script>' } : s)),
      timeline: report.timeline.map((e, i) =>
        i === 0 ? { ...e, message: '</summary></details><script>alert(6)</script>', facts: { k: evil } } : e,
      ),
    };

    const html = renderHtmlReport(hostile);

    const tags = [...html.matchAll(/<\/?([!a-zA-Z][\w-]*)/g)].map((m) => (m[1] as string).toLowerCase());
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    // An event-handler attribute inside a real tag (every "<" from the history is escaped).
    expect(html).not.toMatch(/<[!a-zA-Z][^>]*\son[a-z]+=/i);
    expect(html).not.toMatch(/<[!a-zA-Z][^>]*\s(href|src)=/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('exec&quot; onmouseover=&quot;alert(2)');
    expect(html).toContain('&lt;/code&gt;&lt;/p&gt;&lt;script src=&quot;https://x/y.js&quot;&gt;');
    // Exactly one <style> and one <title> element, the document's own.
    expect(tags.filter((t) => t === 'style')).toHaveLength(2);
    expect(tags.filter((t) => t === 'script')).toHaveLength(0);
  });

  it('fetches nothing: no script, no external URL, a policy that forbids fetching', () => {
    const html = renderHtmlReport(reportOf('region-outage'));

    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\bsrc=|\bhref=/i);
    // The only URLs are the SVG namespace (an identifier, never fetched) and the in-page pattern.
    expect([...html.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0])).toEqual([
      'http://www.w3.org/2000/svg',
    ]);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1])).toEqual(
      expect.arrayContaining(['#hatch']),
    );
    expect([...html.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1] === '#hatch')).toBe(true);
  });

  it('has print rules: black on white, nothing split across pages, the raw timeline printed open', () => {
    const html = renderHtmlReport(reportOf('region-outage'));

    const print = /@media print \{([\s\S]*)\}\s*<\/style>/.exec(html)?.[1] ?? '';
    expect(print).toContain('color: #000; background: #fff');
    expect(print).toMatch(/\.chart[^{]*\{ break-inside: avoid; page-break-inside: avoid; \}/);
    expect(print).toContain('details.raw::details-content { content-visibility: visible; display: block; }');
    expect(print).toContain('svg .bar rect { fill: #fff; stroke: #000; }');
  });

  it('says so, instead of drawing an empty chart, when no step recorded an event', () => {
    const report = reportOf('promotion-refused');

    const html = renderHtmlReport({ ...report, steps: [], timeline: [], detectedAt: 'not a time' });

    expect(barTags(html)).toEqual([]);
    expect(html).not.toContain('<svg');
    expect(html).toContain('No step recorded a timeline event');
    expect(html).not.toContain('NaN');
  });

  it('marks unreachable calls, waits, approvals and retries on the bar of their step, with a tooltip', () => {
    const report = reportOf('region-outage');
    const fence = report.steps.find((s) => s.step === 'fence-old-primary');
    const withMarks: FailoverReport = {
      ...report,
      timeline: [
        ...report.timeline,
        {
          at: fence?.endedAt ?? '',
          step: 'fence-old-primary',
          phase: 'unconfirmed',
          message: 'us-east-1 did not answer: no answer within 3000 ms',
        },
      ],
    };
    const promote = report.steps.find((s) => s.step === 'promote-database');

    const html = renderHtmlReport(withMarks, {
      retries: [
        {
          step: 'promote-database',
          state: 'PromoteDatabase',
          at: promote?.startedAt ?? '',
          error: 'Throttling',
        },
      ],
    });

    expect(barBody(html, 'fence-old-primary')).toMatch(
      /data-mark="unreachable"><title>[\d:.]+ unreachable or timed out: us-east-1 did not answer/,
    );
    expect(barBody(html, 'promote-database')).toMatch(
      /data-mark="retry"><title>[\d:.]+ retried after Throttling \(PromoteDatabase\)/,
    );
    expect(barBody(html, 'scale-target')).toMatch(
      /data-mark="wait"><title>[\d:.]+ wait: waiting for orders-api/,
    );
    expect(barBody(html, 'scale-target')).toMatch(/<title>scale-target: succeeded, [\d.]+ s\n/);
  });
});
