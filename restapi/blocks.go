package restapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PutBlockOptions are the options of Put Block.
type PutBlockOptions struct {
	ContentCRC64 []byte // 8 bytes, sent as x-ms-content-crc64; the service verifies the block against it
}

// PutBlockResult is what Put Block and Put Block From URL return.
type PutBlockResult struct {
	ContentCRC64 []byte
	RequestID    string
}

// PutBlockFromURLOptions are the options of Put Block From URL.
type PutBlockFromURLOptions struct {
	SourceRange             *HTTPRange
	SourceContentCRC64      []byte // x-ms-source-content-crc64: the service verifies the bytes it read against it
	SourceConditions        SourceConditions
	CopySourceAuthorization string // x-ms-copy-source-authorization, e.g. "Bearer ..."
}

// SourceConditions are x-ms-source-if-* for Put Block From URL.
type SourceConditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

// Block list entry kinds for Put Block List.
const (
	BlockLatest      = "Latest"
	BlockCommitted   = "Committed"
	BlockUncommitted = "Uncommitted"
)

// BlockRef names one block of a Put Block List.
type BlockRef struct {
	ID   string // base64 block id, as sent
	Kind string // BlockLatest (default when ""), BlockCommitted, BlockUncommitted
}

// PutBlockListOptions are the options of Put Block List.
type PutBlockListOptions struct {
	Conditions   Conditions
	ContentType  string // sent as x-ms-blob-content-type
	Metadata     map[string]string
	Immutability Immutability
}

// Block is one entry of a Get Block List answer.
type Block struct {
	ID   string
	Size int64
}

// BlockList is what Get Block List returns.
type BlockList struct {
	Committed   []Block
	Uncommitted []Block
	ETag        string // empty when the blob has no committed blocks yet
}

// GetBlockListOptions are the options of Get Block List.
type GetBlockListOptions struct{ ListType string } // "committed" | "uncommitted" | "all" (default)

// maxBlocks is the most blocks a block blob can commit.
const maxBlocks = 50000

// validateBlockID checks the block id rules Azure applies: a base64 string
// whose decoded form is at most 64 bytes. (All ids of one blob must also
// have the same length; the service checks that.)
func validateBlockID(id string) error {
	if id == "" {
		return fmt.Errorf("restapi: block id is empty; use base64 of up to 64 bytes, the same length for every block of a blob")
	}
	b, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return fmt.Errorf("restapi: block id %q is not standard base64", id)
	}
	if len(b) > 64 {
		return fmt.Errorf("restapi: block id %q decodes to %d bytes; the limit is 64", id, len(b))
	}
	return nil
}

// PutBlock stages one block of a block blob. The body is measured with
// Seek and rewound for every try, as in PutBlob.
func (c *Client) PutBlock(ctx context.Context, container, blob, blockID string, body io.ReadSeeker, opts *PutBlockOptions) (*PutBlockResult, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	if err := validateBlockID(blockID); err != nil {
		return nil, err
	}
	o := orZero(opts)
	h := http.Header{}
	if err := setContentCRC64(h, "PutBlockOptions.ContentCRC64", o.ContentCRC64); err != nil {
		return nil, err
	}
	if body == nil {
		body = emptyBody{}
	}
	resp, err := c.do(ctx, &call{
		op: opPutBlock, method: http.MethodPut, container: container, blob: blob,
		query:  url.Values{"comp": {"block"}, "blockid": {blockID}},
		header: h, body: body,
	})
	if err != nil {
		return nil, err
	}
	return blockResult(resp), nil
}

// PutBlockFromURL stages a block whose bytes the service reads from
// sourceURL (server-side; no data passes through this client). sourceURL is
// the full source blob URL including any SAS; it travels only in the
// x-ms-copy-source header and is never logged or put in an error unredacted.
func (c *Client) PutBlockFromURL(ctx context.Context, container, blob, blockID, sourceURL string, opts *PutBlockFromURLOptions) (*PutBlockResult, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	if err := validateBlockID(blockID); err != nil {
		return nil, err
	}
	su, err := url.Parse(sourceURL)
	if err != nil || (su.Scheme != "https" && su.Scheme != "http") || su.Host == "" {
		return nil, fmt.Errorf("restapi: %s: source URL %q is not an absolute http(s) URL", opPutBlockFromURL, RedactURL(sourceURL))
	}
	if err := checkHeaderValue("source URL", sourceURL); err != nil {
		return nil, err
	}
	o := orZero(opts)
	h := http.Header{}
	h.Set(hdrCopySource, sourceURL)
	if o.SourceRange != nil {
		v, err := o.SourceRange.header()
		if err != nil {
			return nil, err
		}
		if v != "" {
			h.Set(hdrSourceRange, v)
		}
	}
	if o.SourceContentCRC64 != nil {
		v, err := crc64Header("PutBlockFromURLOptions.SourceContentCRC64", o.SourceContentCRC64)
		if err != nil {
			return nil, err
		}
		h.Set(hdrSourceContentCRC64, v)
	}
	if err := setSourceConditions(h, o.SourceConditions); err != nil {
		return nil, err
	}
	if o.CopySourceAuthorization != "" {
		if err := checkHeaderValue("CopySourceAuthorization", o.CopySourceAuthorization); err != nil {
			return nil, err
		}
		h.Set(hdrCopySourceAuthorization, o.CopySourceAuthorization)
	}
	resp, err := c.do(ctx, &call{
		op: opPutBlockFromURL, method: http.MethodPut, container: container, blob: blob,
		query:  url.Values{"comp": {"block"}, "blockid": {blockID}},
		header: h,
		body:   emptyBody{}, // Content-Length: 0 is required
	})
	if err != nil {
		return nil, err
	}
	return blockResult(resp), nil
}

