import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, redactUrlPasswords, secretList, urlPasswords } from '../../src/lib/redact.ts';

describe('redactText', () => {
  it.each([
    ['a user and password', 'http://bob:hunter2secret@127.0.0.1:1/api/', 'http://bob:[redacted]@127.0.0.1:1/api/'],
    ['an empty user name', 'https://:hunter2secret@proxy.example/api', 'https://:[redacted]@proxy.example/api'],
    ['an unencoded @ in the password', 'postgres://cb:p@ss@word@db:5432/x', 'postgres://cb:[redacted]@db:5432/x'],
    ['a percent-encoded password', 'postgres://cb:p%40ss%2Fw@db/x', 'postgres://cb:[redacted]@db/x'],
    ['a URL quoted in a message', 'cannot reach "http://u:pw12345@h/" (fetch failed)', 'cannot reach "http://u:[redacted]@h/" (fetch failed)'],
    ['inside a JSON log line', '{"msg":"Request cannot be constructed from a URL that includes credentials: http://bob:hunter2@h/api/auth.test"}', '{"msg":"Request cannot be constructed from a URL that includes credentials: http://bob:[redacted]@h/api/auth.test"}'],
    ['a user name alone stays', 'https://reader@example.com/rss', 'https://reader@example.com/rss'],
    ['a port is not a password', 'http://127.0.0.1:8080/path@x', 'http://127.0.0.1:8080/path@x'],
    ['a secret query parameter', 'see https://x.example/?api_key=k-999&y=2', 'see https://x.example/?api_key=[redacted]&y=2'],
    // Secrets nobody configured (a subscription's hub.secret, a workspace's installed bot token, a user's
    // OAuth token, a signed URL) are known by their names and shapes.
    ['a WebSub subscription secret in a form body', 'hub answered: hub.mode=subscribe&hub.secret=0f1e2d3c4b5a&hub.topic=t', 'hub answered: hub.mode=subscribe&hub.secret=[redacted]&hub.topic=t'],
    ['an OAuth client secret in a form body', 'client_id=1&client_secret=s3cr3t-value&code=x', 'client_id=1&client_secret=[redacted]&code=x'],
    ['a refresh token parameter', 'https://a.example/t?refresh_token=r-12345678', 'https://a.example/t?refresh_token=[redacted]'],
    ['a presigned URL signature', 'https://b.example/f.xml?X-Amz-Signature=abcdef012345&X-Amz-Credential=AKIA1', 'https://b.example/f.xml?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]'],
    ['a database password parameter', 'postgres://u@db/x?sslpassword=hunter22', 'postgres://u@db/x?sslpassword=[redacted]'],
    ['a Slack bot token of an installed workspace', 'slack: chat.postMessage with xoxb-1111-2222-AbCdEf123 failed', 'slack: chat.postMessage with [redacted] failed'],
    ['a Slack user and app token', '{"t":"xoxp-9-8-7-abcdef","a":"xapp-1-A0-123-abcdef"}', '{"t":"[redacted]","a":"[redacted]"}'],
    ['a bearer token', 'authorization: Bearer mF_9.B5f-4.1JqM and more', 'authorization: Bearer [redacted] and more'],
    ['a word ending in key is not a key parameter', 'https://x.example/?monkey=1&turkey=2', 'https://x.example/?monkey=1&turkey=2'],
    ['a keyword parameter stays', 'https://x.example/search?keywords=cyber&q=ransomware', 'https://x.example/search?keywords=cyber&q=ransomware'],
  ])('hides %s', (_name, input, expected) => {
    expect(redactText(input, [])).toBe(expected);
  });

  it('hides configured values, also as a JSON string escapes them', () => {
    const secret = 'pa"ss\\word-123';
    const line = JSON.stringify({ msg: `token ${secret} leaked` });
    expect(redactText(line, secretList([secret]))).toBe('{"msg":"token [redacted] leaked"}');
    expect(redactText(`plain ${secret}`, secretList([secret]))).toBe('plain [redacted]');
  });

  it('leaves ordinary query strings alone when only URL passwords are asked for', () => {
    expect(redactUrlPasswords('https://feeds.example/rss?key=abc&token=def')).toBe('https://feeds.example/rss?key=abc&token=def');
  });
});

describe('redactUrl and urlPasswords', () => {
  it.each([
    ['http://bob:hunter2secret@127.0.0.1:1/api/', 'http://bob:[redacted]@127.0.0.1:1/api/'],
    ['https://:p%40ss@proxy.example/', 'https://:[redacted]@proxy.example/'],
    ['https://slack.com/api/', 'https://slack.com/api/'],
    ['notaurl:bob:pw@x', 'notaurl:bob:pw@x'],
  ])('redactUrl(%s)', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('gives a password both as written and decoded', () => {
    expect(urlPasswords('https://u:p%40ss@h/')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('https://h/')).toEqual([]);
    expect(urlPasswords('not a url')).toEqual([]);
    expect(urlPasswords(null)).toEqual([]);
  });
});
