/**
 * The instance the metadata emulator describes: instance.yaml (tools/schemas/instance.schema.json)
 * turned into a model with every default filled in, so the tree and the server never guess.
 * normalizeInstance keeps values as given (tests serve hostile hostnames and keys on purpose); an
 * instance file is checked first, and serves invalid values only with `allow_invalid: true`.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { formatPath, type Problem, type Result } from '../../lib/problems.js';
import { checkSchema } from '../../lib/schema-check.js';
import { parseYamlSource } from '../../lib/yaml-source.js';
import type { Fault, InstanceConfig } from '../../schemas/generated/instance.js';

export type { Fault, InstanceConfig };
export type TokenMode = NonNullable<InstanceConfig['tokens']>;

export interface Instance {
  instanceId: string;
  tokens: TokenMode;
  tokenTtlMax: number;
  tokenUses: number | undefined;
  startingUpSeconds: number;
  refuseSeconds: number;
  /** meta-data leaves by path under meta-data/, e.g. `placement/availability-zone`. */
  metaData: ReadonlyMap<string, string>;
  publicKeys: readonly { name: string; key: string }[];
  userData: Buffer | undefined;
  /** The fields of dynamic/instance-identity/document, in EC2's order. */
  identity: readonly (readonly [string, string | number | null])[];
  faults: readonly Fault[];
}

/** The largest user-data EC2 accepts is 16 KiB; tests serve more through faults, files stay sane. */
const maxUserDataFileBytes = 64 * 1024 * 1024;

function ipHostname(ip: string): string {
  return `ip-${ip.replace(/\./g, '-')}`;
}

/**
 * network/interfaces/macs/<mac>/: the primary interface as EC2 describes it in a VPC (cloud-init
 * renders its network configuration from it). The subnet is the /20 and the VPC the /16 around
 * the private address, as in a default VPC; ids are fixed, like the reservation-id.
 */
function networkLeaves(
  config: InstanceConfig,
  mac: string,
  localIpv4: string,
  localHostname: string,
): [string, string][] {
  const prefix = `network/interfaces/macs/${mac}/`;
  const leaves: [string, string][] = [
    ['device-number', '0'],
    ['interface-id', 'eni-0123456789abcdef0'],
    ['local-hostname', localHostname],
    ['local-ipv4s', localIpv4],
    ['mac', mac],
    ['owner-id', config.account_id ?? '123456789012'],
    ['security-group-ids', 'sg-0123456789abcdef0'],
    ['security-groups', 'default'],
    ['subnet-id', 'subnet-0123456789abcdef0'],
    ['vpc-id', 'vpc-0123456789abcdef0'],
  ];
  if (isIPv4(localIpv4)) {
    const [a, b, c] = localIpv4.split('.').map(Number) as [number, number, number];
    leaves.push(['subnet-ipv4-cidr-block', `${a}.${b}.${c & 0xf0}.0/20`]);
    leaves.push(['vpc-ipv4-cidr-block', `${a}.${b}.0.0/16`]);
    leaves.push(['vpc-ipv4-cidr-blocks', `${a}.${b}.0.0/16`]);
  }
  if (config.public_hostname !== undefined) leaves.push(['public-hostname', config.public_hostname]);
  if (config.public_ipv4 !== undefined) {
    leaves.push(['public-ipv4s', config.public_ipv4]);
    leaves.push([`ipv4-associations/${config.public_ipv4}`, localIpv4]);
  }
  return leaves.map(([path, value]) => [`${prefix}${path}`, value]);
}

