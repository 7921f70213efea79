package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// app is one run of the tool: its streams, environment and logger. Tests
// build one with buffers instead of the process's files.
type app struct {
	stdin       io.Reader
	stdout      io.Writer // raw: downloads to "-" and -show-token write here
	stderr      io.Writer
	getenv      func(string) string
	stderrIsTTY bool
	stdoutIsTTY bool
	// interruptedFn reports whether the run was cancelled by a signal (as
	// opposed to failing), to choose the message.
	interruptedFn func() bool

	scrub  cli.Scrubber
	out    io.Writer // stdout through the scrubber, for text and JSON
	errw   io.Writer // stderr through the scrubber
	logger *slog.Logger
	env    *layeredEnv
}

// command is one subcommand.
type command struct {
	name     string
	args     string // synopsis after the flags
	summary  string // one line for the command list
	detail   string // paragraph(s) for -h
	examples []string
	run      func(a *app, ctx context.Context, args []string) error
}

// commands lists every subcommand; see commands.go for their texts.
var commands map[string]*command

func init() {
	commands = make(map[string]*command)
	for _, c := range commandList() {
		commands[c.name] = c
	}
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelpShown ends a run after -h: exit 0.
var errHelpShown = errors.New("help shown")

// errReported is a failure whose explanation was already printed.
var errReported = errors.New("failed (reported above)")

// run executes one command line and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	if a.getenv == nil {
		a.getenv = func(string) string { return "" }
	}
	if a.interruptedFn == nil {
		a.interruptedFn = func() bool { return ctx.Err() != nil }
	}
	a.env = newLayeredEnv(a.getenv)
	a.scrubEnvironment()
	a.out = a.scrub.Writer(a.stdout)
	a.errw = a.scrub.Writer(a.stderr)
	a.logger = cli.NewLogger(a.stderr, &a.scrub, false)

	if len(args) == 0 {
		a.printOverview(a.errw)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		a.printOverview(a.out)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(a.errw, "azblobmin: unknown command %q\n\n", name)
		a.printOverview(a.errw)
		return exitUsage
	}
	// Refuse secrets on the command line before anything parses them.
	if err := cli.CheckNoSecretFlags(rest); err != nil {
		fmt.Fprintf(a.errw, "azblobmin %s: %v\n", c.name, err)
		return exitUsage
	}
	err := c.run(a, ctx, rest)
	return a.exitCode(c, err)
}

// exitCode prints err (scrubbed) and maps it to an exit code.
func (a *app) exitCode(c *command, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(a.errw, "azblobmin %s: %v\nrun 'azblobmin %s -h' for usage and an example\n", c.name, ue.msg, c.name)
		return exitUsage
	case errors.Is(err, errReported):
		return exitFailed
	default:
		fmt.Fprintf(a.errw, "azblobmin %s: %v\n", c.name, err)
		for _, h := range a.hints(err) {
			fmt.Fprintf(a.errw, "hint: %s\n", h)
		}
		return exitFailed
	}
}

// newFlagSet returns a flag set for c whose -h prints c's help on stdout.
// Parse errors are returned, not printed: run turns them into exit 2.
func (a *app) newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args allowing flags after positional arguments (upload FILE
// -url ...), honouring "--". It returns the positional arguments.
func (a *app) parse(c *command, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			a.printCommandHelp(a.out, c, fs)
			return nil, errHelpShown
		}
		if err != nil {
			msg := err.Error()
			if rest, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + rest
			}
			return nil, usagef("%s", msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseNoArgs is parse for the commands that take flags only.
func (a *app) parseNoArgs(c *command, fs *flag.FlagSet, args []string) error {
	pos, err := a.parse(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	return nil
}

// printOverview lists the commands.
func (a *app) printOverview(w io.Writer) {
	fmt.Fprint(w, `azblobmin: session recordings in Azure Blob Storage, without the Azure SDK

usage: azblobmin COMMAND [flags] [args]

commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return commandOrder(names[i]) < commandOrder(names[j]) })
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Run 'azblobmin COMMAND -h' for a command's flags and an example.

The storage URL comes from -url or AZBLOBMIN_URL, e.g.
  azblob://ACCOUNT.blob.core.windows.net#session_container=session&inprogress_container=inprogress
  azblob-http://127.0.0.1:10000/devstoreaccount1            (Azurite)
Credentials come only from the environment or files, never from flags:
  AZURE_STORAGE_KEY (+ AZURE_STORAGE_ACCOUNT), AZURE_STORAGE_CONNECTION_STRING,
  -account-key-file FILE, -connection-string-file FILE, or the Entra variables
  (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
  AZURE_FEDERATED_TOKEN_FILE, managed identity).
Exit codes: 0 success, 1 failure, 2 usage error.
`)
}

// printCommandHelp prints c's synopsis, description, flags and examples.
func (a *app) printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: azblobmin %s [flags] %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.detail))
	fmt.Fprintf(w, "\nflags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nexample:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
