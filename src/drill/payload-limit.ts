/**
 * Step Functions' payload quota, as the drill enforces it. A state's input (after Parameters),
 * its output and a task's result must each stay within 256 KiB as a UTF-8 string; beyond it the
 * state fails with States.DataLimitExceeded, a TERMINAL error that `States.ALL` does not catch
 * (Step Functions Developer Guide, "Error handling in Step Functions workflows", States.ALL and
 * States.DataLimitExceeded; "Step Functions service quotas", maximum input or output size for a
 * task, state, or execution: 256 KiB). So an execution that outgrows it dies on the spot: no
 * catch path, no report, the lock kept until its TTL. The local interpreter knows no such
 * limit, which is why the drill checks it itself, and stops the execution the way AWS would.
 */

export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Bytes of a value as Step Functions counts them: its JSON text, UTF-8 encoded. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

export interface PayloadBreach {
  state: string;
  /** Which payload was too big. */
  part: 'input' | 'output' | 'result';
  bytes: number;
}

/** The execution error AWS reports for a breach. */
export function dataLimitError(breach: PayloadBreach): { name: string; cause: string } {
  return {
    name: 'States.DataLimitExceeded',
    // The wording Step Functions uses for an oversized output; input and result read the same.
    cause: `The state/task '${breach.state}' ${breach.part === 'input' ? 'received an input' : 'returned a result'} with a size exceeding the maximum number of bytes service limit (${breach.bytes} bytes > ${PAYLOAD_LIMIT_BYTES}).`,
  };
}

/**
 * Watches one execution's payloads. The first breach is kept and `onBreach` runs once (the drill
 * aborts the execution there); later checks do nothing.
 */
export class PayloadWatch {
  #breach: PayloadBreach | null = null;
  #largest = 0;

  constructor(private readonly onBreach: (breach: PayloadBreach) => void) {}

  get breach(): PayloadBreach | null {
    return this.#breach;
  }

  /** The largest payload seen so far, bytes: how close the execution came to the quota. */
  get largestBytes(): number {
    return this.#largest;
  }

  /** True when within the quota; on the first breach records it and calls onBreach. */
  check(state: string, part: PayloadBreach['part'], value: unknown): boolean {
    const bytes = payloadBytes(value);
    this.#largest = Math.max(this.#largest, bytes);
    if (bytes <= PAYLOAD_LIMIT_BYTES) return true;
    if (!this.#breach) {
      this.#breach = { state, part, bytes };
      this.onBreach(this.#breach);
    }
    return false;
  }
}
