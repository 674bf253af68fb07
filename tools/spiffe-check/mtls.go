package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// source opens an X509Source: it blocks until the first SVID (retrying PermissionDenied) and then
// follows rotations, which is how a long-running service consumes the Workload API.
func source(cmd string, ctx context.Context, c *common) *workloadapi.X509Source {
	src, err := workloadapi.NewX509Source(ctx, workloadapi.WithClientOptions(c.clientOptions()...))
	if err != nil {
		fail(cmd, "no X.509 source from %s: %v", c.socket, err)
	}
	return src
}

func parseID(cmd, flagName, s string) spiffeid.ID {
	id, err := spiffeid.FromString(s)
	if err != nil {
		fail(cmd, "-%s %q is not a SPIFFE ID: %v", flagName, s, err)
	}
	return id
}

func ownID(src *workloadapi.X509Source) string {
	svid, err := src.GetX509SVID()
	if err != nil {
		return ""
	}
	return svid.ID.String()
}

// mtlsServerCommand serves mTLS and allows exactly the -allow ID; for each connection it prints
// the peer's ID (or why the handshake failed) and echoes the ID back with the received line.
func mtlsServerCommand(args []string) {
	fs, c := newFlags("mtls-server", 0)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	allow := fs.String("allow", "", "the one client SPIFFE ID to accept")
	count := fs.Int("count", 0, "exit after this many connections (0: serve until killed or -timeout)")
	_ = fs.Parse(args)
	c.check("mtls-server")
	if *allow == "" {
		fail("mtls-server", "-allow is required, e.g. -allow spiffe://td/client")
	}
	allowed := parseID("mtls-server", "allow", *allow)
	ctx, cancel := c.context()
	defer cancel()
	src := source("mtls-server", ctx, c)
	defer src.Close()
	// spiffetls's mTLS server mode is tlsconfig.MTLSServerConfig over the source: our SVID as the
	// server certificate, the source's bundle to verify clients, AuthorizeID to admit one client.
	ln, err := spiffetls.ListenWithMode(ctx, "tcp", *addr, spiffetls.MTLSServerWithSource(tlsconfig.AuthorizeID(allowed), src))
	if err != nil {
		fail("mtls-server", "cannot listen on %s: %v", *addr, err)
	}
	defer ln.Close()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	// Tests wait for this line before dialing.
	emit(map[string]any{"listening": ln.Addr().String(), "spiffe_id": ownID(src), "allow": allowed.String()})
	for n := 0; *count == 0 || n < *count; n++ {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			fail("mtls-server", "accept on %s failed: %v", ln.Addr(), err)
		}
		serveOne(conn)
	}
}

func serveOne(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	peer, err := spiffetls.PeerIDFromConn(conn)
	if err != nil {
		emit(map[string]any{"peer_error": err.Error()})
		return
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		emit(map[string]any{"peer_id": peer.String(), "read_error": err.Error()})
		return
	}
	received := strings.TrimRight(line, "\n")
	emit(map[string]any{"peer_id": peer.String(), "received": received})
	fmt.Fprintf(conn, "%s\n", peer.String())
}

// mtlsClientCommand dials with the Workload API SVID, requires the server to be -expect, sends a
// line and prints the server's reply (the client's own ID as the server saw it).
func mtlsClientCommand(args []string) {
	fs, c := newFlags("mtls-client", 10*time.Second)
	addr := fs.String("addr", "", "the mtls-server address")
	expect := fs.String("expect", "", "the server SPIFFE ID to require")
	message := fs.String("message", "hello", "the line to send")
	_ = fs.Parse(args)
	c.check("mtls-client")
	if *addr == "" || *expect == "" {
		fail("mtls-client", "-addr and -expect are required")
	}
	expected := parseID("mtls-client", "expect", *expect)
	ctx, cancel := c.context()
	defer cancel()
	src := source("mtls-client", ctx, c)
	defer src.Close()
	conn, err := spiffetls.DialWithMode(ctx, "tcp", *addr, spiffetls.MTLSClientWithSource(tlsconfig.AuthorizeID(expected), src))
	if err != nil {
		fail("mtls-client", "mTLS to %s expecting %s failed: %v", *addr, expected, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	server, err := spiffetls.PeerIDFromConn(conn)
	if err != nil {
		fail("mtls-client", "no server SPIFFE ID from %s: %v", *addr, err)
	}
	if _, err := fmt.Fprintf(conn, "%s\n", *message); err != nil {
		fail("mtls-client", "sending to %s failed: %v", *addr, err)
	}
	// With TLS 1.3 the server checks our certificate after our handshake completed: a server that
	// does not allow us shows up here, as an alert instead of a reply.
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fail("mtls-client", "no reply from %s (%s), which may have refused our SPIFFE ID %s: %v", *addr, server, ownID(src), err)
	}
	emit(map[string]any{"server_id": server.String(), "spiffe_id": ownID(src), "reply": strings.TrimRight(reply, "\n")})
}
