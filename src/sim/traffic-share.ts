import type { FailoverPlan } from '../plan/schema.js';
import type { CloudSnapshot } from './types.js';

const fqdn = (name: string) => `${name.replace(/\.$/, '')}.`.toLowerCase();

/**
 * The share of the plan's traffic the authoritative name servers send each plan region, from what
 * they answer (CloudSnapshot `dns`): per plan record, a weighted answer's share is its weight over
 * the answered weights (Route 53 Developer Guide, weighted routing: weight / sum of weights; when
 * every answered weight is 0, each is returned with equal probability), any other answer an equal
 * share; the shares are averaged over the plan's records.
 *
 * Modelling choice (simple load, leaning neither way): clients follow the answers at once, as if
 * no resolver or client kept an older answer for its TTL.
 */
export function trafficShares(dns: CloudSnapshot['dns'], plan: FailoverPlan): Record<string, number> {
  const regions = [plan.regions.primary, plan.regions.standby];
  const shares: Record<string, number> = Object.fromEntries(regions.map((r) => [r, 0]));
  const records = plan.dns.records;
  for (const record of records) {
    const sets = dns.filter(
      (d) =>
        d.hostedZoneId.replace(/^\/hostedzone\//, '') === record.hostedZoneId &&
        fqdn(d.name) === fqdn(record.name) &&
        d.type === record.type,
    );
    const weighted = sets.filter((d) => (d.weight ?? 0) > 0);
    const byWeight = sets.some((d) => d.weight !== null) && weighted.length > 0;
    const answered = byWeight ? weighted : sets;
    const total = answered.reduce((sum, d) => sum + (byWeight ? (d.weight ?? 0) : 1), 0);
    if (total === 0) continue;
    for (const region of regions) {
      const mine = answered.filter((d) =>
        d.setIdentifier !== null && record.setIdentifier
          ? d.setIdentifier === record.setIdentifier[region]
          : d.value === record.value[region],
      );
      const part = mine.reduce((sum, d) => sum + (byWeight ? (d.weight ?? 0) : 1), 0);
      shares[region] = (shares[region] ?? 0) + part / total / records.length;
    }
  }
  return shares;
}
