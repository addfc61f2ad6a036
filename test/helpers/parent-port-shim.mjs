// Preloaded (--import) into a Node child forked by the fake `utilityProcess`: gives it
// Electron's `process.parentPort` over Node's IPC channel, so the entry module runs as in a
// utility process. Like Electron, messages wait until the first 'message' listener exists.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
const queued = [];
let listening = false;
port.postMessage = (message) => process.send?.(message);
port.on('newListener', (event) => {
  if (event !== 'message' || listening) return;
  listening = true;
  queueMicrotask(() => queued.splice(0).forEach((data) => port.emit('message', { data, ports: [] })));
});
process.on('message', (data) => {
  if (listening) port.emit('message', { data, ports: [] });
  else queued.push(data);
});
// A utility process ends with the app: a parent that is gone takes the child with it.
process.on('disconnect', () => process.exit(0));
process.parentPort = port;
