import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/load.js';

/** The example plan as raw JSON, to break on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON is mutated freely to build bad plans
type RawPlan = any;
const example = (): RawPlan => JSON.parse(readFileSync('plans/dev.json', 'utf8'));

describe('failover plan schema', () => {
  it('accepts the example plan and fills the defaults', () => {
    const plan = parsePlan(example(), 'plans/dev.json');

    expect(plan.regions).toEqual({ primary: 'us-east-1', standby: 'us-west-2' });
    expect(plan.services[1]?.autoScaling).toBe(false);
  });

  it.each([
    [
      'a region that does not exist',
      (p: RawPlan) => (p.regions.standby = 'us-west-9'),
      /regions\.standby: "us-west-9" is not an AWS region/,
    ],
    [
      'a typo in a field name',
      (p: RawPlan) => (p.sustained.failingDatapionts = 3),
      /sustained: Unrecognized key: "failingDatapionts"/,
    ],
    [
      'the same region twice',
      (p: RawPlan) => (p.regions.standby = 'us-east-1'),
      /regions\.standby: must differ from regions\.primary/,
    ],
    [
      'K larger than N',
      (p: RawPlan) => (p.sustained.failingDatapoints = 9),
      /sustained\.failingDatapoints: failingDatapoints \(K\) must not exceed/,
    ],
    [
      'a service with no cluster in the standby',
      (p: RawPlan) => delete p.services[0].cluster['us-west-2'],
      /services\[0\]\.cluster: has no entry for us-west-2/,
    ],
    [
      'a member ARN in the wrong region',
      (p: RawPlan) => (p.database.members['us-west-2'] = 'arn:aws:rds:eu-west-1:123456789012:cluster:x'),
      /database\.members\.us-west-2: cluster ARN is not in us-west-2/,
    ],
    [
      'a weighted record without set identifiers',
      (p: RawPlan) => delete p.dns.records[0].setIdentifier,
      /dns\.records\[0\]\.setIdentifier: is required for weighted routing/,
    ],
    [
      'too few signals watching a region',
      (p: RawPlan) => (p.signals = p.signals.slice(0, 3)),
      /signals: 1 signal\(s\) watch us-west-2 but sustained\.minFailingSignals is 2/,
    ],
    [
      'no name servers at all',
      (p: RawPlan) => delete p.dns.nameServers,
      /dns\.nameServers: Invalid input: expected record, received undefined/,
    ],
    [
      "no name servers for a record's hosted zone",
      (p: RawPlan) => (p.dns.records[0].hostedZoneId = 'Z1D633PJN98FT9'),
      /dns\.nameServers: has no name servers for hosted zone Z1D633PJN98FT9 \(dns\.records\[0\] api\.orders\.example\.com\.\)/,
    ],
    [
      'name servers for a zone no record is in',
      (p: RawPlan) => (p.dns.nameServers.Z2FDTNDATAQYW2 = ['ns-1.awsdns-00.com']),
      /dns\.nameServers\.Z2FDTNDATAQYW2: "Z2FDTNDATAQYW2" is not the hosted zone of any dns record/,
    ],
    [
      'an empty name server list',
      (p: RawPlan) => (p.dns.nameServers.Z3M3LMPEXAMPLE = []),
      /dns\.nameServers\.Z3M3LMPEXAMPLE: Too small/,
    ],
    [
      'a name server that is not a host name',
      (p: RawPlan) => (p.dns.nameServers.Z3M3LMPEXAMPLE[0] = 'ns 1324'),
      /dns\.nameServers\.Z3M3LMPEXAMPLE\[0\]: must be a name server host name/,
    ],
    [
      'a bad hosted zone id',
      (p: RawPlan) => (p.dns.records[0].hostedZoneId = 'example.com'),
      /dns\.records\[0\]\.hostedZoneId: must be a Route 53 hosted zone id/,
    ],
  ])('rejects %s, naming the field', (_case, mutate, message) => {
    const raw = example();
    mutate(raw);

    expect(() => parsePlan(raw, 'plans/dev.json')).toThrow(message);
  });

  it('reports an unknown region alone, not the cross-checks that follow from it', () => {
    const raw = example();
    raw.regions.standby = 'us-west-9';

    expect(() => parsePlan(raw, 'p.json')).toThrow(
      /^failover plan p\.json is invalid:\n {2}- regions\.standby: [^\n]*$/,
    );
  });
});
