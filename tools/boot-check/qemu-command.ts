/**
 * The QEMU command line of a boot check (pure): the image booted the Eucalyptus way, its exported
 * kernel and initrd with `root=` on the image attached as the first virtio disk, in snapshot mode
 * or through the instance's qcow2 overlay (either way the artifact is never modified), extra
 * virtio disks (the
 * ephemeral and swap disks), the serial console into a file, and user-mode networking in which
 * the guest's 169.254.169.254:80 reaches the metadata emulator and a loopback port reaches the
 * guest's sshd.
 */

export type Accel = 'kvm' | 'tcg';
export type BootArch = 'x86_64' | 'i386';
export const bootArches: readonly BootArch[] = ['x86_64', 'i386'];

export interface VmDisk {
  path: string;
  /** The virtio serial number: the guest sees it in /sys/block/vdX/serial. */
  serial: string;
}

export interface VmSpec {
  arch: BootArch;
  accel: Accel;
  kernel: string;
  initrd: string;
  /** The image (a bare filesystem), attached first (vda) and read through a snapshot. */
  image: string;
  /**
   * A qcow2 overlay backed by the image (vm.ts createOverlay): attached instead of the image's
   * snapshot, so the instance's disk outlives one QEMU process (a reboot starts a new one).
   */
  rootOverlay?: string;
  /** QEMU exits when the guest restarts (`-no-reboot`), instead of resetting the machine. */
  noReboot?: boolean;
  /** Append to the serial log instead of starting it anew (the reboot of an instance). */
  appendConsole?: boolean;
  /** Writable disks after the image: vdb, vdc … in this order. */
  disks: readonly VmDisk[];
  serialLog: string;
  /** The loopback port of the metadata emulator. */
  metadataPort: number;
  /** The loopback port forwarded to the guest's port 22. */
  sshPort: number;
  memoryMiB: number;
  cpus: number;
  /** QEMU writes its process id here (the boot check measures the host's pace from it). */
  pidFile?: string;
  /**
   * The boot agent's deadline for this boot (emi_agent.deadline= on the kernel command line): the
   * check gives its test instance as long as it waits itself, so a slow host is not a failure.
   */
  agentDeadlineSeconds?: number;
}

/** The address the guest asks for metadata, and the user network that must contain it. */
export const metadataAddress = '169.254.169.254';
export const userNetwork = '169.254.0.0/16';
export const rootSerial = 'emi-root';

export function qemuBinary(arch: BootArch): string {
  return arch === 'i386' ? 'qemu-system-i386' : 'qemu-system-x86_64';
}

/**
 * KVM runs a guest of the host's own family only: an x86_64 host runs x86_64 and i386 guests
 * (qemu-system-i386 uses KVM too); anything else is emulated (TCG).
 */
export function chooseAccel(arch: BootArch, hostArch: string, kvmUsable: boolean): Accel {
  const sameFamily = hostArch === 'x64' || hostArch === 'x86_64' || (hostArch === 'ia32' && arch === 'i386');
  return kvmUsable && sameFamily ? 'kvm' : 'tcg';
}

export function kernelCommandLine(agentDeadlineSeconds?: number): string {
  if (
    agentDeadlineSeconds !== undefined &&
    !(Number.isInteger(agentDeadlineSeconds) && agentDeadlineSeconds >= 1 && agentDeadlineSeconds <= 86400)
  )
    throw new Error(`agent deadline ${agentDeadlineSeconds} is not 1 to 86400 seconds`);
  // ro, as Debian boots: the root filesystem is checked, then remounted per /etc/fstab.
  // no_timer_check: under TCG on a busy host the kernel's check of the timer interrupt can miss
  // its window and panic ("IO-APIC + timer doesn't work!"): a slow host, not a bad image. Clouds'
  // virtual machines boot with it for the same reason.
  return [
    'root=/dev/vda',
    'ro',
    'console=ttyS0,115200n8',
    'no_timer_check',
    ...(agentDeadlineSeconds === undefined ? [] : [`emi_agent.deadline=${agentDeadlineSeconds}`]),
  ].join(' ');
}

/** QEMU splits option values at commas; doubling them keeps a path whole. */
function escapeOption(value: string): string {
  return value.replace(/,/g, ',,');
}

function assertPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${what} ${port} is not a port`);
}

export function qemuCommand(spec: VmSpec): { file: string; args: string[] } {
  assertPort(spec.metadataPort, 'metadata port');
  assertPort(spec.sshPort, 'ssh port');
  for (const disk of spec.disks)
    if (!/^[A-Za-z0-9-]{1,20}$/.test(disk.serial))
      throw new Error(`disk serial "${disk.serial}" is not valid`);
  const accel =
    spec.accel === 'kvm'
      ? ['-accel', 'kvm', '-cpu', 'host']
      : // Multi-threaded TCG: one host thread per virtual CPU.
        ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  const drives = [
    spec.rootOverlay === undefined
      ? { id: 'root', path: spec.image, serial: rootSerial, snapshot: true, format: 'raw' }
      : { id: 'root', path: spec.rootOverlay, serial: rootSerial, snapshot: false, format: 'qcow2' },
    ...spec.disks.map((disk, index) => ({
      id: `disk${index + 1}`,
      ...disk,
      snapshot: false,
      format: 'raw',
    })),
  ].flatMap((drive) => [
    '-drive',
    `if=none,id=${drive.id},format=${drive.format},file=${escapeOption(drive.path)}${drive.snapshot ? ',snapshot=on' : ''}`,
    '-device',
    `virtio-blk-pci,drive=${drive.id},serial=${drive.serial}`,
  ]);
  // `-cmd:` starts one relay per guest connection; the `-tcp:` form would carry a single
  // connection for the whole life of the VM, so later requests would hang.
  const guestfwd = `guestfwd=tcp:${metadataAddress}:80-cmd:socat - TCP:127.0.0.1:${spec.metadataPort}`;
  const hostfwd = `hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`;
  return {
    file: qemuBinary(spec.arch),
    args: [
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-monitor',
      'none',
      '-machine',
      'q35',
      ...accel,
      '-smp',
      String(spec.cpus),
      '-m',
      String(spec.memoryMiB),
      '-kernel',
      spec.kernel,
      '-initrd',
      spec.initrd,
      '-append',
      kernelCommandLine(spec.agentDeadlineSeconds),
      ...(spec.noReboot ? ['-no-reboot'] : []),
      ...(spec.pidFile === undefined ? [] : ['-pidfile', spec.pidFile]),
      ...drives,
      '-netdev',
      `user,id=net0,net=${userNetwork},${guestfwd},${hostfwd}`,
      '-device',
      'virtio-net-pci,netdev=net0',
      // Entropy for the first boot's host keys, as clouds give it.
      '-object',
      'rng-random,id=rng0,filename=/dev/urandom',
      '-device',
      'virtio-rng-pci,rng=rng0',
      '-chardev',
      `file,id=serial0,path=${escapeOption(spec.serialLog)}${spec.appendConsole ? ',append=on' : ''}`,
      '-serial',
      'chardev:serial0',
    ],
  };
}
