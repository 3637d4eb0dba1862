/**
 * gantry's workflow security policy as pure functions: each rule returns the breaches it finds, so
 * the tests can prove both that the real files are clean and that every rule catches its breach.
 */
import { contextProperties, expressionsInText } from './expressions';
import { gantryWorkflowFile } from './repo-files';
import { gantryActionOf, isMapping, usesAction, type Job, type Permissions, type Step, type Workflow } from './workflow-model';

export type RuleId =
  | 'top-level-permissions'
  | 'job-write-scopes'
  | 'pinned-uses'
  | 'dangerous-triggers'
  | 'secrets-inherit'
  | 'checkout-credentials'
  | 'template-injection'
  | 'gantry-actions-at-workflow-sha'
  | 'gantry-checkout-guard'
  | 'environment-gate'
  | 'deploy-concurrency'
  | 'production-credentials-behind-gate'
  | 'pr-code-with-write-token'
  | 'pr-plan-token-free'
  | 'publishing-job-cache'
  | 'pinned-installs';

export interface Violation {
  rule: RuleId;
  file: string;
  where: string;
  message: string;
}

export interface PolicyContext {
  /** gantry's reusable workflows by file name (to judge what a calling job needs). */
  reusable: Map<string, Workflow>;
  gantryActionNames: Set<string>;
}

export const CHECKOUT = 'actions/checkout';
export const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials';
export const UPLOAD_SARIF = 'github/codeql-action/upload-sarif';
/** How a reusable workflow fetches gantry's actions: the commit of the workflow file itself. */
export const GANTRY_CHECKOUT = { repository: '${{ job.workflow_repository }}', ref: '${{ job.workflow_sha }}', path: '.gantry' } as const;

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /^#\s*v?\d+(\.\d+){0,3}\b/;
/**
 * gantry's own reusable workflows may be called by version tag: one tag versions the whole suite
 * (docs/infra/architecture.md), the platform team owns it, and the workflow then fetches its actions at
 * job.workflow_sha — exactly the commit the tag resolved to — so workflow and actions never skew.
 */
const GANTRY_VERSION_TAG = /^v\d+(\.\d+){0,2}$/;

function violation(rule: RuleId, wf: Workflow, where: string, message: string): Violation {
  return { rule, file: wf.path, where, message };
}

function stepLabel(job: Job, step: Step): string {
  return `jobs.${job.id}.steps[${step.index}]${step.name ? ` (${step.name})` : ''}`;
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

/** Effective permissions of a job: its own, else the workflow's. */
export function effectivePermissions(job: Job, wf: Workflow): Permissions {
  return job.permissions ?? wf.permissions ?? {};
}

function writeScopes(permissions: Permissions | undefined): string[] {
  return Object.entries(permissions ?? {})
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

export function checkTopLevelPermissions(wf: Workflow): Violation[] {
  if (!wf.hasPermissionsKey)
    return [
      violation(
        'top-level-permissions',
        wf,
        'permissions',
        'no top-level permissions: the token would get the repository default, which may be write-all',
      ),
    ];
  return writeScopes(wf.permissions).map((scope) =>
    violation(
      'top-level-permissions',
      wf,
      'permissions',
      `top-level ${scope}: write; the top level must be read-only, grant writes on the job that needs them`,
    ),
  );
}

/** The write scopes a job can justify by what it runs. */
function justifiedWrites(job: Job, ctx: PolicyContext): Set<string> {
  const needed = new Set<string>();
  for (const step of job.steps) {
    if (usesAction(step, AWS_CREDENTIALS)) needed.add('id-token');
    if (usesAction(step, UPLOAD_SARIF)) needed.add('security-events');
    if (gantryActionOf(step) === 'terraform' && step.with.command === 'comment') needed.add('pull-requests');
    // gantry's release workflow creates the release and moves the major tag.
    if (/\bgh release create\b|\bgh api\b[^\n]*\/git\/refs/.test(step.run ?? '')) needed.add('contents');
  }
  const calledFile = job.uses ? gantryWorkflowFile(job.uses) : undefined;
  const called = calledFile ? ctx.reusable.get(calledFile) : undefined;
  if (called)
    for (const calledJob of called.jobs) for (const scope of writeScopes(effectivePermissions(calledJob, called))) needed.add(scope);
  return needed;
}

export function checkJobWriteScopes(wf: Workflow, ctx: PolicyContext): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    const justified = justifiedWrites(job, ctx);
    for (const scope of writeScopes(job.permissions)) {
      if (!justified.has(scope)) {
        found.push(
          violation(
            'job-write-scopes',
            wf,
            `jobs.${job.id}.permissions`,
            `${scope}: write without a step that needs it (id-token: AWS OIDC; security-events: SARIF upload; pull-requests: plan comment; contents: gh release create or gh api …/git/refs; or a called gantry workflow that needs it)`,
          ),
        );
      }
    }
  }
  return found;
}

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(?:'([^']*)'|"([^"]*)"|([^\s#'"]+))\s*(#.*)?$/;

