/**
 * The on-call docs stay usable: every failure code gantry prints (`GANTRY-<AREA>-<NNN>`, written
 * where the error is thrown — a plain scan of the sources and the workflows finds them) has its
 * anchored entry in the runbook, the runbook documents no code the sources no longer have, no code
 * is given to two different failures, every warning gantry prints has a row the on-call engineer
 * finds by searching for its text, and no relative link in docs/infra points at a file or anchor
 * that does not exist.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  anchoredCodes,
  codeSites,
  codesWithTwoMeanings,
  collectCodeSites,
  collectWarningSites,
  undocumentedWarnings,
  warningSites,
  failureAreas,
  mentionedCodes,
  wordingAfter,
  type CodeSite,
} from './support/failure-codes';
import { headingAnchors, htmlAnchors, relativeLinks } from './support/markdown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const docsDir = path.join(root, 'docs', 'infra');
const actionNames = readdirSync(path.join(root, 'actions'))
  .filter((name) => existsSync(path.join(root, 'actions', name, 'action.yml')))
  .sort();
const docFiles = readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .sort();
const runbook = readFileSync(path.join(docsDir, 'runbook.md'), 'utf8');

let collected: CodeSite[] | undefined;
function sites(): CodeSite[] {
  collected ??= collectCodeSites(root);
  return collected;
}
const where = (list: readonly CodeSite[]) => list.map((s) => `${s.file}:${s.line}`).join(', ');

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
    const links = docFiles.flatMap((file) => relativeLinks(docsDir, file));
    expect(links.length).toBeGreaterThan(10);
    for (const { file, target } of links) {
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? path.join(docsDir, file) : path.resolve(docsDir, decodeURIComponent(pathPart));
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        const markdown = readFileSync(resolved, 'utf8');
        if (!headingAnchors(markdown).has(anchor) && !htmlAnchors(markdown).has(anchor))
          broken.push(`${file}: ${target} (no heading or <a id> with anchor #${anchor})`);
      }
    }
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });

  it('reads the <a id> anchors outside code, which links and a docs search land on', () => {
    const anchors = htmlAnchors(
      '| <a id="gantry-smoke-001"></a>GANTRY-SMOKE-001 | … |\n`<a id="quoted"></a>`\n```\n<a id="in-code"></a>\n```\n',
    );
    expect([...anchors]).toEqual(['gantry-smoke-001']);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = headingAnchors(
      '# Rolling back by hand, without GitHub\n## `deploy-ecs`: watching\n## Dup\n## Dup\n```\n# not a heading\n```\n',
    );
    expect([...anchors]).toEqual(['rolling-back-by-hand-without-github', 'deploy-ecs-watching', 'dup', 'dup-1']);
  });
});

describe('every failure code has one meaning and one runbook entry', () => {
  it('finds the codes of every action, of lib/ and of the workflows', () => {
    const found = sites();
    expect(found.length).toBeGreaterThan(200);
    for (const name of actionNames)
      expect(
        found.some((s) => s.file.startsWith(`actions/${name}/src/`)),
        `no code in actions/${name}/src`,
      ).toBe(true);
    expect(found.some((s) => s.file.startsWith('lib/'))).toBe(true);
    expect(found.some((s) => s.file.startsWith('.github/workflows/') && s.code.startsWith('GANTRY-WF-'))).toBe(true);
  });

  it('every code has the form GANTRY-<AREA>-<NNN> with an area of lib/runner/errors.ts', () => {
    const areas = failureAreas(root);
    expect(areas).toEqual(expect.arrayContaining(['INPUT', 'DEPLOY', 'ROLLBACK', 'WF']));
    const bad = sites().filter((s) => !new RegExp(`^GANTRY-(${areas.join('|')})-[0-9]{3}$`).test(s.code));
    expect(bad.map((s) => `${s.file}:${s.line} ${s.code}`)).toEqual([]);
  });

  it('every code of the sources has an anchored entry in runbook.md', () => {
    const anchored = anchoredCodes(runbook);
    const missing = [...new Set(sites().map((s) => s.code))].filter((code) => !anchored.has(code)).sort();
    expect(
      missing.map((code) => `${code} (${where(sites().filter((s) => s.code === code))})`),
      'add a row under the action\'s section of runbook.md whose code cell starts with <a id="<code in lower case>"></a><CODE>, ' +
        'quoting the message (placeholders as <name> or …) with what it means and what to do',
    ).toEqual([]);
  });

  it('runbook.md anchors each code once, and documents no code the sources no longer have', () => {
    const inSources = new Set(sites().map((s) => s.code));
    const anchored = anchoredCodes(runbook);
    const twice = [...anchored].filter(([, lines]) => lines.length > 1).map(([code, lines]) => `${code} (lines ${lines.join(', ')})`);
    expect(twice, 'each code is anchored once; other rows link to it').toEqual([]);
    const stale = [...anchored.keys()].filter((code) => !inSources.has(code)).sort();
    expect(stale, 'documented codes that no source throws any more: remove the row (the number is never reused)').toEqual([]);
  });

  it('no document in docs/infra names a code the sources do not have', () => {
    const inSources = new Set(sites().map((s) => s.code));
    const unknown = docFiles.flatMap((file) =>
      [...mentionedCodes(readFileSync(path.join(docsDir, file), 'utf8'))].filter((c) => !inSources.has(c)).map((c) => `${file}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  it('a code is shared only by sites of the same failure (the same wording)', () => {
    const clashes = [...codesWithTwoMeanings(sites())].map(
      ([code, list]) => `${code}:\n${list.map((s) => `  ${s.file}:${s.line}  ${s.wording}`).join('\n')}`,
    );
    expect(clashes, "these codes are given to different failures: give each its own (the area's next free number)").toEqual([]);
  });

  it('the shared codes it allows are real shared failures', () => {
    // The check above is only as good as what it compares: the sites sharing a code in the sources today.
    const shared = [...new Set(sites().map((s) => s.code))].filter((code) => sites().filter((s) => s.code === code).length > 1);
    expect(shared).toEqual(expect.arrayContaining(['GANTRY-INPUT-003', 'GANTRY-WF-001']));
    const integer = sites().filter((s) => s.code === 'GANTRY-INPUT-003');
    expect(new Set(integer.map((s) => s.wording))).toEqual(new Set(['an integer']));
  });
});

describe('every warning gantry prints is in the runbook', () => {
  it('a piece of each warning text (12 characters or more between its holes) is in runbook.md', () => {
    const warnings = collectWarningSites(root);
    expect(warnings.length, 'the scan finds the warnings of the actions and lib/').toBeGreaterThan(30);
    const missing = undocumentedWarnings(warnings, runbook).map((w) => `${w.file}:${w.line}  ${w.pieces[0]}`);
    expect(missing, 'add a runbook row quoting the warning (placeholders like <arn> for the holes)').toEqual([]);
  });

  it('the scan reads the pieces between the holes, and an undocumented warning fails it', () => {
    const source = 'log.warning(`Could not tag ${arn} gantry:status=${status}: ${err}. Tag it by hand.`);\nlog.warning(line);\n';
    const sites = warningSites('x.ts', source);
    expect(sites).toEqual([{ file: 'x.ts', line: 1, pieces: ['Could not tag', 'gantry:status=', 'Tag it by hand'] }]);
    expect(undocumentedWarnings(sites, '| warning `Could not tag <arn> …` | … |')).toEqual([]);
    expect(undocumentedWarnings(sites, '| warning `Could not write <arn>` |')).toEqual(sites);
  });
});

describe('the failure-code scanner', () => {
  it('reads the wording of the rest of a call: literals, template text, holes for the rest', () => {
    const text = "throw new InputError('GANTRY-X-001', name, `at most ${max} (it has ${count(v, ')')})`, 'x'); after('y');";
    const start = text.indexOf("'GANTRY-X-001'") + "'GANTRY-X-001'".length;
    expect(wordingAfter(text, start)).toBe('at most … (it has …) … x');
  });

  it('finds code literals in sources and the text after a code in a workflow line', () => {
    const ts = [
      "const a = new ActionFailure('GANTRY-DEPLOY-001', `Service ${name} has no task definition.`);",
      "const b = new ActionFailure('GANTRY-DEPLOY-001', `Service ${other} has no task definition.`);",
      "const c = new ActionFailure('GANTRY-DEPLOY-002', 'Something else');",
      '// a note about GANTRY-DEPLOY-003 is not a throw site',
    ].join('\n');
    const found = codeSites('actions/x/src/a.ts', ts);
    expect(found.map((s) => [s.code, s.line, s.wording])).toEqual([
      ['GANTRY-DEPLOY-001', 1, 'Service … has no task definition.'],
      ['GANTRY-DEPLOY-001', 2, 'Service … has no task definition.'],
      ['GANTRY-DEPLOY-002', 3, 'Something else'],
    ]);
    const yml = '          echo "::error title=No plan hash::GANTRY-WF-002: the plan of $RUN has no hash."\n';
    expect(codeSites('.github/workflows/x.yml', yml).map((s) => s.wording)).toEqual(['the plan of … has no hash.']);
  });

  it('reports a code given to two different failures, and not one shared by the same failure', () => {
    const same = codeSites(
      'a.ts',
      "f(new InputError('GANTRY-INPUT-003', n, undefined, range('an integer', o)));\nf(new InputError('GANTRY-INPUT-003', n, v, range('an integer', o)));",
    );
    expect([...codesWithTwoMeanings(same).keys()]).toEqual([]);
    const different = codeSites(
      'a.ts',
      "new ActionFailure('GANTRY-GATE-001', 'one thing');\nnew ActionFailure('GANTRY-GATE-001', 'another');",
    );
    expect([...codesWithTwoMeanings(different).keys()]).toEqual(['GANTRY-GATE-001']);
  });

  it('reads the anchored and the mentioned codes of a document', () => {
    const doc =
      '| <a id="gantry-smoke-001"></a>GANTRY-SMOKE-001<br><a id="gantry-smoke-002"></a>GANTRY-SMOKE-002 | … |\n| [GANTRY-SMOKE-001](#gantry-smoke-001) | … |\n';
    expect([...anchoredCodes(doc)]).toEqual([
      ['GANTRY-SMOKE-001', [1]],
      ['GANTRY-SMOKE-002', [1]],
    ]);
    expect([...mentionedCodes(doc)].sort()).toEqual(['GANTRY-SMOKE-001', 'GANTRY-SMOKE-002']);
  });
});
