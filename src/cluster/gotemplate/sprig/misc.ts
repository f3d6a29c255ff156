// sprig's encoding, hashing, path, UUID/random and flow-control functions.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type FuncDef, GoInt, fromUtf8, utf8Bytes } from '../value.js';
import { def, fail } from './util.js';

const s = (v: unknown): string => v as string;

// ---- base64 / base32 (Go's StdEncoding, padded, newlines ignored) --------------------------------

function decodeStd(input: string, alphabet: string, quantum: number, name: string): string {
  const bytes = utf8Bytes(input);
  const map = new Map([...alphabet].map((c, i) => [c.charCodeAt(0), i]));
  const bitsPer = Math.log2(alphabet.length);
  const out: number[] = [];
  const corrupt = (at: number): never => fail(`illegal ${name} data at input byte ${at}`);
  let si = 0;
  const isNL = (b: number | undefined): boolean => b === 10 || b === 13;
  while (si < bytes.length) {
    const vals: number[] = [];
    let j = 0;
    let padded = false;
    for (; j < quantum; j++) {
      while (si < bytes.length && isNL(bytes[si])) si++;
      if (si === bytes.length) {
        if (j === 0) break;
        corrupt(si - j);
      }
      const c = bytes[si++]!;
      const v = map.get(c);
      if (v !== undefined) {
        vals.push(v);
        continue;
      }
      if (c !== 0x3d) corrupt(si - 1);
      // Padding: the rest of the quantum must be '=' too.
      const minData = quantum === 4 ? 2 : 2;
      if (j < minData) corrupt(si - 1);
      for (let k = j + 1; k < quantum; k++) {
        while (si < bytes.length && isNL(bytes[si])) si++;
        if (si === bytes.length) corrupt(bytes.length);
        if (bytes[si] !== 0x3d) corrupt(si - 1);
        si++;
      }
      while (si < bytes.length && isNL(bytes[si])) si++;
      if (si < bytes.length) corrupt(si);
      padded = true;
      break;
    }
    if (vals.length === 0 && !padded) break;
    let acc = 0n;
    for (const v of vals) acc = (acc << BigInt(bitsPer)) | BigInt(v);
    const nbits = vals.length * bitsPer;
    const nbytes = Math.floor(nbits / 8);
    acc >>= BigInt(nbits - nbytes * 8);
    for (let k = nbytes - 1; k >= 0; k--) out.push(Number((acc >> BigInt(8 * k)) & 0xffn));
    if (padded) break;
  }
  return fromUtf8(Uint8Array.from(out));
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base32encode(v: string): string {
  const b = utf8Bytes(v);
  let out = '';
  for (let i = 0; i < b.length; i += 5) {
    const chunk = [...b.slice(i, i + 5)];
    const n = chunk.length;
    let acc = 0n;
    for (let k = 0; k < 5; k++) acc = (acc << 8n) | BigInt(chunk[k] ?? 0);
    const chars = [2, 4, 5, 7, 8][n - 1]!; // ceil(8n / 5) data characters, then padding
    for (let k = 0; k < 8; k++) out += k < chars ? B32[Number((acc >> BigInt(35 - 5 * k)) & 31n)] : '=';
  }
  return out;
}

function b64decode(v: string): string {
  try {
    return decodeStd(v, B64, 4, 'base64');
  } catch (e) {
    return (e as Error).message; // sprig returns the error text as the result
  }
}
function b32decode(v: string): string {
  try {
    return decodeStd(v, B32, 8, 'base32');
  } catch (e) {
    return (e as Error).message;
  }
}

function adler32(v: string): number {
  let a = 1;
  let b = 0;
  for (const byte of utf8Bytes(v)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

// ---- path ------------------------------------------------------------------------------------------

export function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  if (p === '') return '/';
  return p.slice(p.lastIndexOf('/') + 1);
}

function pathDir(p: string): string {
  return pathClean(p.slice(0, p.lastIndexOf('/') + 1));
}

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

const notSupported = (name: string): FuncDef =>
  def([], () => fail(`${name} is not supported by kindling's template engine`), 'any');

export const miscFuncs: Record<string, FuncDef> = {
  b64enc: def(['string'], (v) => Buffer.from(utf8Bytes(s(v))).toString('base64')),
  b64dec: def(['string'], (v) => b64decode(s(v))),
  b32enc: def(['string'], (v) => base32encode(s(v))),
  b32dec: def(['string'], (v) => b32decode(s(v))),
  sha1sum: def(['string'], (v) => createHash('sha1').update(utf8Bytes(s(v))).digest('hex')),
  sha256sum: def(['string'], (v) => createHash('sha256').update(utf8Bytes(s(v))).digest('hex')),
  adler32sum: def(['string'], (v) => String(adler32(s(v)))),
  uuidv4: def([], () => randomUUID()),
  randBytes: def(['int'], (c) => randomBytes(Math.max(0, Number((c as GoInt).v))).toString('base64')),
  base: def(['string'], (v) => pathBase(s(v))),
  dir: def(['string'], (v) => pathDir(s(v))),
  clean: def(['string'], (v) => pathClean(s(v))),
  ext: def(['string'], (v) => pathExt(s(v))),
  isAbs: def(['string'], (v) => s(v).startsWith('/')),
  osBase: def(['string'], (v) => pathBase(s(v))),
  osDir: def(['string'], (v) => pathDir(s(v))),
  osClean: def(['string'], (v) => pathClean(s(v))),
  osExt: def(['string'], (v) => pathExt(s(v))),
  osIsAbs: def(['string'], (v) => s(v).startsWith('/')),
  fail: def(['string'], (msg) => fail(s(msg))),
  // Network and cryptographic generators are deliberately not offered: a cluster config template
  // has no use for them, and results could not match Go's anyway.
  getHostByName: notSupported('getHostByName'),
  bcrypt: notSupported('bcrypt'),
  htpasswd: notSupported('htpasswd'),
  genPrivateKey: notSupported('genPrivateKey'),
  derivePassword: notSupported('derivePassword'),
  buildCustomCert: notSupported('buildCustomCert'),
  genCA: notSupported('genCA'),
  genCAWithKey: notSupported('genCAWithKey'),
  genSelfSignedCert: notSupported('genSelfSignedCert'),
  genSelfSignedCertWithKey: notSupported('genSelfSignedCertWithKey'),
  genSignedCert: notSupported('genSignedCert'),
  genSignedCertWithKey: notSupported('genSignedCertWithKey'),
  encryptAES: notSupported('encryptAES'),
  decryptAES: notSupported('decryptAES'),
};
