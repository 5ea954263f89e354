import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAN_FILE, DRILL_START, runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { rebuildReport } from '../../src/history/rebuild.js';
import { toHistoryEvents } from '../../src/history/record.js';
import { loadPlanFile } from '../../src/plan/load.js';

/** A report rebuilt from the history of a drill with three databases says what the execution's own did. */
describe('rebuildReport with several databases', () => {
  it.each(['three-databases-one-mismatched', 'three-databases-switchover-split'])(
    '%s: which database is where, and the worst RPO, as the own report gave them',
    async (name) => {
      const scenario = findScenario(name);
      const run = await runDrill(scenario);
      const input = scenario.input({ plan: loadPlanFile(DEFAULT_PLAN_FILE), t0: DRILL_START.getTime() });
      const events = toHistoryEvents(run.records, { ...run, input });

      const report = rebuildReport(events, {
        name: run.name,
        status: run.status,
        startDate: new Date(run.startedAt),
        stopDate: events.at(-1)?.timestamp ?? new Date(run.startedAt),
        ...(run.status === 'SUCCEEDED'
          ? { output: JSON.stringify(run.report) }
          : { error: run.error?.name ?? '', cause: run.error?.cause ?? '' }),
      });

      expect(report.databases).toHaveLength(3);
      expect(report.databases).toEqual(run.report?.databases);
      expect(report.rpo).toEqual(run.report?.rpo);
      expect(report.actions).toEqual(run.report?.actions);
    },
  );
});
