/**
 * Reading Terraform's machine-readable plan (`terraform show -json`) and outputs
 * (`terraform output -json`). Counting from `resource_changes` instead of parsing the text
 * plan is what keeps gantry free of the text-noise false alarms the peers suffered.
 * Pure: no I/O.
 */
import { MIN_MASKED_LENGTH, maskableStrings } from '../../../lib/util/secrets';

/** One resource's planned action, as a reviewer thinks of it. */
export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'import' | 'forget' | 'no-op';

export interface ResourceChange {
  address: string;
  action: ResourceAction;
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  reason: string | undefined;
}

export interface OutputChange {
  name: string;
  action: ResourceAction;
  sensitive: boolean;
}

/** `add`, `destroy` and `replace` are disjoint: a replacement is counted only in `replace`. */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  read: number;
}

export interface PlanSummary {
  counts: PlanCounts;
  /** Every resource with something to do (no-ops left out), destroys first. */
  resources: ResourceChange[];
  outputs: OutputChange[];
}

export interface OutputValue {
  name: string;
  sensitive: boolean;
  type: unknown;
  value: unknown;
}

export function classifyActions(actions: readonly string[], importing = false): ResourceAction {
  const key = [...actions].sort().join(',');
  switch (key) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'create,delete':
      return 'replace';
    case 'read':
      return 'read';
    case 'forget':
      return 'forget';
    case 'no-op':
    case '':
      return importing ? 'import' : 'no-op';
    default:
      // Future Terraform action combinations: treat anything that removes as a replacement.
      return actions.includes('delete') ? 'replace' : 'update';
  }
}

/** `item[2]` before `item[10]`. */
const ADDRESS_ORDER = new Intl.Collator('en', { numeric: true });

/** Reviewers look for destroys first. */
const ACTION_ORDER: readonly ResourceAction[] = ['delete', 'replace', 'forget', 'update', 'create', 'import', 'read', 'no-op'];

export function summarizePlan(plan: unknown): PlanSummary {
  if (!isRecord(plan)) throw new Error('terraform show -json did not print a JSON object');
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0, read: 0 };
  const resources: ResourceChange[] = [];
  const rawChanges = plan.resource_changes ?? [];
  if (!Array.isArray(rawChanges)) throw new Error('terraform show -json: resource_changes is not a list');
  for (const [index, raw] of rawChanges.entries()) {
    // Described by position and shape only: a resource change holds attribute values, sensitive ones included.
    if (!isRecord(raw)) throw new Error(`terraform show -json: resource_changes[${index}] is not an object`);
    if (typeof raw.address !== 'string') throw new Error(`terraform show -json: resource_changes[${index}] has no address`);
    if (!isRecord(raw.change)) throw new Error(`terraform show -json: resource_changes[${index}] (${raw.address}) has no change object`);
    const action = classifyActions(stringList(raw.change.actions), raw.change.importing !== undefined && raw.change.importing !== null);
    if (action === 'no-op') continue;
    if (action === 'create') counts.add += 1;
    else if (action === 'update') counts.change += 1;
    else if (action === 'delete') counts.destroy += 1;
    else if (action === 'replace') counts.replace += 1;
    else if (action === 'read') counts.read += 1;
    resources.push({ address: raw.address, action, reason: typeof raw.action_reason === 'string' ? raw.action_reason : undefined });
  }
  resources.sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || ADDRESS_ORDER.compare(a.address, b.address));

  const outputs: OutputChange[] = [];
  const rawOutputs = isRecord(plan.output_changes) ? plan.output_changes : {};
  for (const [name, raw] of Object.entries(rawOutputs)) {
    if (!isRecord(raw)) continue;
    const action = classifyActions(stringList(raw.actions));
    if (action === 'no-op') continue;
    outputs.push({ name, action, sensitive: raw.before_sensitive === true || raw.after_sensitive === true });
  }
  outputs.sort((a, b) => a.name.localeCompare(b.name));
  return { counts, resources, outputs };
}

/**
 * JSON that Terraform printed (`show -json`, `output -json`). JSON.parse's own error quotes
 * the text, and this text holds variable and output values, sensitive ones included: the
 * error says only how long it was and where parsing stopped.
 */
export function parseTerraformJson(text: string, command: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') throw new Error(`${command} printed nothing`, { cause: err });
    const message = (err as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    let where = '';
    if (/end of JSON input/i.test(message) || (position !== undefined && Number(position) >= text.length))
      where = 'it ends before the JSON is complete; ';
    else if (position !== undefined) where = `parsing stopped at character ${Number(position) + 1}; `;
    throw new Error(
      `${command} printed ${text.length} characters that are not valid JSON (${where}the output is not shown: it holds variable values)`,
      { cause: err },
    );
  }
}

/** Resource changes that apply would make (reads are not changes to the infrastructure). */
export function changeCount(counts: PlanCounts): number {
  return counts.add + counts.change + counts.destroy + counts.replace;
}

/** `1 to add, 0 to change, 0 to destroy, 1 to replace` (+ reads when there are any). */
export function describeCounts(counts: PlanCounts): string {
  const parts = [`${counts.add} to add`, `${counts.change} to change`, `${counts.destroy} to destroy`, `${counts.replace} to replace`];
  if (counts.read > 0) parts.push(`${counts.read} to read`);
  return parts.join(', ');
}

/** After apply: `6 added, 1 changed, 0 destroyed, 1 replaced`. */
export function describeApplied(counts: PlanCounts): string {
  return `${counts.add} added, ${counts.change} changed, ${counts.destroy} destroyed, ${counts.replace} replaced`;
}

export function parseOutputs(json: unknown): OutputValue[] {
  if (!isRecord(json)) throw new Error('terraform output -json did not print a JSON object');
  return Object.entries(json)
    .map(([name, raw]) => {
      const record = isRecord(raw) ? raw : {};
      return { name, sensitive: record.sensitive === true, type: record.type, value: record.value };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The strings to mask for one sensitive value: the value as printed (strings raw, anything
 * else as JSON) and every string or number inside it, so a part of a map cannot leak either.
 */
export function secretStrings(value: unknown): string[] {
  const whole = value !== null && typeof value === 'object' ? [JSON.stringify(value)] : [];
  return [...new Set([...whole, ...maskableStrings(value, { numbers: true })])].filter((s) => s.length >= MIN_MASKED_LENGTH);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