export function checkPinnedUses(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  const lines = wf.text.split('\n');
  let seen = 0;
  lines.forEach((line, index) => {
    const match = USES_LINE.exec(line);
    if (!match) return;
    seen += 1;
    const uses = match[1] ?? match[2] ?? match[3] ?? '';
    const comment = (match[4] ?? '').trim();
    const where = `line ${index + 1}`;
    if (uses.startsWith('./')) return;
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses))
        found.push(violation('pinned-uses', wf, where, `${uses}: a container image must be pinned by digest (@sha256:…)`));
      return;
    }
    const ref = uses.includes('@') ? uses.slice(uses.lastIndexOf('@') + 1) : '';
    if (gantryWorkflowFile(uses) !== undefined && GANTRY_VERSION_TAG.test(ref)) return;
    if (!FULL_SHA.test(ref)) {
      found.push(
        violation(
          'pinned-uses',
          wf,
          where,
          `${uses}: pin third-party code to a full 40-character commit SHA (tags and branches can be moved, as trivy-action's were in March 2026)`,
        ),
      );
    } else if (!VERSION_COMMENT.test(comment)) {
      found.push(
        violation(
          'pinned-uses',
          wf,
          where,
          `${uses}: add the version in a comment after the SHA (\`# v1.2.3\`) so updates stay reviewable`,
        ),
      );
    }
  });
  const modelled = wf.jobs.reduce(
    (count, job) => count + (job.uses ? 1 : 0) + job.steps.filter((step) => step.uses !== undefined).length,
    0,
  );
  if (seen !== modelled) {
    found.push(
      violation(
        'pinned-uses',
        wf,
        'uses',
        `found ${seen} \`uses:\` lines but ${modelled} uses in the workflow: write every uses on its own line (block style) so its pin and comment can be checked`,
      ),
    );
  }
  return found;
}

export function checkDangerousTriggers(wf: Workflow): Violation[] {
  return ['pull_request_target', 'workflow_run']
    .filter((event) => event in wf.on)
    .map((event) =>
      violation(
        'dangerous-triggers',
        wf,
        `on.${event}`,
        `${event} runs with write access and secrets on code from a fork; use pull_request`,
      ),
    );
}

export function checkSecretsInherit(wf: Workflow): Violation[] {
  return wf.jobs
    .filter((job) => job.secrets === 'inherit')
    .map((job) =>
      violation(
        'secrets-inherit',
        wf,
        `jobs.${job.id}.secrets`,
        'secrets: inherit hands every secret to the called workflow; pass the ones it declares, by name',
      ),
    );
}

export function checkCheckoutCredentials(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      if (usesAction(step, CHECKOUT) && !isFalse(step.with['persist-credentials'])) {
        found.push(
          violation(
            'checkout-credentials',
            wf,
            stepLabel(job, step),
            'actions/checkout without persist-credentials: false leaves the token in .git/config for every later step (and artifact)',
          ),
        );
      }
    }
  }
  return found;
}

