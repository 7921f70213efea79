package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/azblobmin/azblobmin/restapi"
)

// maxRecordingRead bounds what RESTStore.Read loads into memory.
const maxRecordingRead = 1 << 30

// NewRESTStore returns a Store that reads through c. Give it a client that
// talks to the store directly, not through a fault-injecting proxy, so the
// suite's checks are not themselves subject to the faults.
func NewRESTStore(c *restapi.Client) Store { return restStore{c} }

type restStore struct{ c *restapi.Client }

func (s restStore) List(ctx context.Context, container, prefix string) ([]string, error) {
	var names []string
	for b, err := range s.c.ListAllBlobs(ctx, container, &restapi.ListBlobsOptions{Prefix: prefix}) {
		if err != nil {
			return nil, fmt.Errorf("conformance: listing %s/%s*: %w", container, prefix, err)
		}
		names = append(names, b.Name)
	}
	return names, nil
}

func (s restStore) Read(ctx context.Context, container, blob string) ([]byte, bool, error) {
	res, err := s.c.GetBlob(ctx, container, blob, nil)
	if errors.Is(err, restapi.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("conformance: reading %s/%s: %w", container, blob, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxRecordingRead+1))
	if err != nil {
		return nil, true, fmt.Errorf("conformance: reading %s/%s: %w", container, blob, err)
	}
	if len(data) > maxRecordingRead {
		return nil, true, fmt.Errorf("conformance: %s/%s is larger than the %d bytes the suite reads", container, blob, maxRecordingRead)
	}
	return data, true, nil
}
