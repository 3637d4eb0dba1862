/** What the link check reads from the docs' markdown: links and headings outside code, as GitHub renders them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Markdown without fenced code blocks, where `[x](y)` and `# x` are not links or headings. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', duplicates numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of withoutCodeBlocks(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/ /g, '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}

export interface Link {
  file: string;
  target: string;
}

/** The relative links of one file in docsDir (http:, mailto: and links inside code left out). */
export function relativeLinks(docsDir: string, file: string): Link[] {
  const text = withoutCodeBlocks(readFileSync(path.join(docsDir, file), 'utf8')).replace(/`[^`\n]*`/g, '');
  const links: Link[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1].replace(/^<|>$/g, '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    links.push({ file, target });
  }
  return links;
}

/** Anchors written as HTML (`<a id="gantry-deploy-007"></a>`), outside code: what a link or a search lands on. */
export function htmlAnchors(markdown: string): Set<string> {
  const text = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');
  return new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
}
