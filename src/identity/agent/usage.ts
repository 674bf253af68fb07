/** Usage lines of `spiffe-agent`, apart from its code so the CLI's `--help` loads no gRPC. */
export const spiffeAgentUsage = `  spiffe-agent --dir D --socket S [--poll-interval 5s] [--log-level L]
               serve the pod's SVID (projected into D) over the SPIFFE Workload API on the Unix socket S`;
