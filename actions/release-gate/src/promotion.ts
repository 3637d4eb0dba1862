/**
 * The promotion gate: a commit may go to an environment with promote-from only when GitHub proves that
 * gantry's deploy workflow deployed it there successfully (evidence.ts), or when the override is asked
 * for with a reason that passes the rule (inputs.ts). A production environment (any name containing
 * "prod") without promote-from is refused, so a copied caller cannot lose the gate by dropping the input.
 */
import { ActionFailure } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';
import { markdownCell } from './markdown';
import { EvidenceReader, type Evidence } from './evidence';
import type { GitHubApi } from './github-api';
import { isProductionName, type PromotionInputs, type Verdict } from './inputs';

export interface PromotionOutcome {
  promotion: Verdict;
  /** The image and digest promote-from ran (proven only). */
  image?: string;
  digest?: string;
  evidenceUrl?: string;
  summary: string;
}

export async function promotionGate(inputs: PromotionInputs, api: GitHubApi, log: Logger): Promise<PromotionOutcome> {
  const { environment: target, promoteFrom, sha } = inputs;
  if (promoteFrom === undefined) {
    if (isProductionName(target)) {
      throw new ActionFailure(
        'GANTRY-GATE-028',
        `Promotion not configured: promote-from is empty, so nothing would check that this commit passed an earlier environment before ${target} (every environment whose name contains "prod" needs it). Set promote-from to the environment that deploys a commit first (promote-from: staging).`,
      );
    }
    return { promotion: 'not-required', summary: `Promotion gate: not required for ${target} (no promote-from).` };
  }
  const evidence: Evidence = await new EvidenceReader(api, {
    repository: inputs.repository,
    gantry: inputs.gantry,
    sha,
    promoteFrom,
    promoteFromBranch: inputs.promoteFromBranch,
  }).find();
  if (evidence.proven) {
    const superseded = evidence.state === 'inactive' ? ', since superseded by a newer deployment there' : '';
    log.info(
      `Promotion gate passed: ${sha} was deployed successfully to ${promoteFrom} by gantry's deploy workflow (deployment ${evidence.deploymentId}, run ${evidence.runId}${superseded}), image ${evidence.image}.`,
    );
    if (inputs.allowUnpromoted) log.info('allow-unpromoted was set but not needed: the commit is promoted.');
    return {
      promotion: 'proven',
      image: evidence.image,
      digest: evidence.digest,
      evidenceUrl: evidence.link,
      summary: `Promotion gate passed: \`${sha}\` was deployed successfully to ${promoteFrom} by gantry's deploy workflow (deployment ${evidence.deploymentId}${superseded}) ([run ${evidence.runId}](${evidence.link})), image \`${evidence.image}\`.`,
    };
  }
  if (inputs.allowUnpromoted) {
    const reason = inputs.reason ?? '';
    log.warning(`${inputs.actor} deploys ${sha} to ${target} without a successful ${promoteFrom} deployment. Reason: ${reason}`, {
      title: 'Promotion gate overridden',
    });
    return {
      promotion: 'overridden',
      summary: [
        '### :warning: Promotion gate overridden',
        '',
        `${markdownCell(evidence.why)}.`,
        '',
        '| commit | target | skipped environment | by | reason |',
        '| --- | --- | --- | --- | --- |',
        `| \`${sha}\` | ${target} | ${promoteFrom} | ${markdownCell(inputs.actor)} | ${markdownCell(reason)} |`,
      ].join('\n'),
    };
  }
  throw new ActionFailure(
    'GANTRY-GATE-029',
    `Not promoted: ${evidence.why}. Deploy it to ${promoteFrom} first from a push to ${inputs.promoteFromBranch} (a fast-forward such as main to develop keeps the SHA, a merge commit does not; or dispatch with the SHA ${promoteFrom} deployed), or set allow-unpromoted with an override-reason.`,
  );
}
