/**
 * AWS's published prices the cost estimate uses, each with the page it was read from (us-east-1,
 * on-demand, before free tiers). A price AWS's own pages did not give us is `null` ("not found"):
 * it is never filled in from memory. Where only a third party states a figure, it is kept apart
 * (`thirdParty`) and shown as such, never mixed into the AWS total.
 *
 * Read on the pages below while writing this file; prices change, so re-read them before quoting.
 */

export interface Price {
  /** What is billed. */
  item: string;
  /** USD per `per` units; null when AWS's page did not give it. */
  usd: number | null;
  per: number;
  unit: string;
  /** Where AWS publishes it. */
  source: string;
  note?: string;
  /** A figure stated by someone other than AWS, when AWS's page did not give one. */
  thirdParty?: { usd: number; source: string };
}

export const PRICES = {
  stateTransitions: {
    item: 'Step Functions Standard, state transitions',
    usd: 0.025,
    per: 1000,
    unit: 'state transitions',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    note: 'US East (N. Virginia) $0.0250 per 1,000; every retry is charged as another transition',
  },
  lambdaRequests: {
    item: 'Lambda requests',
    usd: 0.2,
    per: 1_000_000,
    unit: 'requests',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
    note: '"$0.20 per 1 million requests"; the same on https://aws.amazon.com/lambda/pricing/ (x86 and Arm alike)',
  },
  lambdaGbSecondX86: {
    item: 'Lambda duration, x86',
    usd: 0.00001667,
    per: 1,
    unit: 'GB-second',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
    note: '"$0.00001667 for every GB-second"; also the figure in https://aws.amazon.com/lambda/pricing/ examples (first tier)',
  },
  lambdaGbSecondArm: {
    item: 'Lambda duration, Arm (what serverless.yml deploys: arm64)',
    usd: null,
    per: 1,
    unit: 'GB-second',
    source: 'https://aws.amazon.com/lambda/pricing/',
    note: "not found: the page's Arm price table did not come through in the stored copy",
    thirdParty: {
      usd: 0.0000133334,
      source: 'https://cloudchipr.com/blog/aws-lambda-pricing',
    },
  },
  getMetricDataMetrics: {
    item: 'CloudWatch GetMetricData, metrics requested',
    usd: null,
    per: 1000,
    unit: 'metrics requested',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    note: "not found: the page's paid-tier tables (tabs) did not come through in the stored copy",
    thirdParty: {
      usd: 0.01,
      source: 'https://support.site24x7.com/portal/en/kb/articles/aws-cloudwatch-metrics-cost-calculation',
    },
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
