package restapi

import (
	"context"
	"fmt"
	"net/http"
)

// DeleteBlobOptions are the options of Delete Blob.
type DeleteBlobOptions struct {
	Conditions Conditions
	// DeleteSnapshots: "" | "include" | "only"
	DeleteSnapshots string
}

// DeleteBlob deletes a blob. A missing blob gives an error matching
// ErrNotFound; callers cleaning up usually treat that as success.
func (c *Client) DeleteBlob(ctx context.Context, container, blob string, opts *DeleteBlobOptions) error {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return err
	}
	o := orZero(opts)
	h := http.Header{}
	switch o.DeleteSnapshots {
	case "":
	case "include", "only":
		h.Set(hdrDeleteSnapshots, o.DeleteSnapshots)
	default:
		return fmt.Errorf("restapi: %s: DeleteSnapshots %q is not \"\", \"include\" or \"only\"", opDeleteBlob, o.DeleteSnapshots)
	}
	if err := setConditions(h, o.Conditions); err != nil {
		return err
	}
	_, err := c.do(ctx, &call{
		op: opDeleteBlob, method: http.MethodDelete, container: container, blob: blob,
		header: h,
	})
	return err
}
