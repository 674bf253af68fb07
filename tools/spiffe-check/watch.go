package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// watcher prints each update and stops the watch after `count` of them.
type watcher struct {
	count  int
	seen   int
	ctx    context.Context
	cancel context.CancelFunc
	bad    error
}

func (w *watcher) OnX509ContextUpdate(x *workloadapi.X509Context) {
	r, err := report(x)
	if err != nil {
		// An update that does not verify is a failure of the server under test, not a transient.
		w.bad = err
		w.cancel()
		return
	}
	emit(r)
	w.seen++
	if w.count > 0 && w.seen >= w.count {
		w.cancel()
	}
}

// OnX509ContextWatchError: go-spiffe retries with backoff (except InvalidArgument); say so on stderr.
func (w *watcher) OnX509ContextWatchError(err error) {
	if w.ctx.Err() == nil { // not our own cancel after the last update
		fmt.Fprintf(os.Stderr, "spiffe-check watch: Workload API error (go-spiffe retries): %v\n", err)
	}
}

func watchCommand(args []string) {
	fs, c := newFlags("watch", 30*time.Second)
	count := fs.Int("count", 1, "exit after this many updates (0: until -timeout)")
	_ = fs.Parse(args)
	c.check("watch")
	ctx, cancel := c.context()
	defer cancel()
	w := &watcher{count: *count, ctx: ctx, cancel: cancel}
	err := workloadapi.WatchX509Context(ctx, w, c.clientOptions()...)
	switch {
	case w.bad != nil:
		fail("watch", "%v", w.bad)
	case w.count > 0 && w.seen >= w.count:
		return
	case w.count == 0 && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fail("watch", "saw %d of %d updates from %s within %s", w.seen, w.count, c.socket, c.timeout)
	default:
		fail("watch", "watching %s stopped after %d updates: %v", c.socket, w.seen, err)
	}
}
