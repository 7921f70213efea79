// Command demo is `make demo`: it shows the whole life of a session
// recording on a local Azurite, using only the azblobmin CLI.
//
// It installs the pinned Azurite when missing (npm ci in emulatortest),
// starts it on a free loopback port with in-memory storage, builds the CLI,
// generates a realistic recording (64 MiB of session-recording events by
// default), uploads it as a multipart upload with progress, lists the
// upload while it is in progress, completes it, downloads it, verifies the
// SHA-256 and prints a summary with the time and throughput of each phase.
// Azurite is stopped on every exit path, including a failed step and
// Ctrl-C. The account key reaches the CLI through its environment only.
//
//	go run ./cmd/demo [-size 64MiB] [-part-size 5MiB] [-concurrency 4] [-keep]
//
// What it is NOT: a benchmark (Azurite's in-memory store is not Azure; see
// `make bench`) or a test fixture; the demo test runs it with a small size.
package main
