import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { normalizeDnsName, type RecordSetState } from '../decisions/traffic.js';
import { AwsRequestError } from '../errors.js';
import type { DnsRecordPlan } from '../plan/schema.js';
import { registerClient } from './clients.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('route53', Route53Client);

/**
 * Typed helpers over Route 53. Every call here is a control-plane call served from us-east-1
 * (`clients.route53()`). When us-east-1 is the failed region they may not get through: the
 * runbook then moves traffic with Route 53 ARC routing controls (a data-plane API on five
 * regional cluster endpoints), which the orchestrator does not drive yet.
 *
 * `options.abortSignal` is passed to every request, so a bounded caller's deadline stops the
 * call and the SDK's retries with it.
 */

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export type ChangeStatus = 'PENDING' | 'INSYNC';

/** Change batch comments are limited to 256 characters. */
const MAX_COMMENT = 256;

function toState(set: ResourceRecordSet): RecordSetState {
  const state: RecordSetState = {
    name: normalizeDnsName(set.Name ?? ''),
    type: set.Type ?? '',
    values: (set.ResourceRecords ?? []).map((r) => r.Value ?? ''),
  };
  if (set.SetIdentifier !== undefined) state.setIdentifier = set.SetIdentifier;
  if (set.Weight !== undefined) state.weight = set.Weight;
  if (set.TTL !== undefined) state.ttl = set.TTL;
  if (set.HealthCheckId !== undefined) state.healthCheckId = set.HealthCheckId;
  if (set.AliasTarget) {
    state.alias = {
      dnsName: set.AliasTarget.DNSName ?? '',
      hostedZoneId: set.AliasTarget.HostedZoneId ?? '',
      evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth ?? false,
    };
  }
  return state;
}

export function toResourceRecordSet(state: RecordSetState): ResourceRecordSet {
  return {
    Name: state.name,
    Type: state.type as RRType,
    ...(state.setIdentifier === undefined ? {} : { SetIdentifier: state.setIdentifier }),
    ...(state.weight === undefined ? {} : { Weight: state.weight }),
    ...(state.healthCheckId === undefined ? {} : { HealthCheckId: state.healthCheckId }),
    // An alias record has no TTL and no values of its own; Route 53 rejects a change that sets them.
    ...(state.alias
      ? {
          AliasTarget: {
            DNSName: state.alias.dnsName,
            HostedZoneId: state.alias.hostedZoneId,
            EvaluateTargetHealth: state.alias.evaluateTargetHealth,
          },
        }
      : { TTL: state.ttl, ResourceRecords: state.values.map((Value) => ({ Value })) }),
  };
}

/**
 * The record sets behind one plan record: exact name and type, and for weighted routing only the
 * plan's two SetIdentifiers (others in the same set are not ours to move).
 */
export async function readRecord(
  route53: Route53Client,
  record: DnsRecordPlan,
  options: CallOptions = {},
): Promise<RecordSetState[]> {
  const name = normalizeDnsName(record.name);
  const ours = new Set(Object.values(record.setIdentifier ?? {}));
  const found: RecordSetState[] = [];
  let start: ListResourceRecordSetsCommandInput | undefined = {
    HostedZoneId: record.hostedZoneId,
    StartRecordName: name,
    StartRecordType: record.type,
  };

  // The listing is sorted by name then type and starts at ours; a large weighted set may page.
  while (start) {
    const request: ListResourceRecordSetsCommandInput = start;
    const page: ListResourceRecordSetsCommandOutput = await awsCall('ListResourceRecordSets', () =>
      route53.send(new ListResourceRecordSetsCommand(request), options),
    );
    const sets = (page.ResourceRecordSets ?? []).map(toState);
    found.push(...sets.filter((s) => s.name === name && s.type === record.type));
    const stillOurs =
      page.IsTruncated === true &&
      page.NextRecordName !== undefined &&
      normalizeDnsName(page.NextRecordName) === name &&
      page.NextRecordType === record.type;
    start = stillOurs
      ? {
          ...request,
          StartRecordName: page.NextRecordName,
          ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
        }
      : undefined;
  }

  return record.routing === 'weighted'
    ? found.filter((s) => s.setIdentifier !== undefined && ours.has(s.setIdentifier))
    : found.filter((s) => s.setIdentifier === undefined);
}

/** Sends one UPSERT batch (applied atomically by Route 53) and returns the change id without its `/change/` prefix. */
export async function changeRecords(
  route53: Route53Client,
  hostedZoneId: string,
  upserts: readonly RecordSetState[],
  comment: string,
  options: CallOptions = {},
): Promise<string> {
  const response = await awsCall('ChangeResourceRecordSets', () =>
    route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: {
          Comment: comment.slice(0, MAX_COMMENT),
          Changes: upserts.map((state) => ({
            Action: 'UPSERT',
            ResourceRecordSet: toResourceRecordSet(state),
          })),
        },
      }),
      options,
    ),
  );
  const id = response.ChangeInfo?.Id;
  if (!id) throw new AwsRequestError(`ChangeResourceRecordSets: zone ${hostedZoneId} returned no change id`);
  return id.replace(/^\/change\//, '');
}

/** INSYNC once every Route 53 authoritative server answers with the change. */
export async function getChangeStatus(
  route53: Route53Client,
  changeId: string,
  options: CallOptions = {},
): Promise<ChangeStatus> {
  const response = await awsCall('GetChange', () =>
    route53.send(new GetChangeCommand({ Id: changeId }), options),
  );
  return response.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
}
