import { describe, expect, it } from 'vitest';
import type { PlanSummary } from './plan-json';
import {
  COMMENT_LIMIT_CHARS,
  SUMMARY_LIMIT_BYTES,
  commentMarkdown,
  commentMarker,
  renderErrorSummary,
  measureBytes,
  renderSummary,
  truncateToFit,
  type PlanReport,
} from './summary';

const summary = (resources: PlanSummary['resources']): PlanSummary => {
  const counts = { add: 0, change: 0, destroy: 0, replace: 0, read: 0 };
  for (const r of resources) {
    if (r.action === 'create') counts.add += 1;
    if (r.action === 'update') counts.change += 1;
    if (r.action === 'delete') counts.destroy += 1;
    if (r.action === 'replace') counts.replace += 1;
  }
  return { counts, resources, outputs: [] };
};

const report = (overrides: Partial<PlanReport> = {}): PlanReport => ({
  heading: 'Terraform plan',
  directory: 'infra',
  workspace: 'staging',
  summary: summary([
    { address: 'terraform_data.old', action: 'delete', reason: 'delete_because_no_resource_config' },
    { address: 'terraform_data.creds', action: 'replace', reason: 'replace_because_cannot_update' },
    { address: 'terraform_data.new', action: 'create', reason: undefined },
  ]),
  changes: true,
  planText: 'Terraform will perform the following actions:\n  # terraform_data.new will be created',
  planHash: 'ab'.repeat(32),
  gitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  runUrl: 'https://github.com/acme/shop/actions/runs/4242',
  ...overrides,
});

/** A plan text of about `chars` characters, line by line like Terraform's. */
const hugePlan = (chars: number, line = '      + input = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"') =>
  Array.from({ length: Math.ceil(chars / (line.length + 1)) }, (_, i) => `${line} # ${i}`).join('\n');

describe('commentMarker', () => {
  it('names the directory and workspace', () => {
    expect(commentMarker('infra/app', 'staging')).toBe('<!-- gantry:terraform dir=infra/app workspace=staging -->');
  });
  it('cannot be closed early or spoofed by a directory name', () => {
    const marker = commentMarker('weird --> dir', 'default');
    expect(marker.match(/-->/g)).toHaveLength(1);
    expect(marker).toBe('<!-- gantry:terraform dir=weird%20--%3E%20dir workspace=default -->');
  });
});

describe('plan markdown', () => {
  it('has the counts, destroys highlighted first, and the plan in a collapsed block', () => {
    const md = renderSummary(report());
    expect(md).toContain('### Terraform plan · `infra` · workspace `staging`');
    expect(md).toContain('**Plan:** 1 to add, 0 to change, 1 to destroy, 1 to replace.');
    expect(md).toContain('This plan destroys 1 resource and replaces 1 resource (destroy and re-create)');
    expect(md.indexOf('🔴 **delete**')).toBeLessThan(md.indexOf('🟠 **replace**'));
    expect(md).toContain('| 🔴 **delete** | `terraform_data.old` | delete because no resource config |');
    expect(md).toContain('<details><summary>Show the plan</summary>');
    expect(md).toContain('commit `a1b2c3d4e5f6`');
    expect(md).not.toContain('gantry:terraform');
  });

  it('says so when there are no changes, and leaves out the default workspace', () => {
    const md = renderSummary(report({ workspace: 'default', changes: false, summary: summary([]), planText: 'No changes.' }));
    expect(md).toContain('### Terraform plan · `infra`\n');
    expect(md).toContain('**No changes.**');
    expect(md).not.toContain('| Action |');
    expect(md).not.toContain('WARNING');
  });

  it('shows output values after apply, never sensitive ones', () => {
    const md = renderSummary(
      report({
        outputs: [
          { name: 'url', sensitive: false, type: 'string', value: 'https://a|b' },
          { name: 'pw', sensitive: true, type: 'string', value: 'TOPSECRET' },
        ],
      }),
    );
    expect(md).toContain('| `url` | `https://a\\|b` |');
    expect(md).toContain('| `pw` | *(sensitive)* |');
    expect(md).not.toContain('TOPSECRET');
  });

  it('a comment starts with the marker and is returned whole when it fits', () => {
    const marker = commentMarker('infra', 'staging');
    const md = commentMarkdown(report(), marker);
    expect(md.startsWith(`${marker}\n`)).toBe(true);
    expect(md).toContain('# terraform_data.new will be created');
    expect(md).not.toContain('too long');
  });

  it('shortens a huge plan below the comment limit, pointing to the job summary', () => {
    const resources = Array.from({ length: 3000 }, (_, i) => ({
      address: `terraform_data.item[${i}]`,
      action: 'create' as const,
      reason: undefined,
    }));
    const big = report({ summary: summary(resources), planText: hugePlan(400_000) });
    const md = commentMarkdown(big, commentMarker('infra', 'staging'));
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS);
    expect(md.length).toBeGreaterThan(COMMENT_LIMIT_CHARS - 2_000);
    expect(md).toContain('too long for a pull-request comment');
    expect(md).toContain('[job summary](https://github.com/acme/shop/actions/runs/4242)');
    expect(md).toMatch(/more resources not shown/);
    expect(md).toMatch(/more characters not shown\n```\n\n<\/details>/);
    // The header survives shortening.
    expect(md).toContain('**Plan:** 3000 to add');
  });

  it('keeps the summary under 1 MiB even with multi-byte characters', () => {
    const big = report({ planText: hugePlan(1_500_000, '      + name = "ünïcødé ✓ 🚀 ääääääääääääää"') });
    const md = renderSummary(big);
    expect(measureBytes(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(measureBytes(md)).toBeGreaterThan(SUMMARY_LIMIT_BYTES - 10_000);
    expect(md).toContain('longer than a job summary can hold');
    expect(md).not.toMatch(/\uFFFD/);
  });
});

describe('truncateToFit', () => {
  it('leaves short text alone and cuts long text on a line boundary with a note', () => {
    expect(truncateToFit('short', 100, (t) => t.length)).toBe('short');
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const cut = truncateToFit(text, 200, (t) => t.length);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/^line 0\n[\s\S]*\nline \d+\n… \d+ more characters not shown$/);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateToFit('🚀'.repeat(100), 101, (t) => t.length);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('renderErrorSummary', () => {
  it('shows the message and the lines Terraform printed', () => {
    const md = renderErrorSummary('Terraform plan', 'infra', 'terraform plan failed', ['$ terraform plan', 'Error: boom']);
    expect(md).toContain('### ❌ Terraform plan failed · `infra`');
    expect(md).toContain('```\n$ terraform plan\nError: boom\n```');
  });
});
