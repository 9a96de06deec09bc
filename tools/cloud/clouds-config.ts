/**
 * Clouds as OpenStack describes them: clouds.yaml (and secure.yaml beside it, merged over it) in
 * the places openstacksdk looks, the cloud chosen by --cloud or OS_CLOUD. Only what registering
 * images needs is read: auth_type, auth, region_name, interface, image_endpoint_override, cacert,
 * verify. Secrets (password, token, application credential secret) may also come from OS_PASSWORD,
 * OS_TOKEN and OS_APPLICATION_CREDENTIAL_SECRET, so a CI job can keep them in its secrets.
 * https://docs.openstack.org/openstacksdk/latest/user/config/configuration.html
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError, UserError } from '../lib/errors.js';

export type AuthType = 'none' | 'password' | 'token' | 'application_credential';

export interface CloudAuth {
  auth_url?: string;
  username?: string;
  user_id?: string;
  password?: string;
  token?: string;
  application_credential_id?: string;
  application_credential_name?: string;
  application_credential_secret?: string;
  project_name?: string;
  project_id?: string;
  user_domain_name?: string;
  user_domain_id?: string;
  project_domain_name?: string;
  project_domain_id?: string;
  domain_name?: string;
  domain_id?: string;
  /** auth_type none: the service endpoint. */
  endpoint?: string;
}

export interface CloudConfig {
  name: string;
  /** The file it was read from. */
  file: string;
  authType: AuthType;
  auth: CloudAuth;
  regionName?: string;
  /** public (default), internal or admin. */
  interface: string;
  imageEndpointOverride?: string;
  cacertFile?: string;
  verify: boolean;
}

const authTypes: Record<string, AuthType> = {
  none: 'none',
  noauth: 'none',
  password: 'password',
  v3password: 'password',
  token: 'token',
  v3token: 'token',
  v3applicationcredential: 'application_credential',
  applicationcredential: 'application_credential',
};

/** The files openstacksdk reads, first found wins: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/. */
export function cloudsFileCandidates(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const home = env.HOME || homedir();
  const dirs = [cwd, join(env.XDG_CONFIG_HOME || join(home, '.config'), 'openstack'), '/etc/openstack'];
  const files = dirs.flatMap((dir) => [join(dir, 'clouds.yaml'), join(dir, 'clouds.yml')]);
  return env.OS_CLIENT_CONFIG_FILE ? [env.OS_CLIENT_CONFIG_FILE, ...files] : files;
}

async function readYaml(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    const value: unknown = parse(text);
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a mapping');
    return value as Record<string, unknown>;
  } catch (error) {
    // The parser's message can quote the file's text, which may hold a password: give the line only.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new UserError(`${file}${line ? `:${line}` : ''}: not a valid clouds.yaml (YAML syntax or shape)`);
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const a = asRecord(out[key]);
    const b = asRecord(value);
    out[key] = a && b ? mergeDeep(a, b) : value;
  }
  return out;
}

function text(value: unknown, file: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new UserError(`${file}: ${field} must be a string`);
}

const authFields = [
  'auth_url',
  'username',
  'user_id',
  'password',
  'token',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
  'project_name',
  'project_id',
  'user_domain_name',
  'user_domain_id',
  'project_domain_name',
  'project_domain_id',
  'domain_name',
  'domain_id',
  'endpoint',
] as const satisfies readonly (keyof CloudAuth)[];

/** Reads the named cloud (or OS_CLOUD's) from the first clouds.yaml found. */
export async function loadCloudConfig(options: {
  cloud?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<CloudConfig> {
  const name = options.cloud ?? options.env.OS_CLOUD;
  if (!name) throw new UsageError('which cloud? give --cloud NAME or set OS_CLOUD');
  const candidates = cloudsFileCandidates(options.env, options.cwd);
  let file: string | undefined;
  let document: Record<string, unknown> | undefined;
  for (const candidate of candidates) {
    document = await readYaml(candidate);
    if (document) {
      file = candidate;
      break;
    }
  }
  if (!file || !document)
    throw new UserError(`no clouds.yaml found (looked at ${candidates.join(', ')})`, { exitCode: 1 });
  const clouds = asRecord(document.clouds);
  let entry = asRecord(clouds?.[name]);
  if (!entry)
    throw new UserError(
      `${file}: no cloud named "${name}" (clouds: ${Object.keys(clouds ?? {}).join(', ') || 'none'})`,
    );
  // secure.yaml beside clouds.yaml holds the secrets of the same clouds.
  const secure = await readYaml(join(file, '..', 'secure.yaml'));
  const secureEntry = asRecord(asRecord(secure?.clouds)?.[name]);
  if (secureEntry) entry = mergeDeep(entry, secureEntry);

  const typeName = (text(entry.auth_type, file, `clouds.${name}.auth_type`) ?? 'password').replace(/-/g, '');
  const authType = authTypes[typeName];
  if (!authType)
    throw new UserError(
      `${file}: clouds.${name}.auth_type "${typeName}" is not supported (none, password, token, v3applicationcredential)`,
    );
  const rawAuth = asRecord(entry.auth) ?? {};
  const auth: CloudAuth = {};
  for (const field of authFields) {
    const value = text(rawAuth[field], file, `clouds.${name}.auth.${field}`);
    if (value !== undefined) auth[field] = value;
  }
  const env = options.env;
  if (!auth.password && env.OS_PASSWORD) auth.password = env.OS_PASSWORD;
  if (!auth.token && env.OS_TOKEN) auth.token = env.OS_TOKEN;
  if (!auth.application_credential_secret && env.OS_APPLICATION_CREDENTIAL_SECRET)
    auth.application_credential_secret = env.OS_APPLICATION_CREDENTIAL_SECRET;

  const field = (key: string) => text(entry?.[key], file as string, `clouds.${name}.${key}`);
  const imageEndpointOverride = field('image_endpoint_override') ?? field('endpoint') ?? auth.endpoint;
  const regionName = field('region_name');
  const cacertFile = field('cacert');
  const config: CloudConfig = {
    name,
    file,
    authType,
    auth,
    interface: (field('interface') ?? field('endpoint_type') ?? 'public').replace(/URL$/, ''),
    verify: entry.verify !== false && entry.insecure !== true,
    ...(imageEndpointOverride ? { imageEndpointOverride } : {}),
    ...(regionName ? { regionName } : {}),
    ...(cacertFile ? { cacertFile } : {}),
  };
  if (authType === 'none' && !config.imageEndpointOverride)
    throw new UserError(
      `${file}: clouds.${name} has auth_type none but no image_endpoint_override (or auth.endpoint): where is Glance?`,
    );
  if (authType !== 'none' && !auth.auth_url)
    throw new UserError(`${file}: clouds.${name}.auth.auth_url is missing (Keystone's address)`);
  return config;
}

/** Every secret of a cloud, for redaction. */
export function cloudSecrets(config: CloudConfig): string[] {
  const { password, token, application_credential_secret } = config.auth;
  return [password, token, application_credential_secret].filter((value): value is string => Boolean(value));
}

/** What may be shown of a cloud: its name, file, auth type and endpoints, never a secret. */
export function describeCloud(config: CloudConfig): Record<string, string> {
  return {
    cloud: config.name,
    file: config.file,
    auth_type: config.authType,
    ...(config.auth.auth_url ? { auth_url: config.auth.auth_url } : {}),
    ...(config.imageEndpointOverride ? { image_endpoint: config.imageEndpointOverride } : {}),
    ...(config.regionName ? { region_name: config.regionName } : {}),
  };
}
