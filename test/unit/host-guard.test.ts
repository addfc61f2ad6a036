import { describe, expect, it } from 'vitest';
import { isAllowedHost, isLoopbackAddress } from '../../shared/security/host.js';

describe('isAllowedHost (DNS-rebinding guard)', () => {
  it.each(['localhost:8421', '127.0.0.1:8421', '[::1]:8421', 'LOCALHOST:8421'])('allows %s', (h) => {
    expect(isAllowedHost(h, 8421)).toBe(true);
  });
  it.each([
    undefined,
    '',
    'evil.example:8421',
    'localhost.evil.com:8421',
    'localhost:8422',
    '127.0.0.1:80',
    '127.0.0.2:8421',
    '127.1:8421',
    '0x7f000001:8421',
    '[::ffff:127.0.0.1]:8421',
    'user@localhost:8421',
    'localhost:8421@evil.com',
    'localhost:8421 ',
    'localhost',
    '[::1]',
    'x'.repeat(400),
  ])('refuses %j', (h) => {
    expect(isAllowedHost(h, 8421)).toBe(false);
  });
  it('allows a bare name only on port 80', () => {
    expect(isAllowedHost('localhost', 80)).toBe(true);
  });
  it('knows loopback listen addresses', () => {
    expect(['127.0.0.1', '::1', 'localhost', '127.0.0.5'].every(isLoopbackAddress)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.2', '127.0.0.1.evil'].some(isLoopbackAddress)).toBe(false);
  });
});
