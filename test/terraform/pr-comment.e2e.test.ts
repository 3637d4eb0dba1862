/**
 * The plan comment on a pull request, through the bundle, against a local stand-in for
 * GitHub's issue-comments API (GITHUB_API_URL): created once, updated in place, shortened
 * below GitHub's 65,536-character limit when the plan is huge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { node24Binary, runAction } from '../support/harness';
import { baseConfig, startGitHubApi, tfWorkspace, type GitHubApiStandIn, type TfWorkspace } from './support';

let ws: TfWorkspace | undefined;
let api: GitHubApiStandIn | undefined;
afterEach(async () => {
  ws?.remove();
  await api?.stop();
});

const MARKER = '<!-- gantry:terraform dir=infra workspace=default -->';

/** 400 resources with long inputs: a text plan of a few hundred thousand characters. */
const HUGE = `
resource "terraform_data" "fleet" {
  count = 400
  input = { name = "task-\${count.index}", description = "${'a long description of this task '.repeat(12)}" }
}
`;

describe('pull-request plan comment', () => {
  it('is created on the first plan, updated in place on the next, and shortened when the plan is huge (Node 24)', async () => {
    ws = tfWorkspace();
    api = await startGitHubApi('acme/shop', 7);
    // Earlier conversation on the pull request: more than one page of comments.
    for (let i = 0; i < 130; i += 1) api.comments.push({ id: i + 1, body: `review comment ${i}` });
    const eventPath = ws.write('event.json', JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7 } }));
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.url };
    const node = await node24Binary();
    const plan = () =>
      runAction(
        'terraform',
        { command: 'plan', 'working-directory': 'infra', 'github-token': 'ghs_test_token' },
        { workspace: ws?.root, env, node },
      );

    const first = await plan();
    expect(first.exitCode, first.stdout).toBe(0);
    expect(api.comments).toHaveLength(131);
    const comment = api.comments[130];
    expect(comment.body.startsWith(`${MARKER}\n\n### Terraform plan · \`infra\``)).toBe(true);
    expect(comment.body).toContain('**Plan:** 2 to add, 0 to change, 0 to destroy, 0 to replace.');
    expect(first.stdout).toContain(`Commented the plan on the pull request (comment ${comment.id}).`);
    expect(api.requests.every((r) => r.authorization === 'token ghs_test_token')).toBe(true);
    expect(api.requests.some((r) => r.method === 'GET' && r.url.includes('page=2'))).toBe(true);

    ws.write('infra/main.tf', baseConfig({ size: 'large' }));
    const second = await plan();
    expect(second.exitCode).toBe(0);
    expect(api.comments).toHaveLength(131);
    expect(api.comments[130].id).toBe(comment.id);
    expect(api.comments[130].body).toContain('shop-large');
    expect(second.stdout).toContain(`Updated the plan comment ${comment.id}`);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);

    ws.write('infra/fleet.tf', HUGE);
    const huge = await plan();
    expect(huge.exitCode).toBe(0);
    expect(huge.outputs.add).toBe('402');
    const body = api.comments[130].body;
    expect(api.comments).toHaveLength(131);
    expect(body.length).toBeLessThan(65_536);
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain('too long for a pull-request comment');
    expect(body).toContain('[job summary](https://github.com/acme/shop/actions/runs/4242)');
    // The job summary still holds the whole plan.
    expect(huge.summary.length).toBeGreaterThan(200_000);
    expect(huge.summary).toContain('terraform_data.fleet[399] will be created');
    expect(huge.summary).not.toContain('too long for a pull-request comment');
  });

  it('a comment that cannot be posted is a warning; the plan still succeeds', async () => {
    ws = tfWorkspace();
    api = await startGitHubApi('acme/other-repo', 7);
    const eventPath = ws.write('event.json', JSON.stringify({ number: 7, pull_request: { number: 7 } }));
    const result = await runAction(
      'terraform',
      { command: 'plan', 'working-directory': 'infra', 'github-token': 'ghs_read_only' },
      { workspace: ws.root, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.url } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs.changes).toBe('true');
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.join('\n')).toMatch(/Could not comment the plan on the pull request: .*Not Found.*pull-requests: write/);
  });

  it('does not comment on push events or when turned off', async () => {
    ws = tfWorkspace();
    api = await startGitHubApi();
    const eventPath = ws.write('event.json', JSON.stringify({ number: 7, pull_request: { number: 7 } }));
    const push = await runAction(
      'terraform',
      { command: 'plan', 'working-directory': 'infra' },
      { workspace: ws.root, env: { GITHUB_API_URL: api.url } },
    );
    const off = await runAction(
      'terraform',
      { command: 'plan', 'working-directory': 'infra', 'comment-on-pull-request': 'false' },
      { workspace: ws.root, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.url } },
    );
    expect([push.exitCode, off.exitCode]).toEqual([0, 0]);
    expect(api.requests).toEqual([]);
  });

  it('plan writes the comment to a file; comment posts it from another job: its own marker, secrets scrubbed, a spoofed comment left alone', async () => {
    ws = tfWorkspace();
    api = await startGitHubApi('acme/shop', 7);
    const eventPath = ws.write('event.json', JSON.stringify({ number: 7, pull_request: { number: 7 } }));
    const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: api.url };
    // Somebody posts a comment that starts with gantry's marker and says there is nothing to worry about.
    api.comments.push({ id: 1, body: `${MARKER}\n\nNo changes. Your infrastructure matches the configuration.`, author: 'mallory' });
    // The plan job: no token, the comment to a file.
    const plan = await runAction(
      'terraform',
      {
        command: 'plan',
        'working-directory': 'infra',
        'comment-on-pull-request': 'false',
        'comment-file': 'out/comment.md',
        'github-token': '',
      },
      { workspace: ws.root, env },
    );
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(api.requests).toEqual([]);
    const written = ws.read('out/comment.md');
    expect(written.startsWith(`${MARKER}\n`)).toBe(true);
    // What the plan job leaves is data: a token its Terraform printed, and a forged marker for another directory.
    const stolen = `ghs_${'Zz9'.repeat(12)}`;
    ws.write(
      'out/comment.md',
      `<!-- gantry:terraform dir=other workspace=default -->\n${written}\n\`\`\`\nenviron = "GITHUB_TOKEN=${stolen}"\n\`\`\``,
    );
    const comment = await runAction(
      'terraform',
      { command: 'comment', 'working-directory': 'infra', 'comment-file': 'out/comment.md', 'github-token': 'ghs_comment_job' },
      { workspace: ws.root, env },
    );
    expect(comment.exitCode, comment.stdout).toBe(0);
    expect(api.comments).toHaveLength(2);
    expect(api.comments[0]?.body).toContain('No changes.');
    const posted = api.comments[1]?.body ?? '';
    expect(posted.startsWith(`${MARKER}\n`)).toBe(true);
    expect(posted).not.toContain('dir=other');
    expect(posted).not.toContain(stolen);
    expect(posted).toContain('[redacted GitHub token]');
    expect(posted).toContain('**Plan:** 2 to add');
    expect(comment.annotations.find((a) => a.level === 'warning')?.properties.title).toBe('Secrets scrubbed from the plan comment');
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});
