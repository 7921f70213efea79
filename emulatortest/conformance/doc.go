// Package conformance is a reusable test suite for session-recording
// multipart handlers: anything with the method set of uploader.Handler
// (CreateUpload, ReserveUploadPart, UploadPart, ListParts, ListUploads,
// CompleteUpload, Upload, Download, GetUploadMetadata, AbortUpload) that
// stores recordings in Azure Blob Storage with the RFD 0140 layout
// (upload/<session>/<upload> markers and part/<session>/<upload>/<n> parts
// in the in-progress container, the recording <session> in the session
// container).
//
// A test describes how to build a fresh handler around a given
// *http.Client and how to look at the store directly in an Env, then calls
// Run. Run drives the handler through the scenarios of Scenarios: 200 parts
// from 64 workers in random order; parts whose first attempt fails before
// reaching the store; a replaced part; completions cancelled after k of n
// blocks were staged, right after the block list was committed, and
// halfway through cleanup, each resumed by a fresh handler from
// ListUploads and ListParts; answers lost after the store acted (the
// marker's Put Blob, the Put Block List, and the first answer of every
// request of a recording's life); double completion and two handlers
// completing at once; a second upload of a recorded session; empty and
// aborted uploads; ListUploads order; a missing recording; a single-shot
// Upload of more than ten blocks, downloaded into a file; the recording
// URL; and bad session ids, upload ids and part numbers, which must be
// refused before any request. Every scenario checks the recording's bytes
// as stored (through Store, not the handler) and through Download, and
// that no blob of a completed upload is left in the in-progress container.
//
// The heavier runs of the faults-and-crashes issue use the same parts:
// RunMixed (many recordings of mixed sizes, meant to run through a
// fault-injecting proxy), RunConcurrent (hundreds of recordings through one
// handler, counting throughput and open connections), RunCrashes
// (completions SIGKILLed in a re-executed child process at every step
// boundary, and two processes completing one upload at once; TestMain must
// call ChildMain) and Lifecycle (one recording, for tests that inject one
// fault at a chosen request).
//
// The suite sees the wire through a Recorder, an http.RoundTripper it
// wraps around the Env's transport, which classifies Blob REST operations
// (Classify), counts tries and retries, and runs Hooks that can fail a
// request before it leaves, cancel or freeze at a step boundary, or lose
// an answer after the store acted.
//
// What it is NOT: it is not a mock of Blob Storage (it needs a real store,
// usually Azurite from package emulatortest), it does not start the store
// or build the handler itself, its timings are not benchmarks (it asserts
// no durations), and it must only be imported by tests.
package conformance
