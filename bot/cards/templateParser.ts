/**
 * A parser for the part of the Adaptive Card template language that bot/cards/compiledTemplate.ts compiles,
 * so the renderer needs neither adaptivecards-templating nor adaptive-expressions (and its ANTLR parser,
 * about 400 modules) when every card keeps to it. It gives the trees `Template.parseInterpolatedString`
 * gives (adaptivecards-templating 2.3.1 over adaptive-expressions 4.23: ExpressionAntlrLexer.g4,
 * ExpressionAntlrParser.g4, expressionParser.ts), for:
 * - `${...}` in a string, text around it kept as it is: a string that is one non-constant `${...}` is that
 *   expression; any other string with `${` is a `concat` of `''`, its texts and its expressions;
 * - identifiers (`$root`, `$index`, `name`), `.name` member access, `true` / `false` / `null` / `undefined`;
 * - 'single' and "double" quoted strings and unsigned numbers;
 * - `if(condition, then, else)`, the only function;
 * - `!`, `==`, `!=`, `&&`, `||` with the grammar's precedence (`!` over `==` / `!=` over `&&` over `||`,
 *   left-associative) and parentheses.
 * Anything else (functions, `[...]`, other operators, backslashes or backticks, `${` that does not close
 * on the same line) throws Unsupported, and the caller uses the library, which parses everything.
 * test/cards/compiledTemplate.test.ts checks the trees against the library's.
 */

/** The adaptive-expressions tree, as far as the compiler reads it. */
export interface ExpressionNode {
  type: string;
  children: ExpressionNode[];
  value?: unknown;
}

/** The template uses something outside the parsed and compiled subset. */
export class Unsupported extends Error {}

const constant = (value: unknown): ExpressionNode => ({ type: 'Constant', children: [], value });

/** Like `Template.parseInterpolatedString`: the string itself when it has no `${`, else its expression tree. */
export function parseInterpolatedString(text: string): ExpressionNode | string {
  if (!text.includes('${')) return text;
  // The library wraps the string in backticks and lexes it: these would end or escape that.
  if (/[`\\]/.test(text)) throw new Unsupported('backtick or backslash');
  const children: ExpressionNode[] = [constant('')];
  let position = 0;
  while (position < text.length) {
    const start = text.indexOf('${', position);
    if (start < 0) {
      children.push(constant(text.slice(position)));
      break;
    }
    if (start > position) children.push(constant(text.slice(position, start)));
    const end = templateEnd(text, start + 2);
    children.push(parseExpression(trimExpression(text.slice(start, end + 1))));
    position = end + 1;
  }
  if (children.length === 2 && children[1]!.type !== 'Constant') return children[1]!;
  return { type: 'concat', children };
}

/** The index of the `}` that closes a TEMPLATE token (quoted strings may hold `}`); no `{`, newline or empty body. */
function templateEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '}') {
      if (i === from) break;
      return i;
    }
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) break;
      i = close + 1;
      continue;
    }
    if (c === '{' || c === '\r' || c === '\n') break;
    i++;
  }
  throw new Unsupported('unclosed ${');
}

/** expressionParser.ts trimExpression: `${ body }` → `body`. */
function trimExpression(template: string): string {
  let result = template.trim();
  if (result.startsWith('$')) result = result.slice(1);
  result = result.trim();
  if (result.startsWith('{') && result.endsWith('}')) result = result.slice(1, -1);
  return result.trim();
}

type Token = { kind: 'op'; text: string } | { kind: 'id'; text: string } | { kind: 'string'; value: string } | { kind: 'number'; value: number };

const WHITESPACE = new Set([' ', '\t', '\ufeff', '\u00a0']);
const OPERATORS = ['==', '!=', '&&', '||', '!', '(', ')', '.', ','];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    let match: RegExpMatchArray | null;
    if ((match = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(rest))) {
      tokens.push({ kind: 'id', text: match[0] });
      i += match[0].length;
    } else if ((match = /^[0-9]+(\.[0-9]+)?/.exec(rest))) {
      tokens.push({ kind: 'number', value: parseFloat(match[0]) });
      i += match[0].length;
    } else if ((match = /^'[^']*'|^"[^"]*"/.exec(rest))) {
      tokens.push({ kind: 'string', value: match[0].slice(1, -1) });
      i += match[0].length;
    } else {
      // Longest operator first: `!=` before `!`; `<>`, `=`, `&`, `|`... are not in the subset.
      const operator = OPERATORS.find((op) => rest.startsWith(op) && !(op === '!' && rest.startsWith('!=')));
      if (!operator) throw new Unsupported(`token at ${rest}`);
      tokens.push({ kind: 'op', text: operator });
      i += operator.length;
    }
  }
  return tokens;
}

/** expressionParser.ts visitIdAtom: these identifiers are constants. */
const KEYWORDS: Record<string, unknown> = { true: true, false: false, null: null, undefined };

/** Binary operators, lowest precedence first (ExpressionAntlrParser.g4 orders `==` / `!=` above `&&` above `||`). */
const LEVELS: string[][] = [['||'], ['&&'], ['==', '!=']];

function parseExpression(source: string): ExpressionNode {
  const tokens = tokenize(source);
  let next = 0;
  const peekOp = (): string | undefined => {
    const token = tokens[next];
    return token?.kind === 'op' ? token.text : undefined;
  };
  const binary = (level: number): ExpressionNode => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    for (let op = peekOp(); op !== undefined && LEVELS[level]!.includes(op); op = peekOp()) {
      next++;
      left = { type: op, children: [left, binary(level + 1)] };
    }
    return left;
  };
  const unary = (): ExpressionNode => {
    if (peekOp() === '!') {
      next++;
      return { type: '!', children: [unary()] };
    }
    return primary();
  };
  const primary = (): ExpressionNode => {
    const token = tokens[next++];
    let node: ExpressionNode;
    if (token === undefined) throw new Unsupported('empty expression');
    if (token.kind === 'op' && token.text === '(') {
      node = binary(0);
      if (peekOp() !== ')') throw new Unsupported('unclosed (');
      next++;
    } else if (token.kind === 'id') {
      node = Object.hasOwn(KEYWORDS, token.text) ? constant(KEYWORDS[token.text]) : { type: 'Accessor', children: [constant(token.text)] };
    } else if (token.kind === 'string' || token.kind === 'number') node = constant(token.value);
    else throw new Unsupported(`operator ${token.text}`);
    // Member access, and `if(condition, then, else)`; other calls, `!(` or index `[` are not in the subset.
    for (;;) {
      const op = peekOp();
      if (op === '(' && token.kind === 'id' && token.text === 'if' && node.type === 'Accessor' && node.children.length === 1) {
        next++;
        const args = [binary(0)];
        while (peekOp() === ',') {
          next++;
          args.push(binary(0));
        }
        if (peekOp() !== ')' || args.length !== 3) throw new Unsupported('if');
        next++;
        node = { type: 'if', children: args };
      } else if (op === '.') {
        const name = tokens[next + 1];
        if (name?.kind !== 'id') throw new Unsupported('member');
        node = { type: 'Accessor', children: [constant(name.text), node] };
        next += 2;
      } else if (op === '(' || op === '!') throw new Unsupported('call');
      else return node;
    }
  };
  const tree = binary(0);
  if (next !== tokens.length) throw new Unsupported(`trailing tokens in ${source}`);
  return tree;
}
