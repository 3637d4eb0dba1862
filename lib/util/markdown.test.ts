import { describe, expect, it } from 'vitest';
import { formatDuration, markdownTable, truncateText } from './markdown';

describe('markdown', () => {
  it('renders tables with escaped cells and dashes for empty values', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['x|y', undefined],
          ['line\nbreak', 3],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| x\\|y | — |\n| line<br>break | 3 |');
  });
  it('truncates on a line boundary with a note', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const cut = truncateText(text, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/… \d+ more characters omitted$/);
    expect(truncateText('short', 300)).toBe('short');
  });
  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });
});
