import type { Context } from 'aws-lambda';
import { handler as acquireLock } from './acquire-lock.js';
import { handler as assessRecovery } from './assess-recovery.js';
import { handler as checkDetach } from './check-detach.js';
import { handler as checkPromotion } from './check-promotion.js';
import { handler as checkReadiness } from './check-readiness.js';
import { handler as checkScale } from './check-scale.js';
import { handler as checkTraffic } from './check-traffic.js';
import { handler as detachTarget } from './detach-target.js';
import { handler as drainTraffic } from './drain-traffic.js';
import { handler as fenceOldPrimary } from './fence-old-primary.js';
import { handler as invokeHook } from './invoke-hook.js';
import { handler as normalizeInput } from './normalize-input.js';
import { handler as noteFailure } from './note-failure.js';
import { handler as promoteDatabase } from './promote-database.js';
import { handler as recordFound } from './record-found.js';
import { handler as releaseLock } from './release-lock.js';
import { handler as report } from './report.js';
import { handler as requestApproval } from './request-approval.js';
import { handler as rollBack } from './roll-back.js';
import { handler as scaleTarget } from './scale-target.js';
import { handler as shiftTraffic } from './shift-traffic.js';
import { handler as verifyFailure } from './verify-failure.js';
import { handler as verifyTarget } from './verify-target.js';

export type StepHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Every Lambda step by its function name in serverless.yml, which is also the name the state
 * machine's `Fn::GetAtt` references. The drill binds Task states through this table, and a
 * test checks it against serverless.yml and statemachines/ so none can drift.
 */
export const stepHandlers: Record<string, StepHandler> = {
  normalizeInput,
  acquireLock,
  verifyFailure,
  checkReadiness,
  requestApproval,
  recordFound,
  drainTraffic,
  fenceOldPrimary,
  promoteDatabase,
  checkPromotion,
  detachTarget,
  checkDetach,
  scaleTarget,
  checkScale,
  noteFailure,
  shiftTraffic,
  checkTraffic,
  verifyTarget,
  assessRecovery,
  rollBack,
  releaseLock,
  report,
  invokeHook,
};
