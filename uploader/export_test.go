package uploader

// SetListPageSize makes h list n blobs per page, so tests can prove that
// every page of a listing is walked.
func SetListPageSize(h *Handler, n int) { h.listPageSize = n }

// SetMaxBlocks lowers the block limit of single-shot writes (MaxParts),
// so the limit can be tested without staging 50,000 blocks.
func SetMaxBlocks(h *Handler, n int64) { h.maxBlocks = n }
