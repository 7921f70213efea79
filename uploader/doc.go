// Package uploader stores session recordings in Azure Blob Storage the way
// Teleport's azblob:// session storage does (RFD 0140), on top of this
// module's own REST client (restapi) and credentials (sharedkey, aadtoken),
// with no Azure SDK.
//
// A Handler has the method set of Teleport's events.MultipartHandler
// (CreateUpload, ReserveUploadPart, UploadPart, ListParts, ListUploads,
// CompleteUpload, Upload, Download, GetUploadMetadata) plus AbortUpload,
// GarbageCollect and the companion objects of Teleport's newer handler
// interface (summaries, metadata, thumbnail, replay objects), so an adapter
// in Teleport is a few lines.
//
// # Storage layout
//
// Two containers, "inprogress" and "session" unless configured otherwise:
//
//	inprogress/upload/<session>/<upload>       empty marker, one per upload (If-None-Match: *)
//	inprogress/part/<session>/<upload>/<n>     one blob per part, n = 1…50000, decimal
//	session/<session>                          the recording (metadata upload_id=<upload>)
//	session/<session>/summary.json             final summary, written once
//	session/<session>/summary.pending.json     pending summary, may be overwritten
//	session/<session>/metadata                 session metadata, written once
//	session/<session>/thumbnail                thumbnail, written once
//	session/<session>/replay/<name>            replay objects, written once;
//	                                           name is manifest, index.N, blob.N or commands.N
//
// A session id is always a canonical lowercase UUID, so a recording's name
// never contains "/" and a companion name always does: the two can never
// collide.
//
// # Completion
//
// CompleteUpload composes the recording inside the service: each part blob
// becomes one block through Put Block From URL, authorized by a read-only SAS
// for that part alone (an account-key SAS under SharedKey, a user-delegation
// SAS under Entra tokens), then Put Block List commits the blocks with
// If-None-Match: * and the metadata upload_id. No recording byte passes
// through this process. Block ids are derived from the upload id and part
// number, so a repeated completion skips blocks already staged with the
// right size (a part must therefore not be replaced once its upload is
// being completed). Completing again, after a crash at any step, or from two
// handlers at once yields one recording and nil; a recording written by a
// different upload is never touched (ErrAlreadyExists). Cleanup deletes the
// parts first and the marker last, so an interrupted cleanup leaves the
// upload listed and the next completion or GarbageCollect finishes it.
//
// # Credentials
//
// Config.Authorizer when set; otherwise AZURE_STORAGE_CONNECTION_STRING
// (account key form; its account must be the URL's) or AZURE_STORAGE_KEY
// for the URL's account give SharedKey, and anything else goes to the Entra
// chain of aadtoken (azure_client_id picks a user-assigned managed
// identity). Entra tokens are never sent over plain http.
//
// # Single-shot writes and companion objects
//
// Upload and every Upload* companion method read an io.Reader of unknown
// length: up to one block is sent with a single Put Blob, anything longer
// is staged in blocks of Config.BlockSize, Config.UploadConcurrency at a
// time, with at most UploadConcurrency+1 block buffers in memory. Each
// write carries a fresh id in its metadata (upload_id), so that a
// create-only write whose answer was lost and which was retried recognises
// its own success instead of reporting ErrAlreadyExists.
//
// # Immutability
//
// Config.Immutability sets a version-level retention policy and/or legal
// hold on each recording as it is committed (Put Block List / Put Blob
// headers). Azure accepts those headers only on a container with
// version-level immutability support enabled (which needs blob versioning
// on the account); Azurite ignores them. A container-level time-based
// retention policy on the session container needs nothing from this
// package, but it also forbids overwriting or deleting the pending summary,
// so use version-level policies if pending summaries are written.
//
// # What it is not
//
// It is not a general blob client (use restapi), it does not delete
// recordings (retention belongs to lifecycle policies), it does not read
// secrets from URLs, and it keeps no state beyond a cached user-delegation
// key: everything it knows about uploads is in the containers.
package uploader
