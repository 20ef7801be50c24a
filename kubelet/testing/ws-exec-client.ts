/** Test client for the kubelet's exec WebSocket: sends stdin, collects channels 1/2/3 until close. */
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encodeFrame, FrameParser, OP } from '../websocket.js';

/** What an exec returned. */
export interface WsExecResult { protocol: string; stdout: string; stderr: string; status: Record<string, unknown> | undefined }

/** Runs an exec over the WebSocket channel protocol (stdin text is sent, then stdin closed). */
export function wsExec(port: number, path: string, stdin?: string, protocol = 'v5.channel.k8s.io'): Promise<WsExecResult> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const res: WsExecResult = { protocol: '', stdout: '', stderr: '', status: undefined };
    let head = Buffer.alloc(0);
    let upgraded = false;
    const parser = new FrameParser((op, payload) => {
      if (op === OP.close) { sock.end(); return; }
      if (op !== OP.binary) return;
      const text = payload.subarray(1).toString();
      if (payload[0] === 1) res.stdout += text;
      else if (payload[0] === 2) res.stderr += text;
      else if (payload[0] === 3) res.status = JSON.parse(text) as Record<string, unknown>;
    });
    sock.on('connect', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: kubelet\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`));
    sock.on('data', (d: Buffer) => {
      if (upgraded) { parser.push(d); return; }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = head.subarray(0, end).toString();
      if (!headers.startsWith('HTTP/1.1 101')) { sock.destroy(); reject(new Error(headers.split('\r\n')[0] + ' ' + head.subarray(end + 4).toString())); return; }
      upgraded = true;
      res.protocol = /Sec-WebSocket-Protocol: (\S+)/i.exec(headers)?.[1] ?? '';
      if (stdin !== undefined) {
        sock.write(encodeFrame(OP.binary, Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]), true));
        sock.write(encodeFrame(OP.binary, Buffer.from([255, 0]), true));
      }
      parser.push(head.subarray(end + 4));
    });
    sock.on('close', () => resolve(res));
    sock.on('error', reject);
  });
}
