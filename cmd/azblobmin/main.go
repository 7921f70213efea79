package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is shown.
var version = ""

func main() {
	// The first Ctrl-C cancels the context: in-flight requests stop and the
	// command explains how to resume. Once cancelled, signals are handed
	// back to the default behaviour so that a second Ctrl-C kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	a := &app{
		stdin:         os.Stdin,
		stdout:        os.Stdout,
		stderr:        os.Stderr,
		getenv:        os.Getenv,
		stderrIsTTY:   cli.IsTerminal(os.Stderr),
		stdoutIsTTY:   cli.IsTerminal(os.Stdout),
		interruptedFn: func() bool { return ctx.Err() != nil },
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
