import { describe, expect, it } from 'vitest';
import { parseNotes } from '../../../tools/changelog/render/notes.js';

describe('parseNotes', () => {
  it('keeps paragraphs, lists and preformatted text, joining wrapped lines', () => {
    const body = [
      'Uploaded new images to the experimental bucket. The changes',
      'are:',
      '',
      "- new rc.local (doesn't fail if acpiphp won't load)",
      '- only modules for the 2.6.32 kernel (there were some old modules left',
      '  behind)',
      '',
      '- updated images',
      '1. first',
      '2. second',
      '',
      '    $ sudo reboot',
      '    ok',
      '',
      '```',
      '<script>alert(1)</script>',
      '```',
      'Closes #97.',
    ].join('\n');
    expect(parseNotes(body)).toEqual([
      { kind: 'paragraph', text: 'Uploaded new images to the experimental bucket. The changes are:' },
      {
        kind: 'list',
        ordered: false,
        items: [
          "new rc.local (doesn't fail if acpiphp won't load)",
          'only modules for the 2.6.32 kernel (there were some old modules left behind)',
          'updated images',
        ],
      },
      { kind: 'list', ordered: true, items: ['first', 'second'] },
      { kind: 'code', text: '$ sudo reboot\nok' },
      { kind: 'code', text: '<script>alert(1)</script>' },
      { kind: 'paragraph', text: 'Closes #97.' },
    ]);
  });

  it('closes an unterminated fence at the end', () => {
    expect(parseNotes('```\nopen')).toEqual([{ kind: 'code', text: 'open' }]);
  });

  it('gives nothing for an empty body', () => {
    expect(parseNotes('')).toEqual([]);
  });
});
