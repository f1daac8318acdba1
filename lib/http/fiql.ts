/**
 * FIQL filter expressions as VCD uses them: `field==value` (with `*` wildcards), `!=`, `=lt=`,
 * `=le=`, `=gt=`, `=ge=`; `;` AND, `,` OR, parentheses; `\` escapes. Parsed to a small tree that
 * lib/http/list.ts turns into SQL.
 */
export type FiqlOp = '==' | '!=' | '=lt=' | '=le=' | '=gt=' | '=ge=';
export type FiqlNode =
  | { kind: 'and' | 'or'; items: FiqlNode[] }
  | { kind: 'cmp'; field: string; op: FiqlOp; value: string };

export class FiqlError extends Error {}

const OPS: FiqlOp[] = ['==', '!=', '=lt=', '=le=', '=gt=', '=ge='];

/** Whether a filter contains any comparison operator (else the UI sent free text). */
export function hasOperator(s: string): boolean {
  return /==|!=|=(lt|le|gt|ge)=/.test(s);
}

/** Parses a FIQL expression; throws FiqlError with the position of the problem. */
export function parseFiql(input: string): FiqlNode {
  let i = 0;
  const peek = () => input[i];

  function parseOr(): FiqlNode {
    const items = [parseAnd()];
    while (peek() === ',') { i++; items.push(parseAnd()); }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }
  function parseAnd(): FiqlNode {
    const items = [parseTerm()];
    while (peek() === ';') { i++; items.push(parseTerm()); }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }
  function parseTerm(): FiqlNode {
    if (peek() === '(') {
      i++;
      const node = parseOr();
      if (peek() !== ')') throw new FiqlError(`expected ')' at position ${i + 1}`);
      i++;
      return node;
    }
    const m = /^[A-Za-z_][\w.]*/.exec(input.slice(i));
    if (!m) throw new FiqlError(`expected a field name at position ${i + 1}`);
    const field = m[0];
    i += field.length;
    const op = OPS.find((o) => input.startsWith(o, i));
    if (!op) throw new FiqlError(`expected an operator after '${field}'`);
    i += op.length;
    let value = '';
    while (i < input.length) {
      const ch = input[i]!;
      if (ch === '\\') {
        if (i + 1 >= input.length) throw new FiqlError('dangling escape at end of filter');
        value += input[i + 1];
        i += 2;
        continue;
      }
      if (ch === ';' || ch === ',' || ch === ')' || ch === '(') break;
      value += ch;
      i++;
    }
    if (value === '') throw new FiqlError(`missing value for '${field}'`);
    return { kind: 'cmp', field, op, value };
  }

  const tree = parseOr();
  if (i !== input.length) throw new FiqlError(`unexpected '${input[i]}' at position ${i + 1}`);
  return tree;
}
