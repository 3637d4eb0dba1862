/**
 * Contracts: what workflows pass to gantry's actions matches their action.yml; every needs/steps
 * output used exists; what templates pass to reusable workflows exists there with the right type.
 * Negative cases break one thing in a known-good fixture.
 */
import { describe, expect, it } from 'vitest';
import { checkContracts, formatBreaches, runStepOutputs, type ContractContext, type ContractId } from './support/contracts';
import { gantryActions, gantryScriptOutputs, loadAll, reusableWorkflowsByFile } from './support/repo-files';
import { parseWorkflowText } from './support/workflow-model';

const ctx: ContractContext = { actions: gantryActions(), reusable: reusableWorkflowsByFile(), scriptOutputs: gantryScriptOutputs };

const GOOD_REUSABLE = `on:
  workflow_call:
    inputs:
      environment:
        type: string
        required: true
    secrets:
      smoke-token:
        required: false
    outputs:
      task-definition-arn:
        value: \${{ jobs.deploy.outputs.arn }}
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      image: \${{ steps.tag.outputs.image }}
    steps:
      - id: tag
        run: echo "image=registry.example/app:1" >> "$GITHUB_OUTPUT"
      - id: gate
        uses: ./.gantry/actions/release-gate
        with:
          command: promotion
          environment: production
      - if: \${{ steps.gate.outputs.promotion == 'proven' }}
        run: echo proven
  deploy:
    needs: build
    runs-on: ubuntu-latest
    outputs:
      arn: \${{ steps.deploy.outputs.task-definition-arn }}
    steps:
      - id: deploy
        uses: ./.gantry/actions/deploy-ecs
        with:
          cluster: shop
          service: web
          image: \${{ needs.build.outputs.image }}
          environment: \${{ inputs.environment }}
      - uses: ./.gantry/actions/smoke-test
        if: \${{ steps.deploy.outputs.status == 'deployed' }}
        with:
          base-url: https://example.com
          expect-version: \${{ secrets.smoke-token }}
`;

const GOOD_CALLER = `on:
  workflow_dispatch:
    inputs:
      dry-run:
        type: boolean
        default: false
      reason:
        type: string
        required: true
permissions:
  contents: read
jobs:
  deploy:
    permissions:
      actions: read
      checks: read
      contents: read
      deployments: read
      id-token: write
    uses: your-org/gantry/.github/workflows/deploy.yml@v1
    with:
      environment: staging
      environment-url: https://staging.example.com
      aws-region: eu-west-1
      aws-role-to-assume: arn:aws:iam::111111111111:role/deploy
      ecr-repository: shop
      cluster: shop-staging
      service: web
      allow-unpromoted: \${{ inputs.dry-run }}
      rollout-timeout-seconds: 600
      terraform-version: '1.10.0'
  rollback:
    permissions:
      contents: read
      id-token: write
    uses: ./.github/workflows/rollback.yml
    with:
      environment: staging
      environment-url: https://staging.example.com
      reason: \${{ inputs.reason }}
      aws-region: eu-west-1
      aws-role-to-assume: arn:aws:iam::111111111111:role/deploy
      cluster: shop-staging
      service: web
`;

function broken(text: string, path = '.github/workflows/fixture.yml'): ContractId[] {
  return [...new Set(checkContracts(parseWorkflowText(path, text), ctx).map((b) => b.contract))];
}

