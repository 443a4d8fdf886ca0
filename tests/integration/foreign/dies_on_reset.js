// Buggy: a Node echo server with no 'error' listener on its connections.
// When a client resets, the socket emits 'error' (ECONNRESET or EPIPE);
// with nobody listening Node throws it, and the whole process dies.
// Usage: node dies_on_reset.js HOST PORT
'use strict';
const net = require('net');

const [host, port] = process.argv.slice(2);
net.createServer((socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
}).listen(Number(port), host);
