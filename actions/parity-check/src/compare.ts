/**
 * The parity rules. Pure: two loaded sides in, findings out.
 * - variables: same names; same nested keys in objects; same value type; equal values only
 *   for `values-must-match` paths;
 * - toggles: same names; the target never ahead of the base; the base ahead only for
 *   `rollout-toggles`;
 * - env files: same names (values are never read).
 */
import type { EnvNameSet } from './dotenv';
import { describeToggle, exposure, type ToggleSet } from './toggles';
import { deepEqual, isObject, lookupPath, renderValue, typeOf } from './values';
import type { SourceLocation, VariableSet } from './var-files';

export type FindingKind = 'variable' | 'toggle' | 'env';
export type Rule = 'missing-in-target' | 'missing-in-base' | 'type-mismatch' | 'values-must-match' | 'target-ahead' | 'base-ahead';

export interface Finding {
  kind: FindingKind;
  /** Variable name or dot path, toggle name, or env variable name. */
  key: string;
  /** Human rendering of the base side: a value, a toggle state, `set`, or `(missing)`. */
  base: string;
  target: string;
  rule: Rule;
  file?: string;
  line?: number;
  message: string;
}

export interface SideNames {
  base: string;
  target: string;
}

export interface RuleOptions {
  valuesMustMatch: readonly string[];
  ignore: readonly string[];
  rolloutToggles: readonly string[];
}

export interface Comparison {
  findings: Finding[];
  /** Things a person should know that are not divergences (e.g. a must-match path set nowhere). */
  notes: string[];
  compared: { variables: number; toggles: number; envNames: number };
}

const MISSING = '(missing)';

/** `ignore` entries match a name exactly or any nested path below it (`tags` ignores `tags.team`). */
function variableIgnored(ignore: ReadonlySet<string>, dotPath: string): boolean {
  if (ignore.has(dotPath)) return true;
  for (let dot = dotPath.indexOf('.'); dot !== -1; dot = dotPath.indexOf('.', dot + 1)) {
    if (ignore.has(dotPath.slice(0, dot))) return true;
  }
  return false;
}

function unionInOrder<T>(first: Iterable<T>, second: Iterable<T>): T[] {
  return [...new Set([...first, ...second])];
}

function at(location: SourceLocation | undefined): Pick<Finding, 'file' | 'line'> {
  return { ...(location?.file ? { file: location.file } : {}), ...(location?.line ? { line: location.line } : {}) };
}

export function compareVariables(base: VariableSet, target: VariableSet, names: SideNames, options: RuleOptions): Comparison {
  const ignore = new Set(options.ignore);
  const findings: Finding[] = [];
  const notes: string[] = [];
  let compared = 0;

  const compareValues = (dotPath: string, baseValue: unknown, targetValue: unknown, where: SourceLocation | undefined): void => {
    const baseType = typeOf(baseValue);
    const targetType = typeOf(targetValue);
    // null means "use the variable's default" and an expression's type is unknown: both fit any type.
    if (baseType === 'null' || targetType === 'null' || baseType === 'expression' || targetType === 'expression') return;
    if (baseType !== targetType) {
      findings.push({
        kind: 'variable',
        key: dotPath,
        base: renderValue(baseValue),
        target: renderValue(targetValue),
        rule: 'type-mismatch',
        ...at(where),
        message: `'${dotPath}' is a ${baseType} in ${names.base} but a ${targetType} in ${names.target}.`,
      });
      return;
    }
    if (!isObject(baseValue) || !isObject(targetValue)) return;
    for (const key of unionInOrder(Object.keys(baseValue), Object.keys(targetValue))) {
      const nested = `${dotPath}.${key}`;
      if (variableIgnored(ignore, nested)) continue;
      const inBase = Object.hasOwn(baseValue, key);
      const inTarget = Object.hasOwn(targetValue, key);
      if (inBase && inTarget) compareValues(nested, baseValue[key], targetValue[key], where);
      else
        findings.push(
          missing('variable', nested, inBase, inBase ? renderValue(baseValue[key]) : renderValue(targetValue[key]), where, names),
        );
    }
  };

  // Sorted: the HCL parser returns names sorted and JSON files keep theirs; one order for both.
  for (const name of unionInOrder(base.values.keys(), target.values.keys()).sort()) {
    if (variableIgnored(ignore, name)) continue;
    compared += 1;
    const inBase = base.values.has(name);
    const inTarget = target.values.has(name);
    if (!inBase || !inTarget) {
      const value = inBase ? base.values.get(name) : target.values.get(name);
      const where = inBase ? base.sources.get(name) : target.sources.get(name);
      findings.push(missing('variable', name, inBase, renderValue(value), where, names));
      continue;
    }
    compareValues(name, base.values.get(name), target.values.get(name), target.sources.get(name));
  }

  for (const dotPath of options.valuesMustMatch) {
    if (variableIgnored(ignore, dotPath)) continue;
    const inBase = lookupPath(base.values, dotPath);
    const inTarget = lookupPath(target.values, dotPath);
    if (!inBase.found && !inTarget.found) {
      notes.push(`values-must-match: '${dotPath}' is set in neither ${names.base} nor ${names.target}.`);
      continue;
    }
    // Set on one side only, or of another type: already reported (missing name or key, type-mismatch).
    if (!inBase.found || !inTarget.found || deepEqual(inBase.value, inTarget.value)) continue;
    if (findings.some((f) => f.rule === 'type-mismatch' && f.key === dotPath)) continue;
    const top = [...target.sources.keys()].find((name) => dotPath === name || dotPath.startsWith(`${name}.`));
    findings.push({
      kind: 'variable',
      key: dotPath,
      base: renderValue(inBase.value),
      target: renderValue(inTarget.value),
      rule: 'values-must-match',
      ...at(top === undefined ? undefined : target.sources.get(top)),
      message: `'${dotPath}' must be the same in ${names.base} and ${names.target} (values-must-match): ${renderValue(inBase.value)} ≠ ${renderValue(inTarget.value)}.`,
    });
  }
  return { findings, notes, compared: { variables: compared, toggles: 0, envNames: 0 } };
}

