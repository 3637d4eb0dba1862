import { describe, expect, it } from 'vitest';
import { onTermination } from './termination';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('onTermination', () => {
  it('records on the first SIGTERM, then exits 1', async () => {
    const exits: number[] = [];
    const recorded: string[] = [];
    const lines: string[] = [];
    const remove = onTermination({
      graceMs: 1_000,
      exit: (code) => exits.push(code),
      announce: (l) => lines.push(l),
      record: async (signal) => {
        recorded.push(signal);
      },
    });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await tick(20);
      expect(recorded).toEqual(['SIGTERM']);
      expect(exits).toEqual([1]);
      expect(lines[0]).toMatch(/^Received SIGTERM \(job cancelled or timed out\): recording what is known before exiting\.$/);
    } finally {
      remove();
    }
  });

  it('a recorder that hangs is cut off after graceMs; a second signal exits at once', async () => {
    const exits: number[] = [];
    const remove = onTermination({ graceMs: 100, exit: (code) => exits.push(code), record: () => new Promise(() => undefined) });
    try {
      process.emit('SIGINT', 'SIGINT');
      await tick(20);
      expect(exits).toEqual([]);
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([1]);
      await tick(150);
      expect(exits).toEqual([1, 1]);
    } finally {
      remove();
    }
  });
});
