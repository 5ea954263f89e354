import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
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
  /** The failover lock's table (stop and unlock); tests keep the default and mock DynamoDBClient. */
  dynamodbClient(config: DynamoDBClientConfig): DynamoDBClient;
  /** Whether a human can answer a question: stdin and stdout are a terminal. */
  isInteractive(): boolean;
  /** Asks on the terminal and returns the answer (only called when isInteractive()). */
  prompt(question: string): Promise<string>;
  /** The operator's login name, for records when --by is not given. */
  user(): string;
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
    dynamodbClient: (config) => new DynamoDBClient(config),
    isInteractive: () => Boolean(process.stdin.isTTY && process.stdout.isTTY),
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    user: () => process.env.USER ?? process.env.LOGNAME ?? process.env.USERNAME ?? userInfo().username,
  };
}

/** Fills what a caller left out with the real thing. */
export function withDefaults(io: Partial<CliIo> = {}): CliIo {
  return { ...processIo(), ...io };
}
