/**
 * What EC2's metadata service answers for a path, as plain data: the version list, folder indexes
 * (one name a line, folders with a trailing `/`, no final newline), public-keys/ as `N=name`,
 * openssh-key with its trailing newline, user-data as raw bytes (404 when there is none) and the
 * instance identity document with its signatures (signing.ts: a throwaway key made at the first
 * use). Pure but for that key: the server adds tokens and faults around it.
 */
import type { Instance } from './instance.js';
import { identityPkcs7, identitySignature } from './signing.js';

export type MetadataAnswer =
  | { status: 200; body: Buffer; contentType: string }
  | { status: 404; body: Buffer; contentType: string };

/** The versions EC2 lists at `/`, oldest first, `latest` last. Each serves the same tree here. */
export const metadataVersions = [
  '1.0',
  '2007-01-19',
  '2007-03-01',
  '2007-08-29',
  '2007-10-10',
  '2007-12-15',
  '2008-02-01',
  '2008-09-01',
  '2009-04-04',
  '2011-01-01',
  '2011-05-01',
  '2012-01-12',
  '2014-02-25',
  '2014-11-05',
  '2015-10-20',
  '2016-04-19',
  '2016-06-30',
  '2016-09-02',
  '2018-03-28',
  '2018-08-17',
  '2018-09-24',
  '2019-10-01',
  '2020-10-27',
  '2021-01-03',
  '2021-03-23',
  '2021-07-15',
  '2022-09-24',
  '2024-04-11',
  'latest',
] as const;

const text = 'text/plain';

/** EC2's own 404 page: an error page is what a careless client takes for a value. */
export function notFoundPage(): Buffer {
  return Buffer.from(
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
      '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
      '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
      ' <head>\n  <title>404 - Not Found</title>\n </head>\n' +
      ' <body>\n  <h1>404 - Not Found</h1>\n </body>\n</html>\n',
  );
}

function ok(body: string | Buffer, contentType = text): MetadataAnswer {
  return { status: 200, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType };
}

function notFound(): MetadataAnswer {
  return { status: 404, body: notFoundPage(), contentType: 'text/html' };
}

/** The names directly under `prefix` ('' for the top), folders marked with a trailing `/`. */
function listFolder(leaves: Iterable<string>, prefix: string): string[] {
  const names = new Set<string>();
  for (const path of leaves) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    names.add(slash === -1 ? rest : `${rest.slice(0, slash + 1)}`);
  }
  return [...names].sort();
}

/** The identity document as EC2 prints it: two-space indent and ` : ` between key and value. */
export function renderIdentityDocument(instance: Instance): string {
  const lines = instance.identity.map(
    ([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`,
  );
  return `{\n${lines.join(',\n')}\n}`;
}

function answerMetaData(instance: Instance, path: string): MetadataAnswer {
  const keys = instance.publicKeys;
  if (path === 'public-keys' || path === 'public-keys/') {
    if (keys.length === 0) return notFound();
    return ok(keys.map((key, index) => `${index}=${key.name}`).join('\n'));
  }
  const key = /^public-keys\/(0|[1-9][0-9]*)(\/(openssh-key)?)?$/.exec(path);
  if (key) {
    const entry = keys[Number(key[1])];
    if (!entry) return notFound();
    return key[3] ? ok(`${entry.key}\n`) : ok('openssh-key');
  }
  const leaves = [...instance.metaData.keys()];
  const folder = path === '' || path.endsWith('/') ? path : `${path}/`;
  const value = path.endsWith('/') ? undefined : instance.metaData.get(path);
  if (value !== undefined) return ok(value);
  const names = listFolder(leaves, folder);
  if (folder === '' && keys.length > 0) names.push('public-keys/');
  if (names.length === 0) return notFound();
  return ok(names.sort().join('\n'));
}

/** The answer for a GET of `path` (the URL path, without query string). */
export function answerMetadata(instance: Instance, path: string): MetadataAnswer {
  if (path === '/') return ok(metadataVersions.join('\n'));
  const match = /^\/([^/]+)(\/.*)?$/.exec(path);
  if (!match || !(metadataVersions as readonly string[]).includes(match[1] as string)) return notFound();
  const rest = match[2] ?? '';
  if (rest === '' || rest === '/') {
    return ok(['dynamic', 'meta-data', ...(instance.userData ? ['user-data'] : [])].join('\n'));
  }
  if (rest === '/user-data') {
    return instance.userData ? ok(instance.userData, 'application/octet-stream') : notFound();
  }
  if (rest === '/meta-data') return answerMetaData(instance, '');
  if (rest.startsWith('/meta-data/')) return answerMetaData(instance, rest.slice('/meta-data/'.length));
  if (rest === '/dynamic' || rest === '/dynamic/') return ok('instance-identity/');
  if (rest === '/dynamic/instance-identity' || rest === '/dynamic/instance-identity/')
    return ok('document\npkcs7\nrsa2048\nsignature');
  if (rest === '/dynamic/instance-identity/document') return ok(renderIdentityDocument(instance));
  if (rest === '/dynamic/instance-identity/signature')
    return ok(identitySignature(renderIdentityDocument(instance)));
  if (rest === '/dynamic/instance-identity/pkcs7' || rest === '/dynamic/instance-identity/rsa2048')
    return ok(identityPkcs7(renderIdentityDocument(instance)));
  return notFound();
}
