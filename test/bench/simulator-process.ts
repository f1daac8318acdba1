/**
 * Runs the simulator in its own process for test/bench/simulator.ts and reports where it listens.
 * With argument `bare`, a Node HTTP server answering every request with a fixed 1 kB JSON instead:
 * the baseline the simulator's figures are compared with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../cluster/index.ts';

let sim: { url: string; token: string; stop(): Promise<void> };
if (process.argv[2] === 'bare') {
  const body = `${JSON.stringify({ kind: 'VirtualMachine', metadata: { name: 'x'.repeat(900) } })}\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }); res.end(body); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sim = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'x', stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
} else {
  sim = await startSimulator({ quotaController: true });
}
process.send?.({ url: sim.url, token: sim.token });
// The benchmark may exit before its 'stop' arrives: never outlive it.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    process.send?.({ cpuMicros: c.user + c.system });
  }
  if (m.cmd === 'memory') {
    global.gc?.();
    const mem = process.memoryUsage();
    process.send?.({ heapUsed: mem.heapUsed, rss: mem.rss });
  }
  if (m.cmd === 'stop') void sim.stop().then(() => process.exit(0));
});