/** Fills in EC2's (or Eucalyptus') defaults. `userData` is the resolved user_data_file, if any. */
export function normalizeInstance(config: InstanceConfig, userDataFromFile?: Buffer): Instance {
  const tokens: TokenMode = config.tokens ?? 'optional';
  const eucalyptus = tokens === 'eucalyptus';
  const localIpv4 = config.local_ipv4 ?? (eucalyptus ? '10.1.0.10' : '172.31.0.10');
  const localHostname =
    config.local_hostname ?? (eucalyptus ? localIpv4 : `${ipHostname(localIpv4)}.ec2.internal`);
  const zone = config.availability_zone ?? (eucalyptus ? 'cluster01' : 'us-east-1a');
  const region = config.region ?? (eucalyptus ? 'eucalyptus' : 'us-east-1');
  const amiId = config.ami_id ?? (eucalyptus ? 'emi-0a1b2c3d' : 'ami-0123456789abcdef0');
  const instanceType = config.instance_type ?? (eucalyptus ? 'm1.small' : 't3.micro');
  const mac = config.mac ?? '02:00:0a:01:00:0a';
  const devices =
    config.block_device_mapping ??
    (eucalyptus
      ? { ami: 'sda1', ephemeral0: 'sda2', root: '/dev/sda1', swap: 'sda3' }
      : { ami: '/dev/xvda', root: '/dev/xvda' });

  const leaves = new Map<string, string>([
    ['ami-id', amiId],
    ['ami-launch-index', String(config.ami_launch_index ?? 0)],
    ['ami-manifest-path', eucalyptus ? 'emis/image.manifest.xml' : '(unknown)'],
    ['hostname', localHostname],
    ['instance-action', 'none'],
    ['instance-id', config.instance_id],
    ['instance-type', instanceType],
    ['local-hostname', localHostname],
    ['local-ipv4', localIpv4],
    ['mac', mac],
    ['placement/availability-zone', zone],
    ['placement/region', region],
    ['reservation-id', 'r-0123456789abcdef0'],
    ['security-groups', 'default'],
  ]);
  if (config.public_hostname !== undefined) leaves.set('public-hostname', config.public_hostname);
  if (config.public_ipv4 !== undefined) leaves.set('public-ipv4', config.public_ipv4);
  for (const [path, value] of networkLeaves(config, mac, localIpv4, localHostname)) leaves.set(path, value);
  for (const [key, value] of Object.entries(config.tags ?? {})) leaves.set(`tags/instance/${key}`, value);
  for (const [name, device] of Object.entries(devices)) leaves.set(`block-device-mapping/${name}`, device);
  for (const [path, value] of Object.entries(config.meta_data ?? {})) leaves.set(path, value);

  let userData: Buffer | undefined;
  if (config.user_data !== undefined) userData = Buffer.from(config.user_data, 'utf8');
  else if (config.user_data_base64 !== undefined) userData = Buffer.from(config.user_data_base64, 'base64');
  else userData = userDataFromFile;

  return {
    instanceId: config.instance_id,
    tokens,
    tokenTtlMax: config.token_ttl_max ?? 21600,
    tokenUses: config.token_uses,
    startingUpSeconds: config.starting_up_seconds ?? 0,
    refuseSeconds: config.refuse_seconds ?? 0,
    metaData: leaves,
    publicKeys: config.public_keys ?? [],
    userData,
    identity: [
      ['accountId', config.account_id ?? '123456789012'],
      ['architecture', config.architecture ?? 'x86_64'],
      ['availabilityZone', zone],
      ['billingProducts', null],
      ['devpayProductCodes', null],
      ['marketplaceProductCodes', null],
      ['imageId', amiId],
      ['instanceId', config.instance_id],
      ['instanceType', instanceType],
      ['kernelId', null],
      ['pendingTime', '2024-01-01T00:00:00Z'],
      ['privateIp', localIpv4],
      ['ramdiskId', null],
      ['region', region],
      ['version', '2017-09-30'],
    ],
    faults: config.faults ?? [],
  };
}

/** A value found wrong: the field's path and what is allowed there. */
export interface ValueProblem {
  path: (string | number)[];
  message: string;
}

const instanceIdPattern = /^i-[0-9a-zA-Z]{1,64}$/;
const macPattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const devicePattern = /^(\/dev\/)?[a-z][a-z0-9]{0,30}$/;
const zonePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
const hostnameLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
/** Whether `text` holds a control character other than those in `allowed` (e.g. tab). */
function hasControl(text: string, allowed = '\t'): boolean {
  for (const character of text) {
    const code = character.charCodeAt(0);
    if ((code < 0x20 || code === 0x7f) && !allowed.includes(character)) return true;
  }
  return false;
}

function isHostname(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => hostnameLabel.test(label));
}

/**
 * The values EC2 could never serve: an instance-id that is not i-…, an address that is not IPv4,
 * a MAC that is not six lower-case hex pairs, a hostname that breaks RFC 1123, a device that is
 * not a device name, a key or meta-data value with control characters. Pure; empty when fine.
 */