export function checkTemplateInjection(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      for (const expression of expressionsInText(step.run ?? '')) {
        found.push(
          violation(
            'template-injection',
            wf,
            stepLabel(job, step),
            `\${{ ${expression} }} is expanded into the script before the shell sees it (script injection); pass it through env: and use "$NAME"`,
          ),
        );
      }
    }
  }
  return found;
}

function isGantryCheckout(step: Step): boolean {
  return (
    usesAction(step, CHECKOUT) &&
    step.with.repository === GANTRY_CHECKOUT.repository &&
    step.with.ref === GANTRY_CHECKOUT.ref &&
    step.with.path === GANTRY_CHECKOUT.path &&
    isFalse(step.with['persist-credentials'])
  );
}

/** In a reusable workflow, `./` is the caller's repository: gantry's actions must come from a checkout at job.workflow_sha. */
export function checkGantryActionsAtWorkflowSha(wf: Workflow, ctx: PolicyContext): Violation[] {
  if (!wf.isReusable) return [];
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    let checkedOut = false;
    for (const step of job.steps) {
      const where = stepLabel(job, step);
      if (usesAction(step, CHECKOUT) && step.with.path === GANTRY_CHECKOUT.path && !isGantryCheckout(step)) {
        found.push(
          violation(
            'gantry-actions-at-workflow-sha',
            wf,
            where,
            `the .gantry checkout must be repository: ${GANTRY_CHECKOUT.repository}, ref: ${GANTRY_CHECKOUT.ref}, persist-credentials: false`,
          ),
        );
      }
      if (isGantryCheckout(step)) checkedOut = true;
      const uses = step.uses ?? '';
      if (/^[^./][^/]*\/gantry\/actions\//.test(uses)) {
        found.push(
          violation(
            'gantry-actions-at-workflow-sha',
            wf,
            where,
            `${uses}: a reusable workflow must not fetch gantry's actions by ref (they would drift from the workflow); use ./.gantry/actions/<name>`,
          ),
        );
        continue;
      }
      if (!uses.startsWith('./')) continue;
      const name = /^\.\/\.gantry\/actions\/([a-z0-9-]+)$/.exec(uses)?.[1];
      if (name === undefined) {
        found.push(
          violation(
            'gantry-actions-at-workflow-sha',
            wf,
            where,
            `${uses}: in a reusable workflow ./ is the caller's repository; gantry's actions are ./.gantry/actions/<name>`,
          ),
        );
      } else if (!ctx.gantryActionNames.has(name)) {
        found.push(violation('gantry-actions-at-workflow-sha', wf, where, `${uses}: gantry has no action ${name}`));
      } else if (!checkedOut) {
        found.push(
          violation(
            'gantry-actions-at-workflow-sha',
            wf,
            where,
            `${uses} runs before the step that checks gantry out at job.workflow_sha into .gantry`,
          ),
        );
      }
    }
  }
  return found;
}

/** The env key a step binds to exactly `${{ job.<property> }}`, if any. */
function envKeyFor(step: Step, property: 'workflow_repository' | 'workflow_sha'): string | undefined {
  const pattern = new RegExp(`^\\$\\{\\{\\s*job\\.${property}\\s*\\}\\}$`);
  return Object.entries(step.env).find(([, value]) => typeof value === 'string' && pattern.test(value.trim()))?.[0];
}

/**
 * A step that fails the job when job.workflow_repository or job.workflow_sha is empty (GHES, an older
 * runner): both come in through env:, the script tests both and exits 1.
 */
export function isWorkflowCommitGuard(step: Step): boolean {
  const repository = envKeyFor(step, 'workflow_repository');
  const sha = envKeyFor(step, 'workflow_sha');
  const script = step.run ?? '';
  return (
    repository !== undefined &&
    sha !== undefined &&
    script.includes(`$${repository}`) &&
    script.includes(`$${sha}`) &&
    /\bexit 1\b/.test(script)
  );
}

