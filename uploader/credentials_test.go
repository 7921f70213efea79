package uploader_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/azblobmin/azblobmin/emulatortest"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/stretchr/testify/require"
)

func envFunc(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// configFor returns a Config from exampleURL with fresh containers and the
// given environment, and no explicit Authorizer.
func configFor(t *testing.T, env map[string]string) uploader.Config {
	u, err := url.Parse(exampleURL + "#session_container=" + uniqueName("sess") + "&inprogress_container=" + uniqueName("inpr"))
	require.NoError(t, err)
	var cfg uploader.Config
	require.NoError(t, cfg.SetFromURL(u))
	cfg.Getenv = envFunc(env)
	return cfg
}

func roundTrip(t *testing.T, h *uploader.Handler) {
	ctx := context.Background()
	s := newSessionID()
	up, err := h.CreateUpload(ctx, s)
	require.NoError(t, err)
	p, err := h.UploadPart(ctx, *up, 1, bytes.NewReader([]byte("hello from the environment")))
	require.NoError(t, err)
	require.NoError(t, h.CompleteUpload(ctx, *up, []uploader.StreamPart{*p}))
	var w memWriterAt
	require.NoError(t, h.Download(ctx, s, &w))
	require.Equal(t, "hello from the environment", string(w.buf))
}

func TestCredentialsFromEnvironment(t *testing.T) {
	ctx := context.Background()
	for name, env := range map[string]map[string]string{
		"account key":                  {"AZURE_STORAGE_KEY": emu.AccountKey},
		"account key and name":         {"AZURE_STORAGE_KEY": emu.AccountKey, "AZURE_STORAGE_ACCOUNT": emu.AccountName},
		"connection string":            {"AZURE_STORAGE_CONNECTION_STRING": emu.ConnectionString()},
		"connection string wins":       {"AZURE_STORAGE_CONNECTION_STRING": emu.ConnectionString(), "AZURE_STORAGE_KEY": "bm90IHVzZWQ="},
		"development storage shortcut": {"AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := uploader.NewHandler(ctx, configFor(t, env))
			require.NoError(t, err)
			roundTrip(t, h)
		})
	}
}

func TestCredentialErrors(t *testing.T) {
	const sig = "c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ%3D%3D"
	otherKey := strings.Repeat("QUJD", 22) // valid base64, not the emulator's
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"sas connection string", map[string]string{"AZURE_STORAGE_CONNECTION_STRING": "BlobEndpoint=" + emu.Endpoint + ";SharedAccessSignature=sv=2022-11-02&sr=c&sp=rwdl&sig=" + sig},
			"carries a SAS token"},
		{"other account", map[string]string{"AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountName=otheracct;AccountKey=" + otherKey},
			`for account "otheracct" but the session storage URL names account "devstoreaccount1"`},
		{"account mismatch", map[string]string{"AZURE_STORAGE_KEY": otherKey, "AZURE_STORAGE_ACCOUNT": "someoneelse"},
			`AZURE_STORAGE_ACCOUNT is "someoneelse"`},
		{"bad key", map[string]string{"AZURE_STORAGE_KEY": "not base64 at all!!" + otherKey}, "AZURE_STORAGE_KEY"},
		{"bad connection string", map[string]string{"AZURE_STORAGE_CONNECTION_STRING": "AccountName=x;AccountKey=" + otherKey + ";Bogus=1"}, "AZURE_STORAGE_CONNECTION_STRING"},
		{"entra over http", map[string]string{}, "plain http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := configFor(t, tt.env)
			client, count := emulatortest.NewCountingClient(nil)
			cfg.HTTPClient = client
			_, err := uploader.NewHandler(context.Background(), cfg)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			for _, secret := range []string{sig, otherKey, emu.AccountKey, "sig="} {
				require.NotContains(t, err.Error(), secret)
			}
			require.Zero(t, count.Count(), "refused before any request")
		})
	}
}

func TestWrongKeyFailsNewHandler(t *testing.T) {
	cfg := configFor(t, map[string]string{"AZURE_STORAGE_KEY": strings.Repeat("QUJD", 22)})
	_, err := uploader.NewHandler(context.Background(), cfg)
	require.Error(t, err, "an authentication failure is not a missing permission")
	require.Contains(t, err.Error(), "check container")
	require.NotContains(t, err.Error(), strings.Repeat("QUJD", 22))
}

func TestPrintingHoldsNoSecrets(t *testing.T) {
	e := newEnv(t, nil, nil)
	cfg := configFor(t, map[string]string{"AZURE_STORAGE_KEY": emu.AccountKey})
	cfg.Authorizer = devCredential(t)
	for _, v := range []any{e.h, e.cfg, cfg, &cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, emu.AccountKey, verb)
			require.NotContains(t, out, emu.AccountKey[:20], verb)
		}
	}
}
