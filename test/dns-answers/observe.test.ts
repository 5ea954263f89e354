import { afterEach, describe, expect, it, vi } from 'vitest';
import { observeAnswers, QUERIES_PER_SERVER } from '../../src/dns-answers/observe.js';
import type { AuthoritativeResolver } from '../../src/dns-answers/resolver.js';
import { examplePlan, USE1_ALB, USW2_ALB } from '../support/plan.js';

const regions = { source: 'us-east-1', target: 'us-west-2' };

describe('observeAnswers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks each of the zone's name servers several times for a weighted record", async () => {
    // Prepare
    const asked: string[] = [];
    const resolver: AuthoritativeResolver = {
      query: async (nameServer, name, type) => {
        asked.push(`${nameServer} ${name} ${type}`);
        return [USW2_ALB];
      },
    };

    // Act
    const [answers] = await observeAnswers(resolver, examplePlan(), regions);

    // Assess
    expect(answers).toMatchObject({ verdict: 'target', target: 4 * QUERIES_PER_SERVER.weighted, source: 0 });
    expect(new Set(asked)).toEqual(
      new Set(
        examplePlan().dns.nameServers.Z3M3LMPEXAMPLE?.map((ns) => `${ns} api.orders.example.com. CNAME`),
      ),
    );
  });

  it('counts a server that does not answer as silent, not as the target', async () => {
    // Prepare
    const resolver: AuthoritativeResolver = {
      query: async (nameServer) => {
        if (nameServer.endsWith('.net')) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
        return [USW2_ALB];
      },
    };

    // Act
    const [answers] = await observeAnswers(resolver, examplePlan(), regions);

    // Assess
    expect(answers).toMatchObject({ verdict: 'unknown', silent: ['ns-718.awsdns-25.net'] });
  });

  it('gives up on a resolver that never answers at the deadline', async () => {
    // Prepare
    vi.useFakeTimers();
    const resolver: AuthoritativeResolver = { query: () => new Promise<string[]>(() => undefined) };

    // Act
    const observed = observeAnswers(resolver, examplePlan(), regions, 2000);
    await vi.advanceTimersByTimeAsync(2000);
    const [answers] = await observed;

    // Assess
    expect(answers).toMatchObject({ verdict: 'unknown', target: 0, source: 0 });
    expect(answers?.silent).toHaveLength(4);
  });

  it('passes the deadline on to the resolver as an abort signal', async () => {
    // Prepare
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    const resolver: AuthoritativeResolver = {
      query: (_ns, _name, _type, signal) => {
        if (signal) signals.push(signal);
        return new Promise<string[]>(() => undefined);
      },
    };

    // Act
    const observed = observeAnswers(resolver, examplePlan(), regions, 2000);
    await vi.advanceTimersByTimeAsync(2000);
    await observed;

    // Assess
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it("adds the load balancer's addresses to an alias A record's values", async () => {
    // Prepare
    const plan = examplePlan();
    plan.dns.records = plan.dns.records.map((r) => ({ ...r, type: 'A' as const }));
    const resolver: AuthoritativeResolver = {
      query: async () => ['52.10.1.1'],
      addresses: async (host) => (host === USW2_ALB ? ['52.10.1.1'] : host === USE1_ALB ? ['3.80.1.1'] : []),
    };

    // Act
    const [answers] = await observeAnswers(resolver, plan, regions);

    // Assess
    expect(answers?.verdict).toBe('target');
  });
});
