import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../main.ts';

function capture(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { out, text: () => chunks.join('') };
}

describe('akash-operator crds', () => {
  it('prints every CRD as one YAML stream', async () => {
    const { out, text } = capture();
    await main(['crds'], out);
    const docs = parseAllDocuments(text()).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'CustomResourceDefinition/leases.provider.akash.network',
      'CustomResourceDefinition/manifests.provider.akash.network',
      'CustomResourceDefinition/services.provider.akash.network',
      'CustomResourceDefinition/tenantroles.provider.akash.network',
      'CustomResourceDefinition/tenantrolebindings.provider.akash.network',
      'CustomResourceDefinition/hostnameclaims.provider.akash.network',
    ]);
  });
});
