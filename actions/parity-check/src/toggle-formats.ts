/**
 * The formats toggle manifests come in, besides gantry's own (name → true/false or
 * { enabled, rollout }): OpenFeature flagd files are read natively; a `#a.b` selector picks the
 * manifest out of a wrapper; and a file in another tool's format (LaunchDarkly, PostHog, Unleash,
 * Flipt, a list of flags, a wrapper object) is named, with how to select or convert it, instead of
 * an error that takes the wrapper for a toggle. Messages describe shapes, never values.
 */
import type { ToggleState } from './toggles';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `a.b.c` (each segment a key; `['x.y']` for a key with dots is not supported: use a key without). */
export function parseSelector(selector: string): string[] | undefined {
  const segments = selector.split('.');
  return segments.every((segment) => segment !== '') ? segments : undefined;
}

/** The value at `segments`, or a message saying where the path stops. */
export function selectPath(data: unknown, segments: readonly string[]): { value: unknown } | { problem: string } {
  let current = data;
  const walked: string[] = [];
  for (const segment of segments) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) {
      const at = walked.length === 0 ? 'the top level' : `'${walked.join('.')}'`;
      const keys = isObject(current)
        ? Object.keys(current)
            .slice(0, 8)
            .map((key) => `'${key}'`)
            .join(', ')
        : '';
      return {
        problem: `${at} has no field '${segment}'${keys ? ` (it has ${keys}${isObject(current) && Object.keys(current).length > 8 ? ', …' : ''})` : isObject(current) ? ' (it is empty)' : ` (it is ${Array.isArray(current) ? 'a list' : `a ${current === null ? 'null' : typeof current}`})`}`,
      };
    }
    current = current[segment];
    walked.push(segment);
  }
  return { value: current };
}

const FLAGD_TOP_LEVEL = new Set(['$schema', 'flags', '$evaluators', 'metadata']);

/** An OpenFeature flagd flag definition file: `{ "$schema"?, "flags": { name: { state, variants, defaultVariant, targeting? } } }`. */
export function isFlagd(data: unknown): data is { flags: Record<string, Json> } {
  if (!isObject(data) || !isObject(data.flags)) return false;
  if (!Object.keys(data).every((key) => FLAGD_TOP_LEVEL.has(key))) return false;
  const flags = Object.values(data.flags);
  const schema = typeof data.$schema === 'string' && /flagd/i.test(data.$schema);
  return schema || (flags.length > 0 && flags.every((flag) => isObject(flag) && typeof flag.state === 'string' && isObject(flag.variants)));
}

