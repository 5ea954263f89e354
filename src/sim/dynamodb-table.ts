import {
  type AttributeValue,
  arithmetic,
  equal,
  type Item,
  order,
  typeOf,
  unmarshall,
  validation,
} from './attribute-values.js';
import type { Condition, Operand, UpdateAction } from './expressions.js';
import type { KeyAttribute } from './types.js';

interface Version {
  readonly at: number;
  readonly item: Item | undefined;
}

const KEY_MISMATCH = 'The provided key element does not match the schema';

/**
 * One regional DynamoDB table. Each item keeps its recent versions with their write times, so an
 * eventually consistent read can be answered as of a moment ago: state from timestamps, no timers.
 */
export class Table {
  readonly #versions = new Map<string, Version[]>();

  constructor(
    readonly region: string,
    readonly name: string,
    readonly arn: string,
    readonly partitionKey: KeyAttribute,
    readonly sortKey: KeyAttribute | undefined,
    /** Versions older than this (and superseded) can no longer be read by anyone. */
    private readonly keepMs: number,
  ) {}

  get keyNames(): string[] {
    return this.sortKey ? [this.partitionKey.name, this.sortKey.name] : [this.partitionKey.name];
  }

  /** Validates a request's `Key` and returns its identity. */
  keyOf(key: Item): string {
    const names = Object.keys(key);
    if (names.length !== this.keyNames.length || !this.keyNames.every((n) => names.includes(n)))
      throw validation(KEY_MISMATCH);
    return this.#identity(key, KEY_MISMATCH);
  }

  /** Validates a PutItem `Item` and returns its identity. */
  identityOfItem(item: Item): string {
    for (const name of this.keyNames) {
      if (item[name] === undefined)
        throw validation(`One or more parameter values were invalid: Missing the key ${name} in the item`);
    }
    return this.#identity(item);
  }

  /** The key attributes of an item, to build a new item from an UpdateItem Key. */
  keyAttributes(item: Item): Item {
    return Object.fromEntries(this.keyNames.map((n) => [n, item[n] as AttributeValue]));
  }

  latest(identity: string): Item | undefined {
    return this.#versions.get(identity)?.at(-1)?.item;
  }

  /** The item as it was at `at`: what a replica that far behind returns. */
  asOf(identity: string, at: number): Item | undefined {
    return this.#versions.get(identity)?.findLast((v) => v.at <= at)?.item;
  }

  write(identity: string, item: Item | undefined, at: number): void {
    const versions = this.#versions.get(identity) ?? [];
    versions.push({ at, item: item && structuredClone(item) });
    // Writes arrive in time order: keep the versions a stale read can still see, and the one before.
    const lastUnreadable = versions.findLastIndex((v) => v.at <= at - this.keepMs);
    this.#versions.set(identity, versions.slice(Math.max(0, lastUnreadable)));
  }

  snapshot(): Record<string, unknown>[] {
    return [...this.#versions.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([, versions]) => {
        const item = versions.at(-1)?.item;
        return item ? [unmarshall({ M: item }) as Record<string, unknown>] : [];
      });
  }

  #identity(item: Item, typeError?: string): string {
    return JSON.stringify(
      [this.partitionKey, this.sortKey].flatMap((attribute) => {
        if (!attribute) return [];
        const value = item[attribute.name] as AttributeValue;
        const type = typeOf(value);
        if (type !== attribute.type)
          throw validation(
            typeError ??
              `One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${type}`,
          );
        if (value[type] === '' || (value[type] as Uint8Array).length === 0)
          throw validation(
            `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${attribute.name}`,
          );
        return [type === 'B' ? Buffer.from(value.B as Uint8Array).toString('base64') : value[type]];
      }),
    );
  }
}

export function evaluate(condition: Condition, item: Item | undefined): boolean {
  switch (condition.op) {
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case 'not':
      return !evaluate(condition.inner, item);
    case 'exists':
      return item?.[condition.name] !== undefined;
    case 'not_exists':
      return item?.[condition.name] === undefined;
    case 'compare': {
      const left = read(condition.left, item);
      const right = read(condition.right, item);
      const same = left !== undefined && right !== undefined && equal(left, right);
      if (condition.comparator === '=') return same;
      // A missing attribute, or one of another type, is "not equal".
      if (condition.comparator === '<>') return !same;
      const sign = left && right ? order(left, right) : undefined;
      if (sign === undefined) return false;
      return { '<': sign < 0, '<=': sign <= 0, '>': sign > 0, '>=': sign >= 0 }[condition.comparator];
    }
  }
}

/**
 * The item after an UpdateExpression. Every operand reads the item as it was before the update,
 * as DynamoDB evaluates them.
 */
export function applyUpdate(actions: UpdateAction[], before: Item, keyNames: string[]): Item {
  const after: Item = { ...before };
  for (const action of actions) {
    if (keyNames.includes(action.name))
      throw validation(
        `One or more parameter values were invalid: Cannot update attribute ${action.name}. This attribute is part of the key`,
      );
    if (action.action === 'REMOVE') delete after[action.name];
    else if (action.action === 'ADD') after[action.name] = add(before[action.name], action.value);
    else {
      const left = mustRead(action.value, before);
      after[action.name] = action.plus
        ? arithmetic(
            left,
            mustRead(action.plus.right, before),
            action.plus.sign,
            action.plus.sign > 0 ? '+' : '-',
          )
        : left;
    }
  }
  return after;
}

function read(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  if (operand.kind === 'path') return item?.[operand.name];
  return item?.[operand.name] ?? read(operand.fallback, item);
}

function mustRead(operand: Operand, item: Item): AttributeValue {
  const value = read(operand, item);
  if (value === undefined)
    throw validation('The provided expression refers to an attribute that does not exist in the item');
  return value;
}

function add(current: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (current === undefined) return value;
  const type = typeOf(value);
  if (typeOf(current) !== type)
    throw validation(
      `An operand in the update expression has an incorrect data type; operator: ADD, operand type: ${typeOf(current)}`,
    );
  if (type === 'N') return arithmetic(current, value, 1, 'ADD');
  const members = [...(current[type] as unknown[])];
  for (const member of value[type] as unknown[]) {
    if (!members.some((m) => equal({ [type]: [m] }, { [type]: [member] }))) members.push(member);
  }
  return { [type]: members };
}
