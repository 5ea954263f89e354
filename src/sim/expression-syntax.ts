import { type AttributeValue, validation } from './attribute-values.js';

/** The parsed shapes of DynamoDB expressions, and the tokenizer the parser in expressions.ts reads. */

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type Operand =
  | { kind: 'path'; name: string }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'if_not_exists'; name: string; fallback: Operand };
export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'exists' | 'not_exists'; name: string }
  | { op: 'compare'; comparator: Comparator; left: Operand; right: Operand };
export type UpdateAction =
  | { action: 'SET'; name: string; value: Operand; plus?: { sign: 1 | -1; right: Operand } }
  | { action: 'REMOVE'; name: string }
  | { action: 'ADD'; name: string; value: AttributeValue };

export type Label = 'ConditionExpression' | 'UpdateExpression' | 'ProjectionExpression';
export interface Token {
  kind: 'alias' | 'value' | 'word' | 'number' | 'punct';
  text: string;
}

const TOKEN =
  /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>(),.[\]+-]))/y;
const KINDS = ['alias', 'value', 'word', 'number', 'punct'] as const;
export const COMPARATORS: readonly string[] = ['=', '<>', '<', '<=', '>', '>='];
export const UNSUPPORTED_FUNCTIONS = ['attribute_type', 'begins_with', 'contains', 'size', 'list_append'];
/** How DynamoDB names attribute types in its error messages. */
export const TYPE_NAMES: Record<string, string> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  BOOL: 'BOOLEAN',
  NULL: 'NULL',
  M: 'MAP',
  L: 'LIST',
  SS: 'SET',
  NS: 'SET',
  BS: 'SET',
};

export function tokenize(text: string, label: Label): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length && text.slice(TOKEN.lastIndex).trim() !== '') {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      const token = text.slice(at).trim()[0] ?? '';
      throw validation(`Invalid ${label}: Syntax error; token: "${token}", near: "${text.slice(at).trim()}"`);
    }
    const group = KINDS.findIndex((_, i) => match[i + 1] !== undefined);
    tokens.push({ kind: KINDS[group] ?? 'punct', text: match[group + 1] ?? '' });
  }
  return tokens;
}
