/**
 * The image of a release, by digest, in this environment's ECR. A tag names an image only until
 * somebody pushes another under it; a digest is the content. So the first environment deploys the digest
 * its own build pushed, and an environment promoted into deploys the digest its promote-from environment
 * ran (from the staging evidence), after checking here that exactly that digest is in its own registry
 * (ECR replication or a copy keep digests) and that the commit's tag, if the registry has one, does not
 * point at anything else.
 */
import { DescribeImagesCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ActionFailure, describeError } from '../../../lib/runner/errors';
import type { Logger } from '../../../lib/runner/logger';

export interface ImageRequest {
  repository: string;
  sha: string;
  digest: string;
}

export interface ImageOutcome {
  repositoryUri: string;
  registry: string;
  /** repo@sha256:…. */
  image: string;
}

function errorName(err: unknown): string {
  return (err as { name?: string }).name ?? '';
}

async function digestsOf(ecr: ECRClient, repository: string, imageId: { imageDigest?: string; imageTag?: string }): Promise<string[]> {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [imageId] }));
    return (out.imageDetails ?? []).map((detail) => detail.imageDigest ?? '').filter(Boolean);
  } catch (err) {
    if (errorName(err) === 'ImageNotFoundException') return [];
    throw new ActionFailure(
      'GANTRY-GATE-005',
      `Cannot read ${repository} in ECR (DescribeImages): ${describeError(err)}. The role needs ecr:DescribeImages on the repository.`,
    );
  }
}

export async function lookUpImage(ecr: ECRClient, request: ImageRequest, log: Logger): Promise<ImageOutcome> {
  const { repository, sha, digest } = request;
  let repositoryUri: string | undefined;
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    repositoryUri = out.repositories?.[0]?.repositoryUri;
  } catch (err) {
    if (errorName(err) === 'RepositoryNotFoundException') {
      throw new ActionFailure(
        'GANTRY-GATE-006',
        `No ECR repository ${repository} in this account and region: create it (the application's Terraform), or fix ecr-repository.`,
      );
    }
    throw new ActionFailure(
      'GANTRY-GATE-007',
      `Cannot read the ECR repository ${repository} (DescribeRepositories): ${describeError(err)}. The role needs ecr:DescribeRepositories on it.`,
    );
  }
  if (!repositoryUri) throw new ActionFailure('GANTRY-GATE-008', `ECR answered no URI for the repository ${repository}.`);
  const registry = repositoryUri.split('/')[0] ?? repositoryUri;
  if ((await digestsOf(ecr, repository, { imageDigest: digest })).length === 0) {
    throw new ActionFailure(
      'GANTRY-GATE-009',
      `Image not in this registry: ${repositoryUri}@${digest} does not exist. This environment deploys exactly the digest its promote-from environment ran: replicate that ECR repository into this account and region (ECR replication keeps the digest) or copy the image by digest, then re-run.`,
    );
  }
  const tagged = await digestsOf(ecr, repository, { imageTag: sha });
  const other = tagged.find((found) => found !== digest);
  if (other !== undefined) {
    throw new ActionFailure(
      'GANTRY-GATE-010',
      `Image tag mismatch: ${repositoryUri}:${sha} points at ${other}, not at ${digest}, the digest deployed before: another image was pushed under this commit's tag. Nothing is deployed by tag; find out who pushed ${other} (CloudTrail PutImage), delete it, and turn on tag immutability.`,
    );
  }
  const image = `${repositoryUri}@${digest}`;
  log.info(`Deploying ${image} (verified in ECR${tagged.length ? `, tag ${sha} agrees` : ''}).`);
  return { repositoryUri, registry, image };
}
