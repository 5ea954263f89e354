import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { rebuildReport } from '../../src/history/rebuild.js';

/** `failover report <execution>` rebuilds the hooks section from the history alone. */
describe('hooks in a report rebuilt from the execution history', () => {
  it.each([
    'hook-hangs',
    'hook-aborts-after-promotion',
    'hook-aborts-before-fencing',
    'hook-planned-only-skipped',
  ])('%s: the same hooks section, outcome and summary as the execution own report', async (name) => {
    const r = await runDrill(findScenario(name));

    const rebuilt = rebuildReport(r.history, {
      name: r.name,
      status: r.status,
      startDate: new Date(r.startedAt),
      ...(r.error ? { error: r.error.name, cause: r.error.cause } : {}),
    });

    expect(Object.keys(r.report?.hooks ?? {}).length).toBeGreaterThan(0);
    expect(rebuilt.hooks).toEqual(r.report?.hooks);
    expect(rebuilt.outcome).toBe(r.report?.outcome);
    expect(rebuilt.summary).toBe(r.report?.summary);
  });
});
