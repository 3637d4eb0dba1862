/**
 * The on-call docs stay usable: the runbook has a failure-message section for every action, and
 * no relative link in docs/infra points at a file or heading that does not exist.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const docsDir = path.join(root, 'docs', 'infra');
const actionNames = readdirSync(path.join(root, 'actions')).filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml'))).sort();
const docFiles = readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort();

/** Markdown without fenced code blocks, where `[x](y)` and `# x` are not links or headings. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', duplicates numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of withoutCodeBlocks(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/ /g, '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = withoutCodeBlocks(readFileSync(path.join(docsDir, file), 'utf8')).replace(/`[^`\n]*`/g, '');
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1].replace(/^<|>$/g, '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    links.push({ file, target });
  }
  return links;
}

describe('docs/infra', () => {
  it('has the documents the on-call engineer is pointed to', () => {
    for (const name of ['architecture.md', 'environments.md', 'runbook.md', 'rollback.md', 'disaster-recovery.md', 'actions.md']) {
      expect(docFiles, `docs/infra/${name} is missing`).toContain(name);
    }
  });

  it('runbook.md has a failure-message section for every action', () => {
    const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');
    const anchors = headingAnchors(runbook);
    expect(anchors.has('failure-messages'), 'runbook.md needs a "## Failure messages" section').toBe(true);
    const missing = actionNames.filter((name) => !new RegExp(`^### ${name}$`, 'm').test(runbook));
    expect(missing, `runbook.md has no "### <action>" section for: ${missing.join(', ')}`).toEqual([]);
  });

  it('every relative link points to an existing file, and every #anchor to a heading', () => {
    const broken: string[] = [];
    const links = docFiles.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(10);
    for (const { file, target } of links) {
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? path.join(docsDir, file) : path.resolve(docsDir, decodeURIComponent(pathPart));
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${file}: ${target} (no heading with anchor #${anchor})`);
      }
    }
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = headingAnchors('# Rolling back by hand, without GitHub\n## `deploy-ecs`: watching\n## Dup\n## Dup\n```\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['rolling-back-by-hand-without-github', 'deploy-ecs-watching', 'dup', 'dup-1']);
  });
});
