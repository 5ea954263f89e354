import { describe, expect, it } from 'vitest';
import { withRecordUpsert } from '../../src/drill/scenario-types.js';
import { parsePlan } from '../../src/plan/load.js';
import { dnsHandOver } from '../../src/recovery/hand-over.js';
import { examplePlan } from '../support/plan.js';

describe('dnsHandOver', () => {
  it('gives one UPSERT batch per zone that points the record-upsert records at the target, from the plan alone', () => {
    const raw = structuredClone(examplePlan()) as unknown as Record<string, unknown>;
    withRecordUpsert(raw);
    const plan = parsePlan(raw, 'plan.json');

    const [command, ...more] = dnsHandOver(plan, 'us-east-1', 'us-west-2');

    expect(more).toEqual([]);
    expect(command).toMatch(
      /^Once Route 53's control plane answers, point the records at us-west-2: aws route53 change-resource-record-sets --hosted-zone-id Z3M3LMPEXAMPLE --change-batch '/,
    );
    const batch = JSON.parse(command?.slice(command.indexOf("--change-batch '") + 16, -1) ?? '{}');
    expect(
      batch.Changes.map((c: { ResourceRecordSet: { SetIdentifier: string; Weight: number } }) => [
        c.ResourceRecordSet.SetIdentifier,
        c.ResourceRecordSet.Weight,
      ]),
    ).toEqual([
      ['orders-use1', 0],
      ['orders-usw2', 100],
    ]);
  });

  it('hands nothing over for records that move on the data plane', () => {
    expect(dnsHandOver(examplePlan(), 'us-east-1', 'us-west-2')).toEqual([]);
  });
});
