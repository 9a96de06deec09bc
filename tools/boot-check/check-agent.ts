/**
 * The agent-status check (pure): the agent's status file when there was a login, else its lines on
 * the serial console. Every step must end ok at an instance's first boot; at a reboot the steps
 * that work once per instance are skipped.
 */
import type { BootFacts, BootName } from './boot-facts.js';
import { fail, pass, type Verdict } from './verdict.js';
import { agentSteps, oncePerInstanceSteps } from './verify-plan.js';

function describeSteps(steps: { name: string; result: string; detail: string }[]): string {
  return steps
    .map((step) => `${step.name}: ${step.result}${step.detail ? ` (${step.detail})` : ''}`)
    .join('; ');
}

/** Every step ok at an instance's first boot; at a reboot the once-per-instance steps are skipped. */
function judgeSteps(
  name: BootName,
  steps: { name: string; result: string; detail: string }[],
): { bad: typeof steps; missing: string[] } {
  const missing = agentSteps.filter((step) => !steps.some((entry) => entry.name === step));
  const bad = steps.filter((step) => {
    if (name === 'reboot' && oncePerInstanceSteps.includes(step.name)) return step.result !== 'skipped';
    return step.result !== 'ok';
  });
  return { bad, missing };
}

export function checkAgentStatus(boot: BootFacts): Verdict {
  const guest = boot.guest;
  if (guest?.status === undefined) return checkAgentConsole(boot, guest?.statusError);
  const status = guest.status;
  if (status.bootId !== guest.bootId)
    return fail(
      `the status file is from another boot (${status.bootId}): the agent did not finish at this boot`,
    );
  if (status.instanceId !== boot.instance.instanceId)
    return fail(`the status file is for instance ${status.instanceId}, not ${boot.instance.instanceId}`);
  const running = status.steps.filter((step) => step.result === 'running');
  if (running.length > 0) return fail(`still running when the check ended: ${describeSteps(running)}`);
  const { bad, missing } = judgeSteps(boot.name, status.steps);
  if (missing.length > 0) return fail(`the status file has no step ${missing.join(', ')}`);
  if (bad.length > 0) return fail(describeSteps(bad));
  return pass(
    boot.name === 'reboot'
      ? `${status.steps.length} steps: ok, and ${oncePerInstanceSteps.join(' and ')} skipped as done for this instance`
      : `${status.steps.length} steps ok`,
  );
}

/** Without a login (or a status file), the console tells what the agent did. */
function checkAgentConsole(boot: BootFacts, statusError: string | undefined): Verdict {
  const seen = boot.console;
  const prefix = statusError === undefined ? 'from the console: ' : `status file: ${statusError}; console: `;
  const stopped = seen.agentMessages.find((message) => message.startsWith('configuration error'));
  if (stopped) return fail(`${prefix}the agent stopped at once: ${stopped}`);
  if (!seen.agentStarted && seen.agentSteps.length === 0)
    return fail(
      `${prefix}the agent printed nothing${seen.agentMessages.length ? ` but: ${seen.agentMessages.join('; ')}` : ''}`,
    );
  const { bad, missing } = judgeSteps(boot.name, seen.agentSteps);
  if (bad.length > 0) return fail(`${prefix}${describeSteps(bad)}`);
  if (!seen.agentDone)
    return fail(`${prefix}the agent did not finish (last: ${describeSteps(seen.agentSteps.slice(-1))})`);
  if (missing.length > 0) return fail(`${prefix}no line for step ${missing.join(', ')}`);
  if (statusError !== undefined) return fail(`${prefix}every step ok, but the status file is missing`);
  return pass(`${prefix}${seen.agentSteps.length} steps ok`);
}
