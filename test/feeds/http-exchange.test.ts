import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCARD_BYTES, exchange } from '../../src/feeds/http-exchange.ts';

const KB = 1024;

describe('exchange: one request and its response through an undici dispatcher', () => {
  let server: http.Server;
  let base: string;
  const agent = new Agent();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"' }).end('hello');
          return;
        case '/not-modified':
          res.writeHead(304, { etag: '"v1"' }).end();
          return;
        case '/error-page':
          res.writeHead(404, { 'content-type': 'text/html' }).end('x'.repeat(DISCARD_BYTES * 3));
          return;
        case '/declared-big':
          res.writeHead(200, { 'content-length': String(64 * KB) }).end('y'.repeat(64 * KB));
          return;
        case '/chunked-big':
          res.writeHead(200);
          for (let i = 0; i < 8; i++) res.write('z'.repeat(16 * KB));
          res.end();
          return;
        case '/repeated':
          res.writeHead(200, [['link', '<https://hub.example/>; rel="hub"'], ['link', '<https://self.example/>; rel="self"']]).end();
          return;
        case '/trickle': {
          res.writeHead(200);
          const t = setInterval(() => res.write('.'), 20);
          res.on('close', () => clearInterval(t));
          return;
        }
        default:
          res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const tooLarge = () => new Error('too large');
  const timedOut = () => new Error('took too long');
  const send = (path: string, deadline = Date.now() + 10_000, maxBodyBytes = 32 * KB) => exchange(agent, { url: new URL(path, base), headers: { 'user-agent': 'test' }, deadline, timedOut, maxBodyBytes, tooLarge });

  it.each([
    ['a 200 keeps its body and headers', '/ok', 200, 'hello', { etag: '"v1"' }],
    ['a 304 has no body', '/not-modified', 304, null, { etag: '"v1"' }],
    [`an error page longer than ${DISCARD_BYTES / KB} KB is answered without its body`, '/error-page', 404, null, { 'content-type': 'text/html' }],
    ['a repeated header is a list', '/repeated', 200, '', { link: ['<https://hub.example/>; rel="hub"', '<https://self.example/>; rel="self"'] }],
  ])('%s', async (_name, path, status, body, headers) => {
    const res = await send(path);
    expect(res.statusCode).toBe(status);
    expect(res.body === null ? null : res.body.toString('utf8')).toBe(body);
    expect(res.headers).toMatchObject(headers);
  });

  it.each([
    ['a declared length over the cap', '/declared-big'],
    ['a chunked body that grows past the cap', '/chunked-big'],
  ])('%s ends in the caller’s error', async (_name, path) => {
    await expect(send(path)).rejects.toThrow('too large');
  });

  it('a deadline ends it: one already passed before anything is sent, one that passes during the body', async () => {
    await expect(send('/ok', Date.now() - 1)).rejects.toThrow('took too long');
    await expect(send('/trickle', Date.now() + 150)).rejects.toThrow('took too long');
  });

  it('the connection is still usable after a discarded body and a refused one', async () => {
    await send('/error-page');
    await expect(send('/chunked-big')).rejects.toThrow('too large');
    expect((await send('/ok')).body!.toString()).toBe('hello');
  });
});
