// Buggy: a Node UDP echo server that batches its replies to save system
// calls: what each peer sends is collected for 20 ms and sent back as one
// datagram. Datagrams that arrive close together come back joined.
// Usage: node udp_merges.js HOST PORT
'use strict';
const dgram = require('dgram');

const [host, port] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
const pending = new Map();

sock.on('message', (msg, rinfo) => {
  const key = `${rinfo.address}:${rinfo.port}`;
  if (!pending.has(key)) {
    pending.set(key, []);
    setTimeout(() => {
      const chunks = pending.get(key);
      pending.delete(key);
      sock.send(Buffer.concat(chunks), rinfo.port, rinfo.address);
    }, 20);
  }
  pending.get(key).push(msg);
});
sock.bind(Number(port), host);
