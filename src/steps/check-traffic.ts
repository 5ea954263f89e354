import type { z } from 'zod';
import { type ChangeStatus, getChangeStatus } from '../aws/route53.js';
import { viaControlPlane } from '../aws/route53-control-plane.js';
import { describeAnswers } from '../dns-answers/decision.js';
import { observeAnswers } from '../dns-answers/observe.js';
import { authoritativeDns } from '../dns-answers/resolver.js';
import { ControlPlaneUnavailableError, DeadlineExceededError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import { describeControls } from '../traffic-modes/decision.js';
import type { CheckTrafficInput, CheckTrafficOutput, checkTrafficInput } from './contracts.js';
import { isDryRun } from './dry-run.js';
import { describeReadBack, readBackControls } from './routing-controls.js';

/** The state this phase last recorded (changes in sync, answers): only the timeline travels between polls. */
function lastState(timeline: readonly TimelineEvent[]): string | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const facts = timeline[i]?.facts;
    if (facts && 'inSync' in facts) return `${facts.inSync}|${facts.answers}|${facts.controls ?? null}`;
  }
  return undefined;
}

/**
 * One poll of the traffic shift: in sync once the change batches shift-traffic sent are INSYNC
 * AND the hosted zones' authoritative name servers, asked directly, send clients to the target
 * only ("success means served"). Clients may still hold the old answer for `maxTtlSeconds` after
 * that; the report adds it to the user-facing RTO.
 *
 *   shift ──▶ ListResourceRecordSets shows it ──▶ INSYNC ──▶ every name server answers the target
 *             (a retried shift finds "already"     (GetChange)  (what clients get: the only proof)
 *              here, with no change id)
 *
 * A record found "already" pointing at the target may have been changed by an earlier attempt
 * whose response was lost: its change id is unknown, so only the answers tell when it is served.
 * It waits for them like a first attempt, never for a fixed time.
 *
 * GetChange is a control-plane call served from us-east-1, asked only for record-upsert change
 * batches: when every record moves on the data plane (routing-control, health-check) it is never
 * called. When us-east-1 is the failed region and it does not answer, the name servers' answers
 * (data plane) decide alone. Routing controls have no INSYNC: their state is read back from a
 * cluster endpoint, and must be as the shift set it.
 *
 * A health-check record moves when its health checks say so: the same wait for the answers, and
 * at the deadline the message says that nothing will move it while they see the source healthy.
 *
 * After a dry run's shift-traffic no change batch was sent: in sync at once, without calling
 * Route 53 or the name servers, so the state machine goes on along its usual path.
 */
