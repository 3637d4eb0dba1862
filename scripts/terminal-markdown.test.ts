import { describe, expect, it } from 'vitest';
import { colours, renderMarkdown, useColour } from './terminal-markdown';

describe('renderMarkdown', () => {
  it('aligns table columns and drops the rule line', () => {
    const md = '## Deploy\n\n| field | value |\n| --- | --- |\n| **status** | deployed |\n| revision | shop:12 |\n';
    expect(renderMarkdown(md, undefined, '')).toBe(['Deploy', '', 'field     value', 'status    deployed', 'revision  shop:12'].join('\n'));
  });

  it('keeps escaped pipes inside cells and unwraps details', () => {
    const md = '| a | b |\n|---|---|\n| x\\|y | z |\n<details><summary>plan</summary>\n\n```\n+ create\n```\n</details>';
    const text = renderMarkdown(md, undefined, '');
    expect(text).toContain('x|y  z');
    expect(text).toContain('plan');
    expect(text).toContain('+ create');
    expect(text).not.toContain('<details>');
  });

  it('collapses details blocks to their title when asked', () => {
    const md = 'before\n<details><summary>Show the plan</summary>\n\n```\n+ create\n```\n\n</details>\nafter';
    expect(renderMarkdown(md, undefined, '', { collapseDetails: true })).toBe('before\n▸ Show the plan (collapsed)\nafter');
  });

  it('colours only when asked', () => {
    expect(renderMarkdown('# Title', colours, '')).toBe('\u001b[1m\u001b[36mTitle\u001b[39m\u001b[22m');
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: true }, { TERM: 'xterm' })).toBe(true);
  });
});
