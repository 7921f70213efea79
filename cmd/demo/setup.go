package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// repoRoot is the directory of the module's go.mod.
func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is Go installed?)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the demo from inside the azblobmin repository (go env GOMOD found no module)")
	}
	return filepath.Dir(gomod), nil
}

// ensureAzurite installs the pinned Azurite (npm ci in emulatortest) when it
// is missing, after checking for Node.js.
func ensureAzurite(ctx context.Context, root string, stdout, stderr io.Writer) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("Node.js (node) is not on PATH: install Node.js 20 or newer, then run `make demo` again")
	}
	v, _ := exec.CommandContext(ctx, node, "--version").Output()
	fmt.Fprintf(stdout, "      %s, node %s", runtime.Version(), strings.TrimSpace(string(v)))
	bin := filepath.Join(root, "emulatortest", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err == nil {
		fmt.Fprintf(stdout, ", Azurite installed\n")
		return nil
	}
	fmt.Fprintf(stdout, "\n      Azurite is not installed: running npm ci in emulatortest (the version pinned in package-lock.json)\n")
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm is not on PATH (it ships with Node.js); install it, or run `make emulator`")
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = filepath.Join(root, "emulatortest")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in emulatortest: %w; run `make emulator` to see why", err)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("npm ci finished but %s is missing", bin)
	}
	return nil
}

// filterEnv drops credentials from the demo's own environment so that the
// CLI uses exactly the emulator's key and URL it is given.
func filterEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AZURE_") || k == "AZBLOBMIN_URL" || k == "IDENTITY_ENDPOINT" || k == "IDENTITY_HEADER" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go"+exeSuffix())
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
