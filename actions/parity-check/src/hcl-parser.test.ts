import { describe, expect, it } from 'vitest';
import { parseHcl, startHclParser, unrefGoTimers, type GoRuntime } from './hcl-parser';

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
});

describe('unrefGoTimers', () => {
  it('lets the Go scheduler timers not hold the process open', () => {
    const timers = new Map<number, NodeJS.Timeout>();
    const go: GoRuntime = {
      run: () => Promise.resolve(),
      _scheduledTimeouts: timers,
      importObject: { go: { 'runtime.scheduleTimeoutEvent': () => void timers.set(timers.size + 1, setTimeout(() => undefined, 60_000)) } },
    };
    unrefGoTimers(go);
    go.importObject.go['runtime.scheduleTimeoutEvent'](0);
    go.importObject.go['runtime.scheduleTimeoutEvent'](0);
    expect([...timers.values()].map((t) => t.hasRef())).toEqual([false, false]);
    for (const timer of timers.values()) clearTimeout(timer);
  });

  it('leaves an unknown runtime alone', () => {
    const go = { run: () => Promise.resolve(), importObject: { go: {} } } as GoRuntime;
    unrefGoTimers(go);
    expect(go.importObject.go).toEqual({});
  });
});
