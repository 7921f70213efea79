package emulatortest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// FixCommand is the command, run from the repository root, that installs
// the pinned Azurite this package starts.
const FixCommand = "make emulator"

// fixHint is appended to every "not installed" error so the reader knows
// exactly what to run.
const fixHint = "run `" + FixCommand + "` from the repository root (it runs `cd emulatortest && npm ci`)"

// Environment variables that override discovery, for unusual layouts such
// as a test binary copied away from the source tree.
const (
	// EnvAzuriteBlob names the azurite-blob entry point (main.js or the
	// node_modules/.bin/azurite-blob link).
	EnvAzuriteBlob = "AZBLOBMIN_AZURITE_BLOB"
	// EnvNode names the node executable.
	EnvNode = "AZBLOBMIN_NODE"
)

// azuriteRel is where `npm ci` in emulatortest puts the entry point.
var azuriteRel = filepath.Join("node_modules", ".bin", "azurite-blob")

// findNode returns the node executable: the override, then $AZBLOBMIN_NODE,
// then node on PATH. Node is run explicitly (rather than relying on the
// script's #! line) so that a missing Node.js gets its own clear message.
func findNode(override string) (string, error) {
	if override == "" {
		override = os.Getenv(EnvNode)
	}
	if override != "" {
		if _, err := os.Stat(override); err != nil {
			return "", fmt.Errorf("emulatortest: Node.js executable %q is not usable: %v", override, err)
		}
		return override, nil
	}
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("emulatortest: Node.js (`node`) is not on PATH; install Node.js 20 or newer, then %s", fixHint)
	}
	return p, nil
}

// findAzurite returns the path of Azurite's blob entry point. It looks at the
// override, $AZBLOBMIN_AZURITE_BLOB, the directory this source file was
// compiled from, and finally every parent of the working directory (both
// DIR/node_modules and DIR/emulatortest/node_modules), so that tests in any
// package of the module, in a nested module such as bench/, and `go run` of
// the demo all find the one installation.
func findAzurite(override string) (string, error) {
	if override == "" {
		override = os.Getenv(EnvAzuriteBlob)
	}
	if override != "" {
		if _, err := os.Stat(override); err != nil {
			return "", fmt.Errorf("emulatortest: Azurite entry point %q is not usable: %v; %s", override, err, fixHint)
		}
		return override, nil
	}
	var tried []string
	try := func(dir string) (string, bool) {
		p := filepath.Join(dir, azuriteRel)
		tried = append(tried, p)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				return real, true
			}
			return p, true
		}
		return "", false
	}
	if dir := sourceDir(); dir != "" {
		if p, ok := try(dir); ok {
			return p, nil
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; {
			if filepath.Base(dir) == "emulatortest" {
				if p, ok := try(dir); ok {
					return p, nil
				}
			}
			if p, ok := try(filepath.Join(dir, "emulatortest")); ok {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("emulatortest: the pinned Azurite is not installed (looked for " +
		strings.Join(dedupe(tried), ", ") + "); " + fixHint)
}

// sourceDir is the directory holding this file when the binary was built
// from a source tree without -trimpath, or "".
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(file)
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
