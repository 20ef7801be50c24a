/** Forwarding of out-of-cluster questions to an upstream resolver (the --upstream flag), over UDP with a timeout. */
import dgram from 'node:dgram';

/** Sends a wire query to host:port and resolves with the wire reply (rejects after timeoutMs). */
export function forwardQuery(upstream: string, msg: Buffer, timeoutMs = 2000): Promise<Buffer> {
  const m = /^(.*):(\d+)$/.exec(upstream);
  const host = m ? m[1] : upstream;
  const port = m ? Number(m[2]) : 53;
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error(`upstream ${upstream} timed out`)); }, timeoutMs);
    s.on('error', (err) => { clearTimeout(timer); s.close(); reject(err); });
    s.on('message', (reply) => {
      // Only the reply to our own query id counts.
      if (reply.length < 2 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
      clearTimeout(timer);
      s.close();
      resolve(reply);
    });
    s.send(msg, port, host);
  });
}
