/**
 * The security policy over every workflow and template, and proof that each rule catches its breach:
 * every negative case is a known-good fixture with exactly one thing broken.
 */
import { describe, expect, it } from 'vitest';
import { checkPolicy, formatViolations, INSTALL_EXCEPTIONS, type PolicyContext, type RuleId } from './support/policy';
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

/** A pull-request workflow whose job runs the repository's code with a read-only token. */
const PR_JOB = `name: pr
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - name: test
        run: npm test
`;

/** A job that builds and pushes an image, without any cache. */
const PUBLISH_JOB = `name: publish
on:
  push:
    branches: [develop]
permissions:
  contents: read
jobs:
  image:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f # v7.1.0
        with:
          push: true
          tags: registry.example/app@sha256:${'0'.repeat(64)}
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
  return (
    text.slice(0, guardStart) + text.slice(checkoutStart, checkoutEnd) + text.slice(guardStart, checkoutStart) + text.slice(checkoutEnd)
  );
}

describe('every workflow and template', () => {
  it.each(loadAll().map((wf) => [wf.path, wf] as const))('%s breaks no policy rule', (_path, wf) => {
    expect(formatViolations(checkPolicy(wf, ctx))).toBe('');
  });
});

describe('the install exceptions', () => {
  it.each(INSTALL_EXCEPTIONS.map((e) => [e.file, e] as const))(
    '%s still has the install it excuses (remove the entry once it is hash-pinned)',
    (file, exception) => {
      const wf = loadAll().find((w) => w.path === file);
      expect(wf?.jobs.some((job) => job.steps.some((step) => exception.pattern.test(step.run ?? '')))).toBe(true);
      expect(exception.reason.length).toBeGreaterThan(40);
    },
  );
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
    [
      'a write scope at the top level',
      'top-level-permissions',
      mutate(GOOD_REUSABLE, 'permissions:\n  contents: read\njobs:', 'permissions:\n  contents: write\njobs:'),
    ],
    [
      'write-all at the top level',
      'top-level-permissions',
      mutate(GOOD_REUSABLE, 'permissions:\n  contents: read\njobs:', 'permissions: write-all\njobs:'),
    ],
    [
      'pull-requests: write without a plan comment',
      'job-write-scopes',
      mutate(GOOD_REUSABLE, '      id-token: write\n', '      id-token: write\n      pull-requests: write\n'),
    ],
    [
      'contents: write on a job',
      'job-write-scopes',
      mutate(GOOD_REUSABLE, '      contents: read\n      id-token', '      contents: write\n      id-token'),
    ],
    [
      'id-token: write without AWS credentials',
      'job-write-scopes',
      mutate(
        GOOD_REUSABLE,
        `      - uses: ${AWS}\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/deploy\n          aws-region: eu-west-1\n`,
        '',
      ),
    ],
    [
      'a caller granting more than the called workflow needs',
      'job-write-scopes',
      mutate(GOOD_CALLER, '      id-token: write\n', '      id-token: write\n      packages: write\n'),
      'workflow-templates/fixture.yml',
    ],
    ['a tag-pinned third-party action', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@v5')],
    ['a force-pushable trivy-action tag', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aquasecurity/trivy-action@0.34.2')],
    [
      'a SHA without the version comment',
      'pinned-uses',
      mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838'),
    ],
    ['a short SHA', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'aws-actions/configure-aws-credentials@a03048d # v5.0.0')],
    ['a container image by tag', 'pinned-uses', mutate(GOOD_REUSABLE, AWS, 'docker://alpine:3.20')],
    [
      'a flow-style uses the line scan cannot read',
      'pinned-uses',
      mutate(GOOD_REUSABLE, '      - env:\n', '      - { uses: actions/setup-node@v5 }\n      - env:\n'),
    ],
    [
      'gantry’s workflow by branch',
      'pinned-uses',
      mutate(GOOD_CALLER, 'deploy.yml@v1', 'deploy.yml@main'),
      'workflow-templates/fixture.yml',
    ],
    [
      'pull_request_target',
      'dangerous-triggers',
      mutate(GOOD_CALLER, '  push:\n', '  pull_request_target:\n  push:\n'),
      'workflow-templates/fixture.yml',
    ],
    [
      'workflow_run',
      'dangerous-triggers',
      mutate(GOOD_CALLER, '  push:\n', '  workflow_run:\n    workflows: [ci]\n  push:\n'),
      'workflow-templates/fixture.yml',
    ],
    [
      'secrets: inherit',
      'secrets-inherit',
      mutate(GOOD_CALLER, '    with:\n', '    secrets: inherit\n    with:\n'),
      'workflow-templates/fixture.yml',
    ],
    ['a checkout that persists credentials', 'checkout-credentials', mutate(GOOD_REUSABLE, '          persist-credentials: false\n', '')],
    ['persist-credentials: true', 'checkout-credentials', mutate(GOOD_REUSABLE, 'persist-credentials: false', 'persist-credentials: true')],
    [
      '${{ inputs.* }} in a script',
      'template-injection',
      mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo "deployed to ${{ inputs.environment }}"'),
    ],
    [
      '${{ github.event.* }} in a script',
      'template-injection',
      mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo "${{ github.event.pull_request.title }}"'),
    ],
    [
      'a step output in a script',
      'template-injection',
      mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: |\n          echo "${{ steps.deploy.outputs.status }}"'),
    ],
    [
      'a needs output in a script',
      'template-injection',
      mutate(GOOD_REUSABLE, 'run: echo "deployed to $TARGET"', 'run: echo ${{needs.build.outputs.image}}'),
    ],
    [
      './actions/<name> (the caller’s repository)',
      'gantry-actions-at-workflow-sha',
      mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', './actions/deploy-ecs'),
    ],
    [
      'gantry’s action by tag',
      'gantry-actions-at-workflow-sha',
      mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', 'your-org/gantry/actions/deploy-ecs@v1'),
    ],
    [
      'the gantry checkout at the caller’s SHA',
      'gantry-actions-at-workflow-sha',
      mutate(GOOD_REUSABLE, 'ref: ${{ job.workflow_sha }}', 'ref: ${{ github.sha }}'),
    ],
    [
      'the gantry checkout of the caller’s repository',
      'gantry-actions-at-workflow-sha',
      mutate(GOOD_REUSABLE, 'repository: ${{ job.workflow_repository }}', 'repository: ${{ github.repository }}'),
    ],
    ['a gantry action before the checkout', 'gantry-actions-at-workflow-sha', mutate(GOOD_REUSABLE, 'path: .gantry', 'path: gantry')],
    [
      'a gantry checkout without the job.workflow_* guard',
      'gantry-checkout-guard',
      mutate(
        GOOD_REUSABLE,
        '          if [ -z "$WORKFLOW_REPOSITORY" ] || [ -z "$WORKFLOW_SHA" ]; then exit 1; fi\n',
        '          echo "$WORKFLOW_REPOSITORY $WORKFLOW_SHA"\n',
      ),
    ],
    [
      'a guard that checks only the SHA',
      'gantry-checkout-guard',
      mutate(
        GOOD_REUSABLE,
        '          WORKFLOW_REPOSITORY: ${{ job.workflow_repository }}\n',
        '          WORKFLOW_REPOSITORY: ${{ github.repository }}\n',
      ),
    ],
    ['the guard after the checkout', 'gantry-checkout-guard', guardAfterCheckout(GOOD_REUSABLE)],
    [
      'an action gantry does not have',
      'gantry-actions-at-workflow-sha',
      mutate(GOOD_REUSABLE, './.gantry/actions/deploy-ecs', './.gantry/actions/deploy-lambda'),
    ],
    [
      'a deploying job outside its environment',
      'environment-gate',
      mutate(GOOD_REUSABLE, '    environment:\n      name: ${{ inputs.environment }}\n', ''),
    ],
    [
      'a caller choosing the environment by expression',
      'environment-gate',
      mutate(GOOD_CALLER, 'environment: staging', 'environment: ${{ github.ref_name }}'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a production caller without promote-from',
      'environment-gate',
      mutate(GOOD_CALLER, 'environment: staging', 'environment: production-eu'),
      'workflow-templates/fixture.yml',
    ],
    [
      'an environment job without concurrency',
      'deploy-concurrency',
      mutate(GOOD_REUSABLE, '    concurrency:\n      group: deploy-${{ inputs.environment }}\n      cancel-in-progress: false\n', ''),
    ],
    [
      'cancel-in-progress: true on a deploy',
      'deploy-concurrency',
      mutate(GOOD_REUSABLE, 'cancel-in-progress: false', 'cancel-in-progress: true'),
    ],
    [
      'a concurrency group not per environment',
      'deploy-concurrency',
      mutate(GOOD_REUSABLE, 'group: deploy-${{ inputs.environment }}', 'group: deploy'),
    ],
    [
      'a deploying caller without concurrency',
      'deploy-concurrency',
      mutate(GOOD_CALLER, 'concurrency:\n  group: pipeline-staging\n  cancel-in-progress: false\n', ''),
      'workflow-templates/fixture.yml',
    ],
    [
      'a deploying caller cancelling runs',
      'deploy-concurrency',
      mutate(GOOD_CALLER, 'cancel-in-progress: false', 'cancel-in-progress: true'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a caller sharing the deploy job’s group (deadlock)',
      'deploy-concurrency',
      mutate(GOOD_CALLER, 'group: pipeline-staging', 'group: deploy-staging'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a job assuming a role outside the environment of a deploying workflow',
      'production-credentials-behind-gate',
      mutate(
        GOOD_REUSABLE,
        'jobs:\n  deploy:\n',
        `jobs:\n  plan:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      id-token: write\n    steps:\n      - uses: ${AWS}\n        with:\n          role-to-assume: arn:aws:iam::222222222222:role/plan\n          aws-region: eu-west-1\n  deploy:\n`,
      ),
    ],
    [
      'a role outside the environment “only for staging” with an escape',
      'production-credentials-behind-gate',
      mutate(
        GOOD_REUSABLE,
        'jobs:\n  deploy:\n',
        `jobs:\n  image:\n    if: \${{ inputs.promote-from == '' || inputs.force }}\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${AWS}\n        with:\n          role-to-assume: arn:aws:iam::222222222222:role/plan\n          aws-region: eu-west-1\n  deploy:\n`,
      ),
    ],
    [
      'a job running the repository’s code with a write token',
      'pr-code-with-write-token',
      PR_JOB.replace('      contents: read\n', '      contents: read\n      pull-requests: write\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'a pull request’s plan through the terraform action step',
      'pr-plan-token-free',
      PR_JOB.replace(
        '        run: npm test\n',
        '        uses: ./actions/terraform\n        with:\n          command: plan\n          working-directory: infra\n',
      ),
      '.github/workflows/fixture.yml',
    ],
    [
      'a pull request’s plan started without env -i',
      'pr-plan-token-free',
      PR_JOB.replace('        run: npm test\n', '        run: node .gantry/actions/terraform/dist/index.js\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'terraform validate of a pull request without env -i',
      'pr-plan-token-free',
      PR_JOB.replace(
        '        run: npm test\n',
        '        run: terraform -chdir=infra init -backend=false && terraform -chdir=infra validate\n',
      ),
      '.github/workflows/fixture.yml',
    ],
    [
      'a gha cache restore in a job that pushes an image',
      'publishing-job-cache',
      PUBLISH_JOB.replace('          push: true\n', '          push: true\n          cache-from: type=gha\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'a setup action cache in a job that pushes',
      'publishing-job-cache',
      PUBLISH_JOB.replace(
        '    steps:\n',
        `    steps:\n      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444 # v5.0.0\n        with:\n          cache: npm\n`,
      ),
      '.github/workflows/fixture.yml',
    ],
    [
      'pip install without hashes',
      'pinned-installs',
      PR_JOB.replace('        run: npm test\n', '        run: pip install semgrep==1.185.0\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'pipx run',
      'pinned-installs',
      PR_JOB.replace('        run: npm test\n', '        run: pipx run --spec semgrep==1.185.0 semgrep scan\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'npm install -g',
      'pinned-installs',
      PR_JOB.replace('        run: npm test\n', '        run: npm install -g typescript\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'curl piped into a shell',
      'pinned-installs',
      PR_JOB.replace('        run: npm test\n', '        run: curl -sSL https://example.com/install.sh | sh\n'),
      '.github/workflows/fixture.yml',
    ],
    [
      'an archive downloaded without a checksum',
      'pinned-installs',
      PR_JOB.replace(
        '        run: npm test\n',
        '        run: curl -sSLo tool.tar.gz https://example.com/tool.tar.gz && tar -xzf tool.tar.gz\n',
      ),
      '.github/workflows/fixture.yml',
    ],
    [
      'docker run of an image by tag',
      'pinned-installs',
      PR_JOB.replace('        run: npm test\n', '        run: docker run --rm semgrep/semgrep:1.178.0 semgrep scan\n'),
      '.github/workflows/fixture.yml',
    ],
  ];

  it('the clean pull-request and publishing fixtures break none of these rules', () => {
    expect(rulesBroken(PR_JOB)).toEqual([]);
    expect(rulesBroken(PUBLISH_JOB)).toEqual([]);
    expect(
      rulesBroken(
        PR_JOB.replace(
          '        run: npm test\n',
          '        env:\n          IMAGE: semgrep/semgrep@sha256:32e459968daabe7ab86968184a29109b9564aa00392401156f9788452b42786b\n        run: docker run --rm "$IMAGE" semgrep scan\n',
        ),
      ),
    ).toEqual([]);
  });

  it.each(cases)('%s → %s', (_name, rule, text, path) => {
    expect(rulesBroken(text, path)).toContain(rule);
  });

  it('allows gantry’s own workflows by version tag or by SHA with a comment, and nothing else by tag', () => {
    expect(rulesBroken(GOOD_CALLER, 'workflow-templates/fixture.yml')).toEqual([]);
    const bySha = mutate(GOOD_CALLER, 'deploy.yml@v1', 'deploy.yml@0123456789abcdef0123456789abcdef01234567 # v1.4.0');
    expect(rulesBroken(bySha, 'workflow-templates/fixture.yml')).toEqual([]);
    const otherByTag = mutate(
      GOOD_CALLER,
      'your-org/gantry/.github/workflows/deploy.yml@v1',
      'your-org/platform/.github/workflows/deploy.yml@v1',
    );
    expect(rulesBroken(otherByTag, 'workflow-templates/fixture.yml')).toContain('pinned-uses');
  });
});
