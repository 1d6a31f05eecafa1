// HTTP/1.1 over a raw socket on 127.0.0.1, for tests that must see the exact bytes a server sends (an interim
// 100 Continue, the order of answers, headers a client library would hide or refuse to send).
import net from 'node:net';

export interface RawAnswer {
  /** Status codes in the order they came, interim ones (100) included. */
  statuses: number[];
  /** Everything the server sent. */
  text: string;
  /** Header `name` (lower case) of the last non-interim answer, or undefined. */
  header(name: string): string | undefined;
}

function parse(text: string): RawAnswer {
  const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  const finalHead = text.split(/\r\n(?=HTTP\/1\.1 )/).filter((h) => !h.startsWith('HTTP/1.1 1')).at(0)?.split('\r\n\r\n')[0] ?? '';
  return {
    statuses,
    text,
    header(name) {
      const line = finalHead.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      return line?.slice(line.indexOf(':') + 1).trim();
    },
  };
}

/** Whether `text` holds a complete final (non-1xx) answer: its head and its declared or chunked body. */
function complete(text: string): boolean {
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const head = rest.slice(0, end);
    const body = rest.slice(end + 4);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    if (status >= 100 && status < 200) {
      rest = body;
      continue;
    }
    if (status === 204 || status === 304) return true;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length) return Buffer.byteLength(body, 'latin1') >= Number(length[1]);
    if (/\r\ntransfer-encoding: *chunked/i.test(head)) return /(?:^|\r\n)0\r\n\r\n$/.test(body);
    return false; // read until the server closes
  }
}

/**
 * Sends `head` (request line and headers, without the blank line), then the body only once the server has
 * answered 100 Continue (or at once with `bodyAtOnce`). Resolves once a complete final answer is in, or the
 * server closed the connection.
 */
export function rawExchange(port: number, head: string[], opts: { body?: string; bodyAtOnce?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sentBody = false;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(parse(text));
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!sentBody && opts.body !== undefined && /^HTTP\/1\.1 100 [^\r\n]*\r\n\r\n/.test(text)) {
        sentBody = true;
        socket.write(opts.body);
      }
      if (complete(text)) done();
    });
    socket.on('close', done);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? done() : reject(err)));
    socket.write(`${head.join('\r\n')}\r\n\r\n${opts.bodyAtOnce && opts.body !== undefined ? opts.body : ''}`);
    if (opts.bodyAtOnce) sentBody = true;
  });
}

/** `n` distinct filler headers (`X-Filler-1: 1` ...). */
export const fillerHeaders = (n: number): string[] => Array.from({ length: n }, (_, i) => `X-Filler-${i + 1}: ${i + 1}`);
