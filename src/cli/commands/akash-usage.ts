/** Usage lines of the Akash commands, apart from their code so `--help` loads nothing heavy. */
export const akashUsage = `  sdl manifest FILE       the manifest a tenant sends for this SDL (Go-canonical JSON)
  sdl hash FILE           the SDL's deployment version hash (hex), as the Go CLI puts it on chain
  sdl validate FILE       check the SDL as the Go CLI does; exit 1 with the list of problems
  manifest hash FILE      the version hash (hex) of a wire manifest, as the Go provider computes it
  manifest canonical FILE the Go-canonical bytes of a wire manifest (what the hash is computed over)
  manifest validate FILE  check a wire manifest as the Go provider does; exit 1 with the list of problems
  lease namespace OWNER/DSEQ/GSEQ/OSEQ/PROVIDER
                          the lease's namespace name`;
