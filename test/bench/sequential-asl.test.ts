import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sequentialTakeOver } from '../../src/bench/sequential-asl.js';
import { taskFunctions } from '../../src/drill/bindings.js';
import { STATE_MACHINE_FILE } from '../../src/drill/run-drill.js';

type Validate = (definition: unknown) => { isValid: boolean; errorsText: () => string };
const validate = createRequire(import.meta.url)('asl-validator') as Validate;
const deployed = () => JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8'));

describe('the sequential baseline variant', () => {
  const variant = sequentialTakeOver(deployed());
  const takeOver = variant.States.TakeOver;
  const [branch] = takeOver.Branches;

  it('is a valid state machine (asl-validator, as npm run validate:asl checks the deployed file)', () => {
    const result = validate(structuredClone(variant));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('runs the database branch, then the compute branch, in one branch', () => {
    expect(takeOver.Type).toBe('Parallel');
    expect(takeOver.Branches).toHaveLength(1);
    expect(branch.StartAt).toBe('FenceOldPrimary');
    // The database branch's success end now leads into the scale-up.
    expect(branch.States.DatabaseBranchDone).toMatchObject({ Type: 'Pass', Next: 'ScaleTarget' });
    expect(branch.States.ComputeBranchDone.Type).toBe('Succeed');
    // The same tasks, each still bound to its function.
    expect([...taskFunctions(variant.States).keys()].sort()).toEqual(
      [...taskFunctions(deployed().States).keys()].sort(),
    );
  });

  it('keeps the compute failure apart from the database failure, and the result shape', () => {
    expect(branch.States.ScaleTarget.Catch[0].ResultPath).toBe('$.computeFailure');
    expect(branch.States.NoteComputeFailure.Parameters['failure.$']).toBe('$.computeFailure');
    expect(takeOver.ResultSelector['computeFailure.$']).toBe('$[0].computeFailure');
    expect(takeOver.ResultSelector['scale.$']).toBe('$[0].steps.scale');
    expect(takeOver.ResultSelector['databaseFailure.$']).toBe('$[0].failure');
    expect(Object.keys(takeOver.ResultSelector)).toEqual(
      Object.keys(deployed().States.TakeOver.ResultSelector),
    );
  });

  it('leaves the deployed definition alone, and refuses a shape it does not know', () => {
    const original = deployed();
    sequentialTakeOver(original);
    expect(original).toEqual(deployed());
    expect(() => sequentialTakeOver({ States: { TakeOver: { Type: 'Task' } } })).toThrow(/Parallel/);
  });
});
