import { describe, expect, it } from 'vitest';
import { isoDateOf, parseCommitObject, splitMessage } from '../../tools/lib/parse-commit.js';

describe('parseCommitObject', () => {
  it('reads parents, both signatures in their own zones, subject and body', () => {
    const raw = [
      'tree 3be22be77da4887e869c981806d8452f034dd014',
      'parent 1111111111111111111111111111111111111111',
      'parent 2222222222222222222222222222222222222222',
      'author Zoë Ångström <zoe@example.invalid> 1326586356 -0800',
      'committer C. Ommitter <> 1326586400 +0530',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' parent 3333333333333333333333333333333333333333',
      ' -----END PGP SIGNATURE-----',
      '',
      'Subject line',
      'continued',
      '',
      'Body <script>x</script>',
      '',
    ].join('\n');
    const commit = parseCommitObject('abc', Buffer.from(raw));
    expect(commit.parents).toEqual([
      '1111111111111111111111111111111111111111',
      '2222222222222222222222222222222222222222',
    ]);
    expect(commit.author).toEqual({
      name: 'Zoë Ångström',
      email: 'zoe@example.invalid',
      time: 1326586356,
      date: '2012-01-14T16:12:36-08:00',
    });
    expect(commit.committer.email).toBe('');
    expect(commit.committer.date).toBe('2012-01-15T05:43:20+05:30');
    expect(commit.subject).toBe('Subject line continued');
    expect(commit.body).toBe('Body <script>x</script>');
  });

  it('formats UTC as git does', () => {
    expect(isoDateOf(0, '+0000')).toBe('1970-01-01T00:00:00+00:00');
  });

  it('splits a message without a body', () => {
    expect(splitMessage('only a subject\n')).toEqual({ subject: 'only a subject', body: '' });
  });
});
