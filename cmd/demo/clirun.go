package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// cliJSON runs the CLI, shows its stderr (progress, notes), and decodes
// its -json stdout into v.
func (d *demo) cliJSON(ctx context.Context, v any, args ...string) error {
	var out strings.Builder
	if err := d.cliRun(ctx, &out, args...); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out.String()), v); err != nil {
		return fmt.Errorf("azblobmin %s: output is not the expected JSON: %v", args[0], err)
	}
	return nil
}

// cliShow runs the CLI with its human output shown, indented.
func (d *demo) cliShow(ctx context.Context, args ...string) error {
	var out strings.Builder
	if err := d.cliRun(ctx, &out, args...); err != nil {
		return err
	}
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		fmt.Fprintf(d.stdout, "      %s\n", l)
	}
	return nil
}

func (d *demo) cliRun(ctx context.Context, stdout io.Writer, args ...string) error {
	fmt.Fprintf(d.stdout, "      $ azblobmin %s\n", strings.Join(displayArgs(args, d.work), " "))
	cmd := exec.CommandContext(ctx, d.cli, args...)
	cmd.Env = d.env
	cmd.Stdout = stdout
	cmd.Stderr = d.stderr
	// On Ctrl-C the CLI gets an interrupt (and prints how to resume), not
	// an immediate kill.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("azblobmin %s: %w", args[0], err)
	}
	return nil
}

// displayArgs shortens paths inside the work directory for display.
func displayArgs(args []string, work string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if rel, ok := strings.CutPrefix(a, work+string(os.PathSeparator)); ok {
			a = "$WORK/" + rel
		}
		out[i] = a
	}
	return out
}