/**
 * With job.workflow_* empty, actions/checkout falls back to the caller's repository at its default
 * ref: gantry's steps would then run whatever the caller has in .gantry. Every checkout into .gantry
 * comes after a guard step that fails the job with a clear message instead.
 */
export function checkGantryCheckoutGuard(wf: Workflow): Violation[] {
  if (!wf.isReusable) return [];
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    let guarded = false;
    for (const step of job.steps) {
      if (isWorkflowCommitGuard(step)) guarded = true;
      if (usesAction(step, CHECKOUT) && step.with.path === GANTRY_CHECKOUT.path && !guarded) {
        found.push(
          violation(
            'gantry-checkout-guard',
            wf,
            stepLabel(job, step),
            "check gantry out only after a step that fails when job.workflow_repository or job.workflow_sha is empty (both through env:, the script tests both and exits 1); without them checkout fetches the caller's repository",
          ),
        );
      }
    }
  }
  return found;
}

function changesEnvironment(job: Job): boolean {
  return job.steps.some((step) => {
    const action = gantryActionOf(step);
    return action === 'deploy-ecs' || action === 'rollback' || (action === 'terraform' && step.with.command === 'apply');
  });
}

function environmentName(environment: unknown): string | undefined {
  if (typeof environment === 'string') return environment;
  return isMapping(environment) && typeof environment.name === 'string' ? environment.name : undefined;
}

function callsDeployOrRollback(job: Job): boolean {
  const file = job.uses ? gantryWorkflowFile(job.uses) : undefined;
  return file === 'deploy.yml' || file === 'rollback.yml';
}

/** Jobs that change an environment run inside its GitHub environment, so its protection rules (production's reviewers) apply. */
export function checkEnvironmentGate(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    if (wf.isReusable && changesEnvironment(job) && !environmentName(job.environment)) {
      found.push(
        violation(
          'environment-gate',
          wf,
          `jobs.${job.id}.environment`,
          'this job deploys, rolls back or applies Terraform, so it must declare environment: { name, url } to get the environment gate',
        ),
      );
    }
    if (callsDeployOrRollback(job)) {
      const value = job.with.environment;
      if (typeof value !== 'string' || value.trim() === '' || expressionsInText(value).length > 0) {
        found.push(
          violation(
            'environment-gate',
            wf,
            `jobs.${job.id}.with.environment`,
            'a caller passes the environment as a literal name (staging, production) so the branch → environment mapping is readable from the file',
          ),
        );
      }
    }
    const file = job.uses ? gantryWorkflowFile(job.uses) : undefined;
    const target = job.with.environment;
    if (
      file === 'deploy.yml' &&
      typeof target === 'string' &&
      /prod/i.test(target) &&
      (typeof job.with['promote-from'] !== 'string' || job.with['promote-from'].trim() === '')
    ) {
      found.push(
        violation(
          'environment-gate',
          wf,
          `jobs.${job.id}.with.promote-from`,
          `${target} is a production environment (its name contains "prod"): the caller must pass promote-from (the gate refuses it at run time otherwise)`,
        ),
      );
    }
  }
  return found;
}

function concurrencyOf(value: unknown): { group: string; cancel: unknown } | undefined {
  if (typeof value === 'string') return { group: value, cancel: undefined };
  return isMapping(value) ? { group: String(value.group ?? ''), cancel: value['cancel-in-progress'] } : undefined;
}

