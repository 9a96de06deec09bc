import { describe, expect, it } from 'vitest';
import { indexHistory, type RecordRevision } from '../../tools/catalog/history.js';
import { parseRecord } from '../../tools/catalog/parse-record.js';
import {
  type ImageRecord,
  imageIdPath,
  recordPath,
  renderImageId,
  renderRecord,
} from '../../tools/catalog/record-files.js';
import { type CatalogView, checkRules } from '../../tools/catalog/rules.js';
import { makeRecord } from '../helpers/catalog-fixtures.js';

const day = 1764201600; // 2025-11-27 00:00:00 UTC

function view(
  records: ImageRecord[],
  options: Partial<Omit<CatalogView, 'records'>> & { files?: Record<string, string> } = {},
): CatalogView {
  const parsed = records.map((record) => {
    const file = recordPath(record);
    const result = parseRecord(file, options.files?.[file] ?? renderRecord(record));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.value;
  });
  return {
    records: parsed,
    imageIds:
      options.imageIds ?? new Map(records.map((record) => [imageIdPath(record), renderImageId(record)])),
    recipes: options.recipes ?? new Set(['debian-based']),
    history: options.history ?? indexHistory([]),
    strayRecordFiles: options.strayRecordFiles ?? [],
    ...(options.recipeLines ? { recipeLines: options.recipeLines } : {}),
  };
}

function revision(record: ImageRecord, commit: string): RecordRevision {
  return {
    commit,
    time: 0,
    file: recordPath(record),
    deleted: false,
    fields: { ...record } as unknown as Record<string, string>,
  };
}

describe('catalog rules: the boot check is the evidence of a built record', () => {
  const artifact = (name: string) => ({ name, sha256: 'a'.repeat(64), size: 1 });
  const built = (record: ImageRecord, names: string[]) => ({ ...record, artifacts: names.map(artifact) });
  // 2026-12-02, after the rule; 2026-11-27, before it.
  const after = 1796169600;
  const before = 1795744800;

  it('requires <base>.verify.json among the artifacts of a built record', () => {
    const record = makeRecord({ epoch: after });
    const base = record.image_file.replace(/\.img$/, '');
    expect(checkRules(view([built(record, [record.image_file, `${base}.verify.json`])])).problems).toEqual(
      [],
    );
    expect(checkRules(view([built(record, [record.image_file, 'verify.json'])])).problems).toEqual([
      expect.objectContaining({
        path: 'artifacts',
        message: `a built record lists the boot check's report ${base}.verify.json among its artifacts (emi build adds it when the image passes the boot check)`,
      }),
    ]);
    // A planned release (new-emi: no artifacts yet) and a legacy record need none.
    expect(checkRules(view([record])).problems).toEqual([]);
  });

  it('accepts boot_check_report: predates-reports, with a note, only on a record made before the rule', () => {
    const old = {
      ...built(makeRecord({ epoch: before }), ['x.img']),
      boot_check_report: 'predates-reports' as const,
    };
    expect(old.image_date < '20261201000000').toBe(true);
    const findings = checkRules(view([old]));
    expect(findings.problems).toEqual([]);
    expect(findings.notes).toEqual([
      expect.objectContaining({
        path: 'boot_check_report',
        message: expect.stringMatching(
          /^recorded before boot-check reports were kept: no .*\.verify\.json among the artifacts$/,
        ),
      }),
    ]);
    const late = {
      ...built(makeRecord({ epoch: after }), ['x.img']),
      boot_check_report: 'predates-reports' as const,
    };
    expect(checkRules(view([late])).problems).toEqual([
      expect.objectContaining({
        path: 'boot_check_report',
        message: expect.stringMatching(
          /^predates-reports is only for releases recorded before 20261201: list/,
        ),
      }),
    ]);
  });
});

