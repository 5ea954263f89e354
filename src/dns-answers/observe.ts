import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { inRegion } from '../decisions/traffic.js';
import type { DnsRecordPlan, FailoverPlan } from '../plan/schema.js';
import { judgeAnswers, type NameServerAnswers, type RecordAnswers } from './decision.js';
import type { AuthoritativeResolver } from './resolver.js';

export interface Regions {
  source: string;
  target: string;
}

/**
 * Queries per name server. A weighted set answers one record per query, chosen by weight: a
 * server still serving the old weights answers the source with probability w/100 per query. At
 * the end of a drain (source 25) eight queries miss it with probability 0.75^8 = 10% for one
 * server, 0.75^32 = 0.01% for a zone's four; after a hard cut (source 100) never. A simple record
 * has one answer, and so has a failover record (the PRIMARY or the SECONDARY, by health).
 */
export const QUERIES_PER_SERVER = { weighted: 8, simple: 1, failover: 1 } as const;

/** Every query of one observation is abandoned after this long; a step's Lambda timeout is 60 s. */
export const ANSWERS_DEADLINE_MS = 5000;

/**
 * Asks every authoritative name server of every plan record what it answers, several times for a
 * weighted record, and judges where the answers send clients. A data-plane read: no Route 53 API
 * call, so it works while Route 53's control plane (us-east-1) is down.
 */
export async function observeAnswers(
  resolver: AuthoritativeResolver,
  plan: FailoverPlan,
  regions: Regions,
  deadlineMs = ANSWERS_DEADLINE_MS,
): Promise<RecordAnswers[]> {
  const controller = new AbortController();
  // One or two listeners per query (dozens per observation), each removed when its query settles.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${deadlineMs} ms`)),
    deadlineMs,
  );
  try {
    return await Promise.all(
      plan.dns.records.map((record) =>
        observeRecord(
          resolver,
          record,
          plan.dns.nameServers[record.hostedZoneId] ?? [],
          regions,
          controller.signal,
        ),
      ),
    );
  } finally {
    clearTimeout(timer);
  }
}

async function observeRecord(
  resolver: AuthoritativeResolver,
  record: DnsRecordPlan,
  nameServers: readonly string[],
  regions: Regions,
  signal: AbortSignal,
): Promise<RecordAnswers> {
  const queries = QUERIES_PER_SERVER[record.routing];
  const [source, target, servers] = await Promise.all([
    regionValues(resolver, record, regions.source, signal),
    regionValues(resolver, record, regions.target, signal),
    Promise.all(
      nameServers.map(async (nameServer): Promise<NameServerAnswers> => {
        const outcomes = await Promise.all(
          Array.from({ length: queries }, () =>
            orAbort(resolver.query(nameServer, record.name, record.type, signal), signal).catch(() => null),
          ),
        );
        const answers = outcomes.filter((values): values is string[] => values !== null);
        return { nameServer, answers, failed: queries - answers.length };
      }),
    ),
  ]);
  return judgeAnswers({ record, servers, source, target });
}

/**
 * What an answer sending clients to `region` holds: the plan's value, and for an A/AAAA record
 * whose value is a host name (an alias to a load balancer) the addresses that name has now.
 */
async function regionValues(
  resolver: AuthoritativeResolver,
  record: DnsRecordPlan,
  region: string,
  signal: AbortSignal,
): Promise<string[]> {
  const value = inRegion(record.value, region, 'value', record);
  if (record.type === 'CNAME' || isIP(value) !== 0 || !resolver.addresses) return [value];
  const addresses = await orAbort(resolver.addresses(value, record.type, signal), signal).catch(() => []);
  return [value, ...addresses];
}

/** Settles with `work`, or rejects when `signal` aborts: a resolver that ignores it cannot hold the step. */
function orAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
