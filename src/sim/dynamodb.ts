import type {
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  TransactWriteItemsInput,
  UpdateItemInput,
} from '@aws-sdk/client-dynamodb';
import { type AttributeValue, checkValue, type Item, validation } from './attribute-values.js';
import { applyUpdate, evaluate, Table } from './dynamodb-table.js';
import { SimFault, SimulatorGapError } from './errors.js';
import { type Condition, ExpressionContext } from './expressions.js';
import type { CloudSnapshot, KeyAttribute, SimTable } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

export const DEFAULT_TABLES: readonly string[] = ['failover-locks'];
/** The lock table's key as serverless.yml declares it (FailoverLockTable: partition key `plan`, S). */
const DEFAULT_KEY: KeyAttribute = { name: 'plan', type: 'S' };
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/([A-Za-z0-9_.-]+)$/;

/** Parameters outside the modelled subset: the legacy (pre-expression) ones and capacity reporting. */
function refuseGaps(command: string, request: object, legacy: string[]): void {
  const input = request as Record<string, unknown>;
  for (const field of legacy) {
    if (input[field] !== undefined)
      throw new SimulatorGapError(`SimulatedCloud does not implement DynamoDB ${command} ${field}`);
  }
  for (const field of ['ReturnConsumedCapacity', 'ReturnItemCollectionMetrics']) {
    if (input[field] !== undefined && input[field] !== 'NONE')
      throw new SimulatorGapError(`SimulatedCloud does not implement DynamoDB ${command} ${field}`);
  }
}

function checkReturnValues(value: string | undefined, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(value))
    throw validation(`ReturnValues can only be ${allowed.join(' or ')} for this operation`);
}

function pick(item: Item | undefined, names: string[]): Item | undefined {
  if (!item) return undefined;
  const picked = Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
  return Object.keys(picked).length > 0 ? structuredClone(picked as Item) : undefined;
}

const attributes = (item: Item | undefined) => (item ? { Attributes: structuredClone(item) } : {});

/**
 * DynamoDB item commands against regional tables. Tables are not global: a table of the same name
 * in each region holds its own items, as two regional tables (not a global table) would. The
 * expression subset is in expressions.ts. An eventually consistent GetItem may return the item as
 * it was up to LATENCIES.dynamodbEventualRead ago; ConsistentRead always sees the last write.
 */
export class DynamoDbModel implements ServiceModel {
  readonly service = 'dynamodb' as const;
  readonly handlers: Record<string, Handler>;
  readonly #tables: Table[] = [];

