import { NodeDnsResolver } from './node-dns.js';

/**
 * "Success means served": traffic counts as moved when the hosted zone's authoritative name
 * servers, asked directly, send clients to the target. Not records read through Route 53's
 * control plane, not a change INSYNC: those say what Route 53 was told, not what clients get.
 *
 *   decision.ts   which region the answers send clients to (pure)
 *   node-dns.ts   the adapter: node:dns, one name server at a time
 *   simulated.ts  the drill's name servers, answering from the simulated Route 53
 *   observe.ts    asks every name server of every plan record, several times
 */

/** The record types a plan may hold (plan/schema.ts `dnsRecordSchema.type`). */
export type DnsQueryType = 'A' | 'AAAA' | 'CNAME';

export interface AuthoritativeResolver {
  /**
   * Asks `nameServer` (a host name, e.g. ns-1324.awsdns-37.org) once for `name`/`type`, without
   * recursion: the values of the one answer it gives (CNAME targets, addresses); [] when it has
   * no such record. Rejects when the server does not answer (timeout, refused, aborted).
   */
  query(nameServer: string, name: string, type: DnsQueryType, signal?: AbortSignal): Promise<string[]>;
  /**
   * The addresses a recursive resolver gives for `host` (a load balancer's DNS name): what an
   * alias A/AAAA record answers with. Absent when the resolver cannot tell (the drill's records
   * answer with the plan's values themselves).
   */
  addresses?(host: string, type: 'A' | 'AAAA', signal?: AbortSignal): Promise<string[]>;
}

/**
 * The process-wide resolver the deployed handlers use, like `awsClients`: node:dns until someone
 * swaps it (the drill puts the simulated cloud's name servers in, tests put a fake in).
 */
export class ResolverRegistry {
  #resolver: AuthoritativeResolver | undefined;

  constructor(private readonly createDefault: () => AuthoritativeResolver) {}

  current(): AuthoritativeResolver {
    this.#resolver ??= this.createDefault();
    return this.#resolver;
  }

  use(resolver: AuthoritativeResolver): void {
    this.#resolver = resolver;
  }

  /** Back to the default (one drill after another, a test's afterEach). */
  reset(): void {
    this.#resolver = undefined;
  }
}

export const authoritativeDns = new ResolverRegistry(() => new NodeDnsResolver());
