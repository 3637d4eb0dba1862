/**
 * Version pinning: the third-party pins in the reusable workflows and templates agree with each other
 * and with the sourced table in docs/infra/workflows.md; trivy-action stays on the release the March
 * 2026 tag rewrite did not touch; every reusable workflow runs gantry's actions at its own commit.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GANTRY_CHECKOUT } from './support/policy';
import { loadWorkflow, readRepoFile, REUSABLE_WORKFLOWS, TEMPLATE_DIR, TEMPLATES, WORKFLOW_DIR } from './support/repo-files';
import { gantryActionOf, usesAction } from './support/workflow-model';

const DOC = 'docs/infra/workflows.md';
const OWN_FILES = [...REUSABLE_WORKFLOWS.map((file) => `${WORKFLOW_DIR}/${file}`), ...TEMPLATES.map((file) => `${TEMPLATE_DIR}/${file}`)];

interface Pin {
  action: string;
  sha: string;
  version: string;
}

/** `uses: owner/repo[/path]@<sha> # <version>` lines of a file. */
function pinsIn(text: string): Pin[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s*#\s*(\S+)/gm)].map((m) => ({
    action: m[1] ?? '',
    sha: m[2] ?? '',
    version: m[3] ?? '',
  }));
}

/** Rows `| \`action\` | version | \`sha\` | source |` of the table in the docs. */
function documentedPins(markdown: string): Pin[] {
  return [...markdown.matchAll(/^\|\s*`([\w.-]+\/[\w./-]+)`\s*\|\s*(v[\d.]+)\s*\|\s*`([0-9a-f]{40})`\s*\|\s*(.+?)\s*\|$/gm)].map((m) => ({
    action: m[1] ?? '',
    version: m[2] ?? '',
    sha: m[3] ?? '',
  }));
}

const used = OWN_FILES.flatMap((file) => pinsIn(readRepoFile(file)).map((pin) => ({ ...pin, file })));
const documented = documentedPins(readRepoFile(DOC));

describe('third-party pins', () => {
  it('one action, one commit, one version comment across every workflow and template', () => {
    const byAction = new Map<string, Set<string>>();
    for (const pin of used) byAction.set(pin.action, (byAction.get(pin.action) ?? new Set()).add(`${pin.sha} ${pin.version}`));
    const inconsistent = [...byAction].filter(([, pins]) => pins.size > 1).map(([action, pins]) => `${action}: ${[...pins].join(' | ')}`);
    expect(inconsistent).toEqual([]);
    expect(byAction.size).toBeGreaterThanOrEqual(10);
  });

  it(`match the sourced table in ${DOC}, both ways`, () => {
    const inFiles = [...new Set(used.map((pin) => `${pin.action}@${pin.sha} ${pin.version}`))].sort();
    const inDoc = documented.map((pin) => `${pin.action}@${pin.sha} ${pin.version}`).sort();
    expect(inDoc).toEqual(inFiles);
  });

  it('every documented row names where the SHA was found', () => {
    for (const row of readRepoFile(DOC)
      .split('\n')
      .filter((line) => /^\|\s*`[\w.-]+\/[\w./-]+`\s*\|\s*v/.test(line))) {
      const source = row.split('|').at(-2)?.trim() ?? '';
      expect(source.length, row).toBeGreaterThan(20);
    }
  });

  it('trivy-action is the 0.35.0 commit and the Trivy binary is pinned away from the malicious v0.69.4', () => {
    const trivy = used.filter((pin) => pin.action === 'aquasecurity/trivy-action');
    expect(trivy.length).toBeGreaterThan(0);
    for (const pin of trivy) expect(pin.sha).toBe('57a97c7e7821a5776cebc9bb87c984fa69cba8f1');
    const steps = loadWorkflow(`${WORKFLOW_DIR}/pr-checks.yml`)
      .jobs.flatMap((job) => job.steps)
      .filter((step) => usesAction(step, 'aquasecurity/trivy-action'));
    for (const step of steps) expect(step.with.version).toBe('v0.69.3');
  });
});

describe('Dependabot keeps the pins current (as docs/infra/workflows.md says)', () => {
  it('.github/dependabot.yml updates github-actions and npm at the repository root', () => {
    const config: unknown = parse(readRepoFile('.github/dependabot.yml'));
    expect(config).toMatchObject({ version: 2 });
    const updates = (config as { updates: Array<Record<string, unknown>> }).updates;
    for (const ecosystem of ['github-actions', 'npm']) {
      const entry = updates.find((update) => update['package-ecosystem'] === ecosystem);
      expect(entry, `an update entry for ${ecosystem}`).toMatchObject({ directory: '/', schedule: { interval: expect.any(String) } });
    }
  });
});

describe('tools downloaded by a workflow', () => {
  it('Gitleaks: the version and SHA-256 pr-checks.yml verifies are the documented ones, and the archive is checked before it runs', () => {
    const job = loadWorkflow(`${WORKFLOW_DIR}/pr-checks.yml`).jobs.find((candidate) => candidate.id === 'gitleaks');
    const install = job?.steps.find((step) => 'GITLEAKS_SHA256' in step.env);
    expect(install, 'the gitleaks job has an install step with GITLEAKS_VERSION and GITLEAKS_SHA256').toBeDefined();
    const version = String(install?.env.GITLEAKS_VERSION);
    const sha256 = String(install?.env.GITLEAKS_SHA256);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const row = readRepoFile(DOC)
      .split('\n')
      .find((line) => line.startsWith('| Gitleaks |'));
    expect(row, `${DOC} has a Gitleaks row`).toBeDefined();
    expect(row).toContain(`| ${version} |`);
    expect(row).toContain(`\`${sha256}\``);
    expect(row).toContain(`gitleaks_${version}_linux_x64.tar.gz`);
    const script = install?.run ?? '';
    expect(script.indexOf('sha256sum --check')).toBeGreaterThan(script.indexOf('curl'));
    expect(script.indexOf('tar -xzf')).toBeGreaterThan(script.indexOf('sha256sum --check'));
  });
});

describe('gantry’s actions run at the reusable workflow’s own commit', () => {
  it.each(REUSABLE_WORKFLOWS)('%s: every job using a gantry action checks gantry out at job.workflow_sha first', (file) => {
    const wf = loadWorkflow(`${WORKFLOW_DIR}/${file}`);
    expect(wf.isReusable).toBe(true);
    const jobs = wf.jobs.filter((job) => job.steps.some((step) => gantryActionOf(step) !== undefined));
    expect(jobs.length, `${file} uses gantry's actions`).toBeGreaterThan(0);
    for (const job of jobs) {
      const checkout = job.steps.findIndex((step) => usesAction(step, 'actions/checkout') && step.with.path === GANTRY_CHECKOUT.path);
      const first = job.steps.findIndex((step) => gantryActionOf(step) !== undefined);
      expect(checkout, `${job.id} checks gantry out`).toBeGreaterThanOrEqual(0);
      expect(checkout, `${job.id} checks gantry out before using it`).toBeLessThan(first);
      expect(job.steps[checkout]?.with).toMatchObject({
        repository: GANTRY_CHECKOUT.repository,
        ref: GANTRY_CHECKOUT.ref,
        'persist-credentials': false,
      });
      for (const step of job.steps.filter((s) => gantryActionOf(s) !== undefined))
        expect(step.uses).toMatch(/^\.\/\.gantry\/actions\/[a-z-]+$/);
    }
  });
});
