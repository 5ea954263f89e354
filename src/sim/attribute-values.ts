import { SimFault, SimulatorGapError } from './errors.js';

/**
 * DynamoDB's low-level AttributeValue ({S}, {N}, {BOOL}, {M}, ...), as the SDK passes it through.
 * Loosely typed on purpose: the simulator must also see malformed values to reject them as AWS does.
 */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'] as const;
type TypeName = (typeof TYPES)[number];

export const validation = (message: string) => new SimFault('ValidationException', message);

export function typeOf(value: AttributeValue): TypeName {
  const present = Object.keys(value).filter((k) => value[k] !== undefined);
  const unknown = present.find((k) => !(TYPES as readonly string[]).includes(k));
  if (unknown)
    throw new SimulatorGapError(
      `SimulatedCloud does not implement DynamoDB attribute values of type ${unknown}`,
    );
  if (present.length !== 1)
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  return present[0] as TypeName;
}

/** Rejects what DynamoDB rejects on the way in: empty values and numbers that are not numbers. */
export function checkValue(value: AttributeValue): void {
  const type = typeOf(value);
  if (type === 'N' && !isNumber(value.N))
    throw validation('A value provided cannot be converted into a number');
  if (type === 'NS' && !(value.NS as unknown[]).every(isNumber))
    throw validation('A value provided cannot be converted into a number');
  if ((type === 'SS' || type === 'NS' || type === 'BS') && (value[type] as unknown[]).length === 0)
    throw validation('One or more parameter values were invalid: an empty set is not allowed');
  if (type === 'NULL' && value.NULL !== true)
    throw validation(
      'One or more parameter values were invalid: Null attribute value types must have the value of true',
    );
  if (type === 'M') for (const v of Object.values(value.M as Item)) checkValue(v);
  if (type === 'L') for (const v of value.L as AttributeValue[]) checkValue(v);
}

const isNumber = (n: unknown) => typeof n === 'string' && n.trim() !== '' && Number.isFinite(Number(n));

/** Byte-wise, as DynamoDB orders strings (UTF-8) and binaries. */
function bytes(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value as Uint8Array);
}

/** A canonical form for equality: sets compare regardless of order. */
function canonical(value: AttributeValue): unknown {
  const type = typeOf(value);
  switch (type) {
    case 'N':
      return { N: Number(value.N) };
    case 'B':
      return { B: bytes(value.B).toString('base64') };
    case 'SS':
    case 'NS':
    case 'BS':
      return {
        [type]: (value[type] as unknown[])
          .map((v) => (type === 'NS' ? String(Number(v)) : type === 'BS' ? bytes(v).toString('base64') : v))
          .sort(),
      };
    case 'M':
      return {
        M: Object.fromEntries(
          Object.entries(value.M as Item)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, canonical(v)]),
        ),
      };
    case 'L':
      return { L: (value.L as AttributeValue[]).map(canonical) };
    default:
      return { [type]: value[type] };
  }
}

export function equal(a: AttributeValue, b: AttributeValue): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Orders two S, N or B values of the same type; undefined when DynamoDB would not order them. */
export function order(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') return Math.sign(Number(a.N) - Number(b.N));
  if (type === 'S' || type === 'B') return Buffer.compare(bytes(a[type]), bytes(b[type]));
  return undefined;
}

export const isOrderable = (value: AttributeValue) => ['S', 'N', 'B'].includes(typeOf(value));

/** N + N (or N - N) as DynamoDB computes it; precision beyond a double is not modelled. */
export function arithmetic(
  a: AttributeValue,
  b: AttributeValue,
  sign: 1 | -1,
  operator: string,
): AttributeValue {
  if (typeOf(a) !== 'N' || typeOf(b) !== 'N') {
    throw validation(
      `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ${operator}, operand type: ${typeOf(a) !== 'N' ? typeOf(a) : typeOf(b)}`,
    );
  }
  return { N: String(Number(a.N) + sign * Number(b.N)) };
}

/** The item as plain JSON, as the DocumentClient would unmarshall it (B as base64). */
export function unmarshall(value: AttributeValue): unknown {
  const type = typeOf(value);
  switch (type) {
    case 'N':
      return Number(value.N);
    case 'NULL':
      return null;
    case 'B':
      return bytes(value.B).toString('base64');
    case 'NS':
      return (value.NS as string[]).map(Number);
    case 'BS':
      return (value.BS as unknown[]).map((v) => bytes(v).toString('base64'));
    case 'M':
      return unmarshallItem(value.M as Item);
    case 'L':
      return (value.L as AttributeValue[]).map(unmarshall);
    default:
      return value[type];
  }
}

export function unmarshallItem(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, unmarshall(v)]));
}
