/**
 * lib/h2 (our HTTP/2 client for etcd's gRPC calls) against Node's own HTTP/2 server (nghttp2):
 * HPACK decoding of what a real encoder sends (Huffman strings of every byte, the dynamic table
 * with eviction, CONTINUATION), flow control both ways with bodies larger than every window,
 * RST_STREAM, GOAWAY, PING, cancel, and a connection that never comes up. RFC 7541's own examples
 * check the decoder alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, constants, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { freePort } from '../testing/ports.js';
import { waitFor } from '../testing/wait.js';
import { encodeHeaders, HpackDecoder, HpackError, type HeaderFields } from './hpack.js';
import { H2Session, type H2Stream } from './session.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('HPACK: RFC 7541 C.4 requests with Huffman strings and the dynamic table', () => {
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [
    [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
  ]);
  // The second request refers to the first one's :authority by its dynamic index (62).
  assert.deepEqual(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf')), [
    [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
  ]);
  assert.throws(() => new HpackDecoder().decode(hex('be')), HpackError, 'an index past both tables');
  assert.throws(() => new HpackDecoder().decode(hex('0085 f2b2 4a87 ff')), HpackError, 'Huffman padding that is not all ones');
  assert.throws(() => new HpackDecoder().decode(hex('3fe2 1f')), HpackError, 'a table size over the announced 4096');
  // Our encoder's blocks decode to what was given.
  const fields: HeaderFields = [[':method', 'POST'], [':path', '/etcdserverpb.KV/Txn'], ['te', 'trailers'], ['content-type', 'application/grpc'], ['x-long', 'v'.repeat(300)]];
  assert.deepEqual(new HpackDecoder().decode(encodeHeaders(fields)), fields);
});

interface Result { headers: HeaderFields[]; data: Buffer; reset?: { code: number; message: string; notSent: boolean } }

function call(s: H2Session, path: string, body?: Buffer, opts: { end?: boolean; onStream?: (st: H2Stream) => void } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const r: Result = { headers: [], data: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    const done = () => { r.data = Buffer.concat(chunks); resolve(r); };
    const st = s.request(encodeHeaders([[':method', 'POST'], [':scheme', 'http'], [':path', path], [':authority', 'test']]), body, opts.end ?? true, {
      onHeaders: (f, end) => { r.headers.push(f); if (end) done(); },
      onData: (c, end) => { chunks.push(c); if (end) done(); },
      onReset: (code, message, notSent) => { r.reset = { code, message, notSent }; done(); },
    });
    opts.onStream?.(st);
  });
}

async function withServer(onStream: (stream: ServerHttp2Stream, headers: Record<string, unknown>, session: ServerHttp2Session) => void, fn: (url: string, server: Http2Server) => Promise<void>): Promise<void> {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // resets are what some tests are about
    onStream(stream, headers, stream.session as ServerHttp2Session);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)); });
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
  } finally {
    for (const s of sessions) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const readAll = (stream: ServerHttp2Stream) => new Promise<Buffer>((resolve) => {
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  stream.on('end', () => resolve(Buffer.concat(parts)));
});

test('HPACK against nghttp2: every byte value in Huffman strings, dynamic table churn, CONTINUATION', async () => {
  // Bytes a header value may carry; a run of 'a' (5 bits each) around each makes Huffman shorter than raw, so nghttp2 uses it.
  const bytes = [0x09, ...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i), ...Array.from({ length: 0x80 }, (_, i) => 0x80 + i)];
  const expected = (round: number): Record<string, string> => {
    const h: Record<string, string> = {};
    // 40 fields per response, names new each round: the 4 KiB dynamic table fills and evicts.
    for (let i = 0; i < 40; i++) {
      const byte = bytes[(round * 40 + i) % bytes.length];
      h[`x-r${round}-f${i}`] = `aaaaaaaaaaaa${String.fromCharCode(byte)}aaaaaaaaaaaa`;
    }
    h['x-repeat'] = 'same value every time'; // indexed from the dynamic table after the first round
    return h;
  };
  await withServer((stream, headers) => {
    const round = Number(headers['x-round']);
    if (round === -1) {
      stream.respond({ ':status': 200, 'x-big': 'b'.repeat(40_000) }, { endStream: true }); // > 16 KiB: HEADERS + CONTINUATION
      return;
    }
    stream.respond({ ':status': 200, ...expected(round) }, { endStream: true });
  }, async (url) => {
    const s = new H2Session(url);
    try {
      for (let round = 0; round < Math.ceil(bytes.length / 40) + 2; round++) {
        const r = await new Promise<HeaderFields>((resolve, reject) => {
          s.request(encodeHeaders([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 't'], ['x-round', String(round)]]), undefined, true, {
            onHeaders: (f) => resolve(f), onData: () => undefined, onReset: (c, m) => reject(new Error(m)),
          });
        });
        const got = Object.fromEntries(r.filter(([n]) => n.startsWith('x-')));
        assert.deepEqual(got, expected(round), `round ${round}`);
        assert.deepEqual(r.find(([n]) => n === ':status'), [':status', '200']);
      }
      const big = await new Promise<HeaderFields>((resolve, reject) => {
        s.request(encodeHeaders([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 't'], ['x-round', '-1']]), undefined, true, {
          onHeaders: (f) => resolve(f), onData: () => undefined, onReset: (c, m) => reject(new Error(m)),
        });
      });
      assert.equal(big.find(([n]) => n === 'x-big')?.[1], 'b'.repeat(40_000));
    } finally { s.destroy(); }
  });
});

test('flow control both ways: a 3 MiB body up and a 20 MiB answer down, byte for byte', async () => {
  const up = Buffer.alloc(3 << 20);
  for (let i = 0; i < up.length; i++) up[i] = (i * 7) & 0xff;
  const down = Buffer.alloc(20 << 20);
  for (let i = 0; i < down.length; i += 4096) down[i] = (i >> 12) & 0xff;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  await withServer(async (stream) => {
    const body = await readAll(stream); // Node's default window is 64 KiB: our sender must wait for WINDOW_UPDATEs
    stream.respond({ ':status': 200, 'x-got': sha(body) }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(down); // 20 MiB > our 8 MiB windows: we must send WINDOW_UPDATEs
  }, async (url) => {
    const s = new H2Session(url);
    try {
      const r = await call(s, '/echo', up);
      assert.equal(r.reset, undefined);
      assert.equal(r.headers[0].find(([n]) => n === 'x-got')?.[1], sha(up));
      assert.equal(r.data.length, down.length);
      assert.equal(sha(r.data), sha(down));
      assert.deepEqual(r.headers[1], [['grpc-status', '0']]);
    } finally { s.destroy(); }
  });
});

test('RST_STREAM, cancel, PING and GOAWAY', async () => {
  let cancelled: Promise<number> | undefined;
  let serverSession: ServerHttp2Session | undefined;
  let slowSeen = false;
  await withServer((stream, headers, session) => {
    serverSession = session;
    const path = headers[':path'];
    if (path === '/refuse') stream.close(constants.NGHTTP2_REFUSED_STREAM);
    else if (path === '/hang') cancelled = new Promise<number>((r) => stream.on('close', () => r(stream.rstCode)));
    else if (path === '/slow') { slowSeen = true; } if (path === '/slow') setTimeout(() => { if (!stream.closed) stream.respond({ ':status': 200 }, { endStream: true }); }, 200);
  }, async (url) => {
    const s = new H2Session(url);
    try {
      const refused = await call(s, '/refuse');
      assert.equal(refused.reset?.code, constants.NGHTTP2_REFUSED_STREAM);
      assert.equal(refused.reset?.notSent, false);
      // A stream we cancel reaches the server as RST_STREAM(CANCEL); the connection goes on.
      let hanging: H2Stream | undefined;
      void call(s, '/hang', Buffer.from('x'), { end: false, onStream: (st) => { hanging = st; } });
      await waitFor('the server saw /hang', () => cancelled !== undefined);
      hanging!.cancel();
      assert.equal(await cancelled, constants.NGHTTP2_CANCEL);
      // The server's PING is answered.
      const rtt = await new Promise<number>((resolve, reject) => serverSession!.ping((err, ms) => (err ? reject(err) : resolve(ms))));
      assert.ok(rtt >= 0);
      // GOAWAY naming stream 1 as the last one it takes: a stream opened earlier and still open above that is reset as not sent.
      const slow = call(s, '/slow');
      await waitFor('the slow stream reached the server', () => slowSeen);
      serverSession!.goaway(constants.NGHTTP2_NO_ERROR, 1);
      const r = await slow;
      assert.equal(r.reset?.notSent, true, `reset as not sent: ${JSON.stringify(r.reset)}`);
      await waitFor('the session stops taking requests', () => !s.usable);
      assert.throws(() => s.request(encodeHeaders([[':path', '/']]), undefined, true, { onHeaders() {}, onData() {}, onReset() {} }), /going away|closed/);
    } finally { s.destroy(); }
  });
});

test('a connection that never comes up resets its streams as not sent', async () => {
  const s = new H2Session(`http://127.0.0.1:${await freePort()}`);
  const r = await call(s, '/x', Buffer.from('body'));
  assert.equal(r.reset?.notSent, true);
  assert.match(r.reset!.message, /ECONNREFUSED/);
  assert.equal(s.wasConnected, false);
  assert.equal(s.closed, true);
});

test('close() lets the streams in flight finish and takes no new ones; destroy() resets them', async () => {
  await withServer((stream) => {
    setTimeout(() => { if (!stream.closed) stream.respond({ ':status': 200, 'x-done': 'yes' }, { endStream: true }); }, 150);
  }, async (url) => {
    const s = new H2Session(url);
    const inFlight = call(s, '/slow');
    await waitFor('connected', () => s.wasConnected);
    s.close();
    assert.equal(s.usable, false);
    assert.throws(() => s.request(encodeHeaders([[':path', '/']]), undefined, true, { onHeaders() {}, onData() {}, onReset() {} }), /going away/);
    const r = await inFlight;
    assert.equal(r.reset, undefined, 'the call in flight finished');
    assert.deepEqual(r.headers[0].find(([n]) => n === 'x-done'), ['x-done', 'yes']);
    await waitFor('closed once idle', () => s.closed);
    const s2 = new H2Session(url);
    const cut = call(s2, '/slow');
    await waitFor('connected', () => s2.wasConnected);
    s2.destroy();
    const r2 = await cut;
    assert.equal(r2.reset?.notSent, false);
  });
});

test('the server\'s SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it wait and open in order as others end', async () => {
  let open = 0;
  let most = 0;
  const server = createServer({ settings: { maxConcurrentStreams: 2 } });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    open++;
    most = Math.max(most, open);
    void readAll(stream).then((body) => setTimeout(() => {
      open--;
      stream.respond({ ':status': 200, 'x-path': String(headers[':path']), 'x-body': body.toString() }, { endStream: true });
    }, 30));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s = new H2Session(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await waitFor('the server\'s SETTINGS', () => s.established);
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => call(s, `/c${i}`, Buffer.from(`body ${i}`))));
    results.forEach((r, i) => {
      assert.equal(r.reset, undefined, `call ${i} was not reset`);
      assert.deepEqual(r.headers[0].filter(([n]) => n.startsWith('x-')), [['x-path', `/c${i}`], ['x-body', `body ${i}`]]);
    });
    assert.equal(most, 2, 'never more than 2 streams open at the server');
  } finally {
    s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
