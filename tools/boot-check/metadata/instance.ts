/**
 * The instance the metadata emulator describes: instance.yaml (tools/schemas/instance.schema.json)
 * turned into a model with every default filled in, so the tree and the server never guess.
 * Values are kept as given (tests serve hostile hostnames and keys on purpose).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Problem, Result } from '../../lib/problems.js';
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
    ['mac', config.mac ?? '02:00:0a:01:00:0a'],
    ['placement/availability-zone', zone],
    ['placement/region', region],
    ['reservation-id', 'r-0123456789abcdef0'],
    ['security-groups', 'default'],
  ]);
  if (config.public_hostname !== undefined) leaves.set('public-hostname', config.public_hostname);
  if (config.public_ipv4 !== undefined) leaves.set('public-ipv4', config.public_ipv4);
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

/** Rules the schema cannot say: one source of user-data at most. */
function checkRules(
  file: string,
  config: InstanceConfig,
  locate: (path: string[]) => { line: number; column: number },
): Problem[] {
  const sources = (['user_data', 'user_data_base64', 'user_data_file'] as const).filter(
    (key) => config[key] !== undefined,
  );
  if (sources.length <= 1) return [];
  const where = locate([sources[1] as string]);
  return [
    { file, ...where, path: sources[1] as string, message: `give one of ${sources.join(', ')}, not several` },
  ];
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
  const ruleProblems = checkRules(file, config, (path) => parsed.value.locate(path, 'key'));
  if (ruleProblems.length > 0) return { ok: false, problems: ruleProblems };

  let fromFile: Buffer | undefined;
  if (config.user_data_file !== undefined) {
    const path = resolve(dirname(file), config.user_data_file);
    const where = parsed.value.locate(['user_data_file']);
    try {
      fromFile = await readFile(path);
    } catch (error) {
      const message = `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      return { ok: false, problems: [{ file, ...where, path: 'user_data_file', message }] };
    }
    if (fromFile.length > maxUserDataFileBytes)
      return {
        ok: false,
        problems: [{ file, ...where, path: 'user_data_file', message: `${path} is over 64 MiB` }],
      };
  }
  return { ok: true, value: normalizeInstance(config, fromFile) };
}
