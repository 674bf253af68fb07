/** The Go provider's reading of a manifest expose (`manifest/v2beta3/serviceexpose.go`). */
import type { ServiceExpose } from '../api/wire.ts';

/** The port as exposed: `externalPort`, or `port` when it is 0 (Go `GetExternalPort`). */
export function externalPort(e: Pick<ServiceExpose, 'port' | 'externalPort'>): number {
  return e.externalPort === 0 ? e.port : e.externalPort;
}

/** Served through the ingress controller: global TCP on external port 80 (Go `IsIngress`). */
export function isHttpExpose(e: Pick<ServiceExpose, 'port' | 'externalPort' | 'proto' | 'global'>): boolean {
  return e.proto === 'TCP' && e.global && externalPort(e) === 80;
}