/** One deploy per environment at a time, and never a cancelled one (a cancelled terraform apply leaves the state locked). */
export function checkDeployConcurrency(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    if (wf.isReusable && environmentName(job.environment) !== undefined) {
      const concurrency = concurrencyOf(job.concurrency);
      if (!concurrency || !contextProperties(concurrency.group, 'inputs').includes('environment') || concurrency.cancel !== false) {
        found.push(
          violation(
            'deploy-concurrency',
            wf,
            `jobs.${job.id}.concurrency`,
            'a job in an environment needs concurrency: { group: deploy-${{ inputs.environment }}, cancel-in-progress: false }',
          ),
        );
      }
    }
    const jobConcurrency = concurrencyOf(job.concurrency);
    if (callsDeployOrRollback(job) && jobConcurrency && jobConcurrency.cancel !== false) {
      found.push(
        violation(
          'deploy-concurrency',
          wf,
          `jobs.${job.id}.concurrency`,
          'cancel-in-progress must be false for a job that deploys or rolls back',
        ),
      );
    }
  }
  const callsDeploy = wf.jobs.some((job) => job.uses !== undefined && gantryWorkflowFile(job.uses) === 'deploy.yml');
  const workflowConcurrency = concurrencyOf(wf.concurrency);
  if (callsDeploy && (!workflowConcurrency || workflowConcurrency.cancel !== false)) {
    found.push(
      violation(
        'deploy-concurrency',
        wf,
        'concurrency',
        'a deploying workflow queues its runs: concurrency with cancel-in-progress: false',
      ),
    );
  }
  if (workflowConcurrency && wf.jobs.some(callsDeployOrRollback) && /^deploy-/i.test(workflowConcurrency.group)) {
    found.push(
      violation(
        'deploy-concurrency',
        wf,
        'concurrency.group',
        `group ${workflowConcurrency.group} is the one the called workflow's job uses (deploy-<environment>); sharing it deadlocks`,
      ),
    );
  }
  if (workflowConcurrency && wf.jobs.some(callsDeployOrRollback) && workflowConcurrency.cancel !== false) {
    found.push(
      violation('deploy-concurrency', wf, 'concurrency', 'cancel-in-progress must be false in a workflow that deploys or rolls back'),
    );
  }
  return found;
}

/**
 * In a workflow with an environment gate (a job that declares `environment:`), every job that assumes an
 * AWS role runs in that environment — after its branch policy and reviewers, with the environment's OIDC
 * subject — unless it is limited to the first environment (`if: inputs.promote-from == ''`: the image
 * build of staging, which nothing is promoted into). So no production role runs before the approval.
 */
export function checkProductionCredentialsBehindGate(wf: Workflow): Violation[] {
  if (!wf.isReusable || !wf.jobs.some((job) => environmentName(job.environment) !== undefined)) return [];
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    if (!job.steps.some((step) => usesAction(step, AWS_CREDENTIALS))) continue;
    if (environmentName(job.environment) !== undefined) continue;
    const condition = String(job.raw.if ?? '');
    if (/inputs\.promote-from\s*==\s*''/.test(condition) && !/\|\|/.test(condition)) continue;
    found.push(
      violation(
        'production-credentials-behind-gate',
        wf,
        `jobs.${job.id}`,
        "this job assumes an AWS role outside the environment, so a production role would be used before the approval: declare environment: (its role's trust policy then requires the environment subject) or limit it to the first environment (if: inputs.promote-from == '')",
      ),
    );
  }
  return found;
}

/** A step that runs code of the checked-out repository: its Terraform, its package scripts, its Dockerfile, its scripts. */
function runsRepositoryCode(step: Step): boolean {
  const action = gantryActionOf(step);
  if (action === 'terraform' && step.with.command !== 'comment') return true;
  if (usesAction(step, 'docker/build-push-action')) return true;
  const script = step.run ?? '';
  return /\bterraform\b|\b(?:npm|npx|pnpm|yarn|make|python3?|node)\b|\$INSTALL_COMMAND|\$AUDIT_COMMAND|"\$PM"|bash\s+\S+\.sh|\.\/\S+/.test(
    script,
  );
}

function checksOutRepository(job: Job): boolean {
  return job.steps.some((step) => usesAction(step, CHECKOUT) && step.with.path !== GANTRY_CHECKOUT.path);
}

/**
 * A job that checks out the repository and runs its code holds no write scope but id-token (for a
 * read-only or environment-gated role): the code could use any write token it finds. A pull request's
 * code is the case that matters; the rule holds for every job, since every gantry job manages without.
 */
