/**
 * What the checks read inside the guest, in one ssh session: a fixed script (no data is pasted
 * into it; its one argument is a number of seconds) that waits for the boot to end and for a
 * user-data script still running, then prints each item as `name exit-code base64` so that any
 * bytes come back exact. parseProbe turns that output into GuestFacts (pure).
 */

/** Where the verification's user-data script leaves its marker (one line per run). */
export const userDataMarker = '/var/lib/emi-verify/user-data.marker';
export const ephemeralMount = '/media/ephemeral0';
export const agentStatusFile = '/var/lib/emi-agent/status.json';

/**
 * The probe script. Its paths start with $PROBE_ROOT (empty in the guest, where ssh passes no
 * environment), so that a test can run it against a temp folder; hostname, findmnt and systemctl
 * are the machine's own.
 */
export const probeScript = `set -u
wait_s=$1
root=\${PROBE_ROOT:-}
status=$root${agentStatusFile}
emit() {
  emit_name=$1
  shift
  emit_out=$("$@" 2>&1; echo "rc=$?")
  emit_rc=\${emit_out##*rc=}
  emit_out=\${emit_out%rc=*}
  printf '%s %s ' "$emit_name" "$emit_rc"
  printf '%s' "$emit_out" | base64 | tr -d '\\n'
  printf '\\n'
}
# The end of the boot; then the agent's end (sshd starts before it: its status file is rewritten
# with this boot's id when it ends) and that of a user-data script it left running.
timeout "$wait_s" systemctl is-system-running --wait >/dev/null 2>&1
end=$(($(date +%s) + wait_s))
boot_id=$(cat "$root/proc/sys/kernel/random/boot_id")
while [ "$(date +%s)" -lt "$end" ]; do
  if grep -qF -- "$boot_id" "$status" 2>/dev/null && ! grep -q '"result": "running"' "$status"; then
    break
  fi
  sleep 1
done
emit boot-id cat "$root/proc/sys/kernel/random/boot_id"
emit hostname hostname
emit etc-hostname cat "$root/etc/hostname"
emit image-id cat "$root/etc/image-id"
emit user-data-marker cat "$root${userDataMarker}"
emit ephemeral0 findmnt -rn -o SOURCE,FSTYPE,LABEL --mountpoint "$root${ephemeralMount}"
# shellcheck disable=SC2016 # expanded by the inner sh
emit disks sh -c 'for d in "$1"/sys/block/vd*; do [ -e "$d" ] && printf "%s %s\\n" "\${d##*/}" "$(cat "$d/serial")"; done; true' sh "$root"
# shellcheck disable=SC2016
emit sd-links sh -c 'for l in "$1"/dev/sd*; do [ -L "$l" ] && printf "%s %s\\n" "\${l##*/}" "$(readlink "$l")"; done; true' sh "$root"
emit swaps cat "$root/proc/swaps"
emit status cat "$status"
emit system-state systemctl is-system-running
emit failed-units systemctl list-units --failed --no-legend --plain --full
# shellcheck disable=SC2016
emit host-keys sh -c 'cat "$1"/etc/ssh/ssh_host_*_key.pub' sh "$root"
`;

export interface ProbeItem {
  exitCode: number;
  text: string;
}

export interface AgentStatus {
  bootId: string | undefined;
  instanceId: string | null | undefined;
  finished: string | null | undefined;
  steps: { name: string; result: string; detail: string }[];
}

export interface HostKey {
  type: string;
  /** The base64 of the key blob, as in a .pub file or known_hosts. */
  blob: string;
}

export interface GuestFacts {
  bootId: string;
  hostname: string;
  etcHostname: string;
  /** /etc/image-id byte for byte, or undefined when it could not be read. */
  imageId: string | undefined;
  imageIdError?: string;
  /** The marker's lines, or undefined when there is no marker. */
  userDataMarker: string[] | undefined;
  ephemeral: { source: string; fstype: string; label: string } | undefined;
  /** Virtio disks with their serial numbers: vda emi-root … */
  disks: { name: string; serial: string }[];
  /** sdX links and where they point. */
  sdLinks: { name: string; target: string }[];
  /** Active swap devices (first column of /proc/swaps). */
  swaps: string[];
  status: AgentStatus | undefined;
  statusError?: string;
  systemState: string;
  failedUnits: string[];
  hostKeys: HostKey[];
}

