import { describe, expect, it } from 'vitest';
import { CookieJar } from '../src/load/cookies.ts';
import { RequestHeads } from '../src/load/request-head.ts';

const lines = (b: Buffer) => b.toString('latin1').split('\r\n');

describe('RequestHeads', () => {
  it('names the host with its port only when the port is not the scheme default (as URL.host gives it)', () => {
    expect(lines(new RequestHeads(new URL('https://example.com:443/app').host).plainGet('/a', undefined))[1]).toBe('host: example.com');
    expect(lines(new RequestHeads(new URL('http://example.com:80').host).plainGet('/a', undefined))[1]).toBe('host: example.com');
    expect(lines(new RequestHeads(new URL('http://example.com:3000').host).plainGet('/a', undefined))[1]).toBe('host: example.com:3000');
    expect(lines(new RequestHeads(new URL('http://[::1]:8080').host).plainGet('/a', undefined))[1]).toBe('host: [::1]:8080');
  });

  it('reuses the bytes of a GET until its jar changes, per path', () => {
    const heads = new RequestHeads('h');
    const jar = CookieJar.fromHeader('session=one');
    const a = heads.plainGet('/a', jar);
    expect(heads.plainGet('/a', jar)).toBe(a);
    expect(heads.plainGet('/b', jar)).not.toBe(a);
    expect(heads.plainGet('/a', jar)).toBe(a);
    jar.store('session=two');
    const changed = heads.plainGet('/a', jar);
    expect(changed).not.toBe(a);
    expect(lines(changed)).toEqual(['GET /a HTTP/1.1', 'host: h', 'accept: application/json, text/event-stream, */*', 'cookie: session=two', '', '']);
  });

  it('sends one value per header name whatever its case, and never a caller framing header', () => {
    const jar = new CookieJar();
    jar.setHeader('Authorization', 'Bearer t');
    const bytes = new RequestHeads('h').build('POST', '/p', jar, { Accept: 'text/plain', 'Content-Length': '99', Host: 'evil', Connection: 'close' }, undefined);
    expect(lines(bytes)).toEqual(['POST /p HTTP/1.1', 'host: h', 'accept: text/plain', 'authorization: Bearer t', 'content-length: 0', '', '']);
  });

  it('refuses a path with spaces or line breaks', () => {
    const heads = new RequestHeads('h');
    expect(() => heads.plainGet('/a b', undefined)).toThrow(/invalid request path/);
    expect(() => heads.build('GET', '/a\r\nx: y', undefined, undefined, undefined)).toThrow(/invalid request path/);
  });
});
