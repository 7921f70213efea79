// Package cli holds the parts of the azblobmin command-line tool and the
// demo that do no I/O against Blob Storage and can therefore be tested on
// their own: byte-size flags, argument checks that keep secrets off the
// command line, secret scrubbing for logs and errors, the progress meter,
// the string-to-sign explainer (visible lines, labels and diff against the
// server's version), JWT claim decoding for `token`, and table/JSON output.
//
// What it is NOT: it holds no credentials, opens no connections and knows
// nothing of the uploader; the commands in cmd/azblobmin wire these pieces to
// the library. It is internal to cmd/ and has no compatibility promise.
package cli
