import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ownReport, recorded } from '../history/recorded.js';
import { run, withExecution, withStateMachines } from './harness.js';

/** Bars of the timeline chart: one `<g class="bar ...">` per row of the report's steps. */
const bars = (html: string) =>
  [...html.matchAll(/<g class="bar[^"]*" data-step="([^"]+)"/g)].map((m) => m[1]);

describe('the HTML report from the command line', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  it('failover report EXECUTION --format html rebuilds the report from the execution history', async () => {
    const saved = recorded('region-outage');
    withStateMachines(sfn);
    withExecution(sfn, saved);

    const r = await run(['report', saved.execution.name, '--format', 'html']);

    expect(r.code).toBe(0);
    const own = ownReport(saved);
    expect(bars(r.stdout)).toHaveLength(own.steps.length);
    expect(r.stdout).toContain(`<span class="value">${own.rtoSeconds} s</span>`);
  });

  it('failover report --history-file FILE --format html prints one self-contained page, no AWS call', async () => {
    const file = 'test/fixtures/history/promotion-refused.json';
    const json = await run(['report', '--history-file', file, '--format', 'json']);

    const r = await run(['report', '--history-file', file, '--format', 'html']);

    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('<!DOCTYPE html>');
    expect(r.stdout).toContain('class="verdict verdict-failed"');
    const steps = (JSON.parse(json.stdout) as { steps: { step: string }[] }).steps.map((s) => s.step);
    expect(bars(r.stdout).sort()).toEqual([...steps].sort());
  });

  it('refuses an unknown --format, naming the ones it knows', async () => {
    const r = await run([
      'report',
      '--history-file',
      'test/fixtures/history/region-outage.json',
      '--format',
      'pdf',
    ]);

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--format must be markdown, json or html, got "pdf"/);
  });

  it('failover drill --html FILE writes the drill’s report as a page, with the RTO the drill printed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'failover-html-')), 'report.html');

    const r = await run(['drill', '--scenario', 'region-outage', '--json', '--html', file]);

    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { rtoSeconds: number; steps: { step: string }[] };
    const html = readFileSync(file, 'utf8');
    expect(bars(html)).toHaveLength(report.steps.length);
    expect(html).toContain(`<span class="value">${report.rtoSeconds} s</span>`);
    expect(r.stderr).toContain(`HTML report written to ${file}`);
  });

  it('failover drill --html with no file name is a usage error', async () => {
    const r = await run(['drill', '--html', '']);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--html needs a file name/);
  });
});
