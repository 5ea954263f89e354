import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { rebuildReport } from '../../src/history/rebuild.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';

/** Manual, planned, dry-run, approval and failback drills, asserted on the simulated cloud. */

const drill = (name: string) => runDrill(findScenario(name));
const resources = (s: CloudSnapshot) => ({ database: s.database, services: s.services, dns: s.dns });
const changes = (calls: { command: string; outcome: string }[]) =>
  calls.filter(
    (c) =>
      c.outcome === 'ok' &&
      /^(UpdateService|RegisterScalableTarget|FailoverGlobalCluster|SwitchoverGlobalCluster|RemoveFromGlobalCluster|ChangeResourceRecordSets)$/.test(
        c.command,
      ),
  );

describe('operator drills', () => {
  it('bad-console-input: fails at once naming every bad field, and touches nothing', async () => {
    const r = await drill('bad-console-input');

    expect(r.error?.name).toBe('InputInvalidError');
    for (const field of [
      'version',
      'mode',
      'targetRegion',
      'reason',
      'requestedBy',
      'Unrecognized key: "dryrun"',
    ]) {
      expect(r.report?.failure?.cause).toContain(field);
    }
    expect(r.records.map((t) => t.functionName)).toEqual(['normalizeInput', 'report']);
    expect(changes(r.cloud.calls)).toEqual([]);
  });

  it('dry-run: performs the reads, records what it would do, and leaves the cloud unchanged', async () => {
    const r = await drill('dry-run');

    expect(resources(r.after)).toEqual(resources(r.before));
    expect(changes(r.cloud.calls)).toEqual([]);
    expect(r.report).toMatchObject({
      outcome: 'dry-run',
      rtoSeconds: null,
      readiness: { ready: true, problems: [] },
    });
    expect(r.report?.actions.filter((a) => a.startsWith('Would:')).length).toBeGreaterThanOrEqual(4);
    expect(r.report?.actions.join('\n')).toMatch(/Would: send FailoverGlobalCluster/);
  });

  it('dry-run-drift: reports the headless standby as a readiness problem, still changing nothing', async () => {
    const r = await drill('dry-run-drift');

    expect(resources(r.after)).toEqual(resources(r.before));
    expect(r.report?.readiness.ready).toBe(false);
    expect(r.report?.readiness.problems.join('\n')).toMatch(/headless/);
  });

  it('planned-drain: steps the weights down before the switchover, then cuts over, with RPO 0', async () => {
    const r = await drill('planned-drain');
    const dnsChanges = r.cloud.calls.filter(
      (c) => c.command === 'ChangeResourceRecordSets' && c.outcome === 'ok',
    );
    const switchover = r.cloud.calls.find((c) => c.command === 'SwitchoverGlobalCluster');

    expect(dnsChanges).toHaveLength(4); // 75, 50, 25, then 0 after the switchover
    expect(dnsChanges.filter((c) => c.at < (switchover?.at ?? 0))).toHaveLength(3);
    expect(r.report?.rpo.seconds).toBe(0);
    expect(r.after.dns.map((d) => d.weight)).toEqual([0, 100]);
  });

  it.each([
    ['approval-granted', 'succeeded', /approved by oncall@example.com/],
    ['approval-rejected', 'not-approved', /rejected by oncall@example.com: the primary is recovering/],
    ['approval-timeout-stops', 'not-approved', /no decision by the deadline: stopped/],
    ['approval-timeout-proceeds', 'succeeded', /no decision by the deadline: proceeding/],
  ])('%s: ends %s and the timeline says who decided', async (name, outcome, decision) => {
    const r = await drill(name);

    expect(r.report?.outcome).toBe(outcome);
    const approval = r.report?.timeline
      .filter((e) => e.step === 'await-approval')
      .map((e) => e.message)
      .join('\n');
    expect(approval).toMatch(decision);
    expect(r.after.notifications.some((n) => /failover approve/.test(n.message))).toBe(true);
    if (outcome === 'not-approved') expect(changes(r.cloud.calls)).toEqual([]);
  });

  it.each([
    ['failback-refused', /pending-resync/],
    ['failback-too-soon', /target-region-health|sustained/],
    ['manual-into-pending-resync', /aurora-global-membership: target member .* is pending-resync/],
  ])('%s: refuses the failback, says why, and changes nothing', async (name, why) => {
    const r = await drill(name);

    expect(r.error?.name).toBe('TargetNotReadyError');
    expect(r.report?.failure?.cause).toMatch(why);
    expect(changes(r.cloud.calls)).toEqual([]);
  });

  it('failback: moves the writer back to the original primary with a switchover', async () => {
    const r = await drill('failback');

    expect(r.before.database.writerRegion).toBe('us-west-2');
    expect(r.after.database.writerRegion).toBe('us-east-1');
    expect(r.report?.rpo.seconds).toBe(0);
  });

  it.each(['region-outage', 'promotion-refused', 'approval-rejected'])(
    '%s: the report rebuilt from the recorded execution history gives the same RTO and RPO',
    async (name) => {
      const r = await drill(name);
      const rebuilt = rebuildReport(r.history, {
        name: r.name,
        status: r.status,
        startDate: new Date(r.startedAt),
        ...(r.error ? { error: r.error.name, cause: r.error.cause } : {}),
        ...(r.status === 'SUCCEEDED' ? { output: JSON.stringify(r.report) } : {}),
      });

      // A compute branch stopped by the database branch's failure: the history holds its own
      // events from its start, the live report only the end recovery saw. Same end, same outcome.
      const stopped = (steps: typeof r.report extends null ? never : NonNullable<typeof r.report>['steps']) =>
        steps.map((s) =>
          s.step === 'scale-target' ? { step: s.step, endedAt: s.endedAt, outcome: s.outcome } : s,
        );
      expect(rebuilt).toMatchObject({
        outcome: r.report?.outcome,
        rtoSeconds: r.report?.rtoSeconds,
        rpo: r.report?.rpo,
      });
      expect(stopped(rebuilt.steps)).toEqual(stopped(r.report?.steps ?? []));
    },
  );
});
