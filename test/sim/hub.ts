// The hub: the first instance, plus `/_sim/instances` for spawning, configuring and closing more.
import { SimConfigError } from './config';
import { controlError, handleControl, readPatch, type InstancesControl } from './control';
import { createSimInstance, type SimInstance } from './instance';
import type { Reply } from './reply';
import type { SimConfigPatch, SimInstanceInfo, SimSpawned } from './types';

export interface SimHubOptions {
  /** Port of the first instance; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Config of the first instance. */
  config?: SimConfigPatch;
}

export interface SimHub {
  /** The first instance's URL; it serves vLLM routes and `/_sim/instances`. */
  readonly url: string;
  readonly instance: SimInstance;
  /** Every live instance by id, the first one included. */
  readonly instances: ReadonlyMap<string, SimInstance>;
  spawn(config?: SimConfigPatch): Promise<SimInstance>;
  close(): Promise<void>;
}

const info = (i: SimInstance): SimInstanceInfo => ({ id: i.id, url: i.url, refusing: i.refusing });

export async function startSimHub(opts: SimHubOptions = {}): Promise<SimHub> {
  const host = opts.host ?? '127.0.0.1';
  const instances = new Map<string, SimInstance>();
  let primary: SimInstance | undefined;

  const spawn = async (config: SimConfigPatch = {}): Promise<SimInstance> => {
    const instance = await createSimInstance(config, { host, instancesControl: control });
    instances.set(instance.id, instance);
    return instance;
  };

  const remove = async (target: SimInstance, reply: Reply): Promise<void> => {
    if (target === primary) return controlError(reply, 400, 'the hub instance closes with the hub');
    instances.delete(target.id);
    // Deleting an instance through its own port: answer first, the close would cut this reply.
    if (reply.res.socket?.localPort === target.port) {
      reply.res.once('finish', () => void target.close());
      return reply.send(204, '', null, { connection: 'close' });
    }
    await target.close();
    reply.send(204, '', null);
  };

  const control: InstancesControl = async (method, segments, body, reply) => {
    const [id, ...rest] = segments;
    if (id === undefined) {
      if (method === 'GET') return reply.json(200, [...instances.values()].map(info));
      if (method !== 'POST') return controlError(reply, 405, 'use GET or POST');
      try {
        const spawned = await spawn(readPatch(body));
        return reply.json(201, { id: spawned.id, url: spawned.url } satisfies SimSpawned);
      } catch (err) {
        if (err instanceof SimConfigError) return controlError(reply, 400, err.message);
        throw err;
      }
    }
    const target = instances.get(id);
    if (!target) return controlError(reply, 404, `no sim instance "${id}"`);
    if (rest.length > 0) return handleControl(target, method, rest, body, reply);
    if (method === 'GET') return reply.json(200, info(target));
    if (method === 'DELETE') return remove(target, reply);
    controlError(reply, 405, 'use GET or DELETE');
  };

  primary = await createSimInstance(opts.config ?? {}, { host, port: opts.port ?? 0, instancesControl: control });
  instances.set(primary.id, primary);
  const first = primary;

  return {
    url: first.url,
    instance: first,
    instances,
    spawn,
    async close() {
      const all = [...instances.values()];
      instances.clear();
      await Promise.all(all.map((i) => i.close()));
    },
  };
}