function mutate(text: string, from: string, to: string): string {
  expect(text, `fixture lacks ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

describe('every workflow and template keeps its contracts', () => {
  it.each(loadAll().map((wf) => [wf.path, wf] as const))('%s', (_path, wf) => {
    expect(formatBreaches(checkContracts(wf, ctx))).toBe('');
  });

  it('the fixtures are clean', () => {
    expect(broken(GOOD_REUSABLE)).toEqual([]);
    expect(broken(GOOD_CALLER, 'workflow-templates/fixture.yml')).toEqual([]);
  });
});

describe('each contract catches its breach', () => {
  const cases: Array<[string, ContractId, string, string?]> = [
    [
      'an input deploy-ecs does not have',
      'gantry-action-inputs',
      mutate(GOOD_REUSABLE, '          service: web\n', '          service: web\n          wait-for-stability: true\n'),
    ],
    ['a required deploy-ecs input left out', 'gantry-action-inputs', mutate(GOOD_REUSABLE, '          cluster: shop\n', '')],
    ['a required input given empty', 'gantry-action-inputs', mutate(GOOD_REUSABLE, 'cluster: shop', "cluster: ''")],
    ['needs.<job> not in needs', 'needs-outputs', mutate(GOOD_REUSABLE, '    needs: build\n', '')],
    [
      'needs.<job>.outputs.<name> that the job does not set',
      'needs-outputs',
      mutate(GOOD_REUSABLE, 'needs.build.outputs.image', 'needs.build.outputs.digest'),
    ],
    [
      'steps.<id>.outputs.<name> that the action does not set',
      'step-outputs',
      mutate(GOOD_REUSABLE, 'steps.deploy.outputs.status', 'steps.deploy.outputs.state'),
    ],
    ['a run step output never written', 'step-outputs', mutate(GOOD_REUSABLE, 'steps.tag.outputs.image', 'steps.tag.outputs.digest')],
    ['a step id that does not exist', 'step-outputs', mutate(GOOD_REUSABLE, 'steps.deploy.outputs.status', 'steps.rollout.outputs.status')],
    [
      'a step output used before its step',
      'step-outputs',
      mutate(
        GOOD_REUSABLE,
        '          environment: ${{ inputs.environment }}\n',
        '          environment: ${{ inputs.environment }}\n          version: ${{ steps.later.outputs.v }}\n',
      ).replace('      - uses: ./.gantry/actions/smoke-test\n', '      - uses: ./.gantry/actions/smoke-test\n        id: later\n'),
    ],
    [
      'an output of a third-party action nobody listed',
      'step-outputs',
      mutate(
        GOOD_REUSABLE,
        '      - id: tag\n        run: echo "image=registry.example/app:1" >> "$GITHUB_OUTPUT"\n',
        '      - id: tag\n        uses: example/unknown-action@0123456789abcdef0123456789abcdef01234567 # v1\n',
      ),
    ],
    [
      'an output the gantry script does not write',
      'step-outputs',
      mutate(GOOD_REUSABLE, 'steps.gate.outputs.promotion', 'steps.gate.outputs.verdict'),
    ],
    [
      'a gantry script that does not exist',
      'gantry-scripts',
      mutate(GOOD_REUSABLE, 'run: echo proven', 'run: node .gantry/.github/scripts/promotion-gate.mjs'),
    ],
    [
      'a workflow_call output from a missing job output',
      'workflow-call-outputs',
      mutate(GOOD_REUSABLE, 'jobs.deploy.outputs.arn', 'jobs.deploy.outputs.revision'),
    ],
    [
      'inputs.<name> that is not an input',
      'inputs-defined',
      mutate(GOOD_REUSABLE, 'environment: ${{ inputs.environment }}', 'environment: ${{ inputs.env }}'),
    ],
    [
      'secrets.<name> not declared by the reusable workflow',
      'secrets-defined',
      mutate(GOOD_REUSABLE, 'secrets.smoke-token', 'secrets.SMOKE_TOKEN'),
    ],
    [
      'an input the called workflow does not have',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, '      service: web\n      allow', '      service: web\n      image-tag: latest\n      allow'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a required input of the called workflow left out',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, '      ecr-repository: shop\n', ''),
      'workflow-templates/fixture.yml',
    ],
    [
      'a string where a boolean is declared',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, 'allow-unpromoted: ${{ inputs.dry-run }}', "allow-unpromoted: 'true'"),
      'workflow-templates/fixture.yml',
    ],
    [
      'a string input of the caller passed to a boolean',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, 'allow-unpromoted: ${{ inputs.dry-run }}', 'allow-unpromoted: ${{ inputs.reason }}'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a string where a number is declared',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, 'rollout-timeout-seconds: 600', "rollout-timeout-seconds: '600'"),
      'workflow-templates/fixture.yml',
    ],
    [
      'a YAML number where a string is declared (1.10 reads as 1.1)',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, "terraform-version: '1.10.0'", 'terraform-version: 1.10'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a call to a gantry workflow that does not exist',
      'reusable-call-inputs',
      mutate(GOOD_CALLER, 'deploy.yml@v1', 'ship.yml@v1'),
      'workflow-templates/fixture.yml',
    ],
    [
      'a secret the called workflow does not declare',
      'reusable-call-secrets',
      mutate(
        GOOD_CALLER,
        '    uses: ./.github/workflows/rollback.yml\n',
        '    uses: ./.github/workflows/rollback.yml\n    secrets:\n      aws-secret-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n',
      ),
      'workflow-templates/fixture.yml',
    ],
    [
      'a caller that does not grant what the called jobs request',
      'reusable-call-permissions',
      mutate(GOOD_CALLER, '      deployments: read\n', ''),
      'workflow-templates/fixture.yml',
    ],
    [
      'a caller that does not grant the promotion gate actions: read',
      'reusable-call-permissions',
      mutate(GOOD_CALLER, '      actions: read\n', ''),
      'workflow-templates/fixture.yml',
    ],
  ];

  it.each(cases)('%s → %s', (_name, contract, text, path) => {
    expect(broken(text, path)).toContain(contract);
  });
});

describe('reading what a run step writes to $GITHUB_OUTPUT', () => {
  it('finds name=value and name<<EOF forms, in blocks too, and nothing without GITHUB_OUTPUT', () => {
    const script = [
      '{',
      '  echo "manager=$pm"',
      "  echo 'lockfile=x'",
      '} >> "$GITHUB_OUTPUT"',
      'echo "report<<EOF" >> "$GITHUB_OUTPUT"',
      'echo "Deploying $sha"',
    ].join('\n');
    expect(runStepOutputs(script)).toEqual(['manager', 'lockfile', 'report']);
    expect(runStepOutputs('echo "a=b"')).toEqual([]);
  });
});
