package jobs

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
)

// Target is where a job sends its requests: Azurite or the sink.
type Target struct {
	// Name is "azurite" or "sink".
	Name string
	// Endpoint is the path-style account endpoint (http://127.0.0.1:PORT/devstoreaccount1).
	Endpoint string
	// Account and Key are the shared key credential (the sink ignores it,
	// but every client still signs: signing is part of the client's cost).
	Account, Key string
}

// IsSink reports whether t discards everything (and so cannot compose).
func (t Target) IsSink() bool { return t.Name == "sink" }

// floorClient is the floor's HTTP client: net/http's defaults, with enough
// idle connections per host that 4–64 workers keep theirs alive.
func floorClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr}
}

// newOurHandler builds an uploader.Handler on t with SharedKey, the given
// containers and settings, creating the containers (not part of any
// measured window).
func newOurHandler(t Target, session, inprogress string, set func(*uploader.Config)) (*uploader.Handler, error) {
	cred, err := sharedkey.NewCredential(t.Account, t.Key)
	if err != nil {
		return nil, err
	}
	cfg := uploader.Config{
		Endpoint:            t.Endpoint,
		SessionContainer:    session,
		InprogressContainer: inprogress,
		Authorizer:          cred,
	}
	if set != nil {
		set(&cfg)
	}
	return uploader.NewHandler(bg(), cfg)
}

// sdkOptions are the SDK client options every SDK variant uses: the SDK's
// defaults (its own HTTP client, retry and logging policies).
func sdkOptions() *container.ClientOptions {
	return &container.ClientOptions{}
}

// newSDKContainer returns an SDK container client on t with SharedKey and
// creates the container if it is missing.
func newSDKContainer(t Target, name string) (*container.Client, *container.SharedKeyCredential, error) {
	cred, err := container.NewSharedKeyCredential(t.Account, t.Key)
	if err != nil {
		return nil, nil, err
	}
	c, err := container.NewClientWithSharedKeyCredential(strings.TrimSuffix(t.Endpoint, "/")+"/"+name, cred, sdkOptions())
	if err != nil {
		return nil, nil, err
	}
	if _, err := c.Create(bg(), nil); err != nil && !isSDKAlreadyExists(err) {
		return nil, nil, fmt.Errorf("SDK: create container %s: %w", name, err)
	}
	return c, cred, nil
}
