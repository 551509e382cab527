import { describe, expect, it } from 'vitest';
import { isOwnLoopbackHost, misdirected } from './local-host.ts';

describe('the Host of a server for this machine only', () => {
  it('is a loopback name with its own port', () => {
    for (const host of ['127.0.0.1:8306', 'localhost:8306', 'LOCALHOST:8306', '[::1]:8306']) {
      expect(isOwnLoopbackHost(host, 8306), host).toBe(true);
    }
  });

  it('is not another name, another port, an address elsewhere or no Host at all', () => {
    for (const host of [
      'rebind.evil.example:8306',
      'localhost.evil.example:8306',
      'localhost.:8306',
      '127.0.0.1:8305',
      '127.0.0.1',
      '127.0.0.2:8306',
      '0.0.0.0:8306',
      '192.168.1.10:8306',
      '::1:8306',
      'localhost:8306 ',
      '',
      undefined,
      null,
    ]) {
      expect(isOwnLoopbackHost(host, 8306), String(host)).toBe(false);
    }
    expect(isOwnLoopbackHost('localhost', 80)).toBe(true);
  });

  it('gives one plain line naming where the server answers, or nothing for its own name', () => {
    expect(misdirected('127.0.0.1:8306', 8306)).toBeUndefined();
    const line = misdirected('rebind.evil.example:8306', 8306) ?? '';
    expect(line).toMatch(/^[^\n]+\n$/);
    expect(line).toContain('127.0.0.1:8306');
    expect(line).not.toContain('rebind');
  });
});
