import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../build/firmware/args.js';
import { brokerConfig, connectionStringProblem, redactUrl } from '../../../build/firmware/sim-config.js';

const KEY = 'c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0xMjM0NTY=';

describe('redactUrl', () => {
  it('masks the password of every URL in a text and keeps the user', () => {
    expect(redactUrl('to mqtt://user:pa55@host:1883 and mqtts://a:b@c/x')).toBe('to mqtt://user:***@host:1883 and mqtts://a:***@c/x');
  });

  it('leaves URLs without a password as they are', () => {
    for (const s of ['mqtt://host:1883', 'mqtt://user@host', 'connect ECONNREFUSED 127.0.0.1:1', 'http://[::1]:80/a:b@c']) expect(redactUrl(s)).toBe(s);
  });
});

describe('brokerConfig', () => {
  it('takes scheme, host, port and user:password (percent-decoded)', () => {
    expect(brokerConfig('mqtt://127.0.0.1:1884')).toEqual({ host: '127.0.0.1', port: 1884, tls: false });
    expect(brokerConfig('mqtts://broker.lan/')).toEqual({ host: 'broker.lan', port: 8883, tls: true });
    expect(brokerConfig('mqtt://broker.lan')).toMatchObject({ port: 1883 });
    expect(brokerConfig('mqtt://me:p%40ss@broker.lan:1')).toEqual({ host: 'broker.lan', port: 1, tls: false, username: 'me', password: 'p@ss' });
    expect(brokerConfig('mqtt://me@broker.lan')).toEqual({ host: 'broker.lan', port: 1883, tls: false, username: 'me' });
  });

  it('refuses anything else as a usage error that never shows the password', () => {
    for (const url of ['http://x', 'mqtt://', 'mqtt://h:0', 'mqtt://h:70000', 'mqtt://u:hunter2@h:99999', 'mqtt://u:hunter2@h/path', 'mqtt://u:%zz@h']) {
      let err: unknown;
      try {
        brokerConfig(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/^--broker/);
      expect((err as Error).message).not.toMatch(/hunter2|%zz/);
    }
  });
});

describe('connectionStringProblem', () => {
  it('is undefined for a good connection string or none at all', () => {
    expect(connectionStringProblem({ connectionString: `HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=${KEY}` }, '--hub')).toBeUndefined();
    expect(connectionStringProblem({ host: 'x' }, '--hub')).toBeUndefined();
  });

  it('names where it came from and what is wrong, without quoting the key', () => {
    const p = connectionStringProblem({ connectionString: `HostName=h;DeviceId=d1;SharedAccessKey${KEY}` }, 'connectionString in cfg.json');
    expect(p).toMatch(/^connectionString in cfg\.json: connection string: missing '=' after SharedAccessKey/);
    expect(p).not.toContain(KEY);
    expect(connectionStringProblem({ connectionString: 'HostName=h;DeviceId=d' }, '--hub')).toMatch(/^--hub: .*missing SharedAccessKey/);
    expect(connectionStringProblem({ connectionString: 42 }, '--hub')).toBe('--hub: the connection string must be a string');
  });
});
