/**
 * STIX 2 patterning, the part indicator feeds use: `[key = 'value']`, several comparisons joined by `OR`
 * (inside one observation or between observations), and `key IN ('a', 'b')`. Each equality becomes one
 * indicator. Everything else the grammar allows (AND, other operators, NOT, FOLLOWEDBY, qualifiers,
 * non-string literals) is parsed so it can be skipped with a precise reason, never guessed at.
 *
 * A real tokenizer, unlike MVT's split on `=` (reference-spec §5.3, §15 item 12): values may contain `=`,
 * `]` or quotes (`\'`, `\\` escapes), and a malformed pattern is one skipped indicator, not a failed load.
 */

export interface Comparison {
  /** Normalised object path: lower case, hash and certificate algorithms as `sha256`, `sha1`, `md5`. */
  readonly key: string;
  readonly value: string;
}

export interface SkippedPart {
  /** The pattern, or the part of it that was skipped. */
  readonly pattern: string;
  readonly reason: string;
}

export interface ParsedPattern {
  readonly comparisons: Comparison[];
  readonly skipped: SkippedPart[];
}

/** The shape of nearly every real pattern, `[key = 'value']` without escapes: no need for the full parser. */
const PROP = String.raw`(?:[A-Za-z0-9_-]+|'[^'\\]*')`;
const SIMPLE = new RegExp(String.raw`^\[\s*([A-Za-z0-9_-]+:${PROP}(?:\.${PROP})*)\s*=\s*'([^'\\]*)'\s*\]$`);

/** `grammarOnly` bypasses the fast path (tests use it to check both agree). */
export function parsePattern(text: string, grammarOnly = false): ParsedPattern {
  const simple = grammarOnly ? null : SIMPLE.exec(text);
  if (simple !== null) return { comparisons: [{ key: normaliseKey(simple[1]!), value: simple[2]! }], skipped: [] };
  let ast: Node;
  try {
    const parser = new Parser(tokenize(text));
    ast = parser.pattern();
  } catch (err) {
    if (err instanceof PatternSyntaxError) return { comparisons: [], skipped: [{ pattern: text, reason: `cannot parse pattern: ${err.message}` }] };
    throw err;
  }
  const result: ParsedPattern = { comparisons: [], skipped: [] };
  collect(ast, text, result);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Turning the tree into indicators

/** A disjunction contributes each supported branch; anything else is all-or-nothing, and we take nothing. */
function collect(node: Node, text: string, out: ParsedPattern): void {
  if (node.type === 'or') {
    for (const item of node.items) collect(item, text, out);
    return;
  }
  const reason = unsupported(node);
  if (reason !== null) {
    out.skipped.push({ pattern: text.slice(node.start, node.end), reason });
    return;
  }
  if (node.type === 'comparison') {
    for (const value of node.values) out.comparisons.push({ key: node.key, value: (value as StringLiteral).text });
  }
}

function unsupported(node: Node): string | null {
  switch (node.type) {
    case 'or':
      return null;
    case 'and':
      return 'AND is not supported (every part must hold at once; Tracehound matches single values)';
    case 'followedby':
      return 'FOLLOWEDBY is not supported (it describes a sequence of observations)';
    case 'qualified':
      return `the ${node.qualifier} qualifier is not supported`;
    case 'comparison':
      if (node.negated) return 'NOT is not supported (a negated comparison matches almost everything)';
      if (node.op !== '=' && node.op !== 'IN') return `operator ${node.op} is not supported (only = and IN)`;
      for (const v of node.values) if (v.type !== 'string') return `${v.type} values are not supported (only quoted strings)`;
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Syntax tree

type Node =
  | { type: 'or'; items: Node[]; start: number; end: number }
  | { type: 'and'; items: Node[]; start: number; end: number }
  | { type: 'followedby'; items: Node[]; start: number; end: number }
  | { type: 'qualified'; qualifier: string; inner: Node; start: number; end: number }
  | { type: 'comparison'; key: string; op: string; negated: boolean; values: Literal[]; start: number; end: number };

interface StringLiteral {
  type: 'string';
  text: string;
}
type Literal = StringLiteral | { type: 'number' | 'boolean' | 'timestamp' | 'binary' | 'hex'; text: string };

class PatternSyntaxError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'punct'; text: '[' | ']' | '(' | ')' | ','; start: number; end: number }
  | { kind: 'op'; text: string; start: number; end: number }
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'path'; text: string; start: number; end: number }
  | { kind: 'literal'; literal: Literal; start: number; end: number }
  | { kind: 'end'; start: number; end: number };

const WORD = /[A-Za-z0-9_-]/;
const SPACE = /\s/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '[' || c === ']' || c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, start, end: ++i });
    } else if (c === "'") {
      const { text, end } = readString(src, i);
      tokens.push({ kind: 'literal', literal: { type: 'string', text }, start, end });
      i = end;
    } else if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = src.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' ? two : c;
      if (op === '!') throw new PatternSyntaxError(`unexpected "!" at offset ${i}`);
      i += op.length;
      tokens.push({ kind: 'op', text: op, start, end: i });
    } else if ((c === 't' || c === 'h' || c === 'b') && src[i + 1] === "'") {
      const { text, end } = readString(src, i + 1);
      const type = c === 't' ? 'timestamp' : c === 'h' ? 'hex' : 'binary';
      tokens.push({ kind: 'literal', literal: { type, text }, start, end });
      i = end;
    } else if (/[0-9+.-]/.test(c) && numberAt(src, i) !== null && !isPathAhead(src, i)) {
      const text = numberAt(src, i)!;
      i += text.length;
      tokens.push({ kind: 'literal', literal: { type: 'number', text }, start, end: i });
    } else if (WORD.test(c)) {
      let j = i;
      while (j < src.length && WORD.test(src[j]!)) j++;
      if (src[j] === ':') {
        const end = readPath(src, j + 1);
        tokens.push({ kind: 'path', text: normaliseKey(src.slice(i, end)), start, end });
        i = end;
      } else {
        const word = src.slice(i, j);
        const upper = word.toUpperCase();
        tokens.push(
          upper === 'TRUE' || upper === 'FALSE'
            ? { kind: 'literal', literal: { type: 'boolean', text: word }, start, end: j }
            : { kind: 'word', text: upper, start, end: j },
        );
        i = j;
      }
    } else {
      throw new PatternSyntaxError(`unexpected ${JSON.stringify(c)} at offset ${i}`);
    }
  }
  tokens.push({ kind: 'end', start: src.length, end: src.length });
  return tokens;
}

