package restapi

// Operation names, as they appear in errors and logs.
const (
	opCreateContainer        = "Create Container"
	opGetContainerProperties = "Get Container Properties"
	opDeleteContainer        = "Delete Container"
	opPutBlob                = "Put Blob"
	opPutBlock               = "Put Block"
	opPutBlockFromURL        = "Put Block From URL"
	opPutBlockList           = "Put Block List"
	opGetBlockList           = "Get Block List"
	opListBlobs              = "List Blobs"
	opGetBlob                = "Get Blob"
	opGetBlobProperties      = "Get Blob Properties"
	opDeleteBlob             = "Delete Blob"
	opGetUserDelegationKey   = "Get User Delegation Key"
	opBlobBatch              = "Blob Batch"
	opBatchDeleteBlob        = "Delete Blob (in Blob Batch)"
)
