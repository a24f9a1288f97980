// npm run cluster: a control plane with the CRDs for trying things by hand (kubectl, the controller, examples/).
// Prints `export KUBECONFIG=…` once ready, as the only line on stdout (progress goes to stderr), and runs until
// Ctrl-C, then removes everything it created.
import { startControlPlane } from './control-plane.ts';

const log = (message: string): void => console.error(`controlplane: ${message}`);

const controlPlane = await startControlPlane({ log });
// kube-controller-manager makes the cluster behave like a real one for trying things by hand (garbage collection
// of owned objects, Jobs creating Pods); `npm run cluster -- --no-controller-manager` leaves it out.
if (!process.argv.includes('--no-controller-manager')) await controlPlane.startControllerManager();

console.log(`export KUBECONFIG=${controlPlane.kubeconfigPath}`);
log(`logs: ${controlPlane.dir}/*.log — press Ctrl-C to stop`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  controlPlane.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// The child processes are unref'd so that tests can exit; this keeps the command alive until a signal.
setInterval(() => {}, 1 << 30);
