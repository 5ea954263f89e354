/**
 * How check-readiness words a failed check, and how a report reads the problems back: from the
 * step's output in a dry run, or from TargetNotReadyError's message in a real run (a failed
 * execution keeps only Error and Cause).
 */

/** Every check check-readiness may run, by the name it reports. */
export const READINESS_CHECKS = [
  'aurora-global-membership',
  'aurora-target-cluster',
  'ecs-target-services',
  'target-capacity',
  'route53-records',
  'route53-control-plane',
  'routing-controls',
  'traffic-path',
  'target-region-health',
  'target-sustained-health',
  'source-region-health',
  'aurora-source-cluster',
  'replication-lag',
] as const;

const NOT_READY = ' is not ready; nothing was changed: ';

export function describeProblem(check: { name: string; detail: string }): string {
  return `${check.name}: ${check.detail}`;
}

export function notReadyMessage(targetRegion: string, failed: readonly { name: string; detail: string }[]) {
  return `${targetRegion}${NOT_READY}${failed.map(describeProblem).join('; ')}`;
}

/**
 * The problems named in a TargetNotReadyError message from check-readiness, or null when the
 * message is not one. Split only before a known check name: a detail (an AWS error message)
 * may itself contain "; ".
 */
export function problemsInNotReadyMessage(message: string): string[] | null {
  const start = message.indexOf(NOT_READY);
  if (start < 0) return null;
  const list = message.slice(start + NOT_READY.length);
  const boundary = new RegExp(`; (?=(?:${READINESS_CHECKS.join('|')}): )`);
  return list
    .split(boundary)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