/** A `'…'` literal starting at `quote`; STIX allows exactly two escapes, `\'` and `\\`. */
function readString(src: string, quote: number): { text: string; end: number } {
  let text = '';
  let i = quote + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const next = src[i + 1];
      if (next === "'" || next === '\\') {
        text += next;
        i += 2;
        continue;
      }
      // Not a STIX escape: keep the backslash (Windows paths and regexes in the wild), as written.
      text += c;
      i++;
      continue;
    }
    if (c === "'") return { text, end: i + 1 };
    text += c;
    i++;
  }
  throw new PatternSyntaxError(`unterminated string starting at offset ${quote}`);
}

/** The property part of an object path: `name`, `hashes.'SHA-256'`, `extensions.'x'.y`, `refs[*].value`. */
function readPath(src: string, from: number): number {
  let i = from;
  for (;;) {
    if (src[i] === "'") i = readString(src, i).end;
    else {
      const j = i;
      while (i < src.length && WORD.test(src[i]!)) i++;
      if (i === j) throw new PatternSyntaxError(`incomplete object path at offset ${from}`);
    }
    while (src[i] === '[') {
      const close = src.indexOf(']', i);
      if (close < 0 || !/^\[(\*|\d+)\]$/.test(src.slice(i, close + 1))) throw new PatternSyntaxError(`bad list index at offset ${i}`);
      i = close + 1;
    }
    if (src[i] !== '.') return i;
    i++;
  }
}

