// The API clients a one-shot CLI command talks to the cluster with. cli/cluster-context.ts loads this module
// lazily, so commands that never reach a cluster start without client-node.
import { CoreV1Api, CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ScanObjects } from './custom-objects.ts';

export interface CommandClients {
  objects: ScanObjects;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  events: EventsV1Api;
}

export function commandClients(config: KubeConfig): CommandClients {
  const custom = config.makeApiClient(CustomObjectsApi);
  return {
    objects: new ScanObjects(custom),
    custom,
    core: config.makeApiClient(CoreV1Api),
    events: config.makeApiClient(EventsV1Api),
  };
}
