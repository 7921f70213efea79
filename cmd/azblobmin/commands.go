package main

import (
	"context"
	"fmt"
)

// order of the commands in the overview.
var commandNames = []string{"upload", "download", "uploads", "parts", "complete", "abort", "gc", "token", "explain", "version", "help"}

func commandOrder(name string) int {
	for i, n := range commandNames {
		if n == name {
			return i
		}
	}
	return len(commandNames)
}

func commandList() []*command {
	return []*command{
		{
			name:    "upload",
			args:    "FILE|-",
			summary: "upload a recording as a multipart upload (parts in parallel, then complete)",
			detail: `Uploads FILE (or stdin with -) as the recording of a session: creates an
upload, sends the parts in parallel, and completes the upload by composing
the parts inside the service. Prints the session id, the upload id and the
recording's URL. Stdin is read into at most -concurrency+1 part buffers.

Progress (bytes, rate, ETA, parts) is drawn on stderr when it is a terminal.
Ctrl-C stops the in-flight requests and keeps the upload: the command prints
the -resume-upload-id command that uploads only the missing parts (parts
already stored are checked against the input and skipped). -no-complete
leaves the upload in progress for 'azblobmin complete'.`,
			examples: []string{
				"AZURE_STORAGE_KEY=... azblobmin upload -url azblob://myaccount.blob.core.windows.net rec.bin",
				"tar c logs | azblobmin upload -url azblob://myaccount.blob.core.windows.net -part-size 16MiB -",
				"azblobmin upload -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a -resume-upload-id 0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2 rec.bin",
			},
			run: cmdUpload,
		},
		{
			name:    "download",
			args:    "OUT|-",
			summary: "download a recording to a file or stdout",
			detail: `Downloads the recording of -session-id into OUT (parallel ranged reads into
a temporary file renamed into place when complete) or to stdout with -.`,
			examples: []string{
				"azblobmin download -url azblob://myaccount.blob.core.windows.net -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a rec.bin",
				"azblobmin download -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a - | sha256sum",
			},
			run: cmdDownload,
		},
		{
			name:     "uploads",
			summary:  "list uploads in progress with their age and part count",
			detail:   `Lists the uploads in progress (their markers in the in-progress container), oldest first.`,
			examples: []string{"azblobmin uploads -url azblob://myaccount.blob.core.windows.net", "azblobmin uploads -json | jq '.uploads[].upload_id'"},
			run:      cmdUploads,
		},
		{
			name:     "parts",
			summary:  "list the parts of one upload",
			detail:   `Lists the stored parts of one upload with their sizes, and any missing part numbers.`,
			examples: []string{"azblobmin parts -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a -upload-id 0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2"},
			run:      cmdParts,
		},
		{
			name:    "complete",
			summary: "complete one upload from its stored parts",
			detail: `Lists the upload's parts and completes it: the recording is composed from
the parts inside the service, then the parts are deleted. Refuses when part
numbers are missing unless -allow-gaps. Completing twice is harmless.`,
			examples: []string{"azblobmin complete -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a -upload-id 0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2"},
			run:      cmdComplete,
		},
		{
			name:     "abort",
			summary:  "abort one upload (delete its parts and marker)",
			detail:   `Deletes the parts and the marker of one upload. The recording, if any, is not touched.`,
			examples: []string{"azblobmin abort -session-id 5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a -upload-id 0e0c1c0a-4b1e-4a53-9d38-36f1e1e1a0b2"},
			run:      cmdAbort,
		},
		{
			name:    "gc",
			summary: "complete (or -abort) abandoned uploads; dry run unless -apply",
			detail: `Finds uploads started more than -older-than ago and completes them from the
parts they have (or aborts them with -abort), and deletes stray parts whose
upload no longer exists. Without -apply nothing is changed: the command
only reports what it would do.`,
			examples: []string{
				"azblobmin gc -url azblob://myaccount.blob.core.windows.net -older-than 24h",
				"azblobmin gc -older-than 72h -abort -apply",
			},
			run: cmdGC,
		},
		{
			name:    "token",
			summary: "show which Entra credential answers, the token's expiry and claims",
			detail: `Walks the Entra ID credential chain (client secret, client certificate,
workload identity, managed identity, Azure CLI) as the other commands do,
says which credential produced a token, when it expires, and its non-secret
claims (tenant, app id, audience, object id, issuer) read from the token
without verifying it. The token itself is printed only with -show-token.`,
			examples: []string{"azblobmin token", "azblobmin token -client-id 11111111-2222-3333-4444-555555555555 -json"},
			run:      cmdToken,
		},
		{
			name:    "explain",
			summary: "show the SharedKey string-to-sign of a request; -probe sends it and explains a 403",
			detail: `Prints the string-to-sign that SharedKey signing builds for the request
described by -method, -url, -header and -content-length, line by line with
each line's meaning and every newline shown as \n. The key is never shown.

With -probe the request (GET or HEAD) is signed with the configured key and
sent. When the server refuses it (403), its answer is shown next to our
string-to-sign; when the server's own string-to-sign is known (Azure's
AuthenticationErrorDetail, Azurite's debug log with -azurite-debug-log, or a
file with -server-string-to-sign) the two are compared line by line and the
first differing line is marked with >>.`,
			examples: []string{
				"azblobmin explain -url https://myaccount.blob.core.windows.net/session/5b5e3a57-8c1d-4a3e-9a3c-0f5e2d1c4b6a -header 'x-ms-date: Fri, 21 Nov 2025 03:30:00 GMT'",
				"azblobmin explain -method PUT -url https://myaccount.blob.core.windows.net/c/b -header 'x-ms-blob-type: BlockBlob' -content-length 1024",
				"AZURE_STORAGE_KEY=... azblobmin explain -probe -url azblob-http://127.0.0.1:10000/devstoreaccount1 -azurite-debug-log /tmp/azurite-debug.log",
			},
			run: cmdExplain,
		},
		{
			name:     "version",
			summary:  "print the version, Go version and FIPS mode",
			detail:   `Prints the tool's version, the Go toolchain, the platform, whether FIPS 140-3 mode is on (GODEBUG=fips140=on|only or a GOFIPS140 build), and the Blob service version sent.`,
			examples: []string{"azblobmin version", "GODEBUG=fips140=only azblobmin version -json"},
			run:      cmdVersion,
		},
		{
			name:     "help",
			args:     "[COMMAND]",
			summary:  "show the command list, or one command's help",
			detail:   `Prints the list of commands, or the flags and an example of one command.`,
			examples: []string{"azblobmin help upload"},
			run:      cmdHelp,
		},
	}
}

// cmdHelp is `azblobmin help [COMMAND]`.
func cmdHelp(a *app, ctx context.Context, args []string) error {
	fs := a.newFlagSet(commands["help"])
	args, err := a.parse(commands["help"], fs, args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		a.printOverview(a.out)
		return nil
	}
	if len(args) > 1 {
		return usagef("want at most one COMMAND")
	}
	c, ok := commands[args[0]]
	if !ok {
		return usagef("unknown command %q", args[0])
	}
	// Each command prints its own help for -h, with its real flags.
	err = c.run(a, ctx, []string{"-h"})
	if err == errHelpShown {
		return nil
	}
	return fmt.Errorf("showing help: %w", err)
}
