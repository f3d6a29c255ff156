// sprig's urlParse/urlJoin over Go's net/url rules (not WHATWG URL: no normalization, opaque
// URLs, Go's escaping sets).

import { type FuncDef, GoMap, type GoValue, fromUtf8, kindName, utf8Bytes } from '../value.js';
import { asMap, def, fail } from './util.js';

type Mode = 'path' | 'host' | 'userPassword' | 'fragment' | 'query';

function shouldEscape(c: string, mode: Mode): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if (mode === 'host' && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  if ('$&+,/:;=?@'.includes(c)) {
    switch (mode) {
      case 'path':
        return c === '?';
      case 'userPassword':
        return c === '@' || c === '/' || c === '?' || c === ':';
      case 'query':
        return true;
      case 'fragment':
        return false;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(c)) return false;
  return true;
}

function escape(s: string, mode: Mode): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && !shouldEscape(c, mode) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function unescape(s: string, mode: Mode): string {
  const bytes: number[] = [];
  const src = utf8Bytes(s);
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const h = String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = fromUtf8(src.slice(i, i + 3));
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (b === 0x2b && mode === 'query') bytes.push(0x20);
    else bytes.push(b);
  }
  return fromUtf8(Uint8Array.from(bytes));
}

interface GoURL {
  scheme: string;
  opaque: string;
  user?: { name: string; password?: string };
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  fragment: string;
}

function parseURL(raw: string): GoURL {
  const u: GoURL = { scheme: '', opaque: '', host: '', path: '', rawQuery: '', forceQuery: false, fragment: '' };
  let rest = raw;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    u.fragment = unescape(rest.slice(hash + 1), 'fragment');
    rest = rest.slice(0, hash);
  }
  if (/[\x00-\x1f\x7f]/.test(rest)) throw new Error('net/url: invalid control character in URL');
  if (rest === '*') {
    u.path = '*';
    return u;
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    u.scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) throw new Error('missing protocol scheme');
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    const seg = rest.split('/')[0]!;
    if (seg.includes(':')) throw new Error('first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      u.user = colon >= 0
        ? { name: unescape(userinfo.slice(0, colon), 'userPassword'), password: unescape(userinfo.slice(colon + 1), 'userPassword') }
        : { name: unescape(userinfo, 'userPassword') };
      authority = authority.slice(at + 1);
    }
    u.host = unescape(authority, 'host');
  }
  u.path = unescape(rest, 'path');
  return u;
}

function userString(user: GoURL['user']): string {
  if (!user) return '';
  return escape(user.name, 'userPassword') + (user.password !== undefined ? ':' + escape(user.password, 'userPassword') : '');
}

function urlString(u: GoURL): string {
  let buf = '';
  if (u.scheme) buf += u.scheme + ':';
  if (u.opaque) buf += u.opaque;
  else {
    if (u.scheme || u.host || u.user) {
      if (u.host || u.path || u.user) buf += '//';
      if (u.user) buf += userString(u.user) + '@';
      if (u.host) buf += escape(u.host, 'host');
    }
    const path = u.path === '*' ? '*' : escape(u.path, 'path');
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf === '') {
      const seg = path.split('/')[0]!;
      if (seg.includes(':')) buf += './';
    }
    buf += path;
  }
  if (u.forceQuery || u.rawQuery) buf += '?' + u.rawQuery;
  if (u.fragment) buf += '#' + escape(u.fragment, 'fragment');
  return buf;
}

function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end >= 0 ? host.slice(1, end) : host.slice(1);
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^\d*$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

function urlParse(v: string): GoMap {
  let u: GoURL;
  try {
    u = parseURL(v);
  } catch (e) {
    return fail(`unable to parse url: parse ${JSON.stringify(v)}: ${(e as Error).message}`);
  }
  return new GoMap(new Map<string, GoValue>([
    ['scheme', u.scheme], ['host', u.host], ['hostname', hostname(u.host)], ['path', u.path], ['query', u.rawQuery],
    ['opaque', u.opaque], ['fragment', u.fragment], ['userinfo', userString(u.user)],
  ]));
}

function urlJoin(d: GoMap): string {
  const get = (k: string): string => {
    if (!d.entries.has(k)) return '';
    const v = d.entries.get(k);
    if (typeof v !== 'string') fail(`unable to parse ${k} key, must be of type string, but ${kindName(v)} found`);
    return v as string;
  };
  const u: GoURL = {
    scheme: get('scheme'), host: get('host'), path: get('path'), rawQuery: get('query'), opaque: get('opaque'),
    fragment: get('fragment'), forceQuery: false,
  };
  const userinfo = get('userinfo');
  if (userinfo !== '') {
    try {
      u.user = parseURL(`proto://${userinfo}@host`).user;
    } catch (e) {
      fail(`unable to parse userinfo in dict: ${(e as Error).message}`);
    }
  }
  return urlString(u);
}

export const urlFuncs: Record<string, FuncDef> = {
  urlParse: def(['string'], (v) => urlParse(v as string)),
  urlJoin: def(['map'], (d) => urlJoin(asMap(d))),
};