export function checkPrCodeWithWriteToken(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    if (job.uses || !checksOutRepository(job) || !job.steps.some(runsRepositoryCode)) continue;
    const writes = writeScopes(effectivePermissions(job, wf)).filter((scope) => scope !== 'id-token');
    if (writes.length > 0) {
      found.push(
        violation(
          'pr-code-with-write-token',
          wf,
          `jobs.${job.id}.permissions`,
          `this job runs the repository's code and holds ${writes.map((w) => `${w}: write`).join(', ')}: move the write to a job that runs no repository code and reads only an artifact`,
        ),
      );
    }
  }
  return found;
}

function pullRequestTriggered(wf: Workflow): boolean {
  return 'pull_request' in wf.on || wf.path.endsWith('/pr-checks.yml');
}

/**
 * In a pull-request workflow, a Terraform plan runs only through a shell that replaces its whole
 * environment (`exec env -i …`): a gantry action step would carry the runner's tokens
 * (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, INPUT_GITHUB-TOKEN) in the environment the plan
 * can read from /proc.
 */
export function checkPrPlanTokenFree(wf: Workflow): Violation[] {
  if (!pullRequestTriggered(wf)) return [];
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      const action = gantryActionOf(step);
      if (action === 'terraform' && step.with.command !== 'comment') {
        found.push(
          violation(
            'pr-plan-token-free',
            wf,
            stepLabel(job, step),
            "a pull request's Terraform runs inside this action's process, whose environment holds the runner's tokens: run it from a step that starts it with exec env -i and an allow-list",
          ),
        );
      }
      const runsTerraform =
        /\bterraform\/dist\/index\.js\b|\bterraform\b[^\n]*\s(?:init|validate|plan|apply|console|test|refresh|import)\b/.test(
          step.run ?? '',
        );
      if (runsTerraform && !/^\s*exec env -i\b/m.test(step.run ?? '')) {
        found.push(
          violation(
            'pr-plan-token-free',
            wf,
            stepLabel(job, step),
            "start Terraform (init installs the pull request's providers, validate and plan run them) with exec env -i and an allow-list, so no token is in any environment it can read",
          ),
        );
      }
    }
  }
  return found;
}

function publishes(step: Step): boolean {
  if (usesAction(step, 'docker/build-push-action')) return step.with.push === true || step.with.push === 'true';
  return /\bdocker\s+push\b|\bnpm\s+publish\b/.test(step.run ?? '');
}

function restoresSharedCache(step: Step): boolean {
  if (usesAction(step, 'actions/cache') || usesAction(step, 'actions/cache/restore')) return true;
  if (/type=gha/.test(String(step.with['cache-from'] ?? ''))) return true;
  return /^actions\/setup-[a-z]+$/.test(step.uses?.split('@')[0] ?? '') && step.with.cache !== undefined && step.with.cache !== '';
}

/** A job that publishes (pushes an image) restores no cache another branch's run could have written. */
export function checkPublishingJobCache(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    if (!job.steps.some(publishes)) continue;
    for (const step of job.steps.filter(restoresSharedCache)) {
      found.push(
        violation(
          'publishing-job-cache',
          wf,
          stepLabel(job, step),
          'this job publishes an image and restores a shared cache (type=gha, actions/cache, setup-* cache): a poisoned cache entry would ship in the image; build without it',
        ),
      );
    }
  }
  return found;
}

/**
 * Installs in scripts that fetch code by name at run time must be pinned by content: pip with
 * --require-hashes and a requirements file, no pipx, no `npm install -g`/`npx` of a package by name,
 * no `curl … | sh`. A download must be checked against a SHA-256 in the same step.
 */
