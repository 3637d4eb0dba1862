/**
 * The security policy over every workflow and template, and proof that each rule catches its breach:
 * every negative case is a known-good fixture with exactly one thing broken.
 */
import { describe, expect, it } from 'vitest';
import { checkPolicy, formatViolations, type PolicyContext, type RuleId } from './support/policy';
import { gantryActions, loadAll, reusableWorkflowsByFile } from './support/repo-files';
import { parseWorkflowText } from './support/workflow-model';

const ctx: PolicyContext = { reusable: reusableWorkflowsByFile(), gantryActionNames: new Set(gantryActions().keys()) };

const CHECKOUT = 'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0';
const AWS = 'aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838 # v5.0.0';

const GOOD_REUSABLE = `name: fixture
on:
  workflow_call:
    inputs:
      environment:
        type: string
        required: true
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: \${{ inputs.environment }}
    concurrency:
      group: deploy-\${{ inputs.environment }}
      cancel-in-progress: false
    permissions:
      contents: read
      id-token: write
    steps:
      - env:
          WORKFLOW_REPOSITORY: \${{ job.workflow_repository }}
          WORKFLOW_SHA: \${{ job.workflow_sha }}
        run: |
          if [ -z "$WORKFLOW_REPOSITORY" ] || [ -z "$WORKFLOW_SHA" ]; then exit 1; fi
      - uses: ${CHECKOUT}
        with:
          repository: \${{ job.workflow_repository }}
          ref: \${{ job.workflow_sha }}
          path: .gantry
          persist-credentials: false
      - uses: ${AWS}
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
          aws-region: eu-west-1
      - uses: ./.gantry/actions/deploy-ecs
        with:
          cluster: shop
          service: web
      - env:
          TARGET: \${{ inputs.environment }}
        run: echo "deployed to $TARGET"
`;

const GOOD_CALLER = `name: caller
on:
  push:
    branches: [develop]
permissions:
  contents: read
concurrency:
  group: pipeline-staging
  cancel-in-progress: false
jobs:
  deploy:
    permissions:
      actions: read
      contents: read
      deployments: read
      id-token: write
    uses: your-org/gantry/.github/workflows/deploy.yml@v1
    with:
      environment: staging
`;

function rulesBroken(text: string, path = '.github/workflows/fixture.yml'): RuleId[] {
  return [...new Set(checkPolicy(parseWorkflowText(path, text), ctx).map((v) => v.rule))];
}

