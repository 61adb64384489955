import type { ProjectorStatus } from '@sanksi/read-models';
import type { SanksiConfig } from '../config/sanksi-config';

/** The two projectors of a process: the case read models and the traffic observations. */
export type ThreadProjection = 'cases' | 'traffic';

/** What the projector thread is started with: how to open its own stores, and the lease it keeps. */
export interface ProjectorThreadData {
  eventStore: SanksiConfig['eventStore'];
  readModels: SanksiConfig['readModels'];
  postgres: SanksiConfig['postgres'];
  leaseTtlMs?: number;
}

/** An error as it crosses the thread boundary: its class name, code and message (never a stack). */
export interface ThreadError {
  name: string;
  code: string;
  message: string;
}

/** Levels the thread's log lines are forwarded at (the projector and the stores use no others). */
export type ThreadLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Main thread → projector thread. */
export type ToProjectorThread =
  | { type: 'run'; projection: ThreadProjection }
  | { type: 'stop'; projection: ThreadProjection }
  | { type: 'status'; id: number }
  | { type: 'wake'; categories: readonly string[] | undefined }
  | { type: 'close' };

/** Projector thread → main thread. */
export type FromProjectorThread =
  | { type: 'ended'; projection: ThreadProjection; error: ThreadError | null }
  | { type: 'status'; id: number; statuses: Record<ThreadProjection, ProjectorStatus> }
  | { type: 'status'; id: number; error: ThreadError }
  | { type: 'batch'; events: number; seconds: number }
  | {
      type: 'log';
      level: ThreadLogLevel;
      bindings: Record<string, unknown>;
      obj: Record<string, unknown>;
      msg: string | undefined;
    }
  | { type: 'closed' };
