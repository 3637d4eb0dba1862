/**
 * ARN inputs (cluster, service, task definition) checked against the client before any AWS call.
 * ECS resolves a full ARN only in the client's own region, so an ARN of another region either
 * fails with a confusing "not found" after other calls succeeded, or — for a task definition
 * given to UpdateService — is refused only once the deploy has begun. An account mix-up is the
 * same mistake one level up (a production ARN pasted into the staging workflow).
 *
 * Region: every ARN's region must be the client's. Account: every ARN must name the same account
 * and, when the caller gives one (`aws-account-id`), that account. The caller's credentials are
 * not asked (that would be an AWS call, STS GetCallerIdentity, before inputs are validated).
 */
import { InputError } from '../runner/errors';

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account: `service/cluster/name`, `task-definition/web:7`. */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;
const ACCOUNT_ID = /^\d{12}$/;

export function parseArn(value: string): ArnParts | undefined {
  const match = ARN.exec(value);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

export interface ArnInput {
  /** The input's name, for the message. */
  input: string;
  value: string | undefined;
}

export interface ClientScope {
  region: string;
  /** The account every ARN must name, when the caller gives one. */
  account?: { input: string; value: string };
}

/** Throws an InputError for the first ARN input outside the client's region or account. */
export function checkArnScope(inputs: readonly ArnInput[], scope: ClientScope): void {
  let firstAccount: { input: string; account: string } | undefined = scope.account && {
    input: scope.account.input,
    account: scope.account.value,
  };
  for (const { input, value } of inputs) {
    const arn = value === undefined ? undefined : parseArn(value);
    if (!arn || value === undefined) continue;
    if (arn.region !== scope.region) {
      throw new InputError(
        'GANTRY-AWS-003',
        input,
        value,
        `an ARN in the region the action calls, ${scope.region} (this ARN is in ${arn.region}): set aws-region (or AWS_REGION) to ${arn.region}, or use the ARN of ${scope.region}`,
      );
    }
    if (firstAccount === undefined) {
      firstAccount = { input, account: arn.account };
    } else if (arn.account !== firstAccount.account) {
      throw new InputError(
        'GANTRY-AWS-004',
        input,
        value,
        `an ARN of account ${firstAccount.account}, as ${firstAccount.input} says (this ARN is of account ${arn.account})`,
      );
    }
  }
}

/** The optional `aws-account-id` input: 12 digits. */
export function readAccountId(input: string, value: string | undefined): { input: string; value: string } | undefined {
  if (value === undefined) return undefined;
  if (!ACCOUNT_ID.test(value)) throw new InputError('GANTRY-AWS-005', input, value, 'a 12-digit AWS account ID');
  return { input, value };
}

/**
 * A service ARN of the long form names its cluster (`service/<cluster>/<name>`): it must be the
 * cluster given, or every call would go to one cluster about another's service.
 */
export function checkServiceInCluster(cluster: string, service: string): void {
  const arn = parseArn(service);
  const parts = arn?.resource.split('/') ?? [];
  if (parts.length !== 3 || parts[0] !== 'service') return;
  const clusterName = parseArn(cluster)?.resource.replace(/^cluster\//, '') ?? cluster;
  if (parts[1] !== clusterName) {
    throw new InputError(
      'GANTRY-AWS-006',
      'service',
      service,
      `a service of cluster '${clusterName}' (this ARN names cluster '${parts[1]}')`,
    );
  }
}