/** The fixture with `from` replaced by `to`; fails loudly when `from` is not there (a silent no-op would prove nothing). */
function mutate(text: string, from: string, to: string): string {
  expect(text, `fixture lacks ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

/** The fixture with its guard step moved after the gantry checkout. */
function guardAfterCheckout(text: string): string {
  const guardStart = text.indexOf('      - env:\n          WORKFLOW_REPOSITORY');
  const checkoutStart = text.indexOf(`      - uses: ${CHECKOUT}`, guardStart);
  const checkoutEnd = text.indexOf('      - uses:', checkoutStart + 1);
  expect(Math.min(guardStart, checkoutStart, checkoutEnd), 'fixture has guard, checkout and a step after').toBeGreaterThanOrEqual(0);
  return text.slice(0, guardStart) + text.slice(checkoutStart, checkoutEnd) + text.slice(guardStart, checkoutStart) + text.slice(checkoutEnd);
}

describe('every workflow and template', () => {
  it.each(loadAll().map((wf) => [wf.path, wf] as const))('%s breaks no policy rule', (_path, wf) => {
    expect(formatViolations(checkPolicy(wf, ctx))).toBe('');
  });
});

describe('the fixtures are clean, so each negative case breaks exactly what it says', () => {
  it('good reusable workflow and good caller', () => {
    expect(rulesBroken(GOOD_REUSABLE)).toEqual([]);
    expect(rulesBroken(GOOD_CALLER, 'workflow-templates/fixture.yml')).toEqual([]);
  });
});

describe('each rule catches its breach', () => {
  const cases: Array<[string, RuleId, string, string?]> = [
    ['no top-level permissions', 'top-level-permissions', mutate(GOOD_REUSABLE, 'permissions:\n  contents: read\njobs:', 'jobs:')],
    ['a write scope at the top level', 'top-level-permissions', mutate(GOOD_REUSABLE, 'permissions:\n  contents: read\njobs:', 'permissions:\n  contents: write\njobs:')],
    ['write-all at the top level', 'top-level-permissions', mutate(GOOD_REUSABLE, 'permissions:\n  contents: read\njobs:', 'permissions: write-all\njobs:')],
    ['pull-requests: write without a plan comment', 'job-write-scopes', mutate(GOOD_REUSABLE, '      id-token: write\n', '      id-token: write\n      pull-requests: write\n')],
    ['contents: write on a job', 'job-write-scopes', mutate(GOOD_REUSABLE, '      contents: read\n      id-token', '      contents: write\n      id-token')],
    ['id-token: write without AWS credentials', 'job-write-scopes', mutate(GOOD_REUSABLE, `      - uses: ${AWS}\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/deploy\n          aws-region: eu-west-1\n`, '')],
    ['a caller granting more than the called workflow needs', 'job-write-scopes', mutate(GOOD_CALLER, '      id-token: write\n', '      id-token: write\n      packages: write\n'), 'workflow-templates/fixture.yml'],
    ['a tag-pinned third-party action', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@v5')],
    ['a force-pushable trivy-action tag', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aquasecurity/trivy-action@0.34.2')],
    ['a SHA without the version comment', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838')],
    ['a short SHA', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@a03048d # v5.0.0')],
    ['a container image by tag', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'docker://alpine:3.20')],
    ['a flow-style uses the line scan cannot read', 'pinned-uses', mutate(GOOD_REUSABLE, '      - env:\n', '      - { uses: actions/setup-node@v5 }\n      - env:\n')],
    ['gantry’s workflow by branch', 'pinned-uses', mutate(GOOD_CALLER, 'deploy.yml@v1', 'deploy.yml@main'), 'workflow-templates/fixture.yml'],
    ['pull_request_target', 'dangerous-triggers', mutate(GOOD_CALLER, '  push:\n', '  pull_request_target:\n  push:\n'), 'workflow-templates/fixture.yml'],
    ['workflow_run', 'dangerous-triggers', mutate(GOOD_CALLER, '  push:\n', '  workflow_run:\n    workflows: [ci]\n  push:\n'), 'workflow-templates/fixture.yml'],
    ['secrets: inherit', 'secrets-inherit', mutate(GOOD_CALLER, '    with:\n', '    secrets: inherit\n    with:\n'), 'workflow-templates/fixture.yml'],
    ['a checkout that persists credentials', 'checkout-credentials', mutate(GOOD_REUSABLE, '          persist-credentials: false\n', '')],
    ['persist-credentials: true', 'checkout-credentials', mutate(GOOD_REUSABLE, 'persist-credentials: false', 'persist-credentials: true')],
    ['${{ inputs.* }} in a script', 'template-injection', mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo "deployed to ${{ inputs.environment }}"')],
    ['${{ github.event.* }} in a script', 'template-injection', mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo "${{ github.event.pull_request.title }}"')],
    ['a step output in a script', 'template-injection', mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: |\n          echo "${{ steps.deploy.outputs.status }}"')],
    ['a needs output in a script', 'template-injection', mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo ${{needs.build.outputs.image}}')],
    ['./actions/<name> (the caller’s repository)', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', './actions/deploy-ecs')],
    ['gantry’s action by tag', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', 'your-org/gantry/actions/deploy-ecs@v1')],
    ['the gantry checkout at the caller’s SHA', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, 'ref: ${{ job.workflow_sha }}', 'ref: ${{ github.sha }}')],
    ['the gantry checkout of the caller’s repository', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, 'repository: ${{ job.workflow_repository }}', 'repository: ${{ github.repository }}')],
    ['a gantry action before the checkout', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, 'path: .gantry', 'path: gantry')],
    ['a gantry checkout without the job.workflow_* guard', 'gantry-checkout-guard', mutate(GOOD_REUSABLE, '          if [ -z "$WORKFLOW_REPOSITORY" ] || [ -z "$WORKFLOW_SHA" ]; then exit 1; fi\n', '          echo "$WORKFLOW_REPOSITORY $WORKFLOW_SHA"\n')],
    ['a guard that checks only the SHA', 'gantry-checkout-guard', mutate(GOOD_REUSABLE, '          WORKFLOW_REPOSITORY: ${{ job.workflow_repository }}\n', '          WORKFLOW_REPOSITORY: ${{ github.repository }}\n')],
    ['the guard after the checkout', 'gantry-checkout-guard', guardAfterCheckout(GOOD_REUSABLE)],
    ['an action gantry does not have', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', './.gantry/actions/deploy-lambda')],
    ['a deploying job outside its environment', 'environment-gate', mutate(GOOD_REUSABLE, '    environment:\n      name: ${{ inputs.environment }}\n', '')],
    ['a caller choosing the environment by expression', 'environment-gate', mutate(GOOD_CALLER, 'environment: staging', 'environment: ${{ github.ref_name }}'), 'workflow-templates/fixture.yml'],
    ['an environment job without concurrency', 'deploy-concurrency', mutate(GOOD_REUSABLE, '    concurrency:\n      group: deploy-${{ inputs.environment }}\n      cancel-in-progress: false\n', '')],
    ['cancel-in-progress: true on a deploy', 'deploy-concurrency', mutate(GOOD_REUSABLE, 'cancel-in-progress: false', 'cancel-in-progress: true')],
    ['a concurrency group not per environment', 'deploy-concurrency', mutate(GOOD_REUSABLE, 'group: deploy-${{ inputs.environment }}', 'group: deploy')],
    ['a deploying caller without concurrency', 'deploy-concurrency', mutate(GOOD_CALLER, 'concurrency:\n  group: pipeline-staging\n  cancel-in-progress: false\n', ''), 'workflow-templates/fixture.yml'],
    ['a deploying caller cancelling runs', 'deploy-concurrency', mutate(GOOD_CALLER, 'cancel-in-progress: false', 'cancel-in-progress: true'), 'workflow-templates/fixture.yml'],
    ['a caller sharing the deploy job’s group (deadlock)', 'deploy-concurrency', mutate(GOOD_CALLER, 'group: pipeline-staging', 'group: deploy-staging'), 'workflow-templates/fixture.yml'],
  ];

  it.each(cases)('%s → %s', (_name, rule, text, path) => {
    expect(rulesBroken(text, path)).toContain(rule);
  });

  it('allows gantry’s own workflows by version tag or by SHA with a comment, and nothing else by tag', () => {
    expect(rulesBroken(GOOD_CALLER, 'workflow-templates/fixture.yml')).toEqual([]);
    const bySha = mutate(GOOD_CALLER, 'deploy.yml@v1', 'deploy.yml@0123456789abcdef0123456789abcdef01234567 # v1.4.0');
    expect(rulesBroken(bySha, 'workflow-templates/fixture.yml')).toEqual([]);
    const otherByTag = mutate(GOOD_CALLER, 'your-org/gantry/.github/workflows/deploy.yml@v1', 'your-org/platform/.github/workflows/deploy.yml@v1');
    expect(rulesBroken(otherByTag, 'workflow-templates/fixture.yml')).toContain('pinned-uses');
  });
});
