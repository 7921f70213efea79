package jobs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BinaryResult describes one built CLI binary.
type BinaryResult struct {
	// Package is what was built, e.g. ./cmd/azblobmin.
	Package string
	// Size is the binary's size in bytes.
	Size int64
	// Main is the main module; Deps the dependency modules `go version -m`
	// lists (path@version).
	Main string
	Deps []string
}

// Modules is the number of modules linked in: the main module and its
// dependencies.
func (b BinaryResult) Modules() int { return 1 + len(b.Deps) }

// BuildFlags are the build settings of the comparison (the Makefile's
// `build` target): static, stripped, no build paths.
var BuildFlags = []string{"build", "-trimpath", "-ldflags=-s -w"}

// BuildBinary builds pkg in dir (a module directory) with CGO_ENABLED=0 and
// BuildFlags into outDir and reads it back with `go version -m`.
func BuildBinary(goCmd, dir, pkg, outDir string) (BinaryResult, error) {
	out := filepath.Join(outDir, filepath.Base(pkg))
	args := append(append([]string{}, BuildFlags...), "-o", out, pkg)
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return BinaryResult{}, fmt.Errorf("go %s (in %s): %w: %s", strings.Join(args, " "), dir, err, bytes.TrimSpace(b))
	}
	st, err := os.Stat(out)
	if err != nil {
		return BinaryResult{}, err
	}
	res := BinaryResult{Package: pkg, Size: st.Size()}
	vm, err := exec.Command(goCmd, "version", "-m", out).Output()
	if err != nil {
		return BinaryResult{}, fmt.Errorf("go version -m %s: %w", out, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(vm))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "mod":
			res.Main = f[1]
		case "dep":
			v := f[1]
			if len(f) > 2 {
				v += "@" + f[2]
			}
			res.Deps = append(res.Deps, v)
		case "=>":
			// A replacement of the previous dep: the binary carries the
			// replacement, which is still one module.
		}
	}
	if res.Main == "" {
		return BinaryResult{}, fmt.Errorf("go version -m %s: no main module listed", out)
	}
	return res, nil
}
