/**
 * The GitHub runner's protocol for actions, as documented in "Workflow commands for GitHub
 * Actions": `::command prop=value::message` lines on stdout, and the environment files
 * (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). It is what `@actions/core` writes, byte for byte
 * (same escaping, same `name<<ghadelimiter_<uuid>` form), without `@actions/core`'s OIDC
 * client, which pulls ~1 MB of HTTP client into every bundle and costs ~70 ms at start-up
 * (the budget is 150 ms from process start to the first AWS request). A test checks the
 * output against `@actions/core` itself.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

export type CommandProperties = Record<string, string | number | undefined>;

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatCommand(command: string, properties: CommandProperties, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function issueCommand(command: string, properties: CommandProperties, message: string): void {
  process.stdout.write(formatCommand(command, properties, message) + EOL);
}

/** `name<<delimiter` … `delimiter`, the multi-line safe form of an environment file entry. */
export function formatFileEntry(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`Unexpected input: name or value contains the delimiter ${delimiter}`);
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, formatFileEntry(name, value), 'utf8');
  else {
    process.stdout.write(EOL);
    issueCommand('set-output', { name }, value);
  }
}

export function appendSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown + EOL, 'utf8');
  return true;
}