  constructor(
    private readonly world: World,
    tables: readonly (string | SimTable)[],
  ) {
    for (const region of world.regions) {
      for (const spec of tables) {
        const {
          name,
          partitionKey = DEFAULT_KEY,
          sortKey,
        } = typeof spec === 'string' ? { name: spec } : spec;
        const arn = `arn:aws:dynamodb:${region}:${world.account}:table/${name}`;
        this.#tables.push(
          new Table(
            region,
            name,
            arn,
            partitionKey,
            sortKey,
            this.world.latencies.dynamodbEventualRead.maxMs,
          ),
        );
      }
    }
    this.handlers = {
      GetItem: op<GetItemInput>((input, region, now) => {
        refuseGaps('GetItem', input, ['AttributesToGet']);
        const table = this.#table(input.TableName, region);
        const context = new ExpressionContext(input.ExpressionAttributeNames, undefined);
        const projection =
          input.ProjectionExpression === undefined
            ? undefined
            : context.projection(input.ProjectionExpression);
        context.checkAllUsed();
        const identity = table.keyOf(this.#values(input.Key, 'key'));
        const item = input.ConsistentRead
          ? table.latest(identity)
          : table.asOf(
              identity,
              now - this.world.rng('dynamodb-reads').latency(this.world.latencies.dynamodbEventualRead),
            );
        const found = projection ? pick(item, projection) : item && structuredClone(item);
        return found ? { Item: found } : {};
      }),
      PutItem: op<PutItemInput>((input, region, now) => {
        refuseGaps('PutItem', input, ['Expected', 'ConditionalOperator']);
        checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
        const table = this.#table(input.TableName, region);
        const item = this.#values(input.Item, 'item');
        const condition = this.#condition(input);
        const identity = table.identityOfItem(item);
        const before = table.latest(identity);
        this.#check(condition, before, input.ReturnValuesOnConditionCheckFailure);
        table.write(identity, item, now);
        return input.ReturnValues === 'ALL_OLD' ? attributes(before) : {};
      }),
      UpdateItem: op<UpdateItemInput>((input, region, now) => {
        refuseGaps('UpdateItem', input, ['AttributeUpdates', 'Expected', 'ConditionalOperator']);
        checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']);
        const table = this.#table(input.TableName, region);
        const context = new ExpressionContext(
          input.ExpressionAttributeNames,
          input.ExpressionAttributeValues,
        );
        const actions = input.UpdateExpression === undefined ? [] : context.update(input.UpdateExpression);
        const condition =
          input.ConditionExpression === undefined ? undefined : context.condition(input.ConditionExpression);
        context.checkAllUsed();
        const key = this.#values(input.Key, 'key');
        const identity = table.keyOf(key);
        const before = table.latest(identity);
        this.#check(condition, before, input.ReturnValuesOnConditionCheckFailure);
        // UpdateItem creates the item when it does not exist: its key, then the updates.
        const after = applyUpdate(actions, before ?? table.keyAttributes(key), table.keyNames);
        table.write(identity, after, now);
        const touched = actions.map((a) => a.name);
        switch (input.ReturnValues) {
          case 'ALL_OLD':
            return attributes(before);
          case 'ALL_NEW':
            return attributes(after);
          case 'UPDATED_OLD':
            return attributes(pick(before, touched));
          case 'UPDATED_NEW':
            return attributes(pick(after, touched));
          default:
            return {};
        }
      }),
      DeleteItem: op<DeleteItemInput>((input, region, now) => {
        refuseGaps('DeleteItem', input, ['Expected', 'ConditionalOperator']);
        checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
        const table = this.#table(input.TableName, region);
        const condition = this.#condition(input);
        const identity = table.keyOf(this.#values(input.Key, 'key'));
        const before = table.latest(identity);
        this.#check(condition, before, input.ReturnValuesOnConditionCheckFailure);
        if (before) table.write(identity, undefined, now);
        return input.ReturnValues === 'ALL_OLD' ? attributes(before) : {};
      }),
      TransactWriteItems: op<TransactWriteItemsInput>((input, region, now) =>
        this.#transactWrite(input, region, now),
      ),
    };
  }

  advance(): void {}

  /**
   * TransactWriteItems with Put and Delete actions: "either all of them succeed, or all of them
   * fail" (DynamoDB API Reference, TransactWriteItems). Every condition is checked against the
   * items as they are before any action; one failing cancels all with TransactionCanceledException,
   * whose CancellationReasons are in action order ("None" for the actions that would have
   * passed). Two actions on one item are a ValidationException ("Transaction request cannot
   * include multiple operations on one item"). Update, ConditionCheck and ClientRequestToken are
   * outside the modelled subset.
   */
  #transactWrite(input: TransactWriteItemsInput, region: string, now: number): object {
    refuseGaps('TransactWriteItems', input, ['ClientRequestToken']);
    const actions = input.TransactItems ?? [];
    if (actions.length === 0 || actions.length > 100)
      throw validation(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and 100`,
      );
    const planned = actions.map((action) => {
      if (action.Update || action.ConditionCheck)
        throw new SimulatorGapError(
          'SimulatedCloud does not implement DynamoDB TransactWriteItems Update or ConditionCheck',
        );
      const put = action.Put;
      const del = action.Delete;
      if (put) {
        const table = this.#table(put.TableName, region);
        const item = this.#values(put.Item, 'item');
        const identity = table.identityOfItem(item);
        return {
          table,
          identity,
          after: item as Item | undefined,
          condition: this.#condition(put as PutItemInput),
        };
      }
      if (del) {
        const table = this.#table(del.TableName, region);
        const identity = table.keyOf(this.#values(del.Key, 'key'));
        return { table, identity, after: undefined, condition: this.#condition(del as DeleteItemInput) };
      }
      throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
    });
    const touched = new Set(planned.map((p) => `${p.table.arn} ${p.identity}`));
    if (touched.size !== planned.length)
      throw validation('Transaction request cannot include multiple operations on one item');
    const reasons = planned.map((p) =>
      !p.condition || evaluate(p.condition, p.table.latest(p.identity))
        ? { Code: 'None' }
        : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    );
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new SimFault(
        'TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        400,
        { CancellationReasons: reasons },
      );
    }
    for (const p of planned) {
      if (p.after) p.table.write(p.identity, p.after, now);
      else if (p.table.latest(p.identity)) p.table.write(p.identity, undefined, now);
    }
    return {};
  }

  snapshot(): CloudSnapshot['tables'] {
    return this.#tables.map((t) => ({ region: t.region, table: t.name, items: t.snapshot() }));
  }

  /** Tables are regional: one in another region, or an ARN naming another region, is not found. */
  #table(nameOrArn: string | undefined, region: string): Table {
    const arn = TABLE_ARN.exec(nameOrArn ?? '');
    const name = arn ? arn[2] : nameOrArn;
    const table =
      (!arn || arn[1] === region) && this.#tables.find((t) => t.region === region && t.name === name);
    if (!table) throw new SimFault('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  #values(values: Record<string, unknown> | undefined, member: 'key' | 'item'): Item {
    if (!values)
      throw validation(
        `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      );
    const item = values as Item;
    for (const value of Object.values(item)) checkValue(value as AttributeValue);
    return item;
  }

  #condition(input: PutItemInput | DeleteItemInput): Condition | undefined {
    const context = new ExpressionContext(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    const condition =
      input.ConditionExpression === undefined ? undefined : context.condition(input.ConditionExpression);
    context.checkAllUsed();
    return condition;
  }

  #check(condition: Condition | undefined, item: Item | undefined, onFailure: string | undefined): void {
    if (!condition || evaluate(condition, item)) return;
    throw new SimFault(
      'ConditionalCheckFailedException',
      'The conditional request failed',
      400,
      onFailure === 'ALL_OLD' && item ? { Item: structuredClone(item) } : undefined,
    );
  }
}