export function checkInstanceValues(config: InstanceConfig): ValueProblem[] {
  const problems: ValueProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!instanceIdPattern.test(config.instance_id))
    add(['instance_id'], 'must be i- followed by 1 to 64 letters and digits, e.g. i-0123456789abcdef0');
  for (const key of ['local_ipv4', 'public_ipv4'] as const) {
    const value = config[key];
    if (value !== undefined && !isIPv4(value)) add([key], 'must be an IPv4 address, e.g. 172.31.0.10');
  }
  if (config.mac !== undefined && !macPattern.test(config.mac))
    add(['mac'], 'must be a MAC address of six lower-case hex pairs, e.g. 02:00:0a:01:00:0a');
  for (const key of ['local_hostname', 'public_hostname'] as const) {
    const value = config[key];
    if (value !== undefined && !isIPv4(value) && !isHostname(value))
      add(
        [key],
        'must be a hostname (labels of 1 to 63 letters, digits and inner hyphens, 253 characters at most) or an IPv4 address',
      );
  }
  for (const key of ['availability_zone', 'region'] as const) {
    const value = config[key];
    if (value !== undefined && !zonePattern.test(value))
      add([key], 'must be lower-case letters, digits and hyphens, e.g. us-east-1a');
  }
  if (config.ami_id !== undefined && !/^[ae][mkr]i-[0-9a-zA-Z]{1,64}$/.test(config.ami_id))
    add(
      ['ami_id'],
      'must be ami-, emi-, aki- or ari- followed by letters and digits, e.g. ami-0123456789abcdef0',
    );
  for (const [name, device] of Object.entries(config.block_device_mapping ?? {}))
    if (!devicePattern.test(device))
      add(['block_device_mapping', name], 'must be a device name such as sdb, xvdb or /dev/sda1');
  for (const [index, key] of (config.public_keys ?? []).entries()) {
    if (hasControl(key.name)) add(['public_keys', index, 'name'], 'must not hold control characters');
    if (hasControl(key.key))
      add(['public_keys', index, 'key'], 'must be one line without control characters');
  }
  for (const [path, value] of Object.entries(config.meta_data ?? {}))
    if (hasControl(value, '\t\n'))
      add(['meta_data', path], 'must not hold control characters (other than tab and newline)');
  return problems;
}

/** Standard base64 (as `base64` prints it, line breaks allowed), with its padding. */
export function isBase64(text: string): boolean {
  const compact = text.replace(/[\r\n]/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

/** Rules the schema cannot say: one source of user-data at most, base64 that is base64, valid values. */
function checkRules(
  file: string,
  config: InstanceConfig,
  locate: (path: (string | number)[], which?: 'value' | 'key') => { line: number; column: number },
): Problem[] {
  const sources = (['user_data', 'user_data_base64', 'user_data_file'] as const).filter(
    (key) => config[key] !== undefined,
  );
  if (sources.length > 1) {
    const where = locate([sources[1] as string], 'key');
    return [
      {
        file,
        ...where,
        path: sources[1] as string,
        message: `give one of ${sources.join(', ')}, not several`,
      },
    ];
  }
  const problems: Problem[] = [];
  if (config.user_data_base64 !== undefined && !isBase64(config.user_data_base64))
    problems.push({
      file,
      ...locate(['user_data_base64']),
      path: 'user_data_base64',
      message: 'is not base64 (A-Z, a-z, 0-9, + and /, padded with = to a multiple of 4)',
    });
  if (config.user_data_file !== undefined) {
    const name = config.user_data_file;
    const escapes = isAbsolute(name) || name.split(/[\\/]/).includes('..');
    if (escapes)
      problems.push({
        file,
        ...locate(['user_data_file']),
        path: 'user_data_file',
        message: `"${name}" must be a relative path inside the instance file's folder (no /, no ..)`,
      });
  }
  if (config.allow_invalid !== true)
    for (const problem of checkInstanceValues(config))
      problems.push({
        file,
        ...locate(problem.path),
        path: formatPath(problem.path),
        message: `${problem.message} (an invalid value on purpose needs allow_invalid: true, or a fault)`,
      });
  return problems;
}

/**
 * The user-data file: resolved inside `folder`, symbolic links included, and a regular file of
 * 64 MiB at most. Errors are sentences for the problem list.
 */
async function readUserDataFile(folder: string, name: string): Promise<Buffer | string> {
  const path = resolve(folder, name);
  let real: string;
  let realFolder: string;
  try {
    [real, realFolder] = await Promise.all([realpath(path), realpath(folder)]);
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const inside = relative(realFolder, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
    return `${path} leads outside the instance file's folder (to ${real}): refused`;
  const info = await stat(real);
  if (!info.isFile()) return `${path} is not a regular file`;
  if (info.size > maxUserDataFileBytes) return `${path} is over 64 MiB`;
  try {
    return await readFile(real);
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

/** Reads and checks an instance file; problems carry file, line and field. */
export async function loadInstanceFile(file: string): Promise<Result<Instance>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { ok: false, problems: [{ file, line: 0, column: 0, path: '', message: reason }] };
  }
  const parsed = parseYamlSource(file, bytes);
  if (!parsed.ok) return parsed;
  const schemaProblems = checkSchema('instance', parsed.value);
  if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems };
  const config = parsed.value.value as InstanceConfig;
  const ruleProblems = checkRules(file, config, (path, which) => parsed.value.locate(path, which));
  if (ruleProblems.length > 0) return { ok: false, problems: ruleProblems };

  let fromFile: Buffer | undefined;
  if (config.user_data_file !== undefined) {
    const read = await readUserDataFile(dirname(file), config.user_data_file);
    if (typeof read === 'string')
      return {
        ok: false,
        problems: [
          { file, ...parsed.value.locate(['user_data_file']), path: 'user_data_file', message: read },
        ],
      };
    fromFile = read;
  }
  return { ok: true, value: normalizeInstance(config, fromFile) };
}
