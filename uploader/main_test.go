package uploader_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
)

// emu is one Azurite shared by this package's integration tests and by the
// Example; each test works in containers of its own.
var emu *emulatortest.Emulator

// exampleURL is the session storage URL the Example reads:
// azblob-http://127.0.0.1:PORT/devstoreaccount1.
var exampleURL string

func TestMain(m *testing.M) {
	e, err := emulatortest.StartProcess(emulatortest.Options{})
	if err != nil {
		// Never skip: the integration tests and the Example need Azurite.
		fmt.Fprintf(os.Stderr, "uploader tests need Azurite: %v\n", err)
		os.Exit(1)
	}
	emu = e
	exampleURL = "azblob-http://" + e.Host + "/" + e.AccountName
	code := m.Run()
	if err := e.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop Azurite: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
