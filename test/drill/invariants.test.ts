import { describe, expect, it } from 'vitest';
import { writersServing } from '../../src/drill/invariants.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';
import { examplePlan } from '../support/plan.js';

describe('invariant checker', () => {
  it('sees two writers serving when both regions write, run tasks and get DNS answers', async () => {
    // Prepare: a real snapshot, then the split brain the checker exists to catch.
    const { after } = await runDrill(findScenario('planned-switchover'));
    const split: CloudSnapshot = structuredClone(after);
    for (const member of split.database.members) member.acceptsWrites = true;
    // The name servers answer both regions' records (whatever the routing mode left answered).
    const [answer] = after.dns;
    const record = examplePlan().dns.records[0];
    if (!answer || !record) throw new Error('no DNS answer');
    split.dns = (['us-east-1', 'us-west-2'] as const).map((region) => ({
      ...answer,
      setIdentifier: record.setIdentifier?.[region] ?? null,
      value: record.value[region] ?? '',
      weight: 50,
    }));
    for (const service of split.services) service.running = Math.max(service.running, 1);

    // Act / Assess
    expect(writersServing(after, examplePlan())).toEqual(['us-west-2']);
    expect(writersServing(split, examplePlan())).toEqual(['us-east-1', 'us-west-2']);
  });

  it('does not count a writer that takes no traffic (fenced, DNS moved away)', async () => {
    const { after } = await runDrill(findScenario('promotion-stuck'));

    // The old primary still accepts writes after the detach fallback, by design...
    expect(after.database.members.find((m) => m.region === 'us-east-1')?.acceptsWrites).toBe(true);
    // ...but it is fenced and out of DNS, so only the target serves.
    expect(writersServing(after, examplePlan())).toEqual(['us-west-2']);
  });
});
