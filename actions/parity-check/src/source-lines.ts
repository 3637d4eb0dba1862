/**
 * Top-level keys of a JSON object document (a `.tfvars.json`, a toggles manifest) → 1-based line
 * of the key, so a finding can be annotated on the exact line: JSON.parse gives values but no
 * positions. Only strings at depth 1 that are followed by `:` count. (HCL files get their lines
 * from the parser's syntax tree, hcl-parser.ts.)
 */
export function jsonTopLevelKeyLines(text: string): Map<string, number> {
  const keys = new Map<string, number>();
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\n') line += 1;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') depth -= 1;
    else if (char === '"') {
      const start = i;
      const startLine = line;
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
        if (text[i] === '\\') i += 1;
      }
      if (depth !== 1) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j += 1;
      if (text[j] !== ':') continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (!keys.has(key)) keys.set(key, startLine);
    }
  }
  return keys;
}
