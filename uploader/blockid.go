package uploader

import (
	"encoding/base64"
	"fmt"
)

// blockIDRawLen is the length of every block id before base64: a 36-byte
// UUID, "-", and a five-digit zero-padded block number. Azure requires all
// block ids of one blob to have the same length, so every writer in this
// package (CompleteUpload, Upload, companion objects) uses this one shape.
const blockIDRawLen = 36 + 1 + 5

// blockID derives the block id for block n (1…MaxParts) of the write
// identified by id (an upload id, or a fresh UUID for single-shot writes).
// Being a pure function of (id, n) is what lets a repeated completion find
// the blocks an earlier attempt already staged.
func blockID(id string, n int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s-%05d", id, n)))
}
