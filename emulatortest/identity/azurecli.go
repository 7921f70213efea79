package identity

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FakeAzureCLIOptions configure [FakeAzureCLI].
type FakeAzureCLIOptions struct {
	// Token is printed as accessToken. Required unless NotLoggedIn or
	// Stderr/ExitCode are set.
	Token string
	// ExpiresOn is the expiry printed; zero means one hour from now.
	ExpiresOn time.Time
	// LegacyOnly prints only the local-time expiresOn (CLIs before 2.54),
	// not expires_on.
	LegacyOnly bool
	// NotLoggedIn makes it fail as az does without a session.
	NotLoggedIn bool
	// Stderr and ExitCode make it fail with this output.
	Stderr   string
	ExitCode int
}

// FakeAzureCLI writes an "az" stand-in script into a temporary directory
// and returns its path and the path of the file where it appends the
// arguments of every run, one run per line. It behaves like
// "az account get-access-token --output json": JSON with accessToken,
// expiresOn ("2006-01-02 15:04:05.000000" local time), expires_on (Unix
// seconds), subscription, tenant and tokenType. Needs /bin/sh.
func FakeAzureCLI(t testing.TB, o FakeAzureCLIOptions) (path, argsFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Fatalf("identity: FakeAzureCLI needs /bin/sh; run this test on Linux or macOS")
	}
	dir := t.TempDir()
	path = filepath.Join(dir, "az")
	argsFile = filepath.Join(dir, "args.log")
	exp := o.ExpiresOn
	if exp.IsZero() {
		exp = time.Now().Add(time.Hour)
	}
	out := map[string]any{
		"accessToken":  o.Token,
		"expiresOn":    exp.Local().Format("2006-01-02 15:04:05.000000"),
		"subscription": NewUUID(),
		"tenant":       NewUUID(),
		"tokenType":    "Bearer",
	}
	if !o.LegacyOnly {
		out["expires_on"] = exp.Unix()
	}
	js, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\n")
	sb.WriteString("echo \"$*\" >> " + shellQuote(argsFile) + "\n")
	switch {
	case o.NotLoggedIn:
		sb.WriteString("echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n")
	case o.Stderr != "" || o.ExitCode != 0:
		sb.WriteString("printf '%s\\n' " + shellQuote(o.Stderr) + " >&2\n")
		code := o.ExitCode
		if code == 0 {
			code = 1
		}
		sb.WriteString("exit " + itoa(code) + "\n")
	default:
		sb.WriteString("cat <<'AZBLOBMIN_EOF'\n" + string(js) + "\nAZBLOBMIN_EOF\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o700); err != nil {
		t.Fatalf("identity: writing the fake az: %v", err)
	}
	return path, argsFile
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
