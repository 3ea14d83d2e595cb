/**
 * Just enough Bicep reading for tests, since no Bicep compiler runs here: declarations,
 * object entries and identifier uses. Not a parser: it relies on the plain one-entry-per-line
 * layout infra/*.bicep uses.
 */

/** `param name type [= default]`, with the decorator text above it. */
export interface BicepParam {
  name: string;
  type: string;
  /** The default's source text, if any. */
  defaultExpr: string | undefined;
  decorators: string;
}

/** One `key: value` entry of an object; `value` is the source text on the key's line. */
export interface BicepEntry {
  key: string;
  value: string;
}

export interface BicepModule {
  symbol: string;
  path: string;
  params: BicepEntry[];
}

export interface BicepResource {
  symbol: string;
  type: string;
  entries: BicepEntry[];
}

/**
 * The source with comments and the contents of string literals blanked out (interpolations kept),
 * same length and same line breaks, so positions in it are positions in the source.
 */
export function codeOnly(source: string): string {
  const out = source.split('');
  const blank = (i: number) => {
    if (out[i] !== '\n') out[i] = ' ';
  };
  // A stack of contexts: 'code' (with its brace depth) inside interpolations, 'string' otherwise.
  const stack: { kind: 'code' | 'string'; depth: number }[] = [{ kind: 'code', depth: 0 }];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const top = stack[stack.length - 1]!;
    if (top.kind === 'string') {
      if (ch === '\\') {
        blank(i);
        blank(i + 1);
        i++;
      } else if (ch === '$' && source[i + 1] === '{') {
        stack.push({ kind: 'code', depth: 0 });
        i++;
      } else if (ch === "'") {
        stack.pop();
      } else {
        blank(i);
      }
      continue;
    }
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') blank(i++);
      i--;
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) blank(i);
      i--;
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      const stop = end === -1 ? source.length : end + 3;
      for (let j = i + 3; j < stop - 3; j++) blank(j);
      i = stop - 1;
    } else if (ch === "'") {
      stack.push({ kind: 'string', depth: 0 });
    } else if (ch === '{') {
      top.depth++;
    } else if (ch === '}') {
      if (top.depth === 0 && stack.length > 1) stack.pop();
      else top.depth--;
    }
  }
  return out.join('');
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** Index just past the bracket matching the one at `open` (in code-only text). */
export function matchBracket(code: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < code.length; i++) {
    const ch = code[i]!;
    if (OPEN[ch]) stack.push(OPEN[ch]!);
    else if (ch === '}' || ch === ']' || ch === ')') {
      if (stack.pop() !== ch) throw new Error(`unbalanced "${ch}" at offset ${i}`);
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`no bracket matches the one at offset ${open}`);
}

/** The `key: value` entries directly inside the object or array spanning [start, end). */
export function entriesIn(source: string, code: string, start: number, end: number): BicepEntry[] {
  const entries: BicepEntry[] = [];
  let depth = 0;
  let offset = start + 1;
  for (const codeLine of code.slice(start + 1, end - 1).split('\n')) {
    const sourceLine = source.slice(offset, offset + codeLine.length);
    offset += codeLine.length + 1;
    if (depth === 0 && codeLine.trim() !== '') {
      // Trailing comments are blank in the code line: cut the value where the code ends.
      const match = /^(\s*)([A-Za-z_][A-Za-z0-9_]*|'[^']*')\s*:\s*/.exec(sourceLine.slice(0, codeLine.trimEnd().length));
      if (match) {
        entries.push({
          key: match[2]!.replace(/^'|'$/g, ''),
          value: sourceLine.slice(match[0].length, codeLine.trimEnd().length).trim(),
        });
      }
    }
    for (const ch of codeLine) {
      if (OPEN[ch]) depth++;
      else if (ch === '}' || ch === ']' || ch === ')') depth--;
    }
  }
  return entries;
}

/** The objects (`{ … }`) directly inside the array spanning [start, end), as entry lists. */
export function objectsInArray(source: string, code: string, start: number, end: number): BicepEntry[][] {
  const objects: BicepEntry[][] = [];
  for (let i = start + 1; i < end - 1; i++) {
    if (code[i] === '{') {
      const close = matchBracket(code, i);
      objects.push(entriesIn(source, code, i, close));
      i = close - 1;
    } else if (code[i] === '[' || code[i] === '(') {
      i = matchBracket(code, i) - 1;
    }
  }
  return objects;
}

/** A parsed .bicep file. */
export class BicepFile {
  readonly code: string;

  constructor(readonly source: string) {
    this.code = codeOnly(source);
  }

