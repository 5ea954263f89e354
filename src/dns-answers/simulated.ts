import type { CloudSnapshot } from '../sim/types.js';
import type { AuthoritativeResolver, DnsQueryType } from './resolver.js';

/** What the simulated name servers answer from: the snapshot's `dns`, changes only once INSYNC. */
export type ServedRecords = () => CloudSnapshot['dns'];

const fqdn = (name: string) => {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
};

/**
 * The drill's authoritative name servers. They answer from what Route 53 serves after
 * propagation (`CloudSnapshot.dns`), never from the record store ListResourceRecordSets reads:
 * a change shows in the answers only once it is INSYNC.
 *
 * Weighted records answer one record per query, chosen by weight with the cloud's seeded random
 * stream; a weight-0 record never answers unless every record of the set has weight 0, and then
 * all answer with equal probability (Route 53 API Reference, ResourceRecordSet `Weight`; Developer
 * Guide, "Weighted routing"). A simple record answers with all its values.
 *
 * Regional incidents do not reach them: Route 53's authoritative DNS is its data plane, anycast
 * from over 200 edge locations and every Region, and keeps answering while the control plane in
 * us-east-1 is impaired (AWS whitepaper "AWS Fault Isolation Boundaries", Appendix B, Route 53;
 * Route 53 carries a 100% data-plane availability SLA, "AWS Best Practices for DDoS Resiliency").
 * A query answers at once: a name server answers in milliseconds, below the drill's resolution.
 */
export class SimulatedNameServers implements AuthoritativeResolver {
  constructor(
    /** The plan's `dns.nameServers`: which zones each name server is authoritative for. */
    private readonly zones: Readonly<Record<string, readonly string[]>>,
    private readonly served: ServedRecords,
    private readonly random: () => number,
  ) {}

  async query(nameServer: string, name: string, type: DnsQueryType, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    const server = fqdn(nameServer);
    const zones = Object.entries(this.zones)
      .filter(([, servers]) => servers.some((s) => fqdn(s) === server))
      .map(([zone]) => zone);
    if (zones.length === 0) {
      // A Route 53 name server answers REFUSED for a zone it does not host.
      throw Object.assign(new Error(`${nameServer} refused ${name} ${type}: not authoritative for it`), {
        code: 'EREFUSED',
      });
    }
    const sets = this.served().filter(
      (r) => zones.includes(r.hostedZoneId) && fqdn(r.name) === fqdn(name) && r.type === type,
    );
    const chosen = sets.some((r) => r.weight !== null) ? this.#byWeight(sets) : sets[0];
    return chosen ? chosen.value.split(',').filter((v) => v !== '') : [];
  }

  #byWeight(sets: CloudSnapshot['dns']): CloudSnapshot['dns'][number] | undefined {
    const weighted = sets.filter((r) => (r.weight ?? 0) > 0);
    const candidates = weighted.length > 0 ? weighted : sets;
    const weightOf = (r: (typeof sets)[number]) => (weighted.length > 0 ? (r.weight ?? 0) : 1);
    let draw = this.random() * candidates.reduce((sum, r) => sum + weightOf(r), 0);
    for (const r of candidates) {
      draw -= weightOf(r);
      if (draw < 0) return r;
    }
    return candidates.at(-1);
  }
}
