import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { renderHtmlReport } from '../../src/report/html/render.js';

/** The HTML report's hooks section (src/report/html/hooks.ts), from drilled reports. */
describe('the HTML report: hooks', () => {
  it('lists each hook with its outcome, duration and why, between fencing and readiness', async () => {
    const r = await runDrill(findScenario('hook-hangs'));
    const html = renderHtmlReport(r.report ?? (undefined as never));

    const section = /<section id="hooks">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(section).toContain('<td>afterPromotion</td><td>orders-cache-warmup</td><td>continue</td>');
    expect(section).toContain('<td class="status-failed">TIMED-OUT</td><td>20 s</td>');
    expect(section).toContain('the function may still be running');
    expect(html.indexOf('id="fencing"')).toBeLessThan(html.indexOf('id="hooks"'));
    expect(html.indexOf('id="hooks"')).toBeLessThan(html.indexOf('id="readiness"'));
  });

  it('has no hooks section when the plan has no hooks', async () => {
    const r = await runDrill({ ...findScenario('hook-hangs'), plan: (raw) => delete raw.hooks });

    expect(r.report?.hooks).toEqual({});
    expect(renderHtmlReport(r.report ?? (undefined as never))).not.toContain('id="hooks"');
  });
});
