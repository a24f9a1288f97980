// What the commands that talk to a cluster share: the clients, the namespace, and the time "now" is.
import { CustomObjectsApi, EventsV1Api } from '@kubernetes/client-node';
import { ScanObjects } from '../kube/custom-objects.ts';
import { contextNamespace, loadKubeConfig } from '../kube/kube-config.ts';
import { UsageError } from './usage-error.ts';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface ClusterContext {
  objects: ScanObjects;
  events: EventsV1Api;
  namespace: string;
  now: Date;
}

export function connect(options: ClusterOptions): ClusterContext {
  let config: ReturnType<typeof loadKubeConfig>;
  try {
    config = loadKubeConfig(options.kubeconfig, options.context);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
  return {
    objects: new ScanObjects(config.makeApiClient(CustomObjectsApi)),
    events: config.makeApiClient(EventsV1Api),
    namespace: options.namespace ?? contextNamespace(config),
    now: new Date(),
  };
}
