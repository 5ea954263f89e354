import {
  ConflictException,
  GetRoutingControlStateCommand,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { describe, expect, it } from 'vitest';
import type { ClusterEndpoint } from '../../src/aws/clients.js';
import { AwsRequestError, AwsTransientError, SafetyRuleRefusedError } from '../../src/errors.js';
import { endpointOrder } from '../../src/traffic-modes/decision.js';
import {
  type ClusterContext,
  readControlStates,
  updateControlStates,
} from '../../src/traffic-modes/routing-control.js';
import { ONE_REGION_ON_RULE, USE1_CONTROL, USW2_CONTROL } from '../support/arc.js';
import { examplePlan } from '../support/plan.js';

type Behaviour = 'ok' | 'silent' | 'throttle' | 'server-error' | 'refuse' | 'deny';

const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
  Object.assign(new Error(`${name} from the stub`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });

/**
 * A stub of each cluster endpoint, by region: what it does with every call, what it was sent, and
 * whether the caller aborted the calls it never answered.
 */
function cluster(behaviour: Record<string, Behaviour>, states: Record<string, 'On' | 'Off'> = {}) {
  const sent: { region: string; command: string }[] = [];
  const aborted: string[] = [];
  const client = (endpoint: ClusterEndpoint) => ({
    send(command: { input: Record<string, unknown> }, options: { abortSignal?: AbortSignal } = {}) {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ region: endpoint.region, command: name });
      switch (behaviour[endpoint.region] ?? 'ok') {
        case 'silent':
          return new Promise((_, reject) =>
            options.abortSignal?.addEventListener('abort', () => {
              aborted.push(endpoint.region);
              reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
            }),
          );
        case 'throttle':
          return Promise.reject(sdkError('ThrottlingException', 429, 'client'));
        case 'server-error':
          return Promise.reject(sdkError('InternalServerException', 500, 'server'));
        case 'deny':
          return Promise.reject(sdkError('AccessDeniedException', 403, 'client'));
        case 'refuse':
          if (command instanceof UpdateRoutingControlStatesCommand) {
            return Promise.reject(
              new ConflictException({
                message: 'Request rejected: the routing control state change violates a safety rule.',
                resourceId: ONE_REGION_ON_RULE,
                resourceType: 'SafetyRule',
                $metadata: { httpStatusCode: 409 },
              }),
            );
          }
          break;
      }
      if (command instanceof GetRoutingControlStateCommand) {
        const arn = String(command.input.RoutingControlArn);
        return Promise.resolve({ RoutingControlArn: arn, RoutingControlState: states[arn] ?? 'On' });
      }
      const entries = (command.input.UpdateRoutingControlStateEntries ?? []) as {
        RoutingControlArn: string;
        RoutingControlState: 'On' | 'Off';
      }[];
      for (const e of entries) states[e.RoutingControlArn] = e.RoutingControlState;
      return Promise.resolve({});
    },
  });
  return { clients: { routingControlCluster: client as never }, sent, aborted, states };
}

const plan = examplePlan();
const endpoints = plan.dns.routingControl?.endpoints ?? [];
const SEED = 'orders-20240520T1401Z|shift-traffic|1716213540000';
const order = endpointOrder(endpoints, SEED).map((e) => e.region);
const context = (stub: ReturnType<typeof cluster>, deadlineMs = 2000): ClusterContext => ({
  clients: stub.clients,
  endpoints,
  seed: SEED,
  attemptMs: 50,
  deadline: Date.now() + deadlineMs,
  rules: plan.dns.routingControl?.safetyRules ?? [],
});
const sourceOff = [{ arn: USE1_CONTROL, state: 'Off' as const }];

