import { toResourceRecordSet } from '../aws/route53.js';
import type { RecordSetState } from '../decisions/traffic.js';
import type { FailoverPlan } from '../plan/schema.js';
import { recordsWithoutDataPlanePath } from '../traffic-modes/decision.js';

/**
 * The record changes a human runs once Route 53's control plane answers again, when the writer
 * moved and the orchestrator could not move traffic after it (us-east-1 silent). Built from the
 * plan alone: reading the records is a control-plane call too. One command per hosted zone, the
 * same UPSERTs shift-traffic sends (weighted: target 100, source 0; simple: the target's value).
 */
export function dnsHandOver(plan: FailoverPlan, source: string, target: string): string[] {
  const byZone = new Map<string, RecordSetState[]>();
  for (const record of recordsWithoutDataPlanePath(plan)) {
    const sets: RecordSetState[] =
      record.routing === 'weighted'
        ? [source, target].map((region) => ({
            name: record.name,
            type: record.type,
            setIdentifier: record.setIdentifier?.[region] ?? region,
            weight: region === target ? 100 : 0,
            ttl: record.ttlSeconds,
            values: [record.value[region] ?? ''],
          }))
        : [
            {
              name: record.name,
              type: record.type,
              ttl: record.ttlSeconds,
              values: [record.value[target] ?? ''],
            },
          ];
    byZone.set(record.hostedZoneId, [...(byZone.get(record.hostedZoneId) ?? []), ...sets]);
  }
  return [...byZone].map(
    ([zone, sets]) =>
      `Once Route 53's control plane answers, point the records at ${target}: aws route53 change-resource-record-sets --hosted-zone-id ${zone} --change-batch '${JSON.stringify(
        {
          Comment: `traffic follows the writer to ${target}`,
          Changes: sets.map((set) => ({ Action: 'UPSERT', ResourceRecordSet: toResourceRecordSet(set) })),
        },
      )}'`,
  );
}
