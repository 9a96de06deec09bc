/** Real parsers for the changelog's outputs: an XML parser that stops at any error, an HTML5 validator. */
import { DOMParser, type Document } from '@xmldom/xmldom';
import { HtmlValidate } from 'html-validate';

/** Parses XML strictly: any warning or error of the parser throws. */
export function parseXml(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  });
  return parser.parseFromString(text, 'application/xml');
}

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  // HTML5 allows any id without spaces; ours are line names like euca-debian-emi.x86_64.
  rules: { 'valid-id': ['error', { relaxed: true }] },
});

/** The HTML5 validator's messages for a page, as `line:column rule message` (empty when valid). */
export async function htmlProblems(html: string, name: string): Promise<string[]> {
  const report = await validator.validateString(html, name);
  return report.results.flatMap((result) =>
    result.messages.map(
      (message) => `${name}:${message.line}:${message.column} ${message.ruleId} ${message.message}`,
    ),
  );
}
