/** `akash-operator crds`: print the CRD YAML of our kinds (the same text as the files in crds/). */
import { renderCrdStream } from '../../api/crd-files.ts';

export function printCrds(out: NodeJS.WritableStream): void {
  out.write(renderCrdStream());
}
