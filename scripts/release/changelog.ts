/**
 * CHANGELOG.md in the Keep a Changelog layout: `## [Unreleased]` on top, then one
 * `## [X.Y.Z] - YYYY-MM-DD` section per release, newest first. The release notes of a version are
 * its section's body; `prepare` turns the Unreleased section into the next version's.
 */

export const UNRELEASED = 'Unreleased';

export interface ChangelogSection {
  /** `Unreleased` or a version without the `v`. */
  name: string;
  /** `YYYY-MM-DD`, or undefined for Unreleased. */
  date: string | undefined;
  /** The text under the heading, trimmed. */
  body: string;
  /** Line index of the heading. */
  line: number;
}

const HEADING = /^## \[([^\]]+)\](?:\s+-\s+(\d{4}-\d{2}-\d{2}))?\s*$/;

export function parseChangelog(text: string): ChangelogSection[] {
  const lines = text.split('\n');
  const sections: ChangelogSection[] = [];
  let current: { name: string; date: string | undefined; line: number; body: string[] } | undefined;
  const close = () => {
    if (current) sections.push({ name: current.name, date: current.date, line: current.line, body: current.body.join('\n').trim() });
  };
  lines.forEach((line, index) => {
    const heading = HEADING.exec(line);
    if (heading) {
      close();
      current = { name: heading[1] ?? '', date: heading[2], line: index, body: [] };
    } else if (/^## /.test(line) || /^\[[^\]]+\]:\s/.test(line)) {
      // Another level-2 heading or the link references at the bottom end a section.
      close();
      current = undefined;
    } else {
      current?.body.push(line);
    }
  });
  close();
  return sections;
}

export function releaseNotes(text: string, version: string): string {
  const section = parseChangelog(text).find((candidate) => candidate.name === version);
  if (!section)
    throw new Error(
      `CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: run \`npx tsx scripts/release/release.ts prepare ${version}\` and commit it before tagging.`,
    );
  if (!section.date) throw new Error(`CHANGELOG.md: the section of ${version} has no release date ("## [${version}] - YYYY-MM-DD").`);
  if (section.body === '') throw new Error(`CHANGELOG.md: the section of ${version} is empty: say what changed.`);
  return section.body;
}

/**
 * Moves the Unreleased section's entries under a new `## [version] - date` heading and leaves an
 * empty Unreleased section above it; updates the compare links at the bottom when there are any.
 */
export function prepareChangelog(text: string, version: string, date: string, repositoryUrl?: string): string {
  const sections = parseChangelog(text);
  if (sections.some((section) => section.name === version)) throw new Error(`CHANGELOG.md already has a section for ${version}.`);
  const unreleased = sections.find((section) => section.name === UNRELEASED);
  if (!unreleased) throw new Error('CHANGELOG.md has no "## [Unreleased]" section to release.');
  if (unreleased.body === '') throw new Error('CHANGELOG.md: the Unreleased section is empty: nothing to release.');
  const lines = text.split('\n');
  lines.splice(unreleased.line, 1, `## [${UNRELEASED}]`, '', `## [${version}] - ${date}`);
  let result = lines.join('\n');
  if (repositoryUrl) {
    const previous = sections.find((section) => section.name !== UNRELEASED);
    const unreleasedLink = `[${UNRELEASED}]: ${repositoryUrl}/compare/v${version}...HEAD`;
    const versionLink = previous
      ? `[${version}]: ${repositoryUrl}/compare/v${previous.name}...v${version}`
      : `[${version}]: ${repositoryUrl}/releases/tag/v${version}`;
    const oldLink = new RegExp(`^\\[${UNRELEASED}\\]:.*$`, 'm');
    result = oldLink.test(result)
      ? result.replace(oldLink, `${unreleasedLink}\n${versionLink}`)
      : `${result.trimEnd()}\n\n${unreleasedLink}\n${versionLink}\n`;
  }
  return result;
}