function missing(
  kind: FindingKind,
  key: string,
  inBase: boolean,
  shown: string,
  where: SourceLocation | undefined,
  names: SideNames,
): Finding {
  const label = kind === 'variable' ? (key.includes('.') ? 'Key' : 'Variable') : kind === 'toggle' ? 'Toggle' : 'Env variable';
  return {
    kind,
    key,
    base: inBase ? shown : MISSING,
    target: inBase ? MISSING : shown,
    rule: inBase ? 'missing-in-target' : 'missing-in-base',
    ...at(where),
    message: `${label} '${key}' is set in ${inBase ? names.base : names.target} but missing in ${inBase ? names.target : names.base}.`,
  };
}

export function compareToggles(base: ToggleSet, target: ToggleSet, names: SideNames, options: RuleOptions): Comparison {
  const ignore = new Set(options.ignore);
  const rollout = new Set(options.rolloutToggles);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const where = (set: ToggleSet, name: string): SourceLocation => ({ file: set.where, line: set.lines.get(name) });
  let compared = 0;
  for (const name of unionInOrder(base.toggles.keys(), target.toggles.keys())) {
    if (ignore.has(name)) continue;
    compared += 1;
    const baseState = base.toggles.get(name);
    const targetState = target.toggles.get(name);
    if (!baseState || !targetState) {
      const present = baseState ? base : target;
      findings.push(missing('toggle', name, Boolean(baseState), describeToggle(baseState ?? targetState), where(present, name), names));
      continue;
    }
    const shown = { base: describeToggle(baseState), target: describeToggle(targetState) };
    if (exposure(targetState) > exposure(baseState)) {
      findings.push({
        kind: 'toggle',
        key: name,
        ...shown,
        rule: 'target-ahead',
        ...at(where(target, name)),
        message: `Toggle '${name}' is ${shown.target} in ${names.target} but ${shown.base} in ${names.base}: ${names.target} must never be ahead of ${names.base}.`,
      });
    } else if (exposure(baseState) > exposure(targetState) && !rollout.has(name)) {
      findings.push({
        kind: 'toggle',
        key: name,
        ...shown,
        rule: 'base-ahead',
        ...at(where(target, name)),
        message: `Toggle '${name}' is ${shown.base} in ${names.base} but ${shown.target} in ${names.target}; list it in rollout-toggles if it is being rolled out.`,
      });
    }
  }
  for (const name of rollout) {
    if (!base.toggles.has(name) && !target.toggles.has(name)) notes.push(`rollout-toggles: '${name}' is a toggle in neither manifest.`);
  }
  return { findings, notes, compared: { variables: 0, toggles: compared, envNames: 0 } };
}

export function compareEnvNames(base: EnvNameSet, target: EnvNameSet, names: SideNames, options: RuleOptions): Comparison {
  const ignore = new Set(options.ignore);
  const findings: Finding[] = [];
  let compared = 0;
  for (const name of unionInOrder(base.names.keys(), target.names.keys())) {
    if (ignore.has(name)) continue;
    compared += 1;
    const inBase = base.names.has(name);
    if (inBase && target.names.has(name)) continue;
    const where = inBase ? { file: base.file, line: base.names.get(name) } : { file: target.file, line: target.names.get(name) };
    findings.push(missing('env', name, inBase, 'set', where, names));
  }
  return { findings, notes: [], compared: { variables: 0, toggles: 0, envNames: compared } };
}
