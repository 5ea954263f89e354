import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../src/plan/load.js';
import { decideRecovery, MAX_RESHIFTS, type RecoveryInput } from '../../src/recovery/decide.js';
import { type DatabaseWriter, splitHandOver, writersVerdict } from '../../src/recovery/split.js';

const db = (id: string, kind: DatabaseWriter['kind']): DatabaseWriter => ({
  id,
  kind,
  detail: `${id} ${kind}`,
});
const base: RecoveryInput = { writer: 'split', phase: 'take-over', dryRun: false, reshifts: 0, waitedMs: 0 };

describe('several databases: one verdict from each one writer', () => {
  it.each([
    ['all still in the source: roll back', ['source', 'source', 'source'], 'source'],
    ['all moved: roll forward', ['target', 'target', 'target'], 'target'],
    ['one moved, two not: a split, past the point of no return', ['target', 'source', 'source'], 'split'],
    ['none moved yet, one moving: wait for Aurora', ['source', 'moving', 'source'], 'moving'],
    [
      'one moved, one still moving: traffic follows the one that moved',
      ['target', 'moving', 'target'],
      'split',
    ],
    ['one read silent: look again', ['target', 'silent', 'target'], 'silent'],
    ['one read refused: never act on a guess', ['target', 'unreadable', 'target'], 'unreadable'],
    ['one with no single writer: never act on a guess', ['source', 'none', 'source'], 'none'],
  ] as const)('%s', (_case, kinds, expected) => {
    const verdict = writersVerdict(kinds.map((k, i) => db(`db${i}`, k)));

    expect(verdict.kind).toBe(expected);
    expect(verdict.detail).toContain('db0');
  });

  it.each([
    ['take-over failed: traffic follows the databases that moved', { phase: 'take-over' }, 'shift'],
    ['the drain failed', { phase: 'drain' }, 'shift'],
    ['the shift failed once', { phase: 'traffic' }, 'shift'],
    ['the shift failed every time', { phase: 'traffic', reshifts: MAX_RESHIFTS }, 'stop'],
    ['verification failed: re-shifting moves no database', { phase: 'verify' }, 'stop'],
    ['a safety rule refused the shift', { phase: 'take-over', refusedBySafetyRule: true }, 'stop'],
  ] as const)('a split rolls forward, never back: %s', (_case, input, expected) => {
    expect(decideRecovery({ ...base, ...input }).decision).toBe(expected);
  });

  it('hands each database left behind over by name, with the command that moves it', () => {
    const plan = loadPlanFile('test/fixtures/plans/three-databases.json');
    const writers = [
      db('orders-global', 'target'),
      db('payments-global', 'source'),
      db('ledger-global', 'target'),
    ];
    const move = { sourceRegion: 'us-east-1', targetRegion: 'us-west-2' };

    const unplanned = splitHandOver(plan, { ...move, mode: 'automatic' }, writers);
    const planned = splitHandOver(plan, { ...move, mode: 'planned' }, writers);

    expect(unplanned).toHaveLength(1);
    expect(unplanned[0]).toMatch(
      /^Database payments-global still writes in us-east-1 while the others moved/,
    );
    expect(unplanned[0]).toContain(
      'aws rds failover-global-cluster --region us-west-2 --global-cluster-identifier payments-global --target-db-cluster-identifier arn:aws:rds:us-west-2:123456789012:cluster:payments-usw2 --allow-data-loss',
    );
    expect(planned[0]).toContain('aws rds switchover-global-cluster --region us-east-1');
    const stuck = [
      db('orders-global', 'target'),
      db('payments-global', 'target'),
      db('ledger-global', 'moving'),
    ];
    expect(splitHandOver(plan, { ...move, mode: 'manual' }, stuck)).toEqual([
      expect.stringMatching(
        /^Database ledger-global is still moving .*remove-from-global-cluster --region us-west-2/,
      ),
    ]);
  });
});