export const INSTALL_EXCEPTIONS: ReadonlyArray<{ file: string; pattern: RegExp; reason: string }> = [
  {
    file: '.github/workflows/ci.yml',
    pattern: /python -m pip install "moto\[server\]==5\.2\.1"/,
    reason:
      "gantry's own CI, not a workflow an application calls: moto[server] and its dependency tree need a hashed requirements file generated with network access to PyPI, which the machine this change was made on has not (the version is pinned; the hashes are not yet)",
  },
  {
    file: '.github/workflows/release.yml',
    pattern: /python -m pip install "moto\[server\]==5\.2\.1"/,
    reason:
      "gantry's release runs .ci/run as ci.yml does, in a job with read-only permissions (the release is published by another job, from its artifact): the same moto pin, with the same reason as ci.yml's",
  },
];

export function checkPinnedInstalls(wf: Workflow): Violation[] {
  const found: Violation[] = [];
  for (const job of wf.jobs) {
    for (const step of job.steps) {
      const script = step.run ?? '';
      const where = stepLabel(job, step);
      const excepted = INSTALL_EXCEPTIONS.some((e) => e.file === wf.path && e.pattern.test(script));
      if (/\bpip3?\s+install\b/.test(script) && !/--require-hashes\b/.test(script) && !excepted) {
        found.push(
          violation(
            'pinned-installs',
            wf,
            where,
            'pip install without --require-hashes -r <requirements with --hash>: the resolved packages could change under the pin',
          ),
        );
      }
      if (/\bpipx\s+(?:run|install)\b/.test(script))
        found.push(
          violation(
            'pinned-installs',
            wf,
            where,
            'pipx resolves dependencies afresh on every run: use an image by digest, or pip with --require-hashes',
          ),
        );
      if (/\bnpm\s+(?:install|i)\s+(?:-g|--global)\b|\bnpx\s+(?!--no-install)[a-z@]/.test(script))
        found.push(
          violation('pinned-installs', wf, where, 'a package installed by name at run time: install from a lockfile (npm ci) instead'),
        );
      if (/\b(?:curl|wget)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba)?sh\b/.test(script))
        found.push(
          violation(
            'pinned-installs',
            wf,
            where,
            'a script piped from the network into a shell: download it, check its SHA-256, then run it',
          ),
        );
      if (/\b(?:curl|wget)\b[^\n]*(?:\.tar\.gz|\.zip|\.tgz)/.test(script) && !/sha256sum --check|shasum -a 256 -c/.test(script)) {
        found.push(violation('pinned-installs', wf, where, 'a download that is not checked against a pinned SHA-256 in the same step'));
      }
      if (/\bdocker\s+run\b/.test(script)) {
        const inline = /\s[a-z0-9./-]+(?::[\w.-]+)?@sha256:[0-9a-f]{64}\b/.test(script);
        const byEnv = Object.values(step.env).some(
          (value) => typeof value === 'string' && /^[a-z0-9./-]+@sha256:[0-9a-f]{64}$/.test(value),
        );
        if (!inline && !byEnv)
          found.push(violation('pinned-installs', wf, where, 'docker run of an image that is not pinned by digest (@sha256:…)'));
      }
    }
  }
  return found;
}

export function checkPolicy(wf: Workflow, ctx: PolicyContext): Violation[] {
  return [
    ...checkTopLevelPermissions(wf),
    ...checkJobWriteScopes(wf, ctx),
    ...checkPinnedUses(wf),
    ...checkDangerousTriggers(wf),
    ...checkSecretsInherit(wf),
    ...checkCheckoutCredentials(wf),
    ...checkTemplateInjection(wf),
    ...checkGantryActionsAtWorkflowSha(wf, ctx),
    ...checkGantryCheckoutGuard(wf),
    ...checkEnvironmentGate(wf),
    ...checkDeployConcurrency(wf),
    ...checkProductionCredentialsBehindGate(wf),
    ...checkPrCodeWithWriteToken(wf),
    ...checkPrPlanTokenFree(wf),
    ...checkPublishingJobCache(wf),
    ...checkPinnedInstalls(wf),
  ];
}

export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.file} ${v.where} [${v.rule}]: ${v.message}`).join('\n');
}