func blockResult(resp *http.Response) *PutBlockResult {
	return &PutBlockResult{
		ContentCRC64: parseCRC64Header(resp.Header.Get(hdrContentCRC64)),
		RequestID:    resp.Header.Get(hdrRequestID),
	}
}

// blockListXML renders the Put Block List body.
func blockListXML(blocks []BlockRef) ([]byte, error) {
	if len(blocks) > maxBlocks {
		return nil, fmt.Errorf("restapi: %s: %d blocks; a blob holds at most %d", opPutBlockList, len(blocks), maxBlocks)
	}
	var b bytes.Buffer
	b.Grow(64 + len(blocks)*48)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><BlockList>`)
	for i, br := range blocks {
		if err := validateBlockID(br.ID); err != nil {
			return nil, fmt.Errorf("%w (block %d of the list)", err, i)
		}
		kind := br.Kind
		switch kind {
		case "":
			kind = BlockLatest
		case BlockLatest, BlockCommitted, BlockUncommitted:
		default:
			return nil, fmt.Errorf("restapi: %s: block %d has kind %q; use BlockLatest, BlockCommitted or BlockUncommitted", opPutBlockList, i, br.Kind)
		}
		b.WriteString("<" + kind + ">")
		if err := xml.EscapeText(&b, []byte(br.ID)); err != nil {
			return nil, err
		}
		b.WriteString("</" + kind + ">")
	}
	b.WriteString("</BlockList>")
	return b.Bytes(), nil
}

// PutBlockList commits the listed blocks, in order, as the blob's content.
// With Conditions.IfNoneMatch "*", an existing blob gives an error matching
// ErrAlreadyExists.
func (c *Client) PutBlockList(ctx context.Context, container, blob string, blocks []BlockRef, opts *PutBlockListOptions) (*BlobWriteResult, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	o := orZero(opts)
	body, err := blockListXML(blocks)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(hdrContentType, "application/xml")
	if err := setBlobHeaders(h, o.ContentType, o.Conditions, o.Metadata); err != nil {
		return nil, err
	}
	if err := setImmutability(h, o.Immutability); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, &call{
		op: opPutBlockList, method: http.MethodPut, container: container, blob: blob,
		query:  url.Values{"comp": {"blocklist"}},
		header: h, body: bytes.NewReader(body),
	})
	if err != nil {
		return nil, err
	}
	return writeResult(resp), nil
}

// blockListResponseXML is the Get Block List answer.
type blockListResponseXML struct {
	XMLName     xml.Name       `xml:"BlockList"`
	Committed   []blockItemXML `xml:"CommittedBlocks>Block"`
	Uncommitted []blockItemXML `xml:"UncommittedBlocks>Block"`
}

type blockItemXML struct {
	Name string `xml:"Name"`
	Size string `xml:"Size"`
}

// parseBlockList decodes a Get Block List body.
func parseBlockList(body []byte) (*BlockList, error) {
	var x blockListResponseXML
	if err := decodeXML(opGetBlockList, body, &x); err != nil {
		return nil, err
	}
	out := &BlockList{}
	conv := func(in []blockItemXML) ([]Block, error) {
		if len(in) == 0 {
			return nil, nil
		}
		bl := make([]Block, 0, len(in))
		for _, b := range in {
			n, err := strconv.ParseInt(strings.TrimSpace(b.Size), 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("restapi: %s: block %q has an invalid size %q", opGetBlockList, b.Name, b.Size)
			}
			bl = append(bl, Block{ID: strings.TrimSpace(b.Name), Size: n})
		}
		return bl, nil
	}
	var err error
	if out.Committed, err = conv(x.Committed); err != nil {
		return nil, err
	}
	if out.Uncommitted, err = conv(x.Uncommitted); err != nil {
		return nil, err
	}
	return out, nil
}

// GetBlockList returns the blob's committed and/or uncommitted blocks.
func (c *Client) GetBlockList(ctx context.Context, container, blob string, opts *GetBlockListOptions) (*BlockList, error) {
	if err := validateContainerAndBlob(container, blob); err != nil {
		return nil, err
	}
	lt := "all"
	if opts != nil && opts.ListType != "" {
		lt = strings.ToLower(opts.ListType)
		if lt != "all" && lt != "committed" && lt != "uncommitted" {
			return nil, fmt.Errorf("restapi: %s: ListType %q is not \"committed\", \"uncommitted\" or \"all\"", opGetBlockList, opts.ListType)
		}
	}
	var out *BlockList
	cl := &call{
		op: opGetBlockList, method: http.MethodGet, container: container, blob: blob,
		query: url.Values{"comp": {"blocklist"}, "blocklisttype": {lt}},
	}
	cl.handle = func(resp *http.Response) error {
		body, err := readBody(cl, resp, blockListBodyLimit)
		if err != nil {
			return err
		}
		bl, err := parseBlockList(body)
		if err != nil {
			return err
		}
		bl.ETag = resp.Header.Get(hdrETag)
		out = bl
		return nil
	}
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return out, nil
}
