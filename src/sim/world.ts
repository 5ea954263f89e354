import { databasesOf } from '../plan/databases.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { ServiceName } from './errors.js';
import { type Latency, type LatencyName, type LatencyProfile, latenciesFor } from './latencies.js';
import { Rng } from './random.js';
import type { AbortSignalLike } from './transport.js';
import type { Incident } from './types.js';

/** What every simulated service shares: the plan, the seed, the scripted incidents. */
export class World {
  readonly t0 = Date.now();
  readonly account: string;
  readonly #streams = new Map<string, Rng>();
  /** Every simulated duration under the cloud's latency profile (LATENCIES, PESSIMISTIC). */
  readonly latencies: Readonly<Record<LatencyName, Latency>>;

  constructor(
    readonly plan: FailoverPlan,
    readonly seed: number,
    readonly incidents: readonly Incident[],
    readonly rpoLagMs: number,
    readonly profile: LatencyProfile = 'typical',
  ) {
    this.latencies = latenciesFor(profile);
    this.account = databasesOf(plan)[0]?.members[plan.regions.primary]?.split(':')[4] ?? '123456789012';
  }

  get regions(): [string, string] {
    return [this.plan.regions.primary, this.plan.regions.standby];
  }

  /** One seeded stream per purpose; see Rng. */
  rng(purpose: string): Rng {
    let stream = this.#streams.get(purpose);
    if (!stream) {
      stream = Rng.stream(this.seed, purpose);
      this.#streams.set(purpose, stream);
    }
    return stream;
  }

  requestId(): string {
    return this.rng('request-ids').uuid();
  }

  isDown(region: string, kind: Incident['kind'], at: number): boolean {
    return this.incidents.some(
      (i) =>
        i.region === region && i.kind === kind && i.from <= at && at < (i.to ?? Number.POSITIVE_INFINITY),
    );
  }

  /**
   * The first moment at or after `from` when `region` has no incident of these kinds (back-to-back
   * incidents chain); +Infinity when one never ends.
   */
  clearFrom(region: string, from: number, kinds: readonly Incident['kind'][]): number {
    let at = from;
    for (;;) {
      const covering = this.incidents.find(
        (i) =>
          i.region === region &&
          kinds.includes(i.kind) &&
          i.from <= at &&
          at < (i.to ?? Number.POSITIVE_INFINITY),
      );
      if (!covering) return at;
      at = covering.to ?? Number.POSITIVE_INFINITY;
      if (at === Number.POSITIVE_INFINITY) return at;
    }
  }

  /** Share of [start, end) during which `region` had a service-down incident, seen `delayMs` late. */
  downFraction(region: string, start: number, end: number, delayMs = 0): number {
    let covered = 0;
    for (const i of this.incidents) {
      if (i.region !== region || i.kind !== 'service-down') continue;
      const from = Math.max(start, i.from + delayMs);
      const to = Math.min(end, (i.to ?? Number.POSITIVE_INFINITY) + delayMs);
      if (to > from) covered += to - from;
    }
    return Math.min(1, covered / (end - start));
  }
}

/**
 * A command handler: validated input in, SDK-shaped output (without $metadata) out. Most answer
 * at once; one that takes time (Lambda's Invoke runs a function) returns a promise and honours
 * the caller's abort signal.
 */
export type Handler = (
  input: Record<string, unknown>,
  region: string,
  now: number,
  signal?: AbortSignalLike,
) => object | Promise<object>;

export interface ServiceModel {
  readonly service: ServiceName;
  /** Keyed by SDK command name without `Command`. */
  readonly handlers: Readonly<Record<string, Handler>>;
  /** Applies every time-driven transition due at or before `now`, in time order. */
  advance(now: number): void;
}

/** Types a handler against the SDK's input shape; the serializer has already accepted the input. */
export function op<I>(fn: (input: I, region: string, now: number) => object): Handler {
  return (input, region, now) => fn(input as I, region, now);
}
