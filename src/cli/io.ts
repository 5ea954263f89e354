import { readFileSync } from 'node:fs';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';

/**
 * Everything the command line touches outside itself, so tests call `main(argv, io)` directly
 * and read what it printed: output lines, the environment, the clock, waiting, files and the
 * Step Functions client (tests keep the default and mock SFNClient).
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  readFile(path: string): string;
  sfnClient(config: SFNClientConfig): SFNClient;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    readFile: (path) => readFileSync(path, 'utf8'),
    sfnClient: (config) => new SFNClient(config),
  };
}

/** Fills what a caller left out with the real thing. */
export function withDefaults(io: Partial<CliIo> = {}): CliIo {
  return { ...processIo(), ...io };
}
