import { describe, expect, it } from 'vitest';
import { checkCommitMessage, cleanMessage } from '../../tools/catalog/commit-message.js';

const records = ['EMI-IDs/euca-debian-emi.x86_64.yaml'];

describe('commit message rule', () => {
  it('needs a body only when records change', () => {
    expect(checkCommitMessage('subject only', [])).toBeUndefined();
    expect(checkCommitMessage('subject only', records)).toMatch(/add a message body/);
    expect(checkCommitMessage('subject\n\nWhat changed in the image.', records)).toBeUndefined();
  });

  it('ignores comments, the scissors part and trailers when looking for a body', () => {
    const editor =
      'subject\n\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n';
    expect(cleanMessage(editor)).toBe('subject');
    expect(checkCommitMessage(editor, records)).toMatch(/add a message body/);
    expect(
      checkCommitMessage(
        'subject\n\nSigned-off-by: A <a@example.invalid>\nCo-authored-by: B <b@example.invalid>',
        records,
      ),
    ).toMatch(/add a message body/);
    expect(checkCommitMessage('', records)).toBe('the message is empty');
  });
});