describe('catalog rules: package manifests belong to their release', () => {
  const after = Date.UTC(2026, 11, 2) / 1000;
  const before = Date.UTC(2026, 10, 27) / 1000;
  const withManifest = (record: ImageRecord, text: string) =>
    view([record], {
      imageIds: new Map([
        [imageIdPath(record), renderImageId(record)],
        [`${imageIdPath(record)}.packages`, text],
      ]),
    });

  it('accepts a manifest whose header names the record, and refuses one of another release', () => {
    const record = makeRecord({ epoch: after });
    const header = `# emi-packages euca-debian-emi x86_64 ${record.image_version} ${record.image_stamp}\n`;
    expect(checkRules(withManifest(record, `${header}bash\t5.2.15-2\n`))).toEqual({
      problems: [],
      notes: [],
    });
    const stale = `# emi-packages euca-debian-emi x86_64 2026.11.27 fbb3-e933\nbash\t5.2.15-2\n`;
    expect(checkRules(withManifest(record, stale)).problems).toEqual([
      expect.objectContaining({
        file: 'image-ids/euca-debian-emi.x86_64.packages',
        line: 1,
        message: expect.stringMatching(
          /^this is the manifest of euca-debian-emi\.x86_64 2026\.11\.27 \(fbb3-e933\), not of EMI-IDs\/euca-debian-emi\.x86_64\.yaml's release 2026\.12\.02 /,
        ),
      }),
    ]);
    expect(checkRules(withManifest(record, `${header}bash 5.2\n`)).problems).toEqual([
      expect.objectContaining({ line: 2, message: 'not a "name<TAB>version" line: "bash 5.2"' }),
    ]);
  });

  it('wants a header from the rule on; an older manifest without one gets a note', () => {
    const late = makeRecord({ epoch: after });
    expect(checkRules(withManifest(late, 'bash\t5.2.15-2\n')).problems).toEqual([
      expect.objectContaining({
        line: 1,
        message: `the first line must be "# emi-packages euca-debian-emi x86_64 ${late.image_version} ${late.image_stamp}", the release this manifest was made for`,
      }),
    ]);
    const early = makeRecord({ epoch: before });
    const findings = checkRules(withManifest(early, 'bash\t5.2.15-2\n'));
    expect(findings.problems).toEqual([]);
    expect(findings.notes).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^made before manifests carried a header/) }),
    ]);
  });
});

