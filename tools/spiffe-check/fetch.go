package main

import (
	"time"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// fetchCommand makes one FetchX509SVID call. A PermissionDenied ("no identity yet") is reported,
// not retried: the caller asked for one answer.
func fetchCommand(args []string) {
	fs, c := newFlags("fetch", 10*time.Second)
	_ = fs.Parse(args)
	c.check("fetch")
	ctx, cancel := c.context()
	defer cancel()
	x, err := workloadapi.FetchX509Context(ctx, c.clientOptions()...)
	if err != nil {
		fail("fetch", "FetchX509SVID on %s failed: %v", c.socket, err)
	}
	r, err := report(x)
	if err != nil {
		fail("fetch", "%v", err)
	}
	emit(r)
}
