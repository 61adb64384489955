// What the worker's specs share: an operator, a silent logger, fast restarts, a case opened, the projector's status.
import type { SanksiRuntime } from '@sanksi/application';
import type { Actor } from '@sanksi/domain';
import pino from 'pino';
import type { WorkerHandle, WorkerStatus } from '../worker';

export const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
export const silent = pino({ level: 'silent' });
/** Restarts after 20 ms, backing off to 200 ms: a spec waits for them, not production's seconds. */
export const FAST = { restartBackoff: { initialMs: 20, maxMs: 200 } };

/** Opens a case named `pseId` (one domain, `<pseId>.com`, kominfo-2022) as the operator. */
export async function identify(runtime: SanksiRuntime, pseId: string): Promise<void> {
  await runtime.commands.execute(
    {
      type: 'IdentifyPse',
      pseId,
      name: pseId,
      origin: 'foreign',
      domains: [`${pseId}.com`],
      policy: 'kominfo-2022',
      company: null,
      sector: null,
    },
    { actor: OPERATOR },
  );
}

/** The projector loop's status in a worker. */
export const projectorOf = async (worker: WorkerHandle): Promise<WorkerStatus> =>
  (await worker.statuses()).find((s) => s.name === 'projector') as WorkerStatus;
