import type { RoutingTable } from '../deployments/config-cache';
import type { Deployment } from '../deployments/schema';
import { GatewayError } from '../http/errors';

/** The model group a request will use, and the deployments it may go to. */
export interface ModelTarget {
  group: string;
  deployments: readonly Deployment[];
  /** The client named one deployment by its `model_info.id`. */
  pinned: boolean;
  /** Tried first while it is healthy and untried (a batch lane's own deployment); the others stay fallbacks. */
  prefer?: string;
}

/** A model name is a group (`model_name`) or one deployment's `model_info.id`. */
export function findModel(table: RoutingTable, name: string): ModelTarget | undefined {
  const group = table.groups.get(name);
  if (group) return { group: name, deployments: group, pinned: false };
  const deployment = table.byId.get(name);
  if (deployment) return { group: deployment.model_name, deployments: [deployment], pinned: true };
  return undefined;
}

export function modelNotFound(name: string): GatewayError {
  return new GatewayError(
    'model_not_found',
    `The model \`${name.slice(0, 200)}\` does not exist on this gateway; GET /v1/models lists the models you can use`,
    { param: 'model' },
  );
}
