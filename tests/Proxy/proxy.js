// A forward proxy for the tests: HTTPS through CONNECT tunnels, plain HTTP by absolute URL, Basic credentials, and
// host names that only it can resolve (--map), so a request that reached a mapped host went through it.
//   node proxy.js --user U --password P --map api.test:443=127.0.0.1:5080 [--map ...]
// Prints "LISTENING <port>" once it listens, then one line per request: "CONNECT host:port 200|407|502".
'use strict';
const http = require('http');
const net = require('net');

const options = { user: null, password: null, map: new Map(), port: 0 };
for (let i = 2; i < process.argv.length; i++) {
  const name = process.argv[i];
  const value = process.argv[++i];
  if (name === '--user') options.user = value;
  else if (name === '--password') options.password = value;
  else if (name === '--port') options.port = Number(value);
  else if (name === '--map') {
    const [from, to] = value.split('=');
    options.map.set(from.toLowerCase(), to);
  } else throw new Error(`unknown option ${name}`);
}

function authorized(request) {
  if (options.user === null) return true;
  const expected = 'Basic ' + Buffer.from(`${options.user}:${options.password}`).toString('base64');
  return request.headers['proxy-authorization'] === expected;
}

// Only mapped names resolve: anything else is as unknown as it would be behind a corporate proxy.
function resolve(hostAndPort) {
  const target = options.map.get(hostAndPort.toLowerCase());
  if (!target) return null;
  const at = target.lastIndexOf(':');
  return { host: target.slice(0, at), port: Number(target.slice(at + 1)) };
}

const denied = 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="dreamina-tests"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

const server = http.createServer((request, response) => {
  let url;
  try { url = new URL(request.url); } catch { response.writeHead(400).end(); return; }
  const hostAndPort = `${url.hostname}:${url.port || 80}`;
  if (!authorized(request)) {
    console.log(`GET ${hostAndPort} 407`);
    response.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="dreamina-tests"' }).end();
    return;
  }
  const target = resolve(hostAndPort);
  if (!target) { console.log(`GET ${hostAndPort} 502`); response.writeHead(502).end(); return; }
  console.log(`GET ${hostAndPort} 200`);
  const headers = { ...request.headers };
  delete headers['proxy-authorization'];
  const upstream = http.request({ host: target.host, port: target.port, method: request.method, path: url.pathname + url.search, headers }, answer => {
    response.writeHead(answer.statusCode, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', () => response.destroy());
  request.pipe(upstream);
});

server.on('connect', (request, client, head) => {
  if (!authorized(request)) {
    console.log(`CONNECT ${request.url} 407`);
    client.end(denied);
    return;
  }
  const target = resolve(request.url);
  if (!target) {
    console.log(`CONNECT ${request.url} 502`);
    client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  console.log(`CONNECT ${request.url} 200`);
  const upstream = net.connect(target.port, target.host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});

process.on('SIGTERM', () => process.exit(0));
server.listen(options.port, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
