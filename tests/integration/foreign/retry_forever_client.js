// Buggy: a Node echo client that, when the connection fails, assumes the
// server is still starting and tries again every 200 ms, for ever: with no
// server at all it never ends and never says why.
// Usage: node retry_forever_client.js HOST PORT
'use strict';
const net = require('net');

const [host, port] = process.argv.slice(2);
const message = 'Hello, world';

function attempt() {
  const sock = net.connect(Number(port), host, () => sock.write(message));
  let got = '';
  sock.on('data', (chunk) => {
    got += chunk;
    if (got.length >= message.length) {
      console.log(`Received ${got}`);
      sock.end();
    }
  });
  sock.on('error', () => setTimeout(attempt, 200));
}
attempt();
