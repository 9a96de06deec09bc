/**
 * A commit that changes EMI-IDs/ needs a message body: its subject and body become the image's
 * changelog entry. Pure: the hook command gives it the message and the staged record paths.
 */

/** The message as git will store it with the default cleanup: no comment lines, no trailing blanks. */
export function cleanMessage(message: string): string {
  const scissors = message.search(/^# -+ >8 -+$/m);
  const text = scissors >= 0 ? message.slice(0, scissors) : message;
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/** Undefined when the message is fine, else the reason the commit is refused. */
export function checkCommitMessage(
  message: string,
  stagedRecordPaths: readonly string[],
): string | undefined {
  if (stagedRecordPaths.length === 0) return undefined;
  const lines = cleanMessage(message).split('\n');
  const subject = lines[0] ?? '';
  const body = lines
    .slice(1)
    .filter((line) => !/^[A-Za-z-]+: /.test(line) || line.length > 80)
    .join('\n')
    .trim();
  if (subject === '') return 'the message is empty';
  if (body === '') {
    const files = stagedRecordPaths.slice(0, 3).join(', ') + (stagedRecordPaths.length > 3 ? ', …' : '');
    return `this commit changes ${files}: add a message body (after a blank line) saying what changed in the image; it becomes the image's changelog entry`;
  }
  return undefined;
}
