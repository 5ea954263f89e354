import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { AwsRequestError, LockLostError, PlanInvalidError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { FailoverRequest } from '../steps/request.js';
import { registerClient } from './clients.js';
import { awsCall, translateAwsError } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('dynamodb', DynamoDBClient);

/**
 * The failover lock: one DynamoDB item per plan, in a table in the orchestrator's own region
 * (docs/design-notes.md, "The failover lock"). Every write is conditional; the conditions below
 * are the lock's rules, and src/decisions/lock.ts mirrors them to explain a refusal.
 */

export const LOCK_TABLE_ENV = 'FAILOVER_LOCK_TABLE';
export const DEFAULT_LOCK_TABLE = 'failover-locks';

export interface LockTable {
  /** Always the orchestrator's own region: the region it moves to must not need the other one. */
  region: string;
  name: string;
}

/** Where the lock lives, from the function's environment (AWS_REGION is set by Lambda). */
export function lockTable(env: NodeJS.ProcessEnv = process.env): LockTable {
  const region = env.AWS_REGION;
  if (!region) {
    throw new PlanInvalidError(
      'environment variable AWS_REGION is not set: the failover lock lives in the region the orchestrator runs in',
      [],
    );
  }
  return { region, name: env[LOCK_TABLE_ENV] || DEFAULT_LOCK_TABLE };
}

export const lockItemSchema = z.object({
  plan: z.string(),
  /** Execution name of the failover that took the lock. */
  holder: z.string(),
  /** Fencing token: one more on every acquisition of the item. */
  token: z.number().int().min(1),
  mode: z.enum(['automatic', 'manual', 'planned']),
  targetRegion: z.string(),
  /** ISO time the holder took the lock. */
  acquiredAt: z.string(),
  /** Epoch seconds after which a held lock is free: its holder's execution has timed out by then. */
  expiresAt: z.number().int(),
  state: z.enum(['held', 'cooldown']),
  /** Epoch seconds; set while in cool-down only. */
  cooldownUntil: z.number().int().nullable(),
});
export type LockItem = z.infer<typeof lockItemSchema>;

/**
 * Free, expired, or in a cool-down that is over (automatic) or that a human overrides (manual,
 * planned). A lock this same execution holds is not taken again here: the step sees it in its
 * read and keeps the token, so a retried Lambda never bumps its own token.
 */
export const TAKE_CONDITION = {
  automatic:
    'attribute_not_exists(#plan) OR (#state = :held AND #expiresAt <= :now) OR (#state = :cooldown AND #cooldownUntil <= :now)',
  human: 'attribute_not_exists(#plan) OR (#state = :held AND #expiresAt <= :now) OR #state = :cooldown',
} as const;
export const TAKE_UPDATE =
  'SET #holder = :holder, #mode = :mode, #targetRegion = :targetRegion, #acquiredAt = :acquiredAt, #expiresAt = :expiresAt, #state = :held REMOVE #cooldownUntil ADD #token :one';

/**
 * Only the holder, with its own token, may release, once. The holder is compared as well as the
 * token because deleting the item restarts the token at 1.
 */
export const RELEASE_CONDITION = '#token = :token AND #holder = :holder AND #state = :held';
export const COOLDOWN_UPDATE = 'SET #state = :cooldown, #cooldownUntil = :cooldownUntil';

const key = (plan: string): Record<string, AttributeValue> => ({ plan: { S: plan } });
const num = (n: number): AttributeValue => ({ N: String(n) });
const str = (s: string): AttributeValue => ({ S: s });

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** The item as DynamoDB returns it, checked: a hand-edited item must not pass for a free lock. */
export function parseLockItem(table: LockTable, attributes: Record<string, AttributeValue>): LockItem {
  const n = (name: string) => {
    const value = attributes[name]?.N;
    return value === undefined ? undefined : Number(value);
  };
  const parsed = lockItemSchema.safeParse({
    plan: attributes.plan?.S,
    holder: attributes.holder?.S,
    token: n('token'),
    mode: attributes.mode?.S,
    targetRegion: attributes.targetRegion?.S,
    acquiredAt: attributes.acquiredAt?.S,
    expiresAt: n('expiresAt'),
    state: attributes.state?.S,
    cooldownUntil: n('cooldownUntil') ?? null,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(item)');
    throw new AwsRequestError(
      `lock item ${attributes.plan?.S ?? '(no plan)'} in ${table.name} (${table.region}) is malformed (${fields.join(', ')}): a human must look at it`,
    );
  }
  return parsed.data;
}

/** The item in DynamoDB's attribute-value form: the inverse of parseLockItem. */
export function lockAttributes(item: LockItem): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {
    plan: str(item.plan),
    holder: str(item.holder),
    token: num(item.token),
    mode: str(item.mode),
    targetRegion: str(item.targetRegion),
    acquiredAt: str(item.acquiredAt),
    expiresAt: num(item.expiresAt),
    state: str(item.state),
  };
  if (item.cooldownUntil !== null) attributes.cooldownUntil = num(item.cooldownUntil);
  return attributes;
}

/** The plan's lock as it is now (ConsistentRead: an eventually consistent read may miss a holder). */
export async function readLock(
  dynamodb: DynamoDBClient,
  table: LockTable,
  plan: string,
): Promise<LockItem | null> {
  const response = await awsCall(`GetItem ${table.name}`, () =>
    dynamodb.send(new GetItemCommand({ TableName: table.name, Key: key(plan), ConsistentRead: true })),
  );
  return response.Item ? parseLockItem(table, response.Item) : null;
}

export interface TakeLock {
  plan: string;
  holder: string;
  mode: LockItem['mode'];
  targetRegion: string;
  acquiredAt: string;
  expiresAt: number;
  now: number;
  /** A human's request may end another failover's cool-down early. */
  overrideCooldown: boolean;
}

/** Takes the lock with the next token; null when the condition failed (someone else has it). */
export async function takeLock(
  dynamodb: DynamoDBClient,
  table: LockTable,
  take: TakeLock,
): Promise<LockItem | null> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: key(take.plan),
    UpdateExpression: TAKE_UPDATE,
    ConditionExpression: take.overrideCooldown ? TAKE_CONDITION.human : TAKE_CONDITION.automatic,
    ExpressionAttributeNames: {
      '#plan': 'plan',
      '#holder': 'holder',
      '#token': 'token',
      '#mode': 'mode',
      '#targetRegion': 'targetRegion',
      '#acquiredAt': 'acquiredAt',
      '#expiresAt': 'expiresAt',
      '#state': 'state',
      '#cooldownUntil': 'cooldownUntil',
    },
    ExpressionAttributeValues: {
      ':holder': str(take.holder),
      ':mode': str(take.mode),
      ':targetRegion': str(take.targetRegion),
      ':acquiredAt': str(take.acquiredAt),
      ':expiresAt': num(take.expiresAt),
      ':held': str('held'),
      ':cooldown': str('cooldown'),
      ':now': num(take.now),
      ':one': num(1),
    },
    ReturnValues: 'ALL_NEW',
  });
  try {
    const response = await dynamodb.send(command);
    if (!response.Attributes) {
      throw new AwsRequestError(`UpdateItem ${table.name}: no attributes returned for lock ${take.plan}`);
    }
    return parseLockItem(table, response.Attributes);
  } catch (error) {
    if (isConditionFailed(error)) return null;
    throw translateAwsError(error, `UpdateItem ${table.name}`);
  }
}

