import { describe, expect, it, vi } from 'vitest';
import { bindTasks } from '../../src/drill/bindings.js';
import {
  dataLimitError,
  PAYLOAD_LIMIT_BYTES,
  PayloadWatch,
  payloadBytes,
} from '../../src/drill/payload-limit.js';

describe('PayloadWatch', () => {
  it('counts UTF-8 bytes of the JSON text, as Step Functions does', () => {
    expect(payloadBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
  });

  it('passes a payload at the quota and reports the first one over it, once', () => {
    const onBreach = vi.fn();
    const watch = new PayloadWatch(onBreach);
    const atLimit = 'x'.repeat(PAYLOAD_LIMIT_BYTES - 2); // JSON adds the two quotes
    expect(watch.check('A', 'output', atLimit)).toBe(true);
    expect(watch.check('B', 'result', `${atLimit}y`)).toBe(false);
    expect(watch.check('C', 'input', `${atLimit}yy`)).toBe(false);
    expect(onBreach).toHaveBeenCalledTimes(1);
    expect(watch.breach).toEqual({ state: 'B', part: 'result', bytes: PAYLOAD_LIMIT_BYTES + 1 });
    expect(watch.largestBytes).toBe(PAYLOAD_LIMIT_BYTES + 2);
    expect(dataLimitError({ state: 'B', part: 'result', bytes: PAYLOAD_LIMIT_BYTES + 1 })).toEqual({
      name: 'States.DataLimitExceeded',
      cause: expect.stringMatching(/^The state\/task 'B' returned a result with a size exceeding/),
    });
  });
});

describe('bindTasks under the payload quota', () => {
  const states = {
    Big: { Type: 'Task', Resource: { 'Fn::GetAtt': ['big', 'Arn'] }, End: true },
  };

  it('never settles a task whose result is over the quota (no Catch may see it) and reports the breach', async () => {
    const onBreach = vi.fn();
    const bound = bindTasks(
      states as never,
      { big: async () => ({ blob: 'x'.repeat(PAYLOAD_LIMIT_BYTES) }) },
      {
        payloads: new PayloadWatch(onBreach),
      },
    );
    const settled = vi.fn();
    void Promise.resolve(bound.Big?.({} as never)).then(settled, settled);
    await vi.waitFor(() => expect(onBreach).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).not.toHaveBeenCalled();
    expect(onBreach.mock.calls[0]?.[0]).toMatchObject({ state: 'Big', part: 'result' });
  });

  it('does not run the function when its input is already over the quota', async () => {
    const handler = vi.fn(async () => ({}));
    const onBreach = vi.fn();
    const bound = bindTasks(states as never, { big: handler }, { payloads: new PayloadWatch(onBreach) });
    void bound.Big?.({ blob: 'x'.repeat(PAYLOAD_LIMIT_BYTES) } as never);
    await vi.waitFor(() => expect(onBreach).toHaveBeenCalledTimes(1));
    expect(handler).not.toHaveBeenCalled();
  });

  it('runs no task once the execution has breached (an oversized output seen in the event log)', async () => {
    const handler = vi.fn(async () => ({}));
    const watch = new PayloadWatch(() => undefined);
    const bound = bindTasks(states as never, { big: handler }, { payloads: watch });
    watch.check('Previous', 'output', 'x'.repeat(PAYLOAD_LIMIT_BYTES));
    void bound.Big?.({} as never);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handler).not.toHaveBeenCalled();
  });
});