/** The `fractional` rule of a targeting tree: [[variant, weight], …] buckets, wherever it sits. */
function fractionalBuckets(targeting: unknown): Array<[string, number]> | undefined {
  if (Array.isArray(targeting)) {
    for (const item of targeting) {
      const found = fractionalBuckets(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(targeting)) return undefined;
  if (Array.isArray(targeting.fractional)) {
    const buckets = targeting.fractional.filter(
      (bucket): bucket is [string, number] => Array.isArray(bucket) && typeof bucket[0] === 'string' && typeof bucket[1] === 'number',
    );
    if (buckets.length > 0) return buckets;
  }
  for (const value of Object.values(targeting)) {
    const found = fractionalBuckets(value);
    if (found) return found;
  }
  return undefined;
}

/**
 * flagd → toggle states. A flag is on when its state is ENABLED and its default variant is `true`
 * (or, for a non-boolean flag, simply when ENABLED); a `fractional` targeting rule gives the
 * rollout: the share of its weights on variants whose value is `true`.
 */
export function flagdToggles(data: { flags: Record<string, Json> }, fail: (problem: string) => never): Map<string, ToggleState> {
  const toggles = new Map<string, ToggleState>();
  for (const [name, flag] of Object.entries(data.flags)) {
    if (!isObject(flag)) fail(`flag '${name}': expected an object { "state", "variants", "defaultVariant" } (OpenFeature flagd).`);
    if (flag.state !== 'ENABLED' && flag.state !== 'DISABLED')
      fail(`flag '${name}': 'state' must be "ENABLED" or "DISABLED" (OpenFeature flagd).`);
    if (!isObject(flag.variants) || Object.keys(flag.variants).length === 0)
      fail(`flag '${name}': 'variants' must be an object of variant name → value (OpenFeature flagd).`);
    const variants = flag.variants as Json;
    if (typeof flag.defaultVariant !== 'string' || !Object.hasOwn(variants, flag.defaultVariant))
      fail(`flag '${name}': 'defaultVariant' must name one of its variants (OpenFeature flagd).`);
    const boolean = Object.values(variants).every((value) => typeof value === 'boolean');
    const defaultOn = boolean ? variants[flag.defaultVariant as string] === true : true;
    let rollout = defaultOn ? 100 : 0;
    const buckets = boolean ? fractionalBuckets(flag.targeting) : undefined;
    if (buckets) {
      const total = buckets.reduce((sum, [, weight]) => sum + weight, 0);
      const on = buckets.filter(([variant]) => variants[variant] === true).reduce((sum, [, weight]) => sum + weight, 0);
      rollout = total > 0 ? Math.round((on / total) * 10_000) / 100 : 0;
    }
    const enabled = flag.state === 'ENABLED' && rollout > 0;
    toggles.set(name, { enabled, rollout: enabled ? rollout : 0 });
  }
  return toggles;
}

export interface ForeignFormat {
  tool: string;
  /** How to read it with gantry: a selector, or a conversion. */
  advice: string;
}

const listOfFlags = (value: unknown, keys: string[]): boolean =>
  Array.isArray(value) && value.length > 0 && value.every((item) => isObject(item) && keys.some((key) => key in item));

/**
 * A manifest in another tool's format, recognised by its shape; `reference` is the input's value
 * without a selector, for the advice. Undefined when nothing is recognised.
 */
export function recognizeForeignFormat(data: unknown, reference: string): ForeignFormat | undefined {
  const convert = (jq: string) =>
    `convert it to gantry's manifest, e.g. \`jq '${jq}' ${reference.replace(/^secretsmanager:.*/, 'manifest.json')}\``;
  if (Array.isArray(data)) {
    if (listOfFlags(data, ['key', 'name'])) {
      return {
        tool: 'a list of flags',
        advice: convert('map({key: (.key // .name), value: {enabled: (.enabled // .active // false)}}) | from_entries'),
      };
    }
    return undefined;
  }
  if (!isObject(data)) return undefined;
  if (isObject(data.flagValues))
    return {
      tool: "LaunchDarkly's (flag data file: flags, flagValues, segments)",
      advice: `select the flag values with \`${reference}#flagValues\``,
    };
  if (listOfFlags(data.flags, ['rollout_percentage', 'filters'])) {
    return {
      tool: "PostHog's (flags with rollout_percentage)",
      advice: convert('.flags | map({key: .key, value: {enabled: .active, rollout: (.rollout_percentage // 100)}}) | from_entries'),
    };
  }
  if (listOfFlags(data.features, ['strategies', 'enabled']) || (typeof data.version === 'number' && Array.isArray(data.features))) {
    return {
      tool: "Unleash's (features with strategies)",
      advice: convert('.features | map({key: .name, value: {enabled: .enabled}}) | from_entries'),
    };
  }
  if (listOfFlags(data.flags, ['key', 'type', 'enabled'])) {
    return {
      tool: "Flipt's (flags with key, type, enabled)",
      advice: convert('.flags | map({key: .key, value: {enabled: .enabled}}) | from_entries'),
    };
  }
  if (
    isObject(data.flags) &&
    Object.values(data.flags).some((flag) => isObject(flag) && ('variants' in flag || 'state' in flag || 'defaultVariant' in flag))
  ) {
    return {
      tool: "OpenFeature flagd's, with fields gantry does not read",
      advice: 'keep only $schema, flags, $evaluators and metadata at the top level, and give each flag state, variants and defaultVariant',
    };
  }
  // A wrapper: one field (or a few) holding an object of booleans or { enabled } objects.
  const wrappers = Object.entries(data).filter(
    ([, value]) =>
      isObject(value) &&
      Object.values(value).length > 0 &&
      Object.values(value).every((item) => typeof item === 'boolean' || (isObject(item) && typeof item.enabled === 'boolean')),
  );
  if (wrappers.length > 0) {
    const [key] = wrappers[0] ?? [''];
    return { tool: `a wrapper object (the toggles are under '${key}')`, advice: `select them with \`${reference}#${key}\`` };
  }
  return undefined;
}