  /** Every `param` declaration, in order. */
  params(): BicepParam[] {
    const result: BicepParam[] = [];
    const declaration = /^(param|var|resource|module|output|targetScope|type|func|import|metadata)\b/gm;
    let previousEnd = 0;
    for (const match of this.code.matchAll(declaration)) {
      const lineEnd = this.source.indexOf('\n', match.index);
      const line = this.source.slice(match.index, lineEnd === -1 ? undefined : lineEnd);
      if (match[1] === 'param') {
        const parts = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(line.trim());
        if (!parts) throw new Error(`cannot read the declaration "${line}"`);
        result.push({
          name: parts[1]!,
          type: parts[2]!,
          defaultExpr: parts[3]?.trim(),
          decorators: this.code.slice(previousEnd, match.index),
        });
      }
      previousEnd = lineEnd === -1 ? this.code.length : lineEnd;
    }
    return result;
  }

  /** `var name = expr` (single line) → expr. */
  vars(): Map<string, string> {
    const result = new Map<string, string>();
    for (const match of this.code.matchAll(/^var\s+(\w+)\s*=/gm)) {
      const lineEnd = this.source.indexOf('\n', match.index);
      const expr = this.source.slice(match.index + match[0].length, lineEnd === -1 ? undefined : lineEnd).trim();
      result.set(match[1]!, expr);
    }
    return result;
  }

  /** How often `identifier` is used as a value: property keys, declarations and strings do not count. */
  uses(identifier: string): number {
    const pattern = new RegExp(`(?<![\\w.$@])${identifier}(?![\\w])`, 'g');
    let count = 0;
    for (const match of this.code.matchAll(pattern)) {
      const before = this.code.slice(this.code.lastIndexOf('\n', match.index) + 1, match.index);
      const after = this.code.slice(match.index + identifier.length);
      const isKey = /^\s*:/.test(after) && /(^|[{,])\s*$/.test(before);
      const isDeclaration = /^\s*(param|var|resource|module|output)\s+$/.test(before);
      if (!isKey && !isDeclaration) count++;
    }
    return count;
  }

  /** The `{ … }` body of the declaration `keyword symbol … = {`. */
  private body(keyword: 'resource' | 'module', symbol: string): [number, number] {
    const match = new RegExp(`^${keyword}\\s+${symbol}\\s.*=\\s*\\{`, 'm').exec(this.code);
    if (!match) throw new Error(`no ${keyword} named ${symbol}`);
    const open = match.index + match[0].length - 1;
    return [open, matchBracket(this.code, open)];
  }

  /** Resources by symbolic name, with their top-level entries. */
  resources(): Map<string, BicepResource> {
    const result = new Map<string, BicepResource>();
    for (const match of this.code.matchAll(/^resource\s+(\w+)\s/gm)) {
      const symbol = match[1]!;
      const lineEnd = this.source.indexOf('\n', match.index);
      const type = /'([^']+)'/.exec(this.source.slice(match.index, lineEnd))?.[1] ?? '';
      const [start, end] = this.body('resource', symbol);
      result.set(symbol, { symbol, type, entries: entriesIn(this.source, this.code, start, end) });
    }
    return result;
  }

  /** Modules with the file they use and the params they pass. */
  modules(): BicepModule[] {
    return [...this.code.matchAll(/^module\s+(\w+)\s/gm)].map((match) => {
      const symbol = match[1]!;
      const lineEnd = this.source.indexOf('\n', match.index);
      const path = /'([^']+)'/.exec(this.source.slice(match.index, lineEnd))?.[1] ?? '';
      const [start, end] = this.body('module', symbol);
      const paramsAt = this.code.slice(start, end).search(/\bparams\s*:\s*\{/);
      if (paramsAt === -1) return { symbol, path, params: [] };
      const open = this.code.indexOf('{', start + paramsAt);
      return { symbol, path, params: entriesIn(this.source, this.code, open, matchBracket(this.code, open)) };
    });
  }

  /** The `appSettings: [ … ]` entries as { name, value } pairs, in order. */
  appSettings(): { name: string; value: string }[] {
    const at = this.code.search(/\bappSettings\s*:\s*\[/);
    if (at === -1) return [];
    const open = this.code.indexOf('[', at);
    return objectsInArray(this.source, this.code, open, matchBracket(this.code, open)).map((entries) => {
      const name = entries.find((e) => e.key === 'name')?.value ?? '';
      const value = entries.find((e) => e.key === 'value')?.value ?? '';
      const literal = /^'([^']*)'$/.exec(name);
      if (!literal) throw new Error(`app setting name must be a plain string literal, got ${name}`);
      return { name: literal[1]!, value };
    });
  }
}

/** The value of a plain single-quoted string literal without interpolation, else undefined. */
export function stringLiteral(expr: string | undefined): string | undefined {
  if (expr === undefined) return undefined;
  const match = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(expr.trim());
  return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
}
