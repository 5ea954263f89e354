import { describe, expect, it } from 'vitest';
import {
  decideShift,
  normalizeDnsName,
  type RecordSetState,
  type RecordShift,
  upsertsByZone,
} from '../../src/decisions/traffic.js';
import { PlanInvalidError } from '../../src/errors.js';
import type { DnsRecordPlan } from '../../src/plan/schema.js';
import { apiRecord, USE1_ALB, USW2_ALB } from '../support/plan.js';

const weighted = apiRecord();
const simple: DnsRecordPlan = {
  hostedZoneId: 'Z3M3LMPEXAMPLE',
  name: 'www.orders.example.com',
  type: 'CNAME',
  ttlSeconds: 60,
  routing: 'simple',
  value: { 'us-east-1': USE1_ALB, 'us-west-2': USW2_ALB },
  shift: { mode: 'record-upsert' },
};

const weightedSet = (setIdentifier: string, weight: number, value: string): RecordSetState => ({
  name: 'api.orders.example.com.',
  type: 'CNAME',
  setIdentifier,
  weight,
  ttl: 60,
  values: [value],
  healthCheckId: `hc-${setIdentifier}`,
});
const simpleSet = (values: string[], ttl = 300): RecordSetState => ({
  name: 'www.orders.example.com.',
  type: 'CNAME',
  ttl,
  values,
});
const aliasSet = (dnsName: string): RecordSetState => ({
  name: 'www.orders.example.com.',
  type: 'CNAME',
  values: [],
  alias: { dnsName, hostedZoneId: 'Z1H1FL5HABSF5', evaluateTargetHealth: true },
});

describe('decideShift', () => {
  it.each<{ name: string; record: DnsRecordPlan; current: RecordSetState[]; upserts: RecordSetState[] }>([
    {
      name: 'moves weighted records to target 100 and source 0, keeping their health checks',
      record: weighted,
      current: [weightedSet('orders-use1', 100, USE1_ALB), weightedSet('orders-usw2', 0, USW2_ALB)],
      upserts: [weightedSet('orders-usw2', 100, USW2_ALB), weightedSet('orders-use1', 0, USE1_ALB)],
    },
    {
      name: 'changes nothing when the weights already point at the target',
      record: weighted,
      current: [weightedSet('orders-use1', 0, USE1_ALB), weightedSet('orders-usw2', 100, USW2_ALB)],
      upserts: [],
    },
    {
      name: 'changes nothing when the target takes every answer at another weight',
      record: weighted,
      current: [weightedSet('orders-use1', 0, USE1_ALB), weightedSet('orders-usw2', 20, USW2_ALB)],
      upserts: [],
    },
    {
      name: 'moves only the source record when the target already has weight 100',
      record: weighted,
      current: [weightedSet('orders-use1', 100, USE1_ALB), weightedSet('orders-usw2', 100, USW2_ALB)],
      upserts: [weightedSet('orders-use1', 0, USE1_ALB)],
    },
    {
      name: "creates a missing target record from the plan's value",
      record: weighted,
      current: [weightedSet('orders-use1', 100, USE1_ALB)],
      upserts: [
        {
          name: 'api.orders.example.com.',
          type: 'CNAME',
          setIdentifier: 'orders-usw2',
          weight: 100,
          ttl: 60,
          values: [USW2_ALB],
        },
        weightedSet('orders-use1', 0, USE1_ALB),
      ],
    },
    {
      name: "replaces a simple record's value with the target's",
      record: simple,
      current: [simpleSet([USE1_ALB])],
      upserts: [{ name: 'www.orders.example.com.', type: 'CNAME', ttl: 60, values: [USW2_ALB] }],
    },
    {
      name: 'changes nothing when a simple record already names the target, whatever its case and trailing dot',
      record: simple,
      current: [simpleSet([`${USW2_ALB.toUpperCase()}.`])],
      upserts: [],
    },
    {
      name: 'changes nothing when an alias already targets the load balancer',
      record: simple,
      current: [aliasSet(`dualstack.${USW2_ALB}.`)],
      upserts: [],
    },
    {
      name: 'creates a missing simple record',
      record: simple,
      current: [],
      upserts: [{ name: 'www.orders.example.com.', type: 'CNAME', ttl: 60, values: [USW2_ALB] }],
    },
  ])('$name', ({ record, current, upserts }) => {
    // Act
    const shift = decideShift(record, current, 'us-east-1', 'us-west-2');

    // Assess
    expect(shift.upserts).toEqual(upserts);
  });

  it('describes a weighted move for the timeline', () => {
    // Prepare
    const current = [weightedSet('orders-use1', 100, USE1_ALB), weightedSet('orders-usw2', 0, USW2_ALB)];

    // Act
    const shift = decideShift(weighted, current, 'us-east-1', 'us-west-2');

    // Assess
    expect(shift).toMatchObject({
      from: 'orders-use1=100 orders-usw2=0',
      to: 'orders-use1=0 orders-usw2=100',
    });
  });

  it('reports the longest TTL a client may hold, the current one when above the plan', () => {
    // Act
    const shift = decideShift(simple, [simpleSet([USE1_ALB], 300)], 'us-east-1', 'us-west-2');

    // Assess
    expect(shift.ttlSeconds).toBe(300);
  });

  it('refuses to rewrite an alias record the plan describes as a plain value', () => {
    // Act
    const act = () => decideShift(simple, [aliasSet(`dualstack.${USE1_ALB}.`)], 'us-east-1', 'us-west-2');

    // Assess
    expect(act).toThrow(PlanInvalidError);
  });
});

describe('normalizeDnsName', () => {
  it.each([
    { name: 'adds the trailing dot', input: 'api.orders.example.com', expected: 'api.orders.example.com.' },
    { name: 'lower-cases', input: 'API.Orders.Example.com.', expected: 'api.orders.example.com.' },
    {
      name: "decodes Route 53's octal escapes",
      input: '\\052.orders.example.com.',
      expected: '*.orders.example.com.',
    },
  ])('$name', ({ input, expected }) => {
    // Act
    const normalized = normalizeDnsName(input);

    // Assess
    expect(normalized).toBe(expected);
  });
});

describe('upsertsByZone', () => {
  it('puts every change of one hosted zone in one batch and leaves out records already done', () => {
    // Prepare
    const shift = (record: DnsRecordPlan, zone: string, upserts: RecordSetState[]): RecordShift => ({
      record: { ...record, hostedZoneId: zone },
      upserts,
      from: '',
      to: '',
      ttlSeconds: 60,
    });
    const a = weightedSet('orders-usw2', 100, USW2_ALB);
    const b = weightedSet('orders-use1', 0, USE1_ALB);
    const c = simpleSet([USW2_ALB]);

    // Act
    const zones = upsertsByZone([
      shift(weighted, 'ZPUBLIC1', [a, b]),
      shift(simple, 'ZPRIVATE2', [c]),
      shift(simple, 'ZPUBLIC1', [c]),
      shift(simple, 'ZDONE3', []),
    ]);

    // Assess
    expect([...zones]).toEqual([
      ['ZPUBLIC1', [a, b, c]],
      ['ZPRIVATE2', [c]],
    ]);
  });
});
