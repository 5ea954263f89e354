import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PRICES, type Price } from './prices.js';

/**
 * What one failover costs to run, from a drill: Step Functions state transitions, Lambda
 * requests and GB-seconds, CloudWatch metrics requested; priced with AWS's published figures
 * (prices.ts). AWS API calls that have no per-request price (RDS, ECS, Route 53, ARC data plane,
 * Application Auto Scaling) are counted but not priced; DynamoDB (lock) and SNS requests are
 * counted and not priced here either (a fraction of a cent).
 */

/** Lambda memory per function, from serverless.yml (a function's own memorySize, else the provider's). */
export interface LambdaSettings {
  memoryMb: Record<string, number>;
  defaultMemoryMb: number;
  architecture: string;
}

/** Serverless Framework's default when serverless.yml sets no memorySize. */
const FRAMEWORK_DEFAULT_MEMORY_MB = 1024;

export function readLambdaSettings(serverlessYml: string): LambdaSettings {
  // biome-ignore lint/suspicious/noExplicitAny: serverless.yml is free-form YAML
  const doc: any = parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'silent' });
  const defaultMemoryMb = Number(doc?.provider?.memorySize ?? FRAMEWORK_DEFAULT_MEMORY_MB);
  const memoryMb: Record<string, number> = {};
  for (const [name, fn] of Object.entries(doc?.functions ?? {}))
    memoryMb[name] = Number((fn as { memorySize?: number })?.memorySize ?? defaultMemoryMb);
  return { memoryMb, defaultMemoryMb, architecture: String(doc?.provider?.architecture ?? 'x86_64') };
}

export interface CostInput {
  statesEntered: number;
  stateRetries: number;
  invocations: readonly { functionName: string; startedAt: number; endedAt: number }[];
  metricsRequested: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  /** At AWS's published price; null when the price was not found. */
  usd: number | null;
  /** At a third party's figure, when AWS's was not found. */
  thirdPartyUsd: number | null;
  source: string;
}

export interface FailoverCost {
  /** Billed transitions: states entered plus retries (Step Functions charges each retry). */
  stateTransitions: number;
  lambdaInvocations: number;
  /** Σ memory (GB) x duration rounded up to 1 ms (at least 1 ms), virtual time. */
  gbSeconds: number;
  metricsRequested: number;
  lines: CostLine[];
  /** Lines with an AWS price only. */
  totalUsd: number;
  /** The same plus the lines priced at a third party's figure. */
  totalWithThirdPartyUsd: number;
}

/** Lambda bills duration rounded up to the nearest 1 ms. */
export const billedMs = (ms: number) => Math.max(1, Math.ceil(ms));

function line(price: Price, quantity: number): CostLine {
  const at = (usd: number) => (quantity / price.per) * usd;
  return {
    item: price.item,
    quantity,
    unit: price.unit,
    usd: price.usd === null ? null : at(price.usd),
    thirdPartyUsd: price.usd === null && price.thirdParty ? at(price.thirdParty.usd) : null,
    source:
      price.usd === null && price.thirdParty
        ? `${price.source} (not found); ${price.thirdParty.source} (third party)`
        : price.source,
  };
}

export function failoverCost(input: CostInput, lambda: LambdaSettings): FailoverCost {
  const stateTransitions = input.statesEntered + input.stateRetries;
  const gbSeconds = input.invocations.reduce((sum, i) => {
    const memoryGb = (lambda.memoryMb[i.functionName] ?? lambda.defaultMemoryMb) / 1024;
    return sum + (memoryGb * billedMs(i.endedAt - i.startedAt)) / 1000;
  }, 0);
  const lines = [
    line(PRICES.stateTransitions, stateTransitions),
    line(PRICES.lambdaRequests, input.invocations.length),
    line(PRICES.lambdaGbSecondX86, gbSeconds),
    line(PRICES.lambdaGbSecondArm, gbSeconds),
    line(PRICES.getMetricDataMetrics, input.metricsRequested),
  ];
  // x86 and Arm are two prices for the same GB-seconds: the total takes the x86 one (the brief's
  // basis); the Arm line is shown beside it because serverless.yml deploys arm64.
  const counted = lines.filter((l) => l.item !== PRICES.lambdaGbSecondArm.item);
  const totalUsd = counted.reduce((sum, l) => sum + (l.usd ?? 0), 0);
  const totalWithThirdPartyUsd = counted.reduce((sum, l) => sum + (l.usd ?? l.thirdPartyUsd ?? 0), 0);
  return {
    stateTransitions,
    lambdaInvocations: input.invocations.length,
    gbSeconds,
    metricsRequested: input.metricsRequested,
    lines,
    totalUsd,
    totalWithThirdPartyUsd,
  };
}
