import { type AttributeValue, checkValue, isOrderable, typeOf, validation } from './attribute-values.js';
import { isReserved } from './dynamodb-reserved.js';
import { SimulatorGapError } from './errors.js';
import {
  COMPARATORS,
  type Comparator,
  type Condition,
  type Label,
  type Operand,
  type Token,
  TYPE_NAMES,
  tokenize,
  UNSUPPORTED_FUNCTIONS,
  type UpdateAction,
} from './expression-syntax.js';

export type { Condition, Operand, UpdateAction } from './expression-syntax.js';

/**
 * Parses one request's DynamoDB expressions, the subset lock tables use. Conditions:
 * attribute_exists(p), attribute_not_exists(p), operand <cmp> operand (= <> < <= > >=), AND, OR,
 * NOT, parentheses. Updates: SET p = operand, SET p = operand (+|-) operand,
 * SET p = if_not_exists(p, operand), REMOVE p, ADD p :n. Paths are top-level attributes; anything
 * else is a SimulatorGapError that names it. Like DynamoDB it resolves #names and :values,
 * rejects unused ones, and rejects reserved words used as bare attribute names.
 */
export class ExpressionContext {
  readonly #usedNames = new Set<string>();
  readonly #usedValues = new Set<string>();
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  #tokens: Token[] = [];
  #pos = 0;
  #label: Label = 'ConditionExpression';

  constructor(names: Record<string, string> | undefined, values: Record<string, unknown> | undefined) {
    if (names && Object.keys(names).length === 0)
      throw validation('ExpressionAttributeNames must not be empty');
    if (values && Object.keys(values).length === 0)
      throw validation('ExpressionAttributeValues must not be empty');
    this.names = names ?? {};
    this.values = (values ?? {}) as Record<string, AttributeValue>;
    for (const value of Object.values(this.values)) checkValue(value);
  }

  condition(text: string): Condition {
    this.#start(text, 'ConditionExpression');
    const condition = this.#or();
    this.#end();
    return condition;
  }

