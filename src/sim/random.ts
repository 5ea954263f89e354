import type { Latency } from './latencies.js';

export { hash32, mulberry32 } from '../shared/prng.js';

import { hash32, mulberry32 } from '../shared/prng.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

/**
 * A seeded stream of numbers. Each purpose (latencies, task starts, identifiers...) gets its own
 * stream, so an extra call of one kind does not shift every later draw of another kind.
 */
export class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  static stream(seed: number, purpose: string): Rng {
    return new Rng(hash32(purpose, seed));
  }

  next(): number {
    return this.#next();
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.#next();
  }

  /** A duration from a latency table entry, whole milliseconds. */
  latency(entry: Latency): number {
    return Math.round(this.between(entry.minMs, entry.maxMs));
  }

  chars(length: number, alphabet = ID_ALPHABET): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.#next() * alphabet.length)];
    return out;
  }

  hex(length: number): string {
    return this.chars(length, HEX);
  }

  /** UUID-shaped, as AWS request ids are. */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
}

/** A value in [0, 1) fixed by (seed, key): the same metric period reads the same every time. */
export function noise(seed: number, key: string): number {
  return mulberry32(hash32(key, seed))();
}

/**
 * Replaces Math.random with a seeded stream until the returned function is called. The SDK's
 * retry backoff and Step Functions' FULL jitter draw from Math.random; a drill whose figures must
 * repeat seeds it too.
 */
export function seedMathRandom(seed: number): () => void {
  const original = Math.random;
  Math.random = mulberry32(hash32('Math.random', seed));
  return () => {
    Math.random = original;
  };
}
