import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { main } from '../main.ts';

const testdata = (p: string): string => fileURLToPath(new URL(`../../akash/testdata/${p}`, import.meta.url));
const FIXTURE_SDL = testdata('sdl-go-fixtures/input/v2.0/simple/input.yaml');
const FIXTURE_MANIFEST = testdata('sdl-go-fixtures/output-fixtures/v2.0/simple/manifest.json');
// the version hash Go computes for that fixture (tools/akash-vectors, go-manifest-vectors.json)
const FIXTURE_HASH = '8f8bac7161953993f3288189e3e76093a51d33f9cdff1c8242eb9ab506981737';

async function run(...argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  await main(argv, out);
  return chunks.join('');
}

async function failure(...argv: string[]): Promise<{ error: CliError; output: string }> {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  try {
    await main(argv, out);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return { error: e as CliError, output: chunks.join('') };
  }
  return expect.unreachable();
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1)!;

describe('akash-operator sdl / manifest / lease', () => {
  it('sdl hash: the last line is only the hex Go computes', async () => {
    expect(lastLine(await run('sdl', 'hash', FIXTURE_SDL))).toBe(FIXTURE_HASH);
  });

  it('sdl manifest: the wire manifest, which hashes to the same value', async () => {
    const manifest = await run('sdl', 'manifest', FIXTURE_SDL);
    expect(JSON.parse(manifest)).toEqual(JSON.parse(await run('manifest', 'canonical', FIXTURE_MANIFEST)));
    expect(manifest.trimEnd()).not.toContain('\n');
  });

  it('manifest hash: wire JSON → hex', async () => {
    expect(lastLine(await run('manifest', 'hash', FIXTURE_MANIFEST))).toBe(FIXTURE_HASH);
  });

  it('sdl validate: ok line for a valid SDL', async () => {
    expect(await run('sdl', 'validate', FIXTURE_SDL)).toMatch(/^ok .*: SDL 2\.0, 1 group, 1 service\n$/);
  });

  it('sdl validate: exit 1 and one line per problem with file, line, path and rule', async () => {
    const file = testdata('sdl-edge-cases/port-quoted-string.yaml');
    const { error, output } = await failure('sdl', 'validate', file);
    expect(error.exitCode).toBe(1);
    expect(output).toBe(`${file}:6: services.web.expose[0].port: cannot decode !!str \`80\` into uint32 [sdl-type]\n`);
    expect(error.message).toBe(`${file}: 1 problem`);
  });

  it('manifest validate: ok line with the hash for a valid manifest', async () => {
    expect(await run('manifest', 'validate', FIXTURE_MANIFEST)).toBe(`ok ${FIXTURE_MANIFEST}: ${FIXTURE_HASH}\n`);
  });

  it('manifest validate: exit 1 and the Go Validate() problems with their JSON paths', async () => {
    const file = testdata('wire-manifests/invalid-port-and-env.json');
    const { error, output } = await failure('manifest', 'validate', file);
    expect(error.exitCode).toBe(1);
    expect(output.split('\n').filter(Boolean).sort()).toEqual([
      `${file}: groups[0].services[0].env[0]: invalid variable name "1BAD" [env-name]`,
      `${file}: groups[0].services[0].expose[0].port: must be 1..65535, got 0 [port-range]`,
    ]);
  });

  it('lease namespace', async () => {
    const out = await run('lease', 'namespace', 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev/6194991/1/1/akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0');
    expect(out).toBe('i8srn0jevt07jq3ittrgrg1q3ja3srij6t7efeftq3fi4\n');
  });

  it('lease namespace refuses a bad id with the reason', async () => {
    const { error } = await failure('lease', 'namespace', 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev/0/1/1/akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0');
    expect(error.message).toMatch(/dseq: must be 1\.\./);
  });

  it('usage errors exit 2', async () => {
    expect((await failure('sdl', 'frobnicate')).error.exitCode).toBe(2);
    expect((await failure('sdl', 'hash')).error.exitCode).toBe(2);
  });

  it('an unreadable file is one clear line', async () => {
    expect((await failure('sdl', 'hash', '/nonexistent/deploy.yaml')).error.message).toBe('cannot read /nonexistent/deploy.yaml: ENOENT');
  });

  it('runs as a process: stdin input, exit codes', () => {
    const bin = fileURLToPath(new URL('../main.ts', import.meta.url));
    const ok = spawnSync(process.execPath, [bin, 'manifest', 'hash', '-'], { input: '[{"name":"g","services":null}]', encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const bad = spawnSync(process.execPath, [bin, 'sdl', 'validate', testdata('sdl-edge-cases/missing-profile.yaml')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('deployment.web.dc.profile: no compute profile named "nope" [sdl-unknown-profile]');
    expect(bad.stderr).toMatch(/^akash-operator: .*missing-profile\.yaml: 1 problem\n$/);
  });
});
