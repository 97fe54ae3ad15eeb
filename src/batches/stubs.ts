import type { Bindings } from '../env';
import type { BatchLane } from './batch-lane';
import type { BatchRunner } from './batch-runner';

type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

/** RPC surfaces typed from the classes (the generated stub types recurse through JSON-typed fields). */
export type RunnerRpc = Async<Pick<BatchRunner, 'create' | 'describe' | 'cancel' | 'spec' | 'heartbeat' | 'next' | 'owner'>>;
export type LaneRpc = Async<Pick<BatchLane, 'start' | 'stop'>>;

export function runnerStub(env: Bindings, internal: string): RunnerRpc {
  return env.BATCHES.get(env.BATCHES.idFromName(internal)) as unknown as RunnerRpc;
}

export function laneStub(env: Bindings, internal: string, lane: number): LaneRpc {
  return env.BATCH_LANES.get(env.BATCH_LANES.idFromName(`${internal}:${lane}`)) as unknown as LaneRpc;
}
