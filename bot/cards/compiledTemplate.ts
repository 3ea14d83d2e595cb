import { GlobalSettings, Template } from 'adaptivecards-templating';

/**
 * A faster expansion of Adaptive Card templates for the subset of the template language the cards use,
 * with adaptivecards-templating's semantics (its `Template.expand`, version 2.3.1, over
 * adaptive-expressions 4.23), step for step:
 * - `${...}` strings are parsed by the library itself (`Template.parseInterpolatedString`); a string that
 *   is one expression keeps the expression's type, others concatenate (`toString` of each part);
 * - memory paths (`a.b.c`, `$root.a`, `$data.a`, `$index`) look properties up the way adaptive-expressions
 *   does: case-insensitively, the first key in `Object.keys` order, array indexes for numeric parts;
 *   an undefined value becomes `${path}` (or GlobalSettings' substitute) except inside `$when` and operators;
 * - `!`, `&&`, `||`, and `==` / `!=` against a string, number or boolean literal;
 * - `$data` (an expression; arrays repeat the object, with `$index`), `$when` (true only for the boolean
 *   true), reserved fields dropped, undefined values dropped from objects, null items dropped from arrays
 *   and arrays spliced into arrays.
 * Whatever else (functions, `[...]` element access, other operators, literal `$data`) makes
 * `compileTemplate` answer undefined, and the caller uses the library. test/cards/compiledTemplate.test.ts
 * compares both on every card × locale and on generated data.
 *
 * What is faster: each path is split once, at compile time, not on every lookup; no memory object, options
 * or regular expressions per evaluation; and objects that cannot change (frozen, like the renderer's string
 * tables) get their case-insensitive key index built once.
 */
export type CompiledTemplate = (root: unknown) => unknown;

/** The adaptive-expressions tree, as far as it is read here (what `Template.parseInterpolatedString` returns). */
interface ExpressionNode {
  type: string;
  children: ExpressionNode[];
  value?: unknown;
}

interface Scope {
  root: unknown;
  data: unknown;
  index: number | undefined;
}
type Evaluate = (scope: Scope) => unknown;

/** The template uses something outside the compiled subset. */
class Unsupported extends Error {}

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** The compiled template, or undefined when it uses anything outside the subset (then use the library). */
export function compileTemplate(payload: unknown): CompiledTemplate | undefined {
  let run: Evaluate;
  try {
    run = compileNode(payload);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  // The library's context: `$data` is `$root` until a `$data` binds another value.
  return (root) => run({ root, data: root, index: undefined });
}

function compileNode(node: unknown): Evaluate {
  if (typeof node === 'string') {
    const parsed = Template.parseInterpolatedString(node) as unknown as ExpressionNode | string;
    if (typeof parsed === 'string') return () => parsed;
    return compileBinding(parsed);
  }
  if (Array.isArray(node)) return compileArray(node.map(compileNode));
  if (typeof node === 'object' && node !== null) return compileObject(node as Record<string, unknown>);
  return () => node;
}

/** Items that expand to null are left out; items that expand to arrays are spliced in. */
function compileArray(items: Evaluate[]): Evaluate {
  return (scope) => {
    let result: unknown[] = [];
    for (const item of items) {
      const value = item(scope);
      if (value !== null) {
        if (Array.isArray(value)) result = result.concat(value);
        else result.push(value);
      }
    }
    return result;
  };
}

function compileObject(node: Record<string, unknown>): Evaluate {
  // The library's copy assigns it, which sets the prototype instead of a field.
  if (Object.keys(node).includes('__proto__')) throw new Unsupported('__proto__');
  const fields: [string, Evaluate][] = Object.keys(node)
    .filter((key) => !RESERVED.has(key))
    .map((key) => [key, compileNode(node[key])]);
  const data = dataOf(node.$data);
  const when = whenOf(node.$when);
  return (scope) => {
    let contexts: unknown[] = NO_DATA;
    let repeated = false;
    if (data) {
      const value = data(scope);
      repeated = Array.isArray(value);
      contexts = repeated ? (value as unknown[]) : [value];
    }
    const result: Record<string, unknown>[] = [];
    let current = scope.data;
    let index = scope.index;
    for (let i = 0; i < contexts.length; i++) {
      if (repeated) index = i;
      // An undefined item keeps the $data of the item before it, as in the library.
      if (contexts[i] !== undefined) current = contexts[i];
      if (when === DROP) continue;
      const inner: Scope = { root: scope.root, data: current, index };
      if (when && when(inner) !== true) continue;
      const object: Record<string, unknown> = {};
      for (const [key, field] of fields) {
        const value = field(inner);
        if (value !== undefined) object[key] = value;
      }
      result.push(object);
    }
    return result.length === 0 ? null : result.length === 1 ? result[0] : result;
  };
}

const NO_DATA: unknown[] = [undefined];
const DROP = Symbol('drop');

/** `$data`: an expression (substitutions allowed) or a literal; literal objects and arrays are left to the library. */
function dataOf(raw: unknown): Evaluate | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return compileNode(raw);
  if (typeof raw === 'object' && raw !== null) throw new Unsupported('literal $data');
  return () => raw;
}

/** `$when`: an expression without substitutions; anything else truthy drops the object, falsy keeps it. */
function whenOf(raw: unknown): Evaluate | typeof DROP | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    const parsed = Template.parseInterpolatedString(raw) as unknown as ExpressionNode | string;
    if (typeof parsed !== 'string') return compileExpression(parsed, false);
  }
  return raw ? DROP : undefined;
}

/** A `${...}` string as the library evaluates it for a value: its own concatenation, or one expression. */
function compileBinding(expression: ExpressionNode): Evaluate {
  if (expression.type !== 'concat') return compileExpression(expression, true);
  const parts = expression.children.map((child) => compileExpression(child, true));
  return (scope) => {
    let text = '';
    for (const part of parts) text += (part(scope) as { toString(): string }).toString();
    return text;
  };
}

