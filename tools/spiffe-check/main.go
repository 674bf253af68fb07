// Command spiffe-check exercises a SPIFFE Workload API endpoint with go-spiffe, the reference Go
// client, so the operator's Node agent is tested against the library real workloads use rather
// than against our own reading of the spec. Results are JSON lines on stdout; failures are one
// sentence on stderr and a non-zero exit.
//
//	spiffe-check fetch       -socket unix:///path [-timeout 10s]
//	spiffe-check watch       -socket unix:///path [-count N] [-timeout 30s]
//	spiffe-check mtls-server -socket unix:///path -addr 127.0.0.1:PORT -allow spiffe://td/path [-count N] [-timeout D]
//	spiffe-check mtls-client -socket unix:///path -addr 127.0.0.1:PORT -expect spiffe://td/path [-timeout 10s]
//
// -socket defaults to $SPIFFE_ENDPOINT_SOCKET, as go-spiffe itself does.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

const usage = `usage: spiffe-check <command> [flags]

commands:
  fetch        one FetchX509SVID: verify the SVID against the bundle, print it
  watch        print every X.509 context update (verified) until -count updates
  mtls-server  serve mTLS with the Workload API SVID, allow one client SPIFFE ID, echo its ID
  mtls-client  dial an mtls-server, require its SPIFFE ID, send a line, print the reply

Run 'spiffe-check <command> -h' for its flags.
`

// fail ends the program with one sentence naming the command, for the test that ran it.
func fail(cmd string, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "spiffe-check %s: %s\n", cmd, fmt.Sprintf(format, args...))
	os.Exit(1)
}

// emit prints one JSON line; stdout is the machine-readable channel.
func emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fail("output", "cannot encode %T as JSON: %v", v, err)
	}
	fmt.Println(string(b))
}

// common holds the flags every command takes.
type common struct {
	socket  string
	timeout time.Duration
}

func newFlags(cmd string, defaultTimeout time.Duration) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	c := &common{}
	fs.StringVar(&c.socket, "socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API address, unix:///path (default $SPIFFE_ENDPOINT_SOCKET)")
	fs.DurationVar(&c.timeout, "timeout", defaultTimeout, "give up after this long (0: never)")
	return fs, c
}

func (c *common) check(cmd string) {
	if c.socket == "" {
		fail(cmd, "-socket is required (or set SPIFFE_ENDPOINT_SOCKET), e.g. -socket unix:///run/spiffe/agent.sock")
	}
}

func (c *common) context() (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return context.WithCancel(context.Background())
	}
	return context.WithTimeout(context.Background(), c.timeout)
}

func (c *common) clientOptions() []workloadapi.ClientOption {
	return []workloadapi.ClientOption{workloadapi.WithAddr(c.socket)}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	switch cmd {
	case "fetch":
		fetchCommand(args)
	case "watch":
		watchCommand(args)
	case "mtls-server":
		mtlsServerCommand(args)
	case "mtls-client":
		mtlsClientCommand(args)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "spiffe-check: unknown command %q\n%s", cmd, usage)
		os.Exit(2)
	}
}
