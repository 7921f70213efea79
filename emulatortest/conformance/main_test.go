package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/emulatortest/conformance"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
)

// TestMain lets conformance.RunCrashes re-execute this binary as a child
// that completes an upload with our uploader (see childSetup).
func TestMain(m *testing.M) {
	conformance.ChildMain(childSetup)
	os.Exit(m.Run())
}

// childConfig is what a crash child needs to rebuild the parent's
// handler: where Azurite is and which containers to use. It holds no
// secret; the child signs with the emulator's public development key.
type childConfig struct {
	Endpoint            string
	SessionContainer    string
	InprogressContainer string
	BlockSize           int64
}

func (c childConfig) encode() string {
	b, _ := json.Marshal(c) // strings and an int cannot fail
	return string(b)
}

// childSetup builds, in a crash child, the same SharedKey handler the
// parent's Env builds.
func childSetup(config string) (*conformance.ChildSetup, error) {
	var cc childConfig
	if err := json.Unmarshal([]byte(config), &cc); err != nil {
		return nil, fmt.Errorf("bad child config: %w", err)
	}
	cred, err := sharedkey.NewCredential(emulatortest.DevAccountName, emulatortest.DevAccountKey)
	if err != nil {
		return nil, err
	}
	return &conformance.ChildSetup{
		HTTPClient: &http.Client{CheckRedirect: noRedirect},
		NewHandler: func(ctx context.Context, client *http.Client) (conformance.Handler, error) {
			return uploader.NewHandler(ctx, uploader.Config{
				Endpoint:            cc.Endpoint,
				SessionContainer:    cc.SessionContainer,
				InprogressContainer: cc.InprogressContainer,
				Authorizer:          cred,
				HTTPClient:          client,
				BlockSize:           cc.BlockSize,
				Retry:               testRetry,
				Getenv:              func(string) string { return "" },
			})
		},
	}, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
