import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputDir, outputsManifest, writeOutputDir } from '../../tools/lib/output-dir.js';
import { createTempDir } from '../helpers/git-repo.js';

let dir: string;
beforeEach(async () => {
  dir = await createTempDir('emi-outdir-');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const tool = 'emi test-writer';

describe('the output-folder guard', () => {
  it('writes into a missing folder and marks it with a manifest of what it wrote', async () => {
    const out = join(dir, 'a', 'b');
    await writeOutputDir(await checkOutputDir(out, tool), tool, [
      { path: 'index.html', content: 'x' },
      { path: 'lines/one.html', content: 'y' },
    ]);
    expect(JSON.parse(await readFile(join(out, outputsManifest), 'utf8'))).toEqual({
      tool,
      files: ['index.html', 'lines/one.html'],
    });
  });

  it('replaces only what it wrote before, removes what it no longer writes, keeps the rest', async () => {
    const out = join(dir, 'site');
    await writeOutputDir(await checkOutputDir(out, tool), tool, [
      { path: 'a.txt', content: '1' },
      { path: 'old.txt', content: '1' },
    ]);
    await writeFile(join(out, 'CNAME'), 'mine\n');
    await writeOutputDir(await checkOutputDir(out, tool), tool, [{ path: 'a.txt', content: '2' }]);
    expect((await readdir(out)).sort()).toEqual([outputsManifest, 'CNAME', 'a.txt']);
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('2');
    expect(await readFile(join(out, 'CNAME'), 'utf8')).toBe('mine\n');
  });

  it('accepts an empty folder and refuses a folder it did not write, /, a file and a symlink', async () => {
    await mkdir(join(dir, 'empty'));
    await expect(checkOutputDir(join(dir, 'empty'), tool)).resolves.toEqual({
      dir: join(dir, 'empty'),
      previous: [],
    });
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'main.c'), 'int main;\n');
    await expect(checkOutputDir(join(dir, 'src'), tool)).rejects.toThrow(
      /output folder .*src is not empty and was not written by emi test-writer/,
    );
    await expect(checkOutputDir('/', tool)).rejects.toThrow(/output folder \/ is not empty/);
    await expect(checkOutputDir(join(dir, 'src', 'main.c'), tool)).rejects.toThrow(
      /exists and is not a folder/,
    );
    await expect(checkOutputDir('/dev/null', tool)).rejects.toThrow(/exists and is not a folder/);
    await symlink(join(dir, 'empty'), join(dir, 'link'));
    await expect(checkOutputDir(join(dir, 'link'), tool)).rejects.toThrow(/is a symlink/);
  });

  it("refuses another tool's folder and a manifest that names paths outside the folder", async () => {
    const out = join(dir, 'other');
    await mkdir(out);
    await writeFile(join(out, outputsManifest), JSON.stringify({ tool: 'emi other', files: [] }));
    await expect(checkOutputDir(out, tool)).rejects.toThrow(/not written by emi test-writer/);
    await writeFile(join(out, outputsManifest), JSON.stringify({ tool, files: ['../../etc/passwd'] }));
    await expect(checkOutputDir(out, tool)).rejects.toThrow(/not written by emi test-writer/);
  });
});
