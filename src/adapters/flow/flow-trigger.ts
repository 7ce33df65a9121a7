/**
 * The configured flow trigger (see flow-port.ts): a self-hosted Prefect Server (`flow.prefect`)
 * or a plain command (`flow.command`), each loaded only when configured.
 */
import type { Config } from '../../core/schemas.js';
import type { FlowTrigger, FlowTriggerDeps } from './flow-port.js';

/** The configured trigger: Prefect when `flow.prefect` is set, else `flow.command`, else none. */
export async function createFlowTrigger(config: Config, deps: FlowTriggerDeps): Promise<FlowTrigger | null> {
  if (config.flow?.prefect) {
    const { createPrefectTrigger } = await import('./prefect-trigger.js');
    const { prefectSettings } = await import('../prefect/settings.js');
    return createPrefectTrigger(prefectSettings(config, deps.env), deps);
  }
  if (config.flow?.command) {
    const { createCommandTrigger } = await import('./command-trigger.js');
    return createCommandTrigger({
      command: config.flow.command,
      cwd: deps.cwd,
      env: deps.env,
      now: deps.now,
    });
  }
  return null;
}
