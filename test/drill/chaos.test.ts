import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chaosCaseArbitrary, chaosProfile } from '../../src/drill/chaos/arbitraries.js';
import { caseAt } from '../../src/drill/chaos/campaign.js';
import { type ChaosCase, parseChaosCase } from '../../src/drill/chaos/case.js';
import { runCase } from '../../src/drill/chaos/run-case.js';
import { chaosScenario } from '../../src/drill/chaos/scenario.js';
import { type DrillResult, runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import {
  type CloudState,
  neverWorse,
  noSilentLock,
  reportMatchesCloud,
  successMeansServed,
} from '../../src/drill/settled-invariants.js';
import { failoverPlanSchema } from '../../src/plan/schema.js';
import type { OwnersScalingActivity } from '../../src/sim/autoscaling.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';
import { run } from '../cli/harness.js';
import { examplePlan } from '../support/plan.js';

const kinds = (r: { problems?: { kind: string }[] }) => (r.problems ?? []).map((p) => p.kind);

/** The name servers answer the example plan's weighted record with `region`'s load balancer only. */
function pointDns(s: CloudState, region: 'us-east-1' | 'us-west-2'): void {
  const [record] = examplePlan().dns.records;
  const [answer] = s.dns;
  if (!record || !answer) throw new Error('no DNS record to point');
  s.dns = [
    {
      ...answer,
      setIdentifier: record.setIdentifier?.[region] ?? null,
      value: record.value[region] ?? '',
      weight: 100,
    },
  ];
}

const ISO = (ms: number) => new Date(ms).toISOString();

describe('chaos case generator', () => {
  it('generates the same cases for the same seed, and others for another seed', () => {
    const sample = (seed: number) => fc.sample(chaosCaseArbitrary('typical'), { seed, numRuns: 30 });

    expect(sample(7)).toEqual(sample(7));
    expect(sample(8)).not.toEqual(sample(7));
  });

  it("regenerates a campaign's run i from its seed (what shrinking replays)", async () => {
    // Prepare: the cases a campaign's fc.check sees, in order.
    const seen: ChaosCase[] = [];
    await fc.check(
      fc.asyncProperty(chaosCaseArbitrary('typical'), async (c) => {
        seen.push(c);
        return true;
      }),
      { seed: 7, numRuns: 12 },
    );

    // Act / Assess
    for (const i of [0, 5, 11]) expect(caseAt(7, 'typical', i)).toEqual(seen[i]);
  });

  it('makes plain-JSON cases that round-trip through JSON, with a plan the schema (and time budget) accepts', () => {
    const raw = JSON.parse(readFileSync('plans/dev.json', 'utf8'));
    for (const c of fc.sample(chaosCaseArbitrary('typical'), { seed: 11, numRuns: 300 })) {
      expect(parseChaosCase(JSON.parse(JSON.stringify(c)))).toEqual(c);
      const plan = structuredClone(raw);
      chaosScenario(c).plan?.(plan);
      const parsed = failoverPlanSchema.safeParse(plan);
      expect(parsed.success, `${JSON.stringify(c)}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('accepts a saved violation file as well as a bare case, and names bad fields', () => {
    const [c] = fc.sample(chaosCaseArbitrary('typical'), { seed: 3, numRuns: 1 });

    expect(parseChaosCase({ class: 'never-worse/x', case: c })).toEqual(c);
    expect(() => parseChaosCase({ ...c, start: { kind: 'meteor' } })).toThrow(/start/);
  });

  it('rejects an unknown profile with the known ones', () => {
    expect(chaosProfile('typical')).toBe('typical');
    expect(chaosProfile('pessimistic')).toBe('pessimistic');
    expect(() => chaosProfile('gloomy')).toThrow(
      'unknown chaos profile "gloomy"; profiles: typical, pessimistic',
    );
  });
});

describe('failover drill --case', () => {
  it('replays a saved case: the same run as the campaign had, with every invariant printed', async () => {
    // Prepare: a generated case, saved as npm run chaos saves it.
    const c = caseAt(7, 'typical', 3);
    const file = join(mkdtempSync(join(tmpdir(), 'failover-chaos-')), 'case.json');
    writeFileSync(file, JSON.stringify({ class: 'example', case: c }, null, 2));
    const direct = await runCase(c);

    // Act
    const r = await run(['drill', '--case', file, '--json']);

    // Assess: stdout is the report, the invariants go to stderr, as for --scenario --json.
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe(direct.outcomes[0]);
    expect(report.executionName).toBe(`drill-case-${c.seed}`);
    expect(r.stderr).toMatch(/Invariants \(.*case\.json, seed \d+\):/);
    for (const check of direct.checks) {
      expect(r.stderr).toContain(`${check.held ? 'held  ' : 'BROKEN'} ${check.name}`);
    }
    expect(r.code).toBe(direct.violations.length === 0 ? 0 : 1);
  });

  it('refuses --case with --scenario, and a file that is not a case', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'failover-chaos-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, seed: 1 }));

    const both = await run(['drill', '--case', file, '--scenario', 'region-outage']);
    const bad = await run(['drill', '--case', file]);

    expect(both.code).toBe(2);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a chaos case: start/);
  });
});

describe('settled-cloud invariants', () => {
  // One real failover (us-east-1 -> us-west-2) gives real states to break.
  let r: DrillResult;
  let before: CloudState;
  let after: CloudState;
  const plan = examplePlan();
  beforeAll(async () => {
    r = await runDrill(findScenario('region-outage'));
    before = r.before;
    after = r.after;
  });

  it('sees what fencing did: the suspended scaling and the service each mutating call acted on', () => {
    const api = (s: CloudState) =>
      s.services.find((x) => x.region === 'us-east-1' && x.service === 'orders-api');

    expect(api(before)?.suspended).toEqual({
      dynamicScalingIn: false,
      dynamicScalingOut: false,
      scheduledScaling: false,
    });
    expect(api(after)?.suspended).toEqual({
      dynamicScalingIn: false,
      dynamicScalingOut: true,
      scheduledScaling: true,
    });
    expect(after.services.find((x) => x.service === 'orders-worker')?.suspended).toBeNull();
    expect(
      r.cloud.calls
        .filter((c) => c.region === 'us-east-1' && /UpdateService|RegisterScalableTarget/.test(c.command))
        .map((c) => [c.command, c.resource]),
    ).toEqual(
      expect.arrayContaining([
        ['RegisterScalableTarget', 'service/orders-use1/orders-api'],
        ['UpdateService', 'service/orders-use1/orders-api'],
        ['UpdateService', 'service/orders-use1/orders-worker'],
      ]),
    );
  });

  it('never-worse holds when traffic followed the moved writer, and when nothing moved and all is as found', () => {
    expect(neverWorse(plan, before, after).held).toBe(true);
    expect(neverWorse(plan, before, structuredClone(before)).held).toBe(true);
  });

  it('never-worse fails when the writer did not move but a desired count, a minimum, a suspension or DNS did', () => {
    const scaled = structuredClone(before);
    const api = scaled.services.find((s) => s.region === 'us-west-2' && s.service === 'orders-api');
    if (api) api.desired = 6;
    const suspended = structuredClone(before);
    const fenced = suspended.services.find((s) => s.region === 'us-east-1' && s.service === 'orders-api');
    if (fenced)
      fenced.suspended = { dynamicScalingIn: false, dynamicScalingOut: true, scheduledScaling: true };
    const drained = structuredClone(before);
    for (const d of drained.dns) d.weight = 50;

    expect(kinds(neverWorse(plan, before, scaled))).toEqual(['target-ecs-not-as-found']);
    expect(kinds(neverWorse(plan, before, suspended))).toEqual(['source-ecs-not-as-found']);
    expect(kinds(neverWorse(plan, before, drained))).toEqual(['dns-not-as-found']);
  });

  it("never-worse leaves the owner's own scaling alone, but still judges what only the orchestrator changes", () => {
    const scheduled = structuredClone(before);
    const api = scheduled.services.find((s) => s.region === 'us-west-2' && s.service === 'orders-api');
    if (api) Object.assign(api, { desired: 4, minCapacity: 4 });
    const service = 'us-west-2/orders-usw2/orders-api';
    const since = Date.parse(before.at) + 60_000;
    const context = (ownersScaling: OwnersScalingActivity[]) => ({
      unreachableRegions: [],
      actions: [],
      ownersScaling,
    });
    const ran = (kind: OwnersScalingActivity['kind'], at = since) => [{ service, at, kind }];
    // A scheduled action sets the bounds and so the count.
    expect(neverWorse(plan, before, scheduled, context(ran('scheduled-action'))).held).toBe(true);
    expect(
      kinds(neverWorse(plan, before, scheduled, context(ran('scheduled-action', since - 120_000)))),
    ).toEqual(['target-ecs-not-as-found']);
    // Target tracking moves only the count: a minimum changed is still the orchestrator's.
    expect(kinds(neverWorse(plan, before, scheduled, context(ran('target-tracking'))))).toEqual([
      'target-ecs-not-as-found',
    ]);
    const original = before.services.find((s) => s.region === 'us-west-2' && s.service === 'orders-api');
    if (api) api.minCapacity = original?.minCapacity ?? null;
    expect(neverWorse(plan, before, scheduled, context(ran('target-tracking'))).held).toBe(true);
    // Suspensions are only ever the orchestrator's.
    if (api) api.suspended = { dynamicScalingIn: false, dynamicScalingOut: true, scheduledScaling: true };
    expect(kinds(neverWorse(plan, before, scheduled, context(ran('scheduled-action'))))).toEqual([
      'target-ecs-not-as-found',
    ]);
  });

  it('never-worse accepts a change in a still-unreachable region only when a report hands over its commands', () => {
    const fenced = structuredClone(before);
    const api = fenced.services.find((s) => s.region === 'us-east-1' && s.service === 'orders-api');
    if (api) api.desired = 0;
    const unreachable = { unreachableRegions: ['us-east-1'], actions: [] };
    const handedOver = {
      unreachableRegions: ['us-east-1'],
      actions: [
        'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 6',
      ],
    };

    expect(kinds(neverWorse(plan, before, fenced, unreachable))).toEqual(['source-ecs-not-as-found']);
    expect(neverWorse(plan, before, fenced, handedOver).held).toBe(true);
    expect(kinds(neverWorse(plan, before, fenced, { ...handedOver, unreachableRegions: [] }))).toEqual([
      'source-ecs-not-as-found',
    ]);
  });

  const handOver = [
    "Once Route 53's control plane answers, point the records at us-west-2: aws route53 change-resource-record-sets --hosted-zone-id Z3M3LMPEXAMPLE --change-batch '{}'",
  ];
  const gaveUp = [
    'Recovery stopped: the writer could not be read for 10 min: never act on a guess, a human must decide.',
  ];
  it.each([
    [
      'the change handed over, control plane silent',
      { unreachableRegions: ['us-east-1'], actions: handOver },
      [],
    ],
    [
      'the change handed over, control plane back',
      { unreachableRegions: [], actions: handOver },
      ['dns-not-at-writer'],
    ],
    [
      'control plane silent, nothing handed over',
      { unreachableRegions: ['us-east-1'], actions: [] },
      ['dns-not-at-writer'],
    ],
    [
      "the writer's own region dark, recovery handed over",
      { unreachableRegions: ['us-west-2'], actions: [], handedOver: true },
      [],
    ],
    [
      "the writer's own region dark, nothing handed over",
      { unreachableRegions: ['us-west-2'], actions: [] },
      ['dns-not-at-writer'],
    ],
    [
      'writer unread past the wait, the report says so',
      { unreachableRegions: [], actions: gaveUp, handedOver: true },
      [],
    ],
    [
      'writer unread, the report does not say why',
      { unreachableRegions: [], actions: [], handedOver: true },
      ['dns-not-at-writer'],
    ],
  ] as const)(
    'never-worse judges traffic left behind a moved writer on the hand-over: %s',
    (_case, context, expected) => {
      const stayed = structuredClone(after);
      pointDns(stayed, 'us-east-1');

      expect(kinds(neverWorse(plan, before, stayed, { ...context, actions: [...context.actions] }))).toEqual(
        expected,
      );
    },
  );

  it('never-worse leaves a move Aurora is still carrying out to a human, but only once a report says so', () => {
    const moving = structuredClone(before);
    moving.database.failoverState = 'failing-over';
    const api = moving.services.find((s) => s.region === 'us-west-2' && s.service === 'orders-api');
    if (api) api.desired = 6;
    const stopped = ['Recovery stopped: the writer was still moving after 10 min: a human must decide.'];

    expect(kinds(neverWorse(plan, before, moving))).toEqual(['move-in-flight-not-handed-over']);
    expect(neverWorse(plan, before, moving, { unreachableRegions: [], actions: stopped }).held).toBe(true);
  });

  it('never-worse fails when the writer moved and traffic or tasks did not follow, or no writer is left', () => {
    const stayed = structuredClone(after);
    pointDns(stayed, 'us-east-1');
    const idle = structuredClone(after);
    for (const s of idle.services) s.running = 0;
    const none = structuredClone(after);
    for (const m of none.database.members) m.isWriter = false;

    expect(kinds(neverWorse(plan, before, stayed))).toEqual(['dns-not-at-writer']);
    expect(kinds(neverWorse(plan, before, idle))).toEqual(['writer-not-running']);
    expect(kinds(neverWorse(plan, before, none))).toEqual(['no-writer']);
  });

  it('success-means-served fails when, at verifiedAt, DNS, the writer or the tasks were not in the target', () => {
    const verifiedAt = Date.parse(r.report?.verifiedAt ?? '');
    const at = (mutate: (s: CloudState) => void) => {
      const s = structuredClone(after);
      s.at = ISO(verifiedAt - 1);
      mutate(s);
      // What happened after verifiedAt does not count: a good state one ms later changes nothing.
      return [before, s, { ...structuredClone(after), at: ISO(verifiedAt + 1) }];
    };

    expect(successMeansServed(plan, r.executions, [before, { ...after, at: ISO(verifiedAt) }]).held).toBe(
      true,
    );
    expect(
      kinds(
        successMeansServed(
          plan,
          r.executions,
          at((s) => pointDns(s, 'us-east-1')),
        ),
      ),
    ).toEqual(['dns-not-at-target']);
    expect(
      kinds(
        successMeansServed(
          plan,
          r.executions,
          at((s) => {
            for (const m of s.database.members) m.isWriter = m.region === 'us-east-1';
          }),
        ),
      ),
    ).toEqual(['target-not-writer']);
    expect(
      kinds(
        successMeansServed(
          plan,
          r.executions,
          at((s) => {
            for (const x of s.services) if (x.service === 'orders-worker') x.running = 0;
          }),
        ),
      ),
    ).toEqual(['target-not-running']);
  });

  it('report-matches-cloud fails on a change after the last report', () => {
    const reportedAt = Math.max(...r.executions.flatMap((e) => e.records.map((x) => x.endedAt)));
    const late = {
      at: reportedAt + 60_000,
      region: 'us-west-2',
      command: 'UpdateService',
      outcome: 'ok',
      durationMs: 120,
      resource: 'service/orders-usw2/orders-api',
    };

    expect(reportMatchesCloud(r.executions, r.cloud.calls, [before], after).held).toBe(true);
    expect(kinds(reportMatchesCloud(r.executions, [...r.cloud.calls, late], [before], after))).toEqual([
      'changed-after-report',
    ]);
  });

  it('report-matches-cloud fails on a change while only an execution that says "nothing changed" ran', () => {
    const [first] = r.executions;
    if (!first?.report) throw new Error('region-outage left no report');
    const suppressed = [{ ...first, report: { ...first.report, outcome: 'suppressed' as const } }];

    expect(kinds(reportMatchesCloud(suppressed, r.cloud.calls, [before], after))).toContain(
      'non-acting-changed',
    );
  });

  it('report-matches-cloud fails on "fenced" with no successful call on that service', () => {
    const calls = r.cloud.calls.filter((c) => c.resource !== 'service/orders-use1/orders-api');

    expect(r.report?.fencing.some((f) => f.resource === 'ecs us-east-1/orders-use1/orders-api')).toBe(true);
    expect(kinds(reportMatchesCloud(r.executions, calls, [before], after))).toEqual(['fenced-without-call']);
  });

  it('report-matches-cloud fails on a service reported fenced that its scaler brought back, even for a while', () => {
    const fenceEnd = Math.max(
      ...r.records.filter((x) => x.functionName === 'fenceOldPrimary').map((x) => x.endedAt),
    );
    const unfenced = structuredClone(after);
    unfenced.at = new Date(fenceEnd + 5 * 60_000).toISOString();
    const api = unfenced.services.find((s) => s.region === 'us-east-1' && s.service === 'orders-api');
    if (!api) throw new Error('region-outage has orders-api in us-east-1');
    api.desired = 8;
    api.minCapacity = 8;

    // A scheduled action raised it after the fence; a scale-in took it back to 0 before the end.
    expect(kinds(reportMatchesCloud(r.executions, r.cloud.calls, [before, unfenced], after))).toEqual([
      'fence-undone',
    ]);
    // Before the fence ended, the service was still running: not a fence undone.
    const earlier = structuredClone(unfenced);
    earlier.at = new Date(fenceEnd - 1).toISOString();
    expect(reportMatchesCloud(r.executions, r.cloud.calls, [before, earlier], after).held).toBe(true);
  });

  it('report-matches-cloud fails on a complete rollback that left the source changed', () => {
    const [first] = r.executions;
    if (!first?.report) throw new Error('region-outage left no report');
    const rolledBack = [
      {
        ...first,
        report: { ...first.report, recovery: { kind: 'rolled-back', complete: true, notes: [] } },
      },
    ] as DrillResult['executions'];

    expect(kinds(reportMatchesCloud(rolledBack, r.cloud.calls, [before], after))).toEqual([
      'rollback-not-as-found',
    ]);
  });

  it('no-silent-lock fails on a lock still held unless the holder reports it with the command to free it', () => {
    const [first] = r.executions;
    if (!first?.report) throw new Error('region-outage left no report');
    const held = (holder: string): CloudSnapshot => ({
      ...r.after,
      tables: [
        {
          region: 'us-west-2',
          table: 'failover-locks',
          items: [{ plan: 'orders', holder, token: 3, state: 'held' }],
        },
      ],
    });
    const reporting = (lock: object) =>
      [{ ...first, report: { ...first.report, lock } }] as DrillResult['executions'];
    const freeCommand =
      'aws dynamodb delete-item --region us-west-2 --table-name failover-locks --key \'{"plan":{"S":"orders"}}\'';

    expect(noSilentLock(r.executions, r.after).held).toBe(true);
    expect(
      noSilentLock(reporting({ state: 'held', detail: 'release refused', freeCommand }), held(first.name))
        .held,
    ).toBe(true);
    expect(
      kinds(noSilentLock(reporting({ state: 'released', detail: '', freeCommand: null }), held(first.name))),
    ).toEqual(['held-silently']);
    expect(kinds(noSilentLock(r.executions, held('drill-gone-1')))).toEqual(['held-no-report']);
  });
});

/**
 * Cases campaigns found, shrunk and saved (test/fixtures/chaos/): each broke an invariant once,
 * and must hold every one now.
 */
describe('cases campaigns found', () => {
  const dir = 'test/fixtures/chaos';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${file}: every invariant holds`, { timeout: 120_000 }, async () => {
      const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { case: unknown };
      const r = await runCase(parseChaosCase(saved.case));
      expect(r.violations).toEqual([]);
    });
  }
});