describe('catalog rules', () => {
  it('refuses a record whose image_name is not a line of its recipe, or whose arch the line lacks', () => {
    const recipeLines = new Map([
      ['debian-based', new Map<string, readonly string[]>([['euca-debian-emi', ['x86_64']]])],
    ]);
    const ok = makeRecord({ epoch: day });
    expect(checkRules(view([ok], { recipeLines })).problems).toEqual([]);
    const stranger = makeRecord({ epoch: day + 1, name: 'euca-other-emi' });
    const i386 = makeRecord({ epoch: day + 2, arch: 'i386' });
    expect(checkRules(view([stranger, i386], { recipeLines })).problems).toEqual([
      expect.objectContaining({
        file: 'EMI-IDs/euca-other-emi.x86_64.yaml',
        path: 'image_name',
        message:
          '"euca-other-emi" is not a line of recipes/debian-based/recipe.yaml (its lines: euca-debian-emi)',
      }),
      expect.objectContaining({
        file: 'EMI-IDs/euca-debian-emi.i386.yaml',
        path: 'image_arch',
        message: 'recipes/debian-based/recipe.yaml builds euca-debian-emi for x86_64, not i386',
      }),
    ]);
  });

  it('accepts records made the way new-emi makes them', () => {
    const records = [
      makeRecord({ epoch: day + 60 }),
      makeRecord({ epoch: day + 61, arch: 'i386' }),
      makeRecord({ epoch: day + 62, name: 'euca-large-debian-emi' }),
    ];
    expect(checkRules(view(records))).toEqual({ problems: [], notes: [] });
  });

  it('requires the file name <image_name>.<image_arch>.yaml', () => {
    const record = makeRecord({ epoch: day });
    const catalog = view([record]);
    const parsed = catalog.records[0];
    if (!parsed) throw new Error('no record');
    parsed.file = 'EMI-IDs/debian.yaml';
    const { problems } = checkRules(catalog);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: 'EMI-IDs/debian.yaml',
        path: 'image_name',
        line: 1,
        message: expect.stringMatching(/file name must be EMI-IDs\/euca-debian-emi\.x86_64\.yaml/),
      }),
    );
  });

  it('requires image_file to follow name, version and arch', () => {
    const record = { ...makeRecord({ epoch: day }), image_file: 'euca-debian-x86_64.img' };
    const { problems } = checkRules(view([record]));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'image_file',
        line: 4,
        message: 'image_file is "euca-debian-x86_64.img", expected "euca-debian-2025.11.27-x86_64.img"',
      }),
    ]);
  });

  it('requires a real calendar day in image_version and a real UTC time in image_date', () => {
    const base = makeRecord({ epoch: day });
    const badDay = { ...base, image_version: '2025.02.30', image_file: 'euca-debian-2025.02.30-x86_64.img' };
    expect(checkRules(view([badDay])).problems).toContainEqual(
      expect.objectContaining({
        path: 'image_version',
        line: 2,
        message: '"2025.02.30" is not a real calendar day',
      }),
    );
    const badDate = { ...base, image_date: '20251127246000' };
    expect(checkRules(view([badDate])).problems).toContainEqual(
      expect.objectContaining({
        path: 'image_date',
        line: 6,
        message: '"20251127246000" is not a real UTC time (YYYYMMDDHHMMSS)',
      }),
    );
  });

  it('requires the stamp of image_date and the version day of image_date', () => {
    const base = makeRecord({ epoch: day + 5 });
    const wrongStamp = { ...base, image_stamp: '0000-0000' };
    expect(checkRules(view([wrongStamp])).problems).toEqual([
      expect.objectContaining({
        path: 'image_stamp',
        line: 5,
        message: expect.stringMatching(
          /^image_stamp "0000-0000" is not the stamp of image_date 20251127000005/,
        ),
      }),
    ]);
    const wrongDay = makeRecord({ epoch: day + 86400 });
    const mixed = {
      ...wrongDay,
      image_version: '2025.11.27',
      image_file: 'euca-debian-2025.11.27-x86_64.img',
    };
    expect(checkRules(view([mixed])).problems).toEqual([
      expect.objectContaining({
        path: 'image_version',
        message: 'version day 2025.11.27 is not the day of image_date 20251128000000',
      }),
    ]);
  });

  it('requires unique stamps across the catalog', () => {
    const a = makeRecord({ epoch: day });
    const b = { ...makeRecord({ epoch: day, arch: 'i386' }) };
    const { problems } = checkRules(view([a, b]));
    expect(problems.map((problem) => [problem.file, problem.path, problem.message])).toEqual([
      [
        'EMI-IDs/euca-debian-emi.x86_64.yaml',
        'image_stamp',
        `stamp "${a.image_stamp}" is also used by EMI-IDs/euca-debian-emi.i386.yaml`,
      ],
      [
        'EMI-IDs/euca-debian-emi.i386.yaml',
        'image_stamp',
        `stamp "${a.image_stamp}" is also used by EMI-IDs/euca-debian-emi.x86_64.yaml`,
      ],
    ]);
  });

  it('requires stamps unique across git history, but lets a release keep its stamp', () => {
    const old = makeRecord({ epoch: day, arch: 'i386' });
    const oldRelease = revision(old, 'a'.repeat(40));
    // The i386 line moved on; its old stamp shows up again on the x86_64 line.
    const reused = {
      ...makeRecord({ epoch: day + 86400 * 3 }),
      image_stamp: old.image_stamp,
      image_date: old.image_date,
      image_version: old.image_version,
      image_file: 'euca-debian-2025.11.27-x86_64.img',
    };
    const current = makeRecord({ epoch: day + 86400, arch: 'i386' });
    const history = indexHistory([oldRelease, revision(current, 'b'.repeat(40))]);
    const { problems } = checkRules(view([reused, current], { history }));
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'EMI-IDs/euca-debian-emi.x86_64.yaml',
        path: 'image_stamp',
        message: `stamp "${old.image_stamp}" was already used by EMI-IDs/euca-debian-emi.i386.yaml version 2025.11.27 in commit aaaaaaaaaaaa`,
      }),
    ]);
    expect(checkRules(view([current], { history })).problems).toEqual([]);
  });

  it('requires recipes/<recipe_name>/recipe.yaml', () => {
    const record = makeRecord({ epoch: day, recipe: 'centos-based' });
    expect(checkRules(view([record])).problems).toEqual([
      expect.objectContaining({
        path: 'recipe_name',
        line: 7,
        message: 'recipes/centos-based/recipe.yaml does not exist',
      }),
    ]);
  });

  it('never lets a version go backwards in the file history', () => {
    const first = makeRecord({ epoch: day + 86400 * 2 });
    const second = makeRecord({ epoch: day + 86400 * 3 });
    const backwards = makeRecord({ epoch: day + 86400 });
    const history = indexHistory([revision(first, '1'.repeat(40)), revision(second, '2'.repeat(40))]);
    expect(checkRules(view([backwards], { history })).problems).toEqual([
      expect.objectContaining({
        path: 'image_version',
        line: 2,
        message:
          "version 2025.11.28 is older than 2025.11.30, committed in 222222222222: a line's version never goes backwards",
      }),
    ]);
    const badHistory = indexHistory([revision(second, '2'.repeat(40)), revision(first, '3'.repeat(40))]);
    const latest = makeRecord({ epoch: day + 86400 * 4 });
    expect(checkRules(view([latest], { history: badHistory })).problems).toEqual([
      expect.objectContaining({
        message:
          'version went backwards in history: 2025.11.30 (222222222222) then 2025.11.29 (333333333333)',
      }),
    ]);
  });

  it('requires image-ids/ to match the records, and names the command that refreshes it', () => {
    const record = makeRecord({ epoch: day });
    const stale = renderImageId({ ...record, image_version: '2025.11.26' });
    const out = checkRules(
      view([record], {
        imageIds: new Map([
          [imageIdPath(record), stale],
          ['image-ids/euca-old-emi.x86_64', 'x'],
        ]),
      }),
    );
    expect(out.problems).toEqual([
      {
        file: 'image-ids/euca-debian-emi.x86_64',
        line: 2,
        column: 1,
        path: '',
        message: 'out of date with EMI-IDs/euca-debian-emi.x86_64.yaml: run npm run emi -- image-ids',
      },
      {
        file: 'image-ids/euca-old-emi.x86_64',
        line: 0,
        column: 0,
        path: '',
        message:
          'no record EMI-IDs/euca-old-emi.x86_64.yaml belongs to this file: run npm run emi -- image-ids',
      },
    ]);
    expect(checkRules(view([record], { imageIds: new Map() })).problems).toEqual([
      {
        file: 'image-ids/euca-debian-emi.x86_64',
        line: 0,
        column: 0,
        path: '',
        message: 'missing: run npm run emi -- image-ids',
      },
    ]);
  });

  it('accepts a package manifest beside its image-id file', () => {
    const record = makeRecord({ epoch: day });
    const imageIds = new Map([
      [imageIdPath(record), renderImageId(record)],
      [`${imageIdPath(record)}.packages`, 'bash\t5.2\n'],
    ]);
    expect(checkRules(view([record], { imageIds })).problems).toEqual([]);
  });

  it('reports files in EMI-IDs/ that are not records', () => {
    expect(checkRules(view([], { strayRecordFiles: ['EMI-IDs/notes.txt'] })).problems).toEqual([
      expect.objectContaining({ file: 'EMI-IDs/notes.txt', message: expect.stringMatching(/not a record/) }),
    ]);
  });

  it('exempts legacy records from the rules their data cannot meet, as notes', () => {
    const record: ImageRecord = {
      image_name: 'euca-debian-emi',
      image_version: '2012.01.14',
      image_arch: 'x86_64',
      image_file: 'euca-debian-2012.1.14-x86_64.img',
      image_stamp: '3752-f34a',
      image_date: '20120114152138',
      recipe_name: 'debian-based',
      status: 'legacy',
    };
    const { problems, notes } = checkRules(view([record], { recipes: new Set() }));
    expect(problems).toEqual([]);
    expect(notes.map((note) => note.path)).toEqual(['image_file', 'image_stamp', 'recipe_name']);
    expect(notes.every((note) => note.message.startsWith('legacy record exempt from this rule: '))).toBe(
      true,
    );
    // Legacy does not excuse what no data justifies.
    const broken = { ...record, image_date: '20120230152138' };
    expect(checkRules(view([broken], { recipes: new Set() })).problems).toEqual([
      expect.objectContaining({
        path: 'image_date',
        message: '"20120230152138" is not a real UTC time (YYYYMMDDHHMMSS)',
      }),
    ]);
  });
});
