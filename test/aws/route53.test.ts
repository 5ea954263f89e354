import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { changeRecords, getChangeStatus, readRecord } from '../../src/aws/route53.js';
import type { RecordSetState } from '../../src/decisions/traffic.js';
import { AwsTransientError } from '../../src/errors.js';
import type { DnsRecordPlan } from '../../src/plan/schema.js';
import { awsError } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';
import { apiRecord, USE1_ALB, USW2_ALB } from '../support/plan.js';

/** The weighted fixtures list the record's two weighted sets, us-east-1's first. */
type WeightedListing = ListResourceRecordSetsCommandOutput & {
  ResourceRecordSets: [ResourceRecordSet, ResourceRecordSet];
};

describe('Route 53 helpers', () => {
  const route53Mock = mockClient(Route53Client);
  const route53 = new Route53Client({ region: 'us-east-1' });

  afterEach(() => {
    route53Mock.reset();
  });

  describe('readRecord', () => {
    it('lists from the record and keeps only its weighted record sets', async () => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));

      // Act
      const sets = await readRecord(route53, apiRecord());

      // Assess
      expect(route53Mock).toHaveReceivedCommandExactlyOnceWith(ListResourceRecordSetsCommand, {
        HostedZoneId: 'Z3M3LMPEXAMPLE',
        StartRecordName: 'api.orders.example.com.',
        StartRecordType: 'CNAME',
      });
      expect(sets).toEqual([
        {
          name: 'api.orders.example.com.',
          type: 'CNAME',
          setIdentifier: 'orders-use1',
          weight: 100,
          ttl: 60,
          values: [USE1_ALB],
          healthCheckId: 'abcdef11-2222-3333-4444-555555fedcba',
        },
        {
          name: 'api.orders.example.com.',
          type: 'CNAME',
          setIdentifier: 'orders-usw2',
          weight: 0,
          ttl: 60,
          values: [USW2_ALB],
          healthCheckId: 'abcdef66-7777-8888-9999-000000fedcba',
        },
      ]);
    });

    it("leaves out weighted record sets that are not the plan's", async () => {
      // Prepare
      const listing = fixture<WeightedListing>('route53/list-resource-record-sets-weighted-primary.json');
      listing.ResourceRecordSets.unshift({
        ...listing.ResourceRecordSets[0],
        SetIdentifier: 'orders-canary',
        Weight: 5,
      });
      route53Mock.on(ListResourceRecordSetsCommand).resolves(listing);

      // Act
      const sets = await readRecord(route53, apiRecord());

      // Assess
      expect(sets.map((s) => s.setIdentifier)).toEqual(['orders-use1', 'orders-usw2']);
    });

    it('matches a plan name written without the trailing dot and in upper case', async () => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-simple-primary.json'));
      const record: DnsRecordPlan = { ...apiRecord(), name: 'WWW.orders.example.com', routing: 'simple' };

      // Act
      const sets = await readRecord(route53, record);

      // Assess
      expect(sets).toEqual([
        { name: 'www.orders.example.com.', type: 'CNAME', ttl: 300, values: [USE1_ALB] },
      ]);
    });

    it('follows the next page while it still lists the same record', async () => {
      // Prepare
      const listing = fixture<WeightedListing>('route53/list-resource-record-sets-weighted-primary.json');
      const [use1, usw2] = listing.ResourceRecordSets;
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolvesOnce({
          ResourceRecordSets: [use1],
          IsTruncated: true,
          NextRecordName: 'api.orders.example.com.',
          NextRecordType: 'CNAME',
          NextRecordIdentifier: 'orders-usw2',
          MaxItems: 1,
        })
        .resolvesOnce({ ResourceRecordSets: [usw2], IsTruncated: false, MaxItems: 1 });

      // Act
      const sets = await readRecord(route53, apiRecord());

      // Assess
      expect(route53Mock).toHaveReceivedNthCommandWith(ListResourceRecordSetsCommand, 2, {
        StartRecordName: 'api.orders.example.com.',
        StartRecordType: 'CNAME',
        StartRecordIdentifier: 'orders-usw2',
      });
      expect(sets.map((s) => s.setIdentifier)).toEqual(['orders-use1', 'orders-usw2']);
    });

    it.each(['Throttling', 'PriorRequestNotComplete'])('turns %s into AwsTransientError', async (name) => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .rejects(awsError(Route53ServiceException, name, 400, 'Rate exceeded'));

      // Act
      const read = readRecord(route53, apiRecord());

      // Assess
      await expect(read).rejects.toThrow(AwsTransientError);
    });
  });

  describe('changeRecords', () => {
    it('sends one UPSERT batch with the comment and returns the bare change id', async () => {
      // Prepare
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .resolves(fixture('route53/change-resource-record-sets-pending.json'));
      const upserts: RecordSetState[] = [
        {
          name: 'api.orders.example.com.',
          type: 'CNAME',
          setIdentifier: 'orders-usw2',
          weight: 100,
          ttl: 60,
          values: [USW2_ALB],
          healthCheckId: 'abcdef66-7777-8888-9999-000000fedcba',
        },
        {
          name: 'app.orders.example.com.',
          type: 'A',
          setIdentifier: 'orders-use1',
          weight: 0,
          values: [],
          alias: {
            dnsName: `dualstack.${USE1_ALB}.`,
            hostedZoneId: 'Z35SXDOTRQ7X7K',
            evaluateTargetHealth: true,
          },
        },
      ];

      // Act
      const changeId = await changeRecords(
        route53,
        'Z3M3LMPEXAMPLE',
        upserts,
        'failover exec-1: us-east-1 -> us-west-2',
      );

      // Assess
      expect(route53Mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
        HostedZoneId: 'Z3M3LMPEXAMPLE',
        ChangeBatch: {
          Comment: 'failover exec-1: us-east-1 -> us-west-2',
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: 'api.orders.example.com.',
                Type: 'CNAME',
                SetIdentifier: 'orders-usw2',
                Weight: 100,
                HealthCheckId: 'abcdef66-7777-8888-9999-000000fedcba',
                TTL: 60,
                ResourceRecords: [{ Value: USW2_ALB }],
              },
            },
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: 'app.orders.example.com.',
                Type: 'A',
                SetIdentifier: 'orders-use1',
                Weight: 0,
                AliasTarget: {
                  DNSName: `dualstack.${USE1_ALB}.`,
                  HostedZoneId: 'Z35SXDOTRQ7X7K',
                  EvaluateTargetHealth: true,
                },
              },
            },
          ],
        },
      });
      expect(changeId).toBe('C2682N5HXP0BZ4');
    });
  });

  describe('getChangeStatus', () => {
    it.each([
      {
        name: 'reports a change still propagating as PENDING',
        file: 'get-change-pending.json',
        status: 'PENDING',
      },
      { name: 'reports a propagated change as INSYNC', file: 'get-change-insync.json', status: 'INSYNC' },
    ])('$name', async ({ file, status }) => {
      // Prepare
      route53Mock.on(GetChangeCommand).resolves(fixture(`route53/${file}`));

      // Act
      const reported = await getChangeStatus(route53, 'C2682N5HXP0BZ4');

      // Assess
      expect(route53Mock).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C2682N5HXP0BZ4' });
      expect(reported).toBe(status);
    });
  });
});
