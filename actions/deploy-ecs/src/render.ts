/**
 * Rendering the revision to register (pure): images into their containers, environment merged,
 * release metadata as docs/infra/architecture.md#release-metadata-contract states it (container env, OCI docker labels, gantry:* tags).
 * Everything else in the template is kept exactly as it was.
 */
import type { KeyValuePair } from '@aws-sdk/client-ecs';
import { recordToTags, sanitizeTagValue } from '../../../lib/ecs/release';
import { InputError } from '../../../lib/runner/errors';
import { TAG } from '../../../lib/ecs/metadata';
import type { ImageAssignment } from './inputs';
import type { ContainerDefinitionInput, TaskDefinitionInput, TaskDefinitionTemplate } from '../../../lib/ecs/task-definition-template';

export interface ReleaseInfo {
  gitSha: string;
  version?: string;
  environment?: string;
  runUrl?: string;
  actor?: string;
  /** Repository URL, for org.opencontainers.image.source. */
  sourceUrl?: string;
  /** The task definition the service ran before this release. */
  previousTaskDefinitionArn?: string;
  /** ISO 8601 time of the deployment. */
  deployedAt: string;
}

export interface RenderRequest {
  template: TaskDefinitionTemplate;
  images: readonly ImageAssignment[];
  environment: ReadonlyMap<string, string>;
  release: ReleaseInfo;
}

export interface ImageTarget {
  container: string;
  image: string;
}

export interface RenderedTaskDefinition {
  /** Ready for RegisterTaskDefinition, tags included. */
  input: TaskDefinitionInput;
  targets: ImageTarget[];
  tags: Record<string, string>;
}

/** Status of a registered revision before its rollout's fate is known (never "good" for rollback). */
export const PENDING_STATUS = 'pending';

export const LABEL = {
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  source: 'org.opencontainers.image.source',
} as const;

export function renderTaskDefinition({ template, images, environment, release }: RenderRequest): RenderedTaskDefinition {
  const definition: TaskDefinitionInput = structuredClone(template.definition);
  const containers = definition.containerDefinitions ?? [];
  const targets = resolveTargets(containers, images);
  for (const target of targets) {
    const container = containers.find((c) => c.name === target.container) as ContainerDefinitionInput;
    container.image = target.image;
    container.environment = mergeEnvironment(container.environment, environment, release);
    container.dockerLabels = releaseLabels(container.dockerLabels, release);
  }
  const tags = releaseTags(template.tags, release);
  return { input: { ...definition, tags: recordToTags(tags) }, targets, tags };
}

/** Which container gets which image; InputError naming `container-name`/`images`/`image` when unclear. */
export function resolveTargets(containers: readonly ContainerDefinitionInput[], images: readonly ImageAssignment[]): ImageTarget[] {
  const names = containers.map((c) => c.name ?? '');
  const listed = names.map((n) => `'${n}'`).join(', ');
  const seen = new Set<string>();
  return images.map((assignment) => {
    let container = assignment.container;
    if (container === undefined) {
      // ECS treats a container without `essential` as essential.
      const essential = containers.filter((c) => c.essential !== false).map((c) => c.name ?? '');
      if (containers.length === 1) container = names[0];
      else if (essential.length === 1) container = essential[0];
      else {
        throw new InputError(
          'GANTRY-DEPLOY-031',
          'container-name',
          undefined,
          `the container that gets the image: the task has ${essential.length === 0 ? 'no' : essential.length} essential containers among ${listed}`,
        );
      }
    } else if (!names.includes(container)) {
      const input = assignment.input === 'images' ? 'images' : 'container-name';
      throw new InputError(
        'GANTRY-DEPLOY-032',
        input,
        assignment.input === 'images' ? `${container}=${assignment.image}` : container,
        `a container of the task definition: one of ${listed}`,
      );
    }
    if (seen.has(container)) throw new InputError('GANTRY-DEPLOY-033', 'images', container, 'each container at most once');
    seen.add(container);
    return { container, image: assignment.image };
  });
}

/** Set (add or replace, keeping order) the user's variables, then gantry's release variables. */
export function mergeEnvironment(
  current: readonly KeyValuePair[] | undefined,
  variables: ReadonlyMap<string, string>,
  release: Pick<ReleaseInfo, 'gitSha' | 'version'>,
): KeyValuePair[] {
  const wanted = new Map(variables);
  wanted.set('DEPLOY_GIT_SHA', release.gitSha);
  if (release.version !== undefined) wanted.set('DEPLOY_VERSION', release.version);
  const merged: KeyValuePair[] = [];
  for (const pair of current ?? []) {
    // A DEPLOY_VERSION left from the previous release would lie about this one.
    if (pair.name === 'DEPLOY_VERSION' && release.version === undefined) continue;
    if (pair.name !== undefined && wanted.has(pair.name)) {
      merged.push({ ...pair, value: wanted.get(pair.name) });
      wanted.delete(pair.name);
    } else merged.push(pair);
  }
  for (const [name, value] of wanted) merged.push({ name, value });
  return merged;
}

export function releaseLabels(current: Record<string, string> | undefined, release: ReleaseInfo): Record<string, string> {
  const labels: Record<string, string> = { ...current, [LABEL.revision]: release.gitSha };
  if (release.version !== undefined) labels[LABEL.version] = release.version;
  else delete labels[LABEL.version];
  if (release.sourceUrl !== undefined) labels[LABEL.source] = release.sourceUrl;
  return labels;
}

/** Template tags kept, except gantry:* ones, which describe the previous release and are all rewritten. */
export function releaseTags(templateTags: Record<string, string>, release: ReleaseInfo): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(templateTags)) if (!key.startsWith('gantry:')) tags[key] = value;
  const gantry: Record<string, string | undefined> = {
    [TAG.gitSha]: release.gitSha,
    [TAG.version]: release.version,
    [TAG.environment]: release.environment,
    [TAG.runUrl]: release.runUrl,
    [TAG.actor]: release.actor,
    [TAG.previous]: release.previousTaskDefinitionArn,
    [TAG.deployedAt]: release.deployedAt,
    [TAG.status]: PENDING_STATUS,
  };
  for (const [key, value] of Object.entries(gantry)) if (value !== undefined && value !== '') tags[key] = sanitizeTagValue(value);
  return tags;
}
