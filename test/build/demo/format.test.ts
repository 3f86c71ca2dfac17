import { describe, expect, it } from 'vitest';
import { redact, tagged, telemetryLine } from '../../../build/demo/format.js';

describe('tagged', () => {
  it('pads the tag so messages line up', () => {
    expect(tagged('hub', 'up')).toBe('[hub]       up');
    expect(tagged('telemetry', 'x')).toBe('[telemetry] x');
  });
});

describe('telemetryLine', () => {
  it('shows the count, the body and the properties', () => {
    expect(telemetryLine(3, { body: Buffer.from('{"temp":21.4}'), props: { '$.ct': 'application/json', k: null } })).toBe(
      '#3 {"temp":21.4} props: $.ct=application/json k=',
    );
    expect(telemetryLine(1, { body: Buffer.from('x'), props: {} })).toBe('#1 x');
  });

  it('escapes control characters and does not print binary', () => {
    expect(telemetryLine(1, { body: Buffer.from('a\nb'), props: { p: 'c\rd' } })).toBe('#1 a\\u000ab props: p=c\\u000dd');
    expect(telemetryLine(2, { body: Buffer.from([0xff, 0xfe, 0x00]), props: {} })).toBe('#2 <3 bytes of binary>');
  });
});

describe('redact', () => {
  it('hides the key and keeps the rest', () => {
    const key = 'c2VjcmV0LWtleS1ieXRlcy1ub3QtdG8tYmUtcHJpbnRlZA==';
    const s = redact(`HostName=localhost;DeviceId=d1;SharedAccessKey=${key};GatewayHostName=127.0.0.1:8883`);
    expect(s).toBe('HostName=localhost;DeviceId=d1;SharedAccessKey=<hidden>;GatewayHostName=127.0.0.1:8883');
    expect(redact(`HostName=h;DeviceId=d;SharedAccessSignature=SharedAccessSignature sr=x&sig=abc`)).toBe('HostName=h;DeviceId=d;SharedAccessSignature=<hidden>');
  });
});
