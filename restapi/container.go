package restapi

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// CreateContainerOptions are the options of Create Container.
type CreateContainerOptions struct{ Metadata map[string]string }

// DeleteContainerOptions are the options of Delete Container. Azure
// accepts only IfModifiedSince / IfUnmodifiedSince here (If-Match and
// If-None-Match are a 400 for containers).
type DeleteContainerOptions struct{ Conditions Conditions }

// ContainerProperties is what Get Container Properties returns.
type ContainerProperties struct {
	ETag         string
	LastModified time.Time
	Metadata     map[string]string // names lower-cased
}

// CreateContainer creates a private container (no public access).
// An existing container gives an error matching ErrAlreadyExists.
func (c *Client) CreateContainer(ctx context.Context, container string, opts *CreateContainerOptions) error {
	if err := validateContainerName(container); err != nil {
		return err
	}
	o := orZero(opts)
	h := http.Header{}
	if err := setMetadata(h, o.Metadata); err != nil {
		return err
	}
	_, err := c.do(ctx, &call{
		op: opCreateContainer, method: http.MethodPut, container: container,
		query:  url.Values{"restype": {"container"}},
		header: h,
	})
	return err
}

// GetContainerProperties returns a container's ETag, Last-Modified and
// metadata. It uses GET rather than HEAD so that errors carry a body.
func (c *Client) GetContainerProperties(ctx context.Context, container string) (*ContainerProperties, error) {
	if err := validateContainerName(container); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, &call{
		op: opGetContainerProperties, method: http.MethodGet, container: container,
		query: url.Values{"restype": {"container"}},
	})
	if err != nil {
		return nil, err
	}
	return &ContainerProperties{
		ETag:         resp.Header.Get(hdrETag),
		LastModified: parseHTTPTime(resp.Header.Get(hdrLastModified)),
		Metadata:     metadataFromHeaders(resp.Header),
	}, nil
}

// DeleteContainer marks a container and its blobs for deletion. A missing
// container gives an error matching ErrNotFound.
func (c *Client) DeleteContainer(ctx context.Context, container string, opts *DeleteContainerOptions) error {
	if err := validateContainerName(container); err != nil {
		return err
	}
	o := orZero(opts)
	h := http.Header{}
	if err := setConditions(h, o.Conditions); err != nil {
		return err
	}
	_, err := c.do(ctx, &call{
		op: opDeleteContainer, method: http.MethodDelete, container: container,
		query:  url.Values{"restype": {"container"}},
		header: h,
	})
	return err
}
