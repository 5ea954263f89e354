import { describe, expect, it } from 'vitest';
import {
  decideRecovery,
  MAX_RESHIFTS,
  MAX_WAIT_FOR_WRITER_MS,
  type RecoveryInput,
} from '../../src/recovery/decide.js';

const base: RecoveryInput = { writer: 'source', phase: 'take-over', dryRun: false, reshifts: 0, waitedMs: 0 };

describe('decideRecovery: the point of no return', () => {
  it.each([
    ['the writer never moved: take-over failed', { writer: 'source', phase: 'take-over' }, 'roll-back'],
    ['the writer never moved: drain failed', { writer: 'source', phase: 'drain' }, 'roll-back'],
    ['the writer never moved: traffic failed', { writer: 'source', phase: 'traffic' }, 'roll-back'],
    ['the writer moved, compute failed', { writer: 'target', phase: 'take-over' }, 'shift'],
    ['the writer moved, the shift failed once', { writer: 'target', phase: 'traffic', reshifts: 0 }, 'shift'],
    [
      'the writer moved, the shift failed every time',
      { writer: 'target', phase: 'traffic', reshifts: MAX_RESHIFTS },
      'stop',
    ],
    ['the writer moved, verification failed', { writer: 'target', phase: 'verify' }, 'shift'],
    ['a failover is under way', { writer: 'moving', waitedMs: 0 }, 'wait'],
    [
      'a failover is still under way past the wait',
      { writer: 'moving', waitedMs: MAX_WAIT_FOR_WRITER_MS },
      'stop',
    ],
    ['no single writer', { writer: 'none' }, 'stop'],
    ['the writer cannot be read: refused', { writer: 'unreadable' }, 'stop'],
    ['the writer cannot be read: silent', { writer: 'silent', waitedMs: 0 }, 'wait'],
    [
      'the writer cannot be read: silent past the wait',
      { writer: 'silent', waitedMs: MAX_WAIT_FOR_WRITER_MS },
      'stop',
    ],
    ['a dry run', { writer: 'target', dryRun: true }, 'stop'],
    [
      'the writer moved, a safety rule refused the shift',
      { writer: 'target', phase: 'traffic', refusedBySafetyRule: true },
      'stop',
    ],
  ] as const)('%s: %s', (_name, overrides, decision) => {
    expect(decideRecovery({ ...base, ...overrides } as RecoveryInput).decision).toBe(decision);
  });

  it('says why, for the timeline and the report', () => {
    expect(decideRecovery(base).why).toMatch(/never moved/);
    expect(decideRecovery({ ...base, writer: 'target' }).why).toMatch(/traffic follows the writer/);
  });
});