export interface ReleaseLock {
  plan: string;
  holder: string;
  token: number;
}

function releaseNamesAndValues(release: ReleaseLock) {
  return {
    ExpressionAttributeNames: { '#token': 'token', '#holder': 'holder', '#state': 'state' },
    ExpressionAttributeValues: {
      ':token': num(release.token),
      ':holder': str(release.holder),
      ':held': str('held'),
    } as Record<string, AttributeValue>,
  };
}

/** Turns the held lock into a cool-down; false when this holder no longer holds it. */
export async function setCooldown(
  dynamodb: DynamoDBClient,
  table: LockTable,
  release: ReleaseLock & { cooldownUntil: number },
): Promise<boolean> {
  const { ExpressionAttributeNames, ExpressionAttributeValues } = releaseNamesAndValues(release);
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: key(release.plan),
    UpdateExpression: COOLDOWN_UPDATE,
    ConditionExpression: RELEASE_CONDITION,
    ExpressionAttributeNames: { ...ExpressionAttributeNames, '#cooldownUntil': 'cooldownUntil' },
    ExpressionAttributeValues: {
      ...ExpressionAttributeValues,
      ':cooldown': str('cooldown'),
      ':cooldownUntil': num(release.cooldownUntil),
    },
  });
  return conditional(() => dynamodb.send(command), `UpdateItem ${table.name}`);
}

