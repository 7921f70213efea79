package emulatortest

import "testing"

// Start runs a plain-HTTP, in-memory Azurite for the test and stops it at
// cleanup. If Node.js or the pinned Azurite is missing, or Azurite does not
// come up, the test fails (never skips) with the reason and the fix.
func Start(t testing.TB) *Emulator {
	t.Helper()
	return startForTest(t, Options{})
}

// StartHTTPS runs Azurite over HTTPS with a self-signed certificate made for
// this test and with bearer-token checks enabled (--oauth basic). The
// returned HTTPClient trusts exactly that certificate.
func StartHTTPS(t testing.TB) *Emulator {
	t.Helper()
	return startForTest(t, Options{HTTPS: true})
}

// StartWith is Start with explicit options; Dir defaults to t.TempDir().
func StartWith(t testing.TB, opts Options) *Emulator {
	t.Helper()
	return startForTest(t, opts)
}

func startForTest(t testing.TB, opts Options) *Emulator {
	t.Helper()
	if opts.Dir == "" {
		// Registered before Stop's cleanup, so removed after Azurite exits.
		opts.Dir = t.TempDir()
	}
	e, err := StartProcess(opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return e
}