/** Sticky, so reading a number costs its own length, not the rest of the pattern (no slicing). */
const NUMBER = /[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/y;

function numberAt(src: string, i: number): string | null {
  NUMBER.lastIndex = i;
  return NUMBER.exec(src)?.[0] ?? null;
}

function isPathAhead(src: string, i: number): boolean {
  return /^[A-Za-z0-9_-]+:/.test(src.slice(i, i + 64));
}

/** `file:hashes.'SHA-256'`, `file:hashes.SHA256` and `file:hashes.sha256` are one key (MVT folds them too). */
function normaliseKey(path: string): string {
  const colon = path.indexOf(':');
  const type = path.slice(0, colon).toLowerCase();
  const props = splitPath(path.slice(colon + 1));
  const folded = props.map((p, idx) => {
    const prev = props[idx - 1]?.toLowerCase();
    if (prev === 'hashes' || prev === 'cert') return p.replace(/[-_\s]/g, '').toLowerCase();
    return p.toLowerCase();
  });
  return `${type}:${folded.join('.')}`;
}

function splitPath(props: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < props.length) {
    if (props[i] === "'") {
      const { text, end } = readString(props, i);
      parts.push(text);
      i = end;
    } else {
      let j = i;
      while (j < props.length && props[j] !== '.' && props[j] !== "'") j++;
      parts.push(props.slice(i, j));
      i = j;
    }
    if (props[i] === '.') i++;
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------------------
// Grammar (STIX 2.1 patterning, §9): observation expressions joined by OR / AND / FOLLOWEDBY, each an
// `[ … ]` of comparisons joined by OR / AND, optionally followed by qualifiers.

/**
 * How deep `(` and `[` may nest. Real patterns nest one or two levels; the parser recurses once a level, so
 * without a bound a pattern of a few thousand `(` overflowed the stack and aborted the whole load.
 */
export const MAX_PATTERN_NESTING = 64;

const COMPARISON_OPS = new Set(['=', '!=', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);
const QUALIFIERS = new Set(['WITHIN', 'REPEATS', 'START']);

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Runs `inner` one nesting level down, refusing to go deeper than MAX_PATTERN_NESTING. */
  private nested<T>(at: number, inner: () => T): T {
    if (++this.depth > MAX_PATTERN_NESTING) throw new PatternSyntaxError(`nested deeper than ${MAX_PATTERN_NESTING} levels at offset ${at}`);
    try {
      return inner();
    } finally {
      this.depth--;
    }
  }

  pattern(): Node {
    const node = this.observationOr();
    const t = this.peek();
    if (t.kind !== 'end') throw new PatternSyntaxError(`unexpected ${describe(t)} at offset ${t.start}`);
    return node;
  }

  private observationOr(): Node {
    return this.joined('OR', 'or', () => this.observationAnd());
  }

  private observationAnd(): Node {
    return this.joined('AND', 'and', () => this.followedBy());
  }

  private followedBy(): Node {
    return this.joined('FOLLOWEDBY', 'followedby', () => this.qualified());
  }

  private qualified(): Node {
    let node = this.observation();
    while (this.peekWord() !== null && QUALIFIERS.has(this.peekWord()!)) {
      const qualifier = this.next() as { text: string };
      this.skipQualifierArguments(qualifier.text);
      node = { type: 'qualified', qualifier: qualifier.text, inner: node, start: node.start, end: this.prevEnd() };
    }
    return node;
  }

  private observation(): Node {
    const t = this.next();
    if (t.kind === 'punct' && t.text === '[') {
      const inner = this.nested(t.start, () => this.comparisonOr());
      this.expectPunct(']');
      return { ...inner, start: t.start, end: this.prevEnd() };
    }
    if (t.kind === 'punct' && t.text === '(') {
      const inner = this.nested(t.start, () => this.observationOr());
      this.expectPunct(')');
      return { ...inner, start: t.start, end: this.prevEnd() };
    }
    throw new PatternSyntaxError(`expected "[" at offset ${t.start}, found ${describe(t)}`);
  }

  private comparisonOr(): Node {
    return this.joined('OR', 'or', () => this.comparisonAnd());
  }

  private comparisonAnd(): Node {
    return this.joined('AND', 'and', () => this.comparison());
  }

  private comparison(): Node {
    const t = this.next();
    if (t.kind === 'punct' && t.text === '(') {
      const inner = this.nested(t.start, () => this.comparisonOr());
      this.expectPunct(')');
      return { ...inner, start: t.start, end: this.prevEnd() };
    }
    if (t.kind !== 'path') throw new PatternSyntaxError(`expected an object path at offset ${t.start}, found ${describe(t)}`);
    let negated = false;
    if (this.peekWord() === 'NOT') {
      this.next();
      negated = true;
    }
    const opToken = this.next();
    const op = opToken.kind === 'op' || opToken.kind === 'word' ? opToken.text : '';
    if (!COMPARISON_OPS.has(op)) throw new PatternSyntaxError(`expected a comparison operator at offset ${opToken.start}, found ${describe(opToken)}`);
    const values = op === 'IN' ? this.literalSet() : [this.literal()];
    return { type: 'comparison', key: t.text, op, negated, values, start: t.start, end: this.prevEnd() };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.kind !== 'literal') throw new PatternSyntaxError(`expected a value at offset ${t.start}, found ${describe(t)}`);
    return t.literal;
  }

  private literalSet(): Literal[] {
    this.expectPunct('(');
    const values = [this.literal()];
    while (this.peekPunct(',')) {
      this.next();
      values.push(this.literal());
    }
    this.expectPunct(')');
    return values;
  }

  private skipQualifierArguments(qualifier: string): void {
    // WITHIN n SECONDS | REPEATS n TIMES | START t'…' STOP t'…'
    this.literal();
    const word = this.next();
    const expected = qualifier === 'WITHIN' ? 'SECONDS' : qualifier === 'REPEATS' ? 'TIMES' : 'STOP';
    if (word.kind !== 'word' || word.text !== expected) throw new PatternSyntaxError(`expected ${expected} at offset ${word.start}`);
    if (qualifier === 'START') this.literal();
  }

  private joined(word: string, type: 'or' | 'and' | 'followedby', operand: () => Node): Node {
    const first = operand();
    const items = [first];
    while (this.peekWord() === word) {
      this.next();
      items.push(operand());
    }
    if (items.length === 1) return first;
    return { type, items, start: first.start, end: items[items.length - 1]!.end };
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private peekWord(): string | null {
    const t = this.peek();
    return t.kind === 'word' ? t.text : null;
  }

  private peekPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private prevEnd(): number {
    return this.tokens[this.pos - 1]?.end ?? 0;
  }

  private expectPunct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw new PatternSyntaxError(`expected "${text}" at offset ${t.start}, found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the pattern';
    case 'literal':
      return `a ${t.literal.type} value`;
    default:
      // JSON quoting: a quoted path part may hold a newline, and a reason is one line.
      return JSON.stringify(t.text);
  }
}
