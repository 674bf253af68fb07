import { describe, expect, it } from 'vitest';
import { leaseParams, matchRoute } from './router.ts';
import { refusal } from './testing.ts';

describe('matchRoute', () => {
  it("matches the Go provider's paths", () => {
    expect(matchRoute('GET', '/version').route.name).toBe('version');
    expect(matchRoute('PUT', '/deployment/123/manifest')).toMatchObject({ route: { name: 'submit-manifest', scope: 'send-manifest' }, params: { dseq: '123' } });
    expect(matchRoute('GET', '/lease/1/2/3/status')).toMatchObject({ route: { name: 'lease-status', scope: 'status' }, params: { dseq: '1', gseq: '2', oseq: '3' } });
    expect(matchRoute('GET', '/lease/1/2/3/manifest').route.scope).toBe('get-manifest');
    expect(matchRoute('GET', '/lease/1/2/3/service/web/status')).toMatchObject({ route: { name: 'service-status' }, params: { service: 'web' } });
    expect(matchRoute('GET', '/lease/1/2/3/logs').route.unimplemented).toMatch(/websocket/);
  });

  it('405 with Allow when only the method is wrong, 404 otherwise', () => {
    expect(refusal(() => matchRoute('POST', '/deployment/1/manifest'))).toMatchObject({ status: 405, code: 'method_not_allowed', headers: { allow: 'PUT' } });
    expect(refusal(() => matchRoute('GET', '/nope'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(() => matchRoute('GET', '/version/'))).toMatchObject({ status: 404 });
    expect(refusal(() => matchRoute('GET', '/lease//2/3/status'))).toMatchObject({ status: 404 });
    expect(refusal(() => matchRoute('GET', '/lease/1/2/3/service/%E0%A4%A/status'))).toMatchObject({ status: 400, code: 'invalid_path' });
  });
});

describe('leaseParams', () => {
  it('reads sequences as Go ParseUint does, naming the bad one', () => {
    expect(leaseParams({ dseq: '18446744073709551615', gseq: '1', oseq: '4294967295' })).toEqual({ dseq: '18446744073709551615', gseq: 1, oseq: 4294967295 });
    expect(leaseParams({ dseq: '007', gseq: '1', oseq: '1' }).dseq).toBe('7');
    expect(refusal(() => leaseParams({ dseq: '18446744073709551616', gseq: '1', oseq: '1' }))).toMatchObject({ status: 400, message: expect.stringMatching(/dseq/) });
    expect(refusal(() => leaseParams({ dseq: '1', gseq: '4294967296', oseq: '1' })).message).toMatch(/gseq must be an integer/);
    expect(refusal(() => leaseParams({ dseq: '1', gseq: '1', oseq: '-1' })).message).toMatch(/oseq/);
    expect(refusal(() => leaseParams({ dseq: '0', gseq: '1', oseq: '1' })).message).toMatch(/dseq/);
  });
});
