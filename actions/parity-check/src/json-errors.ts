/**
 * Where a JSON document goes wrong. V8's JSON.parse messages quote a snippet of the text and,
 * since Node 20, no position — useless for `file:line` and unsafe for secrets. Called only after
 * JSON.parse failed, so it only has to find the first offending character. Strip a BOM first.
 */

export interface JsonProblem {
  line: number;
  column: number;
  /** e.g. `unexpected '}'` or `unexpected end of file` (never quotes more than one character). */
  problem: string;
}

class Stop extends Error {
  constructor(readonly offset: number) {
    super('json error');
  }
}

export function locateJsonError(text: string): JsonProblem | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i += 1;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[i] !== char) fail();
      i += 1;
    }
  };
  const string = () => {
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i += 1;
    }
    if (i >= text.length) fail();
    i += 1;
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) return fail();
    i += match[0].length;
  };
  const value = (): void => {
    space();
    const char = text[i];
    if (char === '{') {
      i += 1;
      space();
      if (text[i] === '}') return void (i += 1);
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i += 1;
        value();
        space();
        if (text[i] === '}') return void (i += 1);
        if (text[i] !== ',') fail();
        i += 1;
      }
    }
    if (char === '[') {
      i += 1;
      space();
      if (text[i] === ']') return void (i += 1);
      for (;;) {
        value();
        space();
        if (text[i] === ']') return void (i += 1);
        if (text[i] !== ',') fail();
        i += 1;
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    return number();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - before.lastIndexOf('\n');
    const problem = err.offset >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[err.offset])}`;
    return { line, column, problem };
  }
}
