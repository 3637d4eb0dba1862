/**
 * The failure messages gantry prints, collected from the sources at test time: MessageCollector
 * over the TypeScript and JavaScript gantry runs, plus the workflows' `::error title=…::` lines.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MessageCollector, type FoundMessage, type OpaqueSite } from './message-collector';
import { keyOf, normalise, render, type Message } from './message-text';

/** The code gantry runs: every action's src/, lib/ and the workflows' scripts, without tests. */
function actionSources(root: string, actionNames: readonly string[]): string[] {
  const dirs = [
    ...actionNames.map((name) => path.join(root, 'actions', name, 'src')),
    path.join(root, 'lib'),
    path.join(root, '.github', 'scripts'),
  ];
  return dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !/\.test\.[mc]?[jt]s$/.test(f) && !f.endsWith('.d.ts'))
        .map((f) => path.join(dir, f))
        .sort(),
    );
}

/** `::error title=<t>::<message>` (and warning/notice) lines of the workflows; shell and JS interpolations are holes. */
function workflowMessages(root: string): FoundMessage[] {
  const found: FoundMessage[] = [];
  for (const dir of ['.github/workflows', 'workflow-templates']) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const name of readdirSync(path.join(root, dir))
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()) {
      const file = `${dir}/${name}`;
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .forEach((text, index) => {
          const match = /::(?:error|warning|notice)\b[^:]*?title=([^:,]+)[^:]*::(.*)$/.exec(text);
          if (!match) return;
          const closing = Math.max(match[2].lastIndexOf('"'), match[2].lastIndexOf('`'));
          const body = closing >= 0 ? match[2].slice(0, closing) : match[2];
          const message: Message = [`${match[1]}: `];
          for (const piece of body.split(/(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*)/))
            message.push(piece.startsWith('$') ? { hole: true } : piece);
          const normal = normalise(message);
          const key = keyOf(normal);
          if (!found.some((f) => f.file === file && f.keyText === key.text))
            found.push({
              file,
              line: index + 1,
              source: 'workflow annotation',
              shown: render(normal),
              key: key.pattern,
              keyText: key.text,
            });
        });
    }
  }
  return found;
}

export interface FailureMessages {
  messages: FoundMessage[];
  opaque: OpaqueSite[];
  unknownErrorClasses: string[];
}

/** Every failure message of the actions (their src/, lib/, .github/scripts) and of the workflows. */
export function collectFailureMessages(root: string, actionNames: readonly string[]): FailureMessages {
  const collector = new MessageCollector(root, actionSources(root, actionNames));
  return {
    messages: [...collector.found, ...workflowMessages(root)],
    opaque: collector.opaque,
    unknownErrorClasses: collector.unknownErrorClasses,
  };
}
