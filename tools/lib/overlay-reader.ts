import type { TreeEntry, TreeReader } from './tree-reader.js';

/** A tree reader that sees planned files on top of another reader: validation before writing. */
export function overlayReader(base: TreeReader, files: ReadonlyMap<string, string>): TreeReader {
  return {
    root: base.root,
    source: base.source,
    async list(dir) {
      const entries = await base.list(dir);
      const known = new Set(entries.map((entry) => entry.path));
      const added: TreeEntry[] = [...files.keys()]
        .filter((path) => path.startsWith(`${dir}/`) && !known.has(path))
        .map((path) => ({ path, kind: 'file', executable: false }));
      return [...entries, ...added].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    async read(paths) {
      const result = await base.read(paths.filter((path) => !files.has(path)));
      for (const path of paths) {
        const content = files.get(path);
        if (content !== undefined) result.set(path, Buffer.from(content));
      }
      return result;
    },
  };
}
