// Package sharedkey signs Azure Blob Storage requests with a storage account
// key and builds shared access signatures (SAS), using only the Go standard
// library.
//
// It provides:
//
//   - [Credential]: an account name and key. [Credential.Authorize] adds the
//     x-ms-date (when the request has no date) and the
//     "Authorization: SharedKey <account>:<signature>" headers to an
//     *http.Request. It satisfies restapi.Authorizer structurally.
//   - [StringToSign]: the exact text the signature covers, exported so that a
//     reviewer or a diagnostic can print it and compare it with the
//     AuthenticationErrorDetail the service returns on a 403.
//   - [BlobSASValues]: a service SAS for one blob or one container, signed
//     with the account key ([BlobSASValues.SignWithSharedKey]) or with a user
//     delegation key ([BlobSASValues.SignWithUserDelegationKey]).
//   - [ParseConnectionString]: Azure storage connection strings, including
//     UseDevelopmentStorage=true for the Azurite emulator.
//
// Every function is pure apart from reading the clock when Authorize has to
// add a date: the same request and date always give the same bytes. SIGNING.md
// at the repository root describes each string-to-sign field by field with
// worked examples that the tests keep in sync.
//
// What this package is NOT: it sends no requests, retries nothing, knows no
// operation (Put Blob, List Blobs, ...), and does not handle bearer tokens
// (see aadtoken) or Shared Key Lite, the Table service, or account SAS.
//
// Secrets: the account key, user delegation key values, connection strings'
// keys and SAS tokens never appear in errors or in String, GoString or any
// fmt verb of the types here. A returned SAS query string does contain a
// signature: treat it as a secret.
//
// FIPS 140-3: signing uses crypto/hmac with crypto/sha256 and keys of at
// least 16 bytes, so it works under GODEBUG=fips140=only.
package sharedkey