function compileExpression(expression: ExpressionNode, substitute: boolean): Evaluate {
  const children = expression.children;
  switch (expression.type) {
    case 'Constant': {
      const value = expression.value;
      if (!isLiteral(value)) throw new Unsupported('constant');
      return () => value;
    }
    case 'Accessor':
      return compilePath(expression, substitute);
    case '!': {
      if (children.length !== 1) throw new Unsupported('!');
      const operand = compileExpression(children[0]!, false);
      return (scope) => !isLogicTrue(operand(scope));
    }
    case '&&': {
      if (children.length === 0) throw new Unsupported('&&');
      const operands = children.map((child) => compileExpression(child, false));
      return (scope) => {
        for (const operand of operands) if (!isLogicTrue(operand(scope))) return false;
        return true;
      };
    }
    case '||': {
      if (children.length === 0) throw new Unsupported('||');
      const operands = children.map((child) => compileExpression(child, false));
      return (scope) => {
        // As adaptive-expressions: true at the first true operand, else the last operand's own value.
        let value: unknown = false;
        for (const operand of operands) {
          value = operand(scope);
          if (isLogicTrue(value)) return true;
        }
        return value;
      };
    }
    case '==':
    case '!=': {
      if (children.length !== 2 || !children.some((child) => child.type === 'Constant' && isLiteral(child.value))) throw new Unsupported('comparison');
      const [left, right] = children.map((child) => compileExpression(child, false)) as [Evaluate, Evaluate];
      return expression.type === '=='
        ? (scope) => equalsLiteral(left(scope), right(scope))
        : (scope) => !equalsLiteral(left(scope), right(scope));
    }
    default:
      throw new Unsupported(expression.type);
  }
}

interface PathStep {
  part: string;
  lower: string;
  index: number;
}

/**
 * A memory path, split the way adaptive-expressions splits it (FunctionUtils.tryAccumulatePath, then
 * TemplateObjectMemory and SimpleObjectMemory.getValue), but once.
 */
function compilePath(expression: ExpressionNode, substitute: boolean): Evaluate {
  let path = '';
  let left: ExpressionNode | undefined = expression;
  while (left !== undefined) {
    const name = left.children[0];
    if (left.type !== 'Accessor' || left.children.length > 2 || name?.type !== 'Constant' || typeof name.value !== 'string') throw new Unsupported('path');
    path = `${name.value}.${path}`;
    left = left.children[1];
  }
  path = path.replace(/(\.*$)/g, '').replace(/(\.\[)/g, '[');
  if (path === '') throw new Unsupported('empty path');
  const parts = (path[0] !== '$' ? `$data.${path}` : path)
    .split(/[.[\]]+/)
    .filter((u) => u !== '')
    .map((u) => ((u.startsWith('"') && u.endsWith('"')) || (u.startsWith("'") && u.endsWith("'")) ? u.slice(1, -1) : u));
  const head = parts[0]?.toLowerCase();
  if (head !== '$data' && head !== '$root' && head !== '$index') throw new Unsupported(`path ${path}`);
  const steps: PathStep[] = parts.slice(1).map((part) => ({ part, lower: part.toLowerCase(), index: parseInt(part) }));
  const placeholder = `\${${path}}`;
  return (scope) => {
    let value: unknown = head === '$data' ? scope.data : head === '$root' ? scope.root : scope.index;
    for (const step of steps) {
      if (!Number.isNaN(step.index) && Array.isArray(value)) {
        // Out of range ends the lookup with undefined.
        if (step.index >= 0 && step.index < value.length) value = value[step.index] as unknown;
        else {
          value = undefined;
          break;
        }
      } else value = property(value, step);
    }
    if (value !== undefined || !substitute) return value;
    return GlobalSettings.getUndefinedFieldValueSubstitutionString?.(path) || placeholder;
  };
}

/** InternalFunctionUtils.accessProperty: the first key in `Object.keys` order equal to the name ignoring case. */
function property(instance: unknown, step: PathStep): unknown {
  if (!instance) return undefined;
  if (instance instanceof Map) {
    const map = instance as Map<unknown, unknown>;
    let value = map.get(step.part);
    if (value === undefined) {
      const key = Array.from(map.keys()).find((k) => (k as string).toLowerCase() === step.lower);
      if (key !== undefined) value = map.get(key);
    }
    return value;
  }
  const object = instance as Record<string, unknown>;
  if (typeof instance === 'object' && Object.isFrozen(instance)) {
    const key = frozenIndex(object).get(step.lower);
    return key === undefined ? undefined : object[key];
  }
  for (const key of Object.keys(object)) {
    if (key === step.part || key.toLowerCase() === step.lower) return object[key];
  }
  return undefined;
}

/** Lower-cased key → first key, for objects whose keys cannot change. */
const frozenIndexes = new WeakMap<object, Map<string, string>>();
function frozenIndex(object: Record<string, unknown>): Map<string, string> {
  let index = frozenIndexes.get(object);
  if (!index) {
    index = new Map();
    for (const key of Object.keys(object)) {
      const lower = key.toLowerCase();
      if (!index.has(lower)) index.set(lower, key);
    }
    frozenIndexes.set(object, index);
  }
  return index;
}

function isLiteral(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** InternalFunctionUtils.isLogicTrue. */
function isLogicTrue(value: unknown): boolean {
  return typeof value === 'boolean' ? value : value != null;
}

/** FunctionUtils.commonEquals when one side is a string, number or boolean (arrays and objects then never compare equal). */
function equalsLiteral(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b) && Math.abs(a - b) < Number.EPSILON) return true;
  return a === b;
}
