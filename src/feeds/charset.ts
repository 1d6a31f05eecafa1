// Bytes to text for feeds and pages. The encoding comes from, in order: a byte-order mark, the HTTP
// charset, the XML declaration (or an HTML <meta charset>), then UTF-8. A declared UTF-8 that is not valid
// UTF-8 falls through to the next source and finally to windows-1252; a declared single-byte Western
// charset on bytes that are valid, non-ASCII UTF-8 is taken as the usual misconfiguration and read as UTF-8.

export type CharsetSource = 'bom' | 'http' | 'declaration' | 'default' | 'fallback';

export interface DecodedText {
  text: string;
  /** The encoding used (WHATWG name). */
  encoding: string;
  source: CharsetSource;
}

const SINGLE_BYTE_WESTERN = new Set(['windows-1252', 'iso-8859-1', 'us-ascii', 'ascii', 'latin1', 'iso-8859-15', 'windows-1250']);

function bomOf(b: Uint8Array): { encoding: string; length: number } | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', length: 4 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** UTF-16/32 without a BOM, recognised by how `<` (and `<?`) is laid out in the first bytes. */
function wideWithoutBom(b: Uint8Array): string | null {
  if (b.length < 4) return null;
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x3c) return 'utf-32be';
  if (b[0] === 0x3c && b[1] === 0 && b[2] !== 0) return 'utf-16le';
  if (b[0] === 0 && b[1] === 0x3c) return 'utf-16be';
  return null;
}

/** The `charset` parameter of a Content-Type header, lower-cased, or null. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1]!.toLowerCase() : null;
}

/** The encoding named in an XML declaration or an HTML meta tag within the first 2 KB, or null. */
export function declaredCharset(b: Uint8Array): string | null {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 2048)).toString('latin1');
  const xml = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  if (xml) return xml[1]!.toLowerCase();
  const meta = /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)/i.exec(head);
  return meta ? meta[1]!.toLowerCase() : null;
}

function decoderFor(label: string, fatal: boolean): InstanceType<typeof TextDecoder> | null {
  try {
    return new TextDecoder(label, { fatal, ignoreBOM: false });
  } catch {
    return null; // unknown label (e.g. "bogus")
  }
}

function decodeUtf32(b: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength - (b.byteLength % 4));
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < view.byteLength; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    chunk.push(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? cp : 0xfffd);
    if (chunk.length >= 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCodePoint(...chunk));
  return parts.join('');
}

function tryDecode(b: Uint8Array, label: string, strictUtf8: boolean): { text: string; encoding: string } | null {
  if (label === 'utf-32le' || label === 'utf-32be' || label === 'utf-32' || label === 'ucs-4') {
    return { text: decodeUtf32(b, label !== 'utf-32be'), encoding: label === 'utf-32be' ? 'utf-32be' : 'utf-32le' };
  }
  const probe = decoderFor(label, false);
  if (!probe) return null;
  const encoding = probe.encoding;
  if (encoding === 'utf-8' && strictUtf8) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(b), encoding };
    } catch {
      return null;
    }
  }
  return { text: probe.decode(b), encoding };
}

function isNonAsciiUtf8(b: Uint8Array): boolean {
  let high = false;
  for (let i = 0; i < b.length; i++) {
    if (b[i]! >= 0x80) {
      high = true;
      break;
    }
  }
  if (!high) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Decodes a body, reporting which source named the encoding. Never throws. */
export function decodeBody(bytes: Uint8Array, contentType: string | null): DecodedText {
  const bom = bomOf(bytes);
  if (bom) {
    const rest = bytes.subarray(bom.length);
    const r = tryDecode(rest, bom.encoding, false)!;
    return { text: r.text, encoding: r.encoding, source: 'bom' };
  }
  const wide = wideWithoutBom(bytes);
  if (wide) {
    const r = tryDecode(bytes, wide, false)!;
    return { text: r.text, encoding: r.encoding, source: 'declaration' };
  }
  const declared = declaredCharset(bytes);
  const candidates: Array<[string, CharsetSource]> = [];
  const http = charsetFromContentType(contentType);
  if (http) candidates.push([http, 'http']);
  if (declared) candidates.push([declared, 'declaration']);
  candidates.push(['utf-8', 'default']);
  for (const [label, source] of candidates) {
    if (label.startsWith('utf-16') || label.startsWith('utf-32') || label === 'ucs-2') continue; // no BOM, not wide: a wrong label
    const canonical = decoderFor(label, false)?.encoding;
    if (!canonical) continue;
    if (SINGLE_BYTE_WESTERN.has(canonical) && isNonAsciiUtf8(bytes)) {
      return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', source: 'fallback' };
    }
    const r = tryDecode(bytes, label, true);
    if (r) return { text: r.text, encoding: r.encoding, source };
  }
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', source: 'fallback' };
}
