import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../tools/changelog/render/html.js';
import { markdownCode, markdownText } from '../../../tools/changelog/render/markdown-text.js';
import { escapeXml, uuidUrn } from '../../../tools/changelog/render/render-atom.js';
import { cleanText } from '../../../tools/changelog/render/text.js';

describe('escaping text from git', () => {
  it('HTML: markup and quotes become entities', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });

  it('XML: the same, and characters XML cannot hold are replaced', () => {
    expect(escapeXml('a\u0007b\u001b[31mc\uFFFEd\uD800e <&>')).toBe(
      'a\uFFFDb\uFFFD[31mc\uFFFDd\uFFFDe &lt;&amp;&gt;',
    );
  });

  it('keeps tabs, newlines and astral characters', () => {
    expect(cleanText('a\tb\nc 🚀 日本語')).toBe('a\tb\nc 🚀 日本語');
  });

  it('Markdown: no HTML, links, emphasis, code or block starts survive', () => {
    expect(markdownText('<b>bold</b> **x** [a](javascript:alert(1)) `c` &amp; a|b ~~s~~')).toBe(
      '\\<b\\>bold\\</b\\> \\*\\*x\\*\\* \\[a\\](javascript:alert(1)) \\`c\\` \\&amp; a\\|b \\~\\~s\\~\\~',
    );
    expect(markdownText('# heading')).toBe('\\# heading');
    expect(markdownText('> quote')).toBe('\\> quote');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('---')).toBe('\\---');
    expect(markdownText('2012. A year')).toBe('2012\\. A year');
    expect(markdownText('one\ntwo')).toBe('one two');
  });

  it('Markdown code spans hold backticks', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
  });

  it('Atom ids are stable name-based UUIDs', () => {
    const id = uuidUrn('emi-changelog entry local x 123');
    expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidUrn('emi-changelog entry local x 123')).toBe(id);
    expect(uuidUrn('emi-changelog entry local x 124')).not.toBe(id);
  });
});
