/**
 * A tiny HTTP server on 127.0.0.1 that serves a recorded kubelet cAdvisor payload at
 * /metrics/cadvisor, as the kubelet would (text exposition format 0.0.4). It listens on a free
 * port, writes the port into <portFile>, and exits on SIGTERM/SIGINT.
 *
 *   node bench/.work/js/bench/serve-fixture.js <fixture.prom> <portFile>
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';

const [fixture, portFile] = process.argv.slice(2);
if (!fixture || !portFile) throw new Error('usage: serve-fixture.js <fixture.prom> <portFile>');
const body = fs.readFileSync(fixture);

const server = http.createServer((req, res) => {
  const url = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && url === '/metrics/cadvisor') {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, `${(server.address() as AddressInfo).port}\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
