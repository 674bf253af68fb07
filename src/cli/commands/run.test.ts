import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { runCommand } from './run.ts';

describe('akash-operator run', () => {
  it('refuses a bad flag and an unreadable kubeconfig with one sentence and exit code 2', async () => {
    await expect(runCommand(['--bogus', 'x'])).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^unknown flag --bogus/) });
    const err = await runCommand(['--kubeconfig', '/nonexistent/kubeconfig']).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toMatch(/^kubeconfig \/nonexistent\/kubeconfig: cannot be read \(ENOENT\)$/);
  });
});