describe('Route 53 ARC data-plane adapter', () => {
  it('moves to the next endpoint in the seeded order on silence (aborted at the bound), throttle and 5xx', async () => {
    // Prepare: the first three endpoints of this seed's order fail three different ways.
    const [first = '', second = '', third = '', fourth = ''] = order;
    const stub = cluster({ [first]: 'silent', [second]: 'throttle', [third]: 'server-error' });

    // Act
    const outcome = await updateControlStates(context(stub), sourceOff);

    // Assess
    expect(outcome.endpoint.region).toBe(fourth);
    expect(outcome.tried.map((t) => t.region)).toEqual([first, second, third, fourth]);
    expect(outcome.tried[0]?.outcome).toBe('no answer within 50 ms');
    expect(outcome.tried[1]?.outcome).toMatch(/^ThrottlingException/);
    expect(stub.aborted).toEqual([first]);
    expect(stub.states[USE1_CONTROL]).toBe('Off');
  });

  it('goes round again while the deadline allows, and gives up with AwsTransientError naming every endpoint tried', async () => {
    const stub = cluster(Object.fromEntries(endpoints.map((e) => [e.region, 'throttle' as const])));

    const read = readControlStates(context(stub, 1200), [USE1_CONTROL]);

    await expect(read).rejects.toBeInstanceOf(AwsTransientError);
    await expect(read).rejects.toThrow(/no Route 53 ARC cluster endpoint answered/);
    expect(stub.sent.length).toBeGreaterThan(endpoints.length);
  });

  it('turns a safety rule refusal into SafetyRuleRefusedError naming the rule, and sends nothing after it', async () => {
    const stub = cluster(Object.fromEntries(endpoints.map((e) => [e.region, 'refuse' as const])));

    const update = updateControlStates(context(stub), sourceOff);

    await expect(update).rejects.toBeInstanceOf(SafetyRuleRefusedError);
    await expect(update).rejects.toThrow(/safety rule "orders-one-region-on"/);
    await expect(update).rejects.toThrow(/safetyRulesToOverride/);
    expect(stub.sent).toEqual([{ region: order[0], command: 'UpdateRoutingControlStates' }]);
    expect(stub.states[USE1_CONTROL]).toBeUndefined();
  });

  it('counts a refusal after an unanswered attempt as done when the read-back shows that attempt landed', async () => {
    // Prepare: the first endpoint takes the change but its answer is lost; the second refuses the
    // repeat (the rule's wait period), and the read-back shows the state already as wanted.
    const [first = '', second = ''] = order;
    const stub = cluster({ [first]: 'silent', [second]: 'refuse' }, { [USE1_CONTROL]: 'Off' });

    const outcome = await updateControlStates(context(stub), sourceOff);

    expect(outcome.landedEarlier).toBe(true);
  });

  it('stops at once on an access denial: another endpoint would say the same', async () => {
    const stub = cluster(Object.fromEntries(endpoints.map((e) => [e.region, 'deny' as const])));

    await expect(readControlStates(context(stub), [USW2_CONTROL])).rejects.toBeInstanceOf(AwsRequestError);
    expect(stub.sent).toHaveLength(1);
  });

  it('sends SafetyRulesToOverride only when given', async () => {
    const inputs: unknown[] = [];
    const stub = cluster({});
    const clients = {
      routingControlCluster: (endpoint: ClusterEndpoint) => {
        type Send = (command: unknown, options: unknown) => Promise<unknown>;
        const inner = (
          stub.clients.routingControlCluster as unknown as (e: ClusterEndpoint) => { send: Send }
        )(endpoint);
        return {
          send: (command: { input: unknown }, options: unknown) => {
            inputs.push(command.input);
            return inner.send(command, options);
          },
        };
      },
    };

    await updateControlStates({ ...context(stub), clients: clients as never }, sourceOff);
    await updateControlStates({ ...context(stub), clients: clients as never }, sourceOff, [
      ONE_REGION_ON_RULE,
    ]);

    expect(inputs[0]).not.toHaveProperty('SafetyRulesToOverride');
    expect(inputs[1]).toMatchObject({ SafetyRulesToOverride: [ONE_REGION_ON_RULE] });
  });
});
