/**
 * scripts/with-node.mjs runs every npm script: it must pass the command's exit code through and
 * hand a signal sent to it alone (a cancelled CI job's SIGTERM) on to the command.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const wrapper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'with-node.mjs');

function runWrapped(script: string, signalAfterOutput?: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrapper, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (signalAfterOutput && stdout.includes('ready')) child.kill(signalAfterOutput);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

it("passes the command's exit code through", async () => {
  expect((await runWrapped('process.exit(3)')).code).toBe(3);
});

it('hands SIGTERM on to the command and exits with its code', async () => {
  const run = await runWrapped(
    'process.on("SIGTERM", () => { console.log("command got SIGTERM"); process.exit(143); }); console.log("ready"); setTimeout(() => {}, 30000);',
    'SIGTERM',
  );
  expect(run.stdout).toContain('command got SIGTERM');
  expect(run.code).toBe(143);
});
