import { describe, expect, it } from 'vitest';
import { redactDeep, redactUrls } from '../../tools/lib/redact.js';

describe('redactUrls', () => {
  it('hides the user-info of every URL in a text, and nothing else', () => {
    expect(
      redactUrls('mirror http://user:secret@host.example/debian and https://tok@ghe.example/x.git'),
    ).toBe('mirror http://***@host.example/debian and https://***@ghe.example/x.git');
    expect(redactUrls('{"uri":"http://a:b%40c@h/"}')).toBe('{"uri":"http://***@h/"}');
    expect(redactUrls('http://host.example/a@b and mail me@example.org')).toBe(
      'http://host.example/a@b and mail me@example.org',
    );
    expect(redactDeep({ sources: [{ uri: 'http://u:p@h/' }], n: 1 })).toEqual({
      sources: [{ uri: 'http://***@h/' }],
      n: 1,
    });
  });
});
