/**
 * The manifest's `httpOptions` as proxy annotations, as the Go provider maps them: ingress-nginx
 * (`provider:cluster/kube/client_ingress.go`) and NGINX Gateway Fabric
 * (`provider:cluster/kube/gateway/nginx_gateway.go`, which reads annotations because it does not
 * implement HTTPRoute timeouts yet, nginx-gateway-fabric#2164). Milliseconds become whole seconds,
 * rounded up.
 */
import type { HttpOptions } from '../api/wire.ts';

export const INGRESS_NGINX_PREFIX = 'nginx.ingress.kubernetes.io';
export const NGINX_GATEWAY_PREFIX = 'nginx.org';

function seconds(ms: number): string {
  return String(Math.floor((ms + 999) / 1000));
}

/** `["error","timeout","500"]` → `error timeout http_500` (nginx proxy_next_upstream syntax). */
export function nextUpstreamCases(cases: readonly string[]): string {
  return cases.map((c) => (/^[1-5]/.test(c) ? `http_${c}` : c)).join(' ');
}

export function ingressNginxAnnotations(o: HttpOptions): Record<string, string> {
  const p = INGRESS_NGINX_PREFIX;
  const out: Record<string, string> = {
    [`${p}/proxy-read-timeout`]: seconds(o.readTimeout),
    [`${p}/proxy-send-timeout`]: seconds(o.sendTimeout),
    [`${p}/proxy-next-upstream-tries`]: String(o.nextTries),
    [`${p}/proxy-body-size`]: String(o.maxBodySize),
    // 0 is ingress-nginx's "no limit", as in the Go provider.
    [`${p}/proxy-next-upstream-timeout`]: o.nextTimeout > 0 ? seconds(o.nextTimeout) : '0',
  };
  if (o.nextCases && o.nextCases.length > 0) out[`${p}/proxy-next-upstream`] = nextUpstreamCases(o.nextCases);
  // SDL 2.1's proxy_buffer_size; the Go provider sets it provider-wide only. 0 = controller default.
  if (o.proxyBufferSize) out[`${p}/proxy-buffer-size`] = String(o.proxyBufferSize);
  return out;
}

export function nginxGatewayAnnotations(o: HttpOptions): Record<string, string> {
  const p = NGINX_GATEWAY_PREFIX;
  const out: Record<string, string> = {
    [`${p}/client-max-body-size`]: String(o.maxBodySize),
    [`${p}/proxy-read-timeout`]: seconds(o.readTimeout),
    [`${p}/proxy-send-timeout`]: seconds(o.sendTimeout),
    [`${p}/proxy-next-upstream-tries`]: String(o.nextTries),
  };
  if (o.nextTimeout > 0) out[`${p}/proxy-next-upstream-timeout`] = `${seconds(o.nextTimeout)}s`;
  if (o.nextCases && o.nextCases.length > 0) out[`${p}/proxy-next-upstream`] = nextUpstreamCases(o.nextCases);
  return out;
}
