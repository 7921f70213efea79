package restapi

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ListBlobsOptions are the options of List Blobs (flat listing).
type ListBlobsOptions struct {
	Prefix          string
	Marker          string
	MaxResults      int // 0 → the service default (5,000); more than 5,000 is capped by the service
	IncludeMetadata bool
	// MaxPages bounds how many pages ListAllBlobs reads before giving up
	// (a defence against a server whose NextMarker never ends); 0 → 1,000,000.
	MaxPages int
}

// BlobItem is one blob of a listing.
type BlobItem struct {
	Name         string
	Size         int64
	ETag         string // quoted, like the ETag header (the listing sends it bare)
	LastModified time.Time
	CreationTime time.Time
	ContentCRC64 []byte
	Metadata     map[string]string // names lower-cased, as from GetBlobProperties
}

// ListBlobsPage is one page of a listing.
type ListBlobsPage struct {
	Blobs      []BlobItem
	NextMarker string // "" on the last page
}

const (
	defaultMaxPages      = 1_000_000
	maxRememberedMarkers = 10_000
)

// listBlobsXML is the EnumerationResults body of List Blobs.
type listBlobsXML struct {
	XMLName    xml.Name      `xml:"EnumerationResults"`
	Blobs      []listBlobXML `xml:"Blobs>Blob"`
	NextMarker string        `xml:"NextMarker"`
}

type listBlobXML struct {
	Name       listNameXML  `xml:"Name"`
	Properties listPropsXML `xml:"Properties"`
	Metadata   listMetaXML  `xml:"Metadata"`
}

// listNameXML is a blob name; with Encoded="true" the service has
// percent-encoded it because it holds characters XML 1.0 cannot carry.
type listNameXML struct {
	Encoded bool   `xml:"Encoded,attr"`
	Value   string `xml:",chardata"`
}

type listPropsXML struct {
	CreationTime  string `xml:"Creation-Time"`
	LastModified  string `xml:"Last-Modified"`
	Etag          string `xml:"Etag"`
	ContentLength string `xml:"Content-Length"`
	ContentCRC64  string `xml:"Content-CRC64"`
}

// listMetaXML collects <Metadata><name>value</name>...</Metadata>.
type listMetaXML map[string]string

const maxMetadataEntries = 1024

func (m *listMetaXML) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	out := listMetaXML{}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			if len(out) >= maxMetadataEntries {
				return fmt.Errorf("more than %d metadata entries", maxMetadataEntries)
			}
			// Azure reports names it cannot represent as x-ms-invalid-name.
			out[strings.ToLower(t.Name.Local)] = v
		case xml.EndElement:
			*m = out
			return nil
		}
	}
}

// parseListBlobs decodes a List Blobs body.
func parseListBlobs(body []byte) (*ListBlobsPage, error) {
	var x listBlobsXML
	if err := decodeXML(opListBlobs, body, &x); err != nil {
		return nil, err
	}
	page := &ListBlobsPage{NextMarker: strings.TrimSpace(x.NextMarker), Blobs: make([]BlobItem, 0, len(x.Blobs))}
	for i, b := range x.Blobs {
		name := b.Name.Value
		if b.Name.Encoded {
			dec, err := url.PathUnescape(name)
			if err != nil {
				return nil, fmt.Errorf("restapi: %s: blob %d has an Encoded name that is not valid percent-encoding", opListBlobs, i)
			}
			name = dec
		}
		if name == "" {
			return nil, fmt.Errorf("restapi: %s: blob %d of the page has no name", opListBlobs, i)
		}
		item := BlobItem{
			Name:         name,
			ETag:         quoteETag(strings.TrimSpace(b.Properties.Etag)),
			LastModified: parseHTTPTime(strings.TrimSpace(b.Properties.LastModified)),
			CreationTime: parseHTTPTime(strings.TrimSpace(b.Properties.CreationTime)),
		}
		if v := strings.TrimSpace(b.Properties.ContentLength); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("restapi: %s: blob %q has an invalid Content-Length %q", opListBlobs, name, truncate(v, 40))
			}
			item.Size = n
		}
		if v := strings.TrimSpace(b.Properties.ContentCRC64); v != "" {
			if crc, err := base64.StdEncoding.DecodeString(v); err == nil && len(crc) == 8 {
				item.ContentCRC64 = crc
			}
		}
		if len(b.Metadata) > 0 {
			item.Metadata = map[string]string(b.Metadata)
		}
		page.Blobs = append(page.Blobs, item)
	}
	return page, nil
}