/** Frees the lock without a cool-down; false when this holder no longer holds it. */
export async function deleteLock(
  dynamodb: DynamoDBClient,
  table: LockTable,
  release: ReleaseLock,
): Promise<boolean> {
  const command = new DeleteItemCommand({
    TableName: table.name,
    Key: key(release.plan),
    ConditionExpression: RELEASE_CONDITION,
    ...releaseNamesAndValues(release),
  });
  return conditional(() => dynamodb.send(command), `DeleteItem ${table.name}`);
}

async function conditional(call: () => Promise<unknown>, operation: string): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw translateAwsError(error, operation);
  }
}

/**
 * Fencing for the mutating steps: throws LockLostError unless `request`'s execution still holds
 * the plan's lock with `token`. A lock whose hold expired but that nobody took is still ours:
 * the execution timeout stops this execution before anyone may take it.
 */
export async function assertLockHeld(
  deps: StepDeps,
  request: FailoverRequest,
  token: number | null,
): Promise<LockItem> {
  if (token === null) {
    throw new LockLostError(
      `execution ${request.executionName} holds no lock on plan ${request.planName}: nothing may be changed`,
    );
  }
  const table = lockTable();
  const { dynamodb } = deps.clients.forRegion(table.region);
  const lock = await readLock(dynamodb, table, request.planName);
  const lost = (now: string) =>
    new LockLostError(
      `this execution held the lock on plan ${request.planName} with token ${token}, but ${now}: nothing more is changed`,
    );
  if (!lock) throw lost('the lock is gone');
  if (lock.holder !== request.executionName || lock.token !== token) {
    throw lost(`failover ${lock.holder} took it at ${lock.acquiredAt} (token ${lock.token})`);
  }
  if (lock.state !== 'held') throw lost('it was already released into a cool-down');
  return lock;
}

/**
 * The take-over's journal: a failure of the compute branch, kept on the lock item (the one
 * store both Parallel branches reach). When the database branch then fails, Step Functions
 * stops the whole Parallel and the compute branch's own account is lost with it; recovery and
 * the report read it back from here. Keyed by holder and token: a note of an earlier execution
 * is never read as this one's.
 */
export async function noteComputeFailure(
  dynamodb: DynamoDBClient,
  table: LockTable,
  release: ReleaseLock,
  failure: { error: string; cause: string },
): Promise<boolean> {
  const { ExpressionAttributeNames, ExpressionAttributeValues } = releaseNamesAndValues(release);
  const note = JSON.stringify({ holder: release.holder, token: release.token, ...failure });
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: key(release.plan),
    UpdateExpression: 'SET #computeFailure = :computeFailure',
    ConditionExpression: RELEASE_CONDITION,
    ExpressionAttributeNames: { ...ExpressionAttributeNames, '#computeFailure': COMPUTE_FAILURE },
    ExpressionAttributeValues: { ...ExpressionAttributeValues, ':computeFailure': str(note) },
  });
  return conditional(() => dynamodb.send(command), `UpdateItem ${table.name}`);
}

const COMPUTE_FAILURE = 'computeFailure';

/** This execution's compute-branch failure noted on the lock item, or null. */
export async function readComputeFailure(
  dynamodb: DynamoDBClient,
  table: LockTable,
  plan: string,
  holder: string,
): Promise<{ error: string; cause: string } | null> {
  const response = await awsCall(`GetItem ${table.name}`, () =>
    dynamodb.send(new GetItemCommand({ TableName: table.name, Key: key(plan), ConsistentRead: true })),
  );
  const raw = response.Item?.[COMPUTE_FAILURE]?.S;
  if (!raw) return null;
  try {
    const note = JSON.parse(raw) as { holder?: unknown; error?: unknown; cause?: unknown };
    if (note.holder !== holder || typeof note.error !== 'string') return null;
    return { error: note.error, cause: typeof note.cause === 'string' ? note.cause : '' };
  } catch {
    return null;
  }
}
