import * as FakeTimers from '@sinonjs/fake-timers';
import { ClientRegistry, type RegionalClients } from '../../src/aws/clients.js';
import { FAKED_TIMERS } from '../../src/drill/clock.js';
import { type SimOptions, SimulatedCloud } from '../../src/sim/cloud.js';
import { recordUpsertPlan } from '../support/plan.js';

// The SDK warns once per process about Node 20; it says nothing about the simulator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const T0 = Date.parse('2026-11-22T03:00:00Z');
export const PRIMARY = 'us-east-1';
export const STANDBY = 'us-west-2';

export interface Drill {
  clock: ReturnType<typeof FakeTimers.install>;
  cloud: SimulatedCloud;
  registry: ClientRegistry;
  primary: RegionalClients;
  standby: RegionalClients;
  /** Runs the promise to completion in virtual time. */
  run<T>(promise: Promise<T>): Promise<T>;
  /** Runs the promise and returns what it rejected with. */
  failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>>;
  /** Uninstalls the clock; safe to call twice. */
  stop(): void;
}

/**
 * A fresh virtual clock, client registry and cloud built from plans/dev.json, its records on
 * record-upsert (plain Route 53 records, no health checks) unless `options.plan` says otherwise.
 */
export function startDrill(options: Partial<SimOptions> = {}): Drill {
  const clock = FakeTimers.install({
    now: T0,
    toFake: [...FAKED_TIMERS],
  });
  const cloud = new SimulatedCloud({ plan: recordUpsertPlan(), seed: 42, ...options });
  const registry = new ClientRegistry();
  cloud.attach(registry);
  const run = async <T>(promise: Promise<T>): Promise<T> => {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => {});
    for (let i = 0; !settled && i < 100_000; i++) await clock.nextAsync();
    return tracked;
  };
  const failure = async (promise: Promise<unknown>) => {
    try {
      await run(promise);
    } catch (error) {
      return error as Error & Record<string, unknown>;
    }
    throw new Error('expected the call to fail');
  };
  let stopped = false;
  const stop = () => {
    if (!stopped) clock.uninstall();
    stopped = true;
  };
  return {
    clock,
    cloud,
    registry,
    primary: registry.forRegion(PRIMARY),
    standby: registry.forRegion(STANDBY),
    run,
    failure,
    stop,
  };
}

/** Virtual ms since T0. */
export const elapsed = () => Date.now() - T0;

/** The example plan's weighted record, as the simulated Route 53 holds it. */
export const ZONE = 'Z3M3LMPEXAMPLE';
export const NAME = 'api.orders.example.com.';
export const USE1_VALUE = 'orders-use1-1234567890.us-east-1.elb.amazonaws.com';
export const USW2_VALUE = 'orders-usw2-0987654321.us-west-2.elb.amazonaws.com';

/** One weighted record set of the example plan's record, as a ResourceRecordSet. */
export const weighted = (setIdentifier: string, value: string, weight: number) => ({
  Name: NAME,
  Type: 'CNAME' as const,
  SetIdentifier: setIdentifier,
  Weight: weight,
  TTL: 60,
  ResourceRecords: [{ Value: value }],
});