// quoteETag makes a listing's bare ETag comparable with (and usable as)
// the quoted ETag header value.
func quoteETag(e string) string {
	if e == "" || strings.HasPrefix(e, `"`) || strings.HasPrefix(e, `W/"`) {
		return e
	}
	return `"` + e + `"`
}

// ListBlobs returns one page of the container's blobs, flat, in name order.
func (c *Client) ListBlobs(ctx context.Context, container string, opts *ListBlobsOptions) (*ListBlobsPage, error) {
	if err := validateContainerName(container); err != nil {
		return nil, err
	}
	o := orZero(opts)
	if o.MaxResults < 0 {
		return nil, fmt.Errorf("restapi: %s: MaxResults %d is negative", opListBlobs, o.MaxResults)
	}
	q := url.Values{"restype": {"container"}, "comp": {"list"}}
	if o.Prefix != "" {
		q.Set("prefix", o.Prefix)
	}
	if o.Marker != "" {
		q.Set("marker", o.Marker)
	}
	if o.MaxResults > 0 {
		q.Set("maxresults", strconv.Itoa(o.MaxResults))
	}
	if o.IncludeMetadata {
		q.Set("include", "metadata")
	}
	var page *ListBlobsPage
	cl := &call{op: opListBlobs, method: http.MethodGet, container: container, query: q}
	cl.handle = func(resp *http.Response) error {
		body, err := readBody(cl, resp, listBodyLimit)
		if err != nil {
			return err
		}
		page, err = parseListBlobs(body)
		return err
	}
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return page, nil
}

// ListAllBlobs walks every page; iteration stops at the first error, which
// is yielded. A NextMarker that repeats an earlier one, or more than
// MaxPages pages, is an error rather than an endless loop.
func (c *Client) ListAllBlobs(ctx context.Context, container string, opts *ListBlobsOptions) iter.Seq2[BlobItem, error] {
	return func(yield func(BlobItem, error) bool) {
		o := orZero(opts)
		maxPages := o.MaxPages
		if maxPages <= 0 {
			maxPages = defaultMaxPages
		}
		seen := map[string]bool{}
		if o.Marker != "" {
			seen[o.Marker] = true
		}
		for pages := 1; ; pages++ {
			page, err := c.ListBlobs(ctx, container, &o)
			if err != nil {
				yield(BlobItem{}, err)
				return
			}
			for _, b := range page.Blobs {
				if !yield(b, nil) {
					return
				}
			}
			if page.NextMarker == "" {
				return
			}
			if seen[page.NextMarker] {
				yield(BlobItem{}, fmt.Errorf("restapi: %s of container %q: the server returned marker %q a second time after %d pages; stopping instead of looping forever", opListBlobs, container, truncate(page.NextMarker, 64), pages))
				return
			}
			if pages >= maxPages {
				yield(BlobItem{}, fmt.Errorf("restapi: %s of container %q: still not finished after %d pages; stopping (raise ListBlobsOptions.MaxPages if the container is really this large)", opListBlobs, container, pages))
				return
			}
			if len(seen) >= maxRememberedMarkers {
				// Longer cycles are caught by MaxPages; this keeps memory bounded.
				clear(seen)
			}
			seen[page.NextMarker] = true
			o.Marker = page.NextMarker
		}
	}
}
