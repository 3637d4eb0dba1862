/**
 * The AWS SDK warns (once per process) that its 2027 releases will need Node 22. gantry's
 * actions run on Node 24; the dev tools on a Node 20 machine only repeat the notice in every
 * test worker and in the demo. Only that one notice is dropped; every other warning stays.
 */
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).startsWith('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