export async function checkTraffic(
  input: z.infer<typeof checkTrafficInput>,
  deps: StepDeps,
): Promise<CheckTrafficOutput> {
  const { shift, previous, request } = input;
  const now = deps.now();
  if (shift.dryRun === true || isDryRun(request)) {
    return {
      inSync: true,
      timeline: [
        ...(previous?.timeline ?? []),
        event(now, 'shift-traffic', 'dry-run', 'dry run: no DNS change was sent; nothing to wait for', {
          changes: 0,
          maxTtlSeconds: shift.maxTtlSeconds,
        }),
      ],
    };
  }
  const regions = { source: request.sourceRegion, target: request.targetRegion };
  // Only record-upsert records carry a change id: with every record on a data-plane mode there is
  // nothing to ask GetChange, and nothing here waits on us-east-1.
  const changeIds = [...new Set(shift.records.flatMap((r) => (r.changeId ? [r.changeId] : [])))];
  const [statuses, answers, controls] = await Promise.all([
    changeStatuses(changeIds, input, deps),
    observeAnswers(deps.dns ?? authoritativeDns.current(), deps.plan, regions),
    readBackControls(deps, request, 'check-traffic', CONTROLS_READ_MS),
  ]);
  const pending =
    statuses === 'unreachable' ? [] : statuses.filter(([, status]) => status === 'PENDING').map(([id]) => id);
  const notServed = answers.filter((a) => a.verdict !== 'target');
  const controlsWrong = controls?.wrong ?? [];
  const facts = {
    changes: changeIds.length,
    // null: GetChange did not answer (us-east-1 failed); the answers decided alone.
    inSync: statuses === 'unreachable' ? null : statuses.length - pending.length,
    answers: answers.map((a) => `${a.name}=${a.verdict}`).join(' '),
    maxTtlSeconds: shift.maxTtlSeconds,
    // The routing controls read back from a cluster endpoint: ARC has no INSYNC.
    ...(controls
      ? {
          controls: describeControls(
            controls.wanted.map((w) => ({ ...w, state: controls.read.get(w.arn) ?? 'unknown' })),
          ),
        }
      : {}),
  };
  const timeline = [...(previous?.timeline ?? [])];

  if (pending.length === 0 && notServed.length === 0 && controlsWrong.length === 0) {
    const upserted = deps.plan.dns.records.some((r) => r.shift.mode === 'record-upsert');
    const changes =
      changeIds.length === 0
        ? upserted
          ? 'every record already pointed at the target in Route 53'
          : 'no control-plane change to wait for'
        : statuses === 'unreachable'
          ? `${changeIds.length} DNS change(s) sent, GetChange unreachable`
          : `${changeIds.length} DNS change(s) INSYNC`;
    const read = controls ? `; ${describeReadBack(controls)}` : '';
    const message = `${changes}${read}; the name servers send clients to ${regions.target} only; clients may keep the old answer up to ${shift.maxTtlSeconds} s`;
    timeline.push(event(now, 'shift-traffic', 'succeeded', message, facts));
    return { inSync: true, answers, timeline };
  }

  const said = [
    ...notServed.map((a) => describeAnswers(a, regions)),
    ...(controls && controlsWrong.length > 0 ? [describeReadBack(controls)] : []),
  ].join('; ');
  if (now.getTime() > Date.parse(shift.deadline)) {
    const records = shift.records
      .filter((r) => r.changeId && pending.includes(r.changeId))
      .map((r) => r.name);
    const changes =
      pending.length > 0
        ? `Route 53 change(s) ${pending.join(', ')} for ${records.join(', ')} still PENDING at ${shift.deadline}. `
        : `Route 53's name servers do not send clients to ${regions.target} only at ${shift.deadline}. `;
    const healthChecked = deps.plan.dns.records.filter(
      (r) => r.shift.mode === 'health-check' && notServed.some((a) => a.name === r.name),
    );
    const byHealth =
      healthChecked.length > 0
        ? ` ${healthChecked.map((r) => r.name).join(', ')} move only by their health checks: those still see ${regions.source} healthy (Route 53 console, Health checks), so nothing will move them; change the check or the record by hand.`
        : '';
    throw new DeadlineExceededError(
      `${changes}Name servers: ${said || `every record answers ${regions.target} only`}.${byHealth} ` +
        'The records are saved and answer from servers already in sync; check the AWS Health Dashboard for ' +
        'Route 53, `aws route53 get-change --id <id>`, `aws route53-recovery-cluster get-routing-control-state` for routing controls, and `dig @<name server> <record>` for what each name server answers.',
    );
  }

  if (lastState(timeline) !== `${facts.inSync}|${facts.answers}|${facts.controls ?? null}`) {
    const changes =
      pending.length > 0
        ? `${pending.length} of ${changeIds.length} DNS change(s) PENDING`
        : 'waiting for the name servers';
    timeline.push(event(now, 'shift-traffic', 'progress', `${changes}${said ? `; ${said}` : ''}`, facts));
  }
  return { inSync: false, answers, timeline };
}

/** A read-back of the routing controls gets this long per poll (every endpoint tried, bounded). */
const CONTROLS_READ_MS = 20_000;

/** GetChange for each batch; 'unreachable' when us-east-1 is the failed region and does not answer. */
async function changeStatuses(
  changeIds: readonly string[],
  input: CheckTrafficInput,
  deps: StepDeps,
): Promise<[string, ChangeStatus][] | 'unreachable'> {
  if (changeIds.length === 0) return [];
  const route53 = deps.clients.route53();
  try {
    const { sourceRegion, targetRegion, mode } = input.request;
    return await viaControlPlane(
      { plan: deps.plan, route53, sourceRegion, targetRegion, mode },
      (abortSignal) =>
        Promise.all(
          changeIds.map(
            async (id): Promise<[string, ChangeStatus]> => [
              id,
              await getChangeStatus(route53, id, { abortSignal }),
            ],
          ),
        ),
    );
  } catch (error) {
    if (error instanceof ControlPlaneUnavailableError) return 'unreachable';
    throw error;
  }
}
