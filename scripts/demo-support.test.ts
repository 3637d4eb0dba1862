import { describe, expect, it } from 'vitest';
import { runnerView } from './demo-support';

describe('runnerView: the log as GitHub shows it (demo --verbose)', () => {
  it('drops ::add-mask:: lines and masks their values everywhere else, longest first', () => {
    const log = [
      '::add-mask::s3cr3t-token',
      '::add-mask::postgres://app:pw-1234@db/app',
      '::add-mask::pw-1234',
      'connecting to postgres://app:pw-1234@db/app',
      'header s3cr3t-token sent',
      'done',
    ].join('\n');
    const shown = runnerView(log);
    expect(shown).toBe(['connecting to ***', 'header *** sent', 'done'].join('\n'));
    expect(shown).not.toContain('add-mask');
  });

  it('decodes the runner escaping of a multi-line mask', () => {
    expect(runnerView('::add-mask::a%0Ab\nx a\nb y')).toBe('x *** y');
  });
});
