import { describe, expect, it } from 'vitest';
import { findVersion, operatorVersion } from './version.ts';

describe('operatorVersion', () => {
  it("reads this checkout's package.json", () => {
    expect(operatorVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('takes a package.json beside the code first (the bundle in dist/), and only ours', () => {
    const files: Record<string, string> = {
      '/app/dist/package.json': JSON.stringify({ name: 'akash-operator', version: '9.9.9' }),
      '/app/package.json': JSON.stringify({ name: 'akash-operator', version: '1.0.0' }),
    };
    const read = (u: URL) => files[u.pathname] ?? (() => { throw new Error('ENOENT'); })();
    expect(findVersion('file:///app/dist/main.js', read)).toBe('9.9.9');
    expect(findVersion('file:///app/src/version.js', read)).toBe('1.0.0');
    files['/app/dist/package.json'] = JSON.stringify({ name: 'some-dependency', version: '3.0.0' });
    expect(findVersion('file:///app/dist/main.js', read)).toBe('1.0.0');
  });

  it('names where it looked when there is none', () => {
    expect(() => findVersion('file:///nowhere/dist/main.js', () => '{"name":"akash-operator"}')).toThrow(/no package.json of akash-operator with a version at \/nowhere\/dist\/package.json or \/nowhere\/package.json/);
  });
});