  update(text: string): UpdateAction[] {
    this.#start(text, 'UpdateExpression');
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.#peek()) {
      const keyword = this.#next().text.toUpperCase();
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(keyword)) this.#syntax(this.#tokens[this.#pos - 1]);
      if (seen.has(keyword))
        throw validation(
          `Invalid UpdateExpression: The "${keyword}" section can only be used once in an update expression;`,
        );
      seen.add(keyword);
      if (keyword === 'DELETE')
        throw new SimulatorGapError('SimulatedCloud does not implement DynamoDB UpdateExpression DELETE');
      do {
        const name = this.#path();
        if (keyword === 'REMOVE') actions.push({ action: 'REMOVE', name });
        else if (keyword === 'ADD') actions.push({ action: 'ADD', name, value: this.#addValue() });
        else {
          this.#expect('=');
          const value = this.#setOperand();
          const sign = this.#accept('+') ? 1 : this.#accept('-') ? -1 : undefined;
          actions.push({
            action: 'SET',
            name,
            value,
            ...(sign ? { plus: { sign, right: this.#setOperand() } } : {}),
          });
        }
      } while (this.#accept(','));
    }
    const names = actions.map((a) => a.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined)
      throw validation(
        `Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${twice}], path two: [${twice}]`,
      );
    return actions;
  }

  projection(text: string): string[] {
    this.#start(text, 'ProjectionExpression');
    const names = [this.#path()];
    while (this.#accept(',')) names.push(this.#path());
    this.#end();
    return names;
  }

  /** Called once every expression of the request is parsed. */
  checkAllUsed(): void {
    const unusedValues = Object.keys(this.values).filter((k) => !this.#usedValues.has(k));
    if (unusedValues.length > 0)
      throw validation(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    const unusedNames = Object.keys(this.names).filter((k) => !this.#usedNames.has(k));
    if (unusedNames.length > 0)
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
  }

  #or(): Condition {
    let left = this.#and();
    while (this.#acceptWord('OR')) left = { op: 'or', left, right: this.#and() };
    return left;
  }

  #and(): Condition {
    let left = this.#not();
    while (this.#acceptWord('AND')) left = { op: 'and', left, right: this.#not() };
    return left;
  }

  #not(): Condition {
    return this.#acceptWord('NOT') ? { op: 'not', inner: this.#not() } : this.#primary();
  }

  #primary(): Condition {
    if (this.#accept('(')) {
      const inner = this.#or();
      this.#expect(')');
      return inner;
    }
    const fn = this.#function();
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      const name = this.#path();
      this.#expect(')');
      return { op: fn === 'attribute_exists' ? 'exists' : 'not_exists', name };
    }
    if (fn) this.#gapFunction(fn);
    const left = this.#operand();
    const word = this.#peek()?.kind === 'word' ? this.#peek()?.text.toUpperCase() : undefined;
    if (word === 'BETWEEN' || word === 'IN')
      throw new SimulatorGapError(`SimulatedCloud does not implement DynamoDB ConditionExpression ${word}`);
    const token = this.#next();
    if (token?.kind !== 'punct' || !COMPARATORS.includes(token.text)) this.#syntax(token);
    const comparator = token.text as Comparator;
    const right = this.#operand();
    for (const side of [left, right]) {
      if (comparator !== '=' && comparator !== '<>' && side.kind === 'value' && !isOrderable(side.value)) {
        throw validation(
          `Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: ${comparator}, operand type: ${TYPE_NAMES[typeOf(side.value)]}`,
        );
      }
    }
    return { op: 'compare', comparator, left, right };
  }

  #setOperand(): Operand {
    const fn = this.#function();
    if (fn === 'if_not_exists') {
      const name = this.#path();
      this.#expect(',');
      const fallback = this.#operand();
      this.#expect(')');
      return { kind: 'if_not_exists', name, fallback };
    }
    if (fn) this.#gapFunction(fn);
    return this.#operand();
  }

  #addValue(): AttributeValue {
    const operand = this.#operand();
    if (operand.kind !== 'value') this.#syntax(this.#tokens[this.#pos - 1]);
    const type = typeOf(operand.value);
    if (!['N', 'SS', 'NS', 'BS'].includes(type))
      throw validation(
        `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${TYPE_NAMES[type]}`,
      );
    return operand.value;
  }

  #operand(): Operand {
    const token = this.#peek();
    if (token?.kind !== 'value') return { kind: 'path', name: this.#path() };
    this.#next();
    const value = this.values[token.text];
    if (value === undefined)
      throw validation(
        `Invalid ${this.#label}: An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
      );
    this.#usedValues.add(token.text);
    return { kind: 'value', value };
  }

  #path(): string {
    const token = this.#next();
    let name: string;
    if (token?.kind === 'alias') {
      const resolved = this.names[token.text];
      if (resolved === undefined)
        throw validation(
          `Invalid ${this.#label}: An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
        );
      this.#usedNames.add(token.text);
      name = resolved;
    } else if (token?.kind === 'word') {
      if (isReserved(token.text))
        throw validation(
          `Invalid ${this.#label}: Attribute name is a reserved keyword; reserved keyword: ${token.text}`,
        );
      name = token.text;
    } else return this.#syntax(token);
    const after = this.#peek();
    if (after?.kind === 'punct' && (after.text === '.' || after.text === '['))
      throw new SimulatorGapError(
        `SimulatedCloud does not implement nested DynamoDB document paths (${name}${after.text}...) in ${this.#label}`,
      );
    return name;
  }

  /** A function name followed by '(' (consumed); undefined when the next tokens are not a call. */
  #function(): string | undefined {
    const [token, paren] = [this.#tokens[this.#pos], this.#tokens[this.#pos + 1]];
    if (token?.kind !== 'word' || paren?.text !== '(') return undefined;
    this.#pos += 2;
    const known = ['attribute_exists', 'attribute_not_exists', 'if_not_exists', ...UNSUPPORTED_FUNCTIONS];
    // Function names are case-sensitive in DynamoDB.
    if (!known.includes(token.text))
      throw validation(`Invalid ${this.#label}: Invalid function name; function: ${token.text}`);
    return token.text;
  }

  #gapFunction(fn: string): never {
    throw new SimulatorGapError(
      `SimulatedCloud does not implement the DynamoDB function ${fn}() in ${this.#label}`,
    );
  }

  #start(text: string, label: Label): void {
    this.#label = label;
    this.#tokens = tokenize(text, label);
    this.#pos = 0;
    if (this.#tokens.length === 0) throw validation(`Invalid ${label}: The expression can not be empty;`);
  }

  #end(): void {
    if (this.#peek()) this.#syntax(this.#peek());
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  #next(): Token {
    const token = this.#tokens[this.#pos++];
    if (!token)
      throw validation(`Invalid ${this.#label}: Syntax error; token: <EOF>, near: end of expression`);
    return token;
  }

  #accept(punct: string): boolean {
    const token = this.#peek();
    if (token?.kind !== 'punct' || token.text !== punct) return false;
    this.#pos++;
    return true;
  }

  #acceptWord(word: string): boolean {
    const token = this.#peek();
    if (token?.kind !== 'word' || token.text.toUpperCase() !== word) return false;
    this.#pos++;
    return true;
  }

  #expect(punct: string): void {
    if (!this.#accept(punct)) this.#syntax(this.#peek());
  }

  #syntax(token: Token | undefined): never {
    const near = this.#tokens
      .slice(Math.max(0, this.#pos - 2), this.#pos + 1)
      .map((t) => t.text)
      .join(' ');
    throw validation(
      `Invalid ${this.#label}: Syntax error; token: "${token?.text ?? '<EOF>'}", near: "${near}"`,
    );
  }
}
