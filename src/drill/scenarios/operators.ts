import {
  alarmEvent,
  type DrillScenario,
  MINUTE,
  primaryDown,
  startInput,
  withRecordUpsert,
} from '../scenario-types.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:failover-dev-approvals';

/** Alarm-started failovers wait for a human under this policy. */
const withApproval =
  (automatic: 'wait' | 'wait-then-proceed') =>
  (raw: { approval?: unknown }): void => {
    raw.approval = { automatic, timeoutSeconds: 900, topicArn: TOPIC };
  };

/** Operators: planned moves with a drain, dry runs, approvals, failback. */
export const OPERATOR_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'bad-console-input',
    summary:
      'An operator pastes a malformed start input: the execution fails at once, every bad field named, nothing touched.',
    input: () => ({
      version: 2,
      mode: 'auto',
      targetRegion: 'us-west-9',
      reason: '',
      requestedBy: '',
      dryrun: true,
    }),
    cloud: () => ({}),
    expected: { outcome: 'failed', writer: 'source', events: ['Failover Failed'] },
  },
  {
    name: 'planned-drain',
    summary:
      'Planned switchover with a gradual drain: weights step 75/50/25 a minute apart while both regions write through the global writer endpoint, then the switchover and the final cut.',
    input: (ctx) => startInput(ctx, 'planned', { reason: 'maintenance in us-east-1' }),
    plan: (raw) => {
      // The final cut by record change too, as the drain's steps are (see README, record-upsert).
      withRecordUpsert(raw);
      raw.database.writesVia = 'global-writer-endpoint';
      raw.dns.drain = { sourceWeights: [75, 50, 25], intervalSeconds: 60 };
    },
    cloud: () => ({}),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'dry-run',
    summary:
      'A dry run of a manual failover: every read and check, what each step would do, nothing changed.',
    input: (ctx) => startInput(ctx, 'manual', { dryRun: true, reason: 'scheduled readiness check' }),
    cloud: () => ({}),
    expected: { outcome: 'dry-run', writer: 'source' },
  },
  {
    name: 'dry-run-drift',
    summary:
      'A dry run finds drift in the standby (cluster headless): reported as a readiness problem, nothing changed.',
    input: (ctx) => startInput(ctx, 'manual', { dryRun: true, reason: 'scheduled readiness check' }),
    cloud: () => ({ headlessStandby: true }),
    expected: { outcome: 'dry-run', writer: 'source' },
  },
  {
    name: 'approval-granted',
    summary: 'The plan makes alarm-started failovers wait for a human; the on-call approves after 2 minutes.',
    input: (ctx) => alarmEvent(ctx),
    plan: withApproval('wait'),
    approver: { decision: 'approve', afterMs: 2 * MINUTE, by: 'oncall@example.com' },
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: {
      outcome: 'succeeded',
      writer: 'target',
      events: ['Failover Started', 'Failover Approval Requested', 'Failover Succeeded'],
    },
  },
  {
    name: 'approval-rejected',
    summary: 'The on-call rejects the failover: nothing is changed, the report says who and why.',
    input: (ctx) => alarmEvent(ctx),
    plan: withApproval('wait'),
    approver: {
      decision: 'reject',
      afterMs: MINUTE,
      by: 'oncall@example.com',
      reason: 'the primary is recovering',
    },
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: {
      outcome: 'not-approved',
      writer: 'source',
      events: ['Failover Started', 'Failover Approval Requested', 'Failover Not Approved'],
    },
  },
  {
    name: 'approval-timeout-stops',
    summary: 'Nobody answers within 15 minutes under policy "wait": the failover stops, nothing changed.',
    input: (ctx) => alarmEvent(ctx),
    plan: withApproval('wait'),
    approver: { decision: 'ignore', afterMs: 0, by: 'nobody' },
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: {
      outcome: 'not-approved',
      writer: 'source',
      events: ['Failover Started', 'Failover Approval Requested', 'Failover Not Approved'],
    },
  },
  {
    name: 'approval-timeout-proceeds',
    summary:
      'Nobody answers within 15 minutes under policy "wait-then-proceed": the failover goes on, on the record.',
    input: (ctx) => alarmEvent(ctx),
    plan: withApproval('wait-then-proceed'),
    approver: { decision: 'ignore', afterMs: 0, by: 'nobody' },
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: {
      outcome: 'succeeded',
      writer: 'target',
      events: ['Failover Started', 'Failover Approval Requested', 'Failover Succeeded'],
    },
  },
  {
    name: 'failback-refused',
    summary:
      'Failback to us-east-1 while its cluster is still being rebuilt (pending-resync): refused, with why.',
    runsIn: 'primary',
    input: (ctx) => startInput(ctx, 'planned', { to: 'primary', reason: 'failback after the outage' }),
    cloud: () => ({ initialWriter: 'standby', oldPrimarySync: 'pending-resync' }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'manual-into-pending-resync',
    summary:
      'A manual failover back to us-east-1 while Aurora still rebuilds its cluster (pending-resync): readiness refuses before anything is fenced, us-west-2 keeps serving.',
    runsIn: 'primary',
    input: (ctx) => startInput(ctx, 'manual', { to: 'primary', reason: 'move back to us-east-1' }),
    cloud: () => ({ initialWriter: 'standby', oldPrimarySync: 'pending-resync' }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'failback-too-soon',
    summary:
      'Failback to us-east-1 four minutes after its outage ended: not healthy for a sustained period, refused.',
    runsIn: 'primary',
    input: (ctx) => startInput(ctx, 'planned', { to: 'primary', reason: 'failback after the outage' }),
    cloud: (ctx) => ({ initialWriter: 'standby', incidents: [primaryDown(ctx, -30 * MINUTE, -4 * MINUTE)] }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'failback',
    summary:
      'Failback to us-east-1 once it has been healthy and in sync: a planned switchover the other way.',
    runsIn: 'primary',
    input: (ctx) => startInput(ctx, 'planned', { to: 'primary', reason: 'failback after the outage' }),
    cloud: () => ({ initialWriter: 'standby' }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
