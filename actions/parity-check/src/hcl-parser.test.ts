import { describe, expect, it } from 'vitest';
import { parseHcl, startHclParser } from './hcl-parser';

describe('parseHcl', () => {
  it('starts once and parses many files, attributes becoming plain JSON values', async () => {
    await startHclParser();
    const [a, b] = await Promise.all([parseHcl('a.tfvars', 'x = 1\ny = { z = [true, "s"] }\n'), parseHcl('b.tfvars', 'x = "1"\n')]);
    expect(a).toEqual({ x: 1, y: { z: [true, 's'] } });
    expect(b).toEqual({ x: '1' });
  });

  it('rejects with the parser diagnostics, file and position included', async () => {
    await expect(parseHcl('bad.tfvars', 'x = \n')).rejects.toThrow(/^parse config: \[bad\.tfvars:1,5-2,1: Invalid expression; /);
  });

  it('runs concurrent parses on the worker pool, each answer going to its own caller', async () => {
    const texts = Array.from({ length: 6 }, (_, i) => (i === 3 ? 'broken = \n' : `n = ${i}\nname = "file-${i}"\n`));
    const results = await Promise.allSettled(texts.map((text, i) => parseHcl(`f${i}.tfvars`, text)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      { n: 0, name: 'file-0' }, { n: 1, name: 'file-1' }, { n: 2, name: 'file-2' },
      expect.stringMatching(/parse config: \[f3\.tfvars:1,10-2,1: Invalid expression/),
      { n: 4, name: 'file-4' }, { n: 5, name: 'file-5' },
    ]);
  });
});
