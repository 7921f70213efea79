// Package restapi is a small client for the Azure Blob Storage REST
// operations azblobmin needs, and the HTTP pipeline under them.
//
// What it does:
//
//   - Builds every request itself: container, block blob (Put Blob, Put
//     Block, Put Block From URL, Put Block List, Get Block List), List
//     Blobs (one page or an iterator over all), Get Blob (streamed, ranged,
//     resumed on a broken connection), Get Blob Properties, Delete Blob,
//     Get User Delegation Key and Blob Batch delete.
//   - Runs each try through one pipeline: x-ms-version, a fresh x-ms-date,
//     one x-ms-client-request-id per operation, User-Agent, then the
//     Authorizer (SharedKey, bearer token, ...) last, so the signature covers
//     the final request. Retries transport failures and 408/429/500/502/
//     503/504 with full-jitter exponential backoff, honouring Retry-After and
//     x-ms-retry-after-ms; rewinds request bodies; stops at once when the
//     context ends.
//   - Never follows redirects and never sends a request anywhere but the
//     configured endpoint; refuses bearer tokens over plain http.
//   - Maps every non-2xx answer to *ResponseError (errors.Is with
//     ErrNotFound, ErrAlreadyExists, ErrConditionNotMet,
//     ErrAuthenticationFailed), with SAS signatures and request MACs removed.
//   - Bounds everything it reads (error bodies 64 KiB, listings and block
//     lists 32 MiB, batch answers 16 MiB) and treats malformed XML as an
//     error naming the operation.
//   - Computes Azure's CRC-64 (NewCRC64, EncodeCRC64).
//
// What it is not: it signs nothing itself (sharedkey and aadtoken provide
// Authorizers), has no multipart-upload logic, parallelism or buffering
// (that is the uploader), keeps no global state, and covers only the
// operations above, for block blobs.
//
// Azurite differences found while testing (3.37.0), also noted where they
// matter in the code:
//   - A wrong SharedKey signature is answered 403 AuthorizationFailure
//     without an AuthenticationErrorDetail; Azure answers 403
//     AuthenticationFailed with the server's string-to-sign in
//     AuthenticationErrorDetail. ErrAuthenticationFailed matches both.
//   - Get User Delegation Key needs a bearer token over HTTPS in both.
//   - Put Block From URL: Azurite only reads sources on the same Azurite
//     instance and ignores x-ms-copy-source-authorization (the SAS in the
//     source URL is what it checks).
//   - Put Blob: Azurite verifies x-ms-content-crc64 but does not echo it
//     in the answer (it does for Put Block and Put Block From URL), so
//     BlobWriteResult.ContentCRC64 may be nil.
//   - List Blobs: neither sends Content-CRC64 in listings for our version;
//     the ETag in a listing is bare (no quotes) in both; BlobItem.ETag is
//     quoted here so it compares equal to the ETag header.
package restapi
