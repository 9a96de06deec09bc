/** Markdown-safe text for a table cell or a line of a job summary: text from a repository can shape it. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>|#!~]/g, (char) => `\\${char}`)
    .replace(/\r?\n/g, ' ')
    .slice(0, 500);
}
