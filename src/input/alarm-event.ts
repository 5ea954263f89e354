import * as z from 'zod';

/**
 * EventBridge "CloudWatch Alarm State Change" event (source aws.cloudwatch), as published in
 * the CloudWatch User Guide. Only the fields the orchestrator reads are checked; the rest
 * (configuration, previousState, reasonData) varies by alarm type and is kept as is.
 */
export const alarmStateChangeEventSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({
      value: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
      reason: z.string().default(''),
      /** e.g. "2019-10-02T17:04:40.989+0000": not quite ISO-8601, Date.parse accepts it. */
      timestamp: z.string(),
    }),
  }),
});
export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEventSchema>;

export function isAlarmEvent(input: unknown): boolean {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as Record<string, unknown>)['detail-type'] === 'CloudWatch Alarm State Change'
  );
}
