// Command azblobmin uploads, inspects, completes and downloads session
// recordings stored in Azure Blob Storage through the uploader package, and
// diagnoses credentials and request signing.
//
//	azblobmin upload   -url URL [-session-id UUID] [-part-size 5MiB] [-concurrency N] FILE|-
//	azblobmin download -url URL -session-id UUID OUT|-
//	azblobmin uploads  -url URL
//	azblobmin parts    -url URL -session-id UUID -upload-id UUID
//	azblobmin complete -url URL -session-id UUID -upload-id UUID
//	azblobmin abort    -url URL -session-id UUID -upload-id UUID
//	azblobmin gc       -url URL -older-than 24h [-abort] [-apply]
//	azblobmin token    [-client-id UUID] [-show-token]
//	azblobmin explain  [-probe] [-method M] [-url URL] [-header 'k: v']...
//	azblobmin version
//
// Every command prints a usage text with an example for -h, exits 0 on
// success, 1 on failure and 2 on a usage error, writes human-readable
// output by default and one JSON document with -json.
//
// Secrets are read only from the environment (AZURE_STORAGE_KEY,
// AZURE_STORAGE_CONNECTION_STRING, the Entra variables) or from files
// (-account-key-file, -connection-string-file); a flag that would carry a
// secret is refused, because command lines are visible to other users.
//
// What it is NOT: a general-purpose blob tool (it speaks the session
// recording layout of RFD 0140, plus raw signing diagnostics), and not a
// library: import the uploader package instead.
package main