const itemNames = [
  'boot-id',
  'hostname',
  'etc-hostname',
  'image-id',
  'user-data-marker',
  'ephemeral0',
  'disks',
  'sd-links',
  'swaps',
  'status',
  'system-state',
  'failed-units',
  'host-keys',
] as const;

export function parseProbeItems(output: string): Map<string, ProbeItem> {
  const items = new Map<string, ProbeItem>();
  for (const line of output.split('\n')) {
    // An empty output leaves no base64 at all.
    const match = /^([a-z0-9-]+) (\d+)(?: ([A-Za-z0-9+/=]*))?$/.exec(line.trim());
    if (!match) continue;
    items.set(match[1] as string, {
      exitCode: Number(match[2]),
      text: Buffer.from(match[3] ?? '', 'base64').toString('utf8'),
    });
  }
  return items;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** findmnt -r writes spaces and other bytes as \xHH. */
function unescapeFindmnt(value: string): string {
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export function parseAgentStatus(text: string): AgentStatus {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.steps))
    throw new Error('no steps list');
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    bootId: str(parsed.boot_id),
    instanceId: parsed.instance_id === null ? null : str(parsed.instance_id),
    finished: parsed.finished === null ? null : str(parsed.finished),
    steps: (parsed.steps as unknown[]).map((step) => {
      const entry = (typeof step === 'object' && step !== null ? step : {}) as Record<string, unknown>;
      return {
        name: str(entry.name) ?? '?',
        result: str(entry.result) ?? '?',
        detail: str(entry.detail) ?? '',
      };
    }),
  };
}

export function parseHostKeys(text: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const line of lines(text)) {
    const match = /^(\S+) ([A-Za-z0-9+/]+={0,3})(?:\s|$)/.exec(line.trim());
    if (match) keys.push({ type: match[1] as string, blob: match[2] as string });
  }
  return keys;
}

export function parseProbe(output: string): GuestFacts {
  const items = parseProbeItems(output);
  const missing = itemNames.filter((name) => !items.has(name));
  if (missing.length > 0) throw new Error(`the guest probe did not report ${missing.join(', ')}`);
  const item = (name: (typeof itemNames)[number]) => items.get(name) as ProbeItem;
  const ok = (name: (typeof itemNames)[number]) => (item(name).exitCode === 0 ? item(name).text : undefined);

  const facts: GuestFacts = {
    bootId: item('boot-id').text.trim(),
    hostname: item('hostname').text.trim(),
    etcHostname: item('etc-hostname').text.trim(),
    imageId: ok('image-id'),
    userDataMarker: ok('user-data-marker') === undefined ? undefined : lines(item('user-data-marker').text),
    ephemeral: undefined,
    disks: lines(ok('disks') ?? '').map((line) => {
      const [name = '', serial = ''] = line.trim().split(/\s+/);
      return { name, serial };
    }),
    sdLinks: lines(ok('sd-links') ?? '').map((line) => {
      const [name = '', target = ''] = line.trim().split(/\s+/);
      return { name, target };
    }),
    swaps: lines(ok('swaps') ?? '')
      .slice(1)
      .map((line) => line.split(/\s+/)[0] ?? ''),
    status: undefined,
    systemState: item('system-state').text.trim(),
    failedUnits: lines(item('failed-units').text).map((line) => line.trim().split(/\s+/)[0] ?? ''),
    hostKeys: parseHostKeys(ok('host-keys') ?? ''),
  };
  if (facts.imageId === undefined) facts.imageIdError = item('image-id').text.trim();
  const mount = ok('ephemeral0');
  if (mount !== undefined && mount.trim() !== '') {
    const [source = '', fstype = '', label = ''] = (lines(mount)[0] ?? '')
      .trim()
      .split(' ')
      .map(unescapeFindmnt);
    facts.ephemeral = { source, fstype, label };
  }
  const status = ok('status');
  if (status === undefined) facts.statusError = item('status').text.trim() || 'cannot be read';
  else {
    try {
      facts.status = parseAgentStatus(status);
    } catch (error) {
      facts.statusError = `not valid JSON: ${(error as Error).message}`;
    }
  }
  return facts;
}
