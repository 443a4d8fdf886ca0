// A correct echo server in Node.js, over TCP (net) and UDP (dgram), as its
// documentation shows them. Usage: node echo_server.js tcp|udp HOST PORT
// TCP: every connection is piped back into itself; an 'error' on one
// connection (a client's reset) is reported and ends that connection only.
// UDP: every datagram is answered by one datagram with its bytes.
'use strict';
const net = require('net');
const dgram = require('dgram');

const [transport, host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!['tcp', 'udp'].includes(transport) || !host || !Number.isInteger(port)) {
  console.error('usage: node echo_server.js tcp|udp HOST PORT');
  process.exit(2);
}

if (transport === 'tcp') {
  const server = net.createServer((conn) => {
    conn.on('error', (err) => console.error(`connection: ${err.code}`));
    conn.pipe(conn);
  });
  server.listen(port, host);
} else {
  const type = net.isIPv6(host) ? 'udp6' : 'udp4';
  const sock = dgram.createSocket({ type, recvBufferSize: 1 << 20 });
  sock.on('message', (msg, rinfo) => {
    sock.send(msg, rinfo.port, rinfo.address);
  });
  sock.bind(port, host);
}
