import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/feeds/charset.ts';

const xml = (enc: string | null, body: string) => `${enc ? `<?xml version="1.0" encoding="${enc}"?>` : '<?xml version="1.0"?>'}<rss><t>${body}</t></rss>`;
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const utf16 = (s: string, be: boolean) => {
  const le = Buffer.from(s, 'utf16le');
  return be ? Buffer.from(le).swap16() : le;
};
const utf32 = (s: string, be: boolean) => {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (be ? b.writeUInt32BE(cp, i * 4) : b.writeUInt32LE(cp, i * 4)));
  return b;
};

describe('decodeBody', () => {
  it.each([
    ['UTF-8 BOM wins over a wrong HTTP charset', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(xml('iso-8859-1', 'café'))]), 'text/xml; charset=iso-8859-1', 'utf-8', 'bom'],
    ['UTF-16LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(xml('utf-16', 'café'), false)]), null, 'utf-16le', 'bom'],
    ['UTF-16BE BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(xml('utf-16', 'café'), true)]), null, 'utf-16be', 'bom'],
    ['UTF-16LE without BOM', utf16(xml('utf-16', 'café'), false), null, 'utf-16le', 'declaration'],
    ['UTF-32BE BOM', Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32(xml('utf-32', 'café'), true)]), null, 'utf-32be', 'bom'],
    ['UTF-32LE without BOM', utf32(xml('utf-32', 'café'), false), null, 'utf-32le', 'declaration'],
    ['HTTP charset', latin1(xml(null, 'café')), 'application/rss+xml; charset=ISO-8859-1', 'windows-1252', 'http'],
    ['HTTP charset beats the declaration', latin1(xml('utf-8', 'café')), 'text/xml; charset="windows-1252"', 'windows-1252', 'http'],
    ['XML declaration', latin1(xml('ISO-8859-1', 'café')), 'application/xml', 'windows-1252', 'declaration'],
    ['wrong HTTP charset (utf-8 on Latin-1 bytes): the declaration is used', latin1(xml('iso-8859-1', 'café')), 'text/xml; charset=utf-8', 'windows-1252', 'declaration'],
    ['Latin-1 declared on UTF-8 bytes: read as UTF-8', utf8(xml('iso-8859-1', 'café')), 'text/xml; charset=iso-8859-1', 'utf-8', 'fallback'],
    ['bogus charset label: next source', utf8(xml('utf-8', 'café')), 'text/xml; charset=bogus-enc', 'utf-8', 'declaration'],
    ['nothing declared, invalid UTF-8: windows-1252', latin1(xml(null, 'café')), null, 'windows-1252', 'fallback'],
    ['nothing declared: UTF-8', utf8(xml(null, 'café')), null, 'utf-8', 'default'],
  ])('%s', (_name, bytes, contentType, encoding, source) => {
    const r = decodeBody(bytes, contentType);
    expect(r.encoding).toBe(encoding);
    expect(r.source).toBe(source);
    expect(r.text).toContain('<t>café</t>');
  });

  it('decodes legacy CJK and Cyrillic charsets named in the declaration', () => {
    const koi8 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="koi8-r"?><t>'), Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), Buffer.from('</t>')]);
    expect(decodeBody(koi8, null).text).toContain('<t>Привет</t>');
    const sjis = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><t>'), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('</t>')]);
    expect(decodeBody(sjis, null).text).toContain('<t>日本</t>');
  });
});
