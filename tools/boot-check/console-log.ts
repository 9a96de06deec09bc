/**
 * What the serial console of a boot tells (pure): whether the kernel started or gave up, the boot
 * agent's lines (each step's result, its end or its configuration error), the host key
 * fingerprints it printed, and the login prompt. It is all that is known of a guest that cannot
 * be logged into.
 */

export type StepResult = 'ok' | 'failed' | 'skipped' | 'running';

export interface AgentStepLine {
  name: string;
  result: StepResult;
  detail: string;
}

export interface ConsoleFacts {
  /** The kernel printed its banner. */
  kernelStarted: boolean;
  agentStarted: boolean;
  /** Each step's last line, in the order the steps first appeared. */
  agentSteps: AgentStepLine[];
  /** The agent printed `done in Ns`. */
  agentDone: boolean;
  /** Its other lines: `configuration error: …` (it stopped at once) and the like. */
  agentMessages: string[];
  /** SHA256 fingerprints between the agent's BEGIN/END SSH HOST KEY FINGERPRINTS lines. */
  fingerprints: string[];
  /** A getty printed `<host> login:`: the boot reached its end. */
  loginPrompt: boolean;
  /** A line that ends the boot: a kernel panic, or the initramfs giving up on the root disk. */
  fatal?: string;
}

const kernelBanner = /^(?:\[\s*[\d.]+\] )?Linux version /m;

/** Terminal colours and carriage returns out; the text systemd and the kernel meant. */
export function cleanConsole(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what is removed
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/**
 * The console of the boot that starts after `offset` (a reboot continues the same file): from the
 * first kernel banner after it, or '' while there is none yet (the old system is shutting down).
 */
export function bootSegment(text: string, offset = 0): string {
  const clean = cleanConsole(text.slice(offset));
  const match = new RegExp(kernelBanner.source, 'm').exec(clean);
  return match ? clean.slice(match.index) : '';
}

const stepLine = /^([a-z0-9-]+): (ok|failed|skipped|running)(?: \((.*)\))?$/;
const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/;
const fatalLines = [
  /Kernel panic - not syncing:.*/,
  /Gave up waiting for root (?:file system )?device.*/,
  /ALERT! .* does not exist\..*/,
];

export function parseConsole(text: string): ConsoleFacts {
  const facts: ConsoleFacts = {
    kernelStarted: kernelBanner.test(cleanConsole(text)),
    agentStarted: false,
    agentSteps: [],
    agentDone: false,
    agentMessages: [],
    fingerprints: [],
    loginPrompt: false,
  };
  let inFingerprints = false;
  for (const line of cleanConsole(text).split('\n')) {
    if (facts.fatal === undefined) {
      for (const pattern of fatalLines) {
        const match = pattern.exec(line);
        if (match) facts.fatal = match[0].trim();
      }
    }
    if (/(?:^|\s)[A-Za-z0-9][A-Za-z0-9.-]* login: ?/.test(line) && !/Last login:/.test(line))
      facts.loginPrompt = true;
    if (line.includes('-----BEGIN SSH HOST KEY FINGERPRINTS-----')) {
      inFingerprints = true;
      continue;
    }
    if (line.includes('-----END SSH HOST KEY FINGERPRINTS-----')) {
      inFingerprints = false;
      continue;
    }
    if (inFingerprints) {
      const found = fingerprint.exec(line)?.[0];
      if (found && !facts.fingerprints.includes(found)) facts.fingerprints.push(found);
      continue;
    }
    const at = line.indexOf('emi-agent: ');
    if (at === -1) continue;
    const message = line.slice(at + 'emi-agent: '.length).trim();
    if (message.startsWith('starting')) facts.agentStarted = true;
    else if (/^done in \d+s/.test(message)) facts.agentDone = true;
    // rc.local calls the agent a second time; it says so and does nothing.
    else if (message.startsWith('already ran at this boot')) continue;
    else {
      const step = stepLine.exec(message);
      if (step) {
        const entry = {
          name: step[1] as string,
          result: step[2] as StepResult,
          detail: step[3] ?? '',
        };
        const index = facts.agentSteps.findIndex((known) => known.name === entry.name);
        if (index === -1) facts.agentSteps.push(entry);
        else facts.agentSteps[index] = entry;
      } else if (!facts.agentMessages.includes(message)) facts.agentMessages.push(message);
    }
  }
  return facts;
}
