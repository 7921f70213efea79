package uploader_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/azblobmin/azblobmin/sharedkey"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/google/uuid"
)

// Example stores a recording in two parts and reads it back. exampleURL is
// azblob-http://127.0.0.1:PORT/devstoreaccount1, the Azurite this package's
// tests start; in production it is azblob://<account>.blob.core.windows.net.
func Example() {
	ctx := context.Background()

	u, err := url.Parse(exampleURL + "#session_container=example-session&inprogress_container=example-inprogress")
	if err != nil {
		log.Fatal(err)
	}
	var cfg uploader.Config
	if err := cfg.SetFromURL(u); err != nil {
		log.Fatal(err)
	}
	// In production leave Authorizer nil: AZURE_STORAGE_KEY (or
	// AZURE_STORAGE_CONNECTION_STRING) selects SharedKey, otherwise the
	// Entra environment (workload identity, managed identity, ...) is used.
	cfg.Authorizer, err = sharedkey.NewCredential("devstoreaccount1", emu.AccountKey)
	if err != nil {
		log.Fatal(err)
	}
	h, err := uploader.NewHandler(ctx, cfg) // creates the containers if needed
	if err != nil {
		log.Fatal(err)
	}

	sessionID := uuid.NewString() // session ids are canonical lowercase UUIDs
	upload, err := h.CreateUpload(ctx, sessionID)
	if err != nil {
		log.Fatal(err)
	}
	var parts []uploader.StreamPart
	for i, chunk := range []string{"first part of the session, ", "second part."} {
		part, err := h.UploadPart(ctx, *upload, int64(i+1), strings.NewReader(chunk))
		if err != nil {
			log.Fatal(err)
		}
		parts = append(parts, *part)
	}
	if err := h.CompleteUpload(ctx, *upload, parts); err != nil {
		log.Fatal(err)
	}

	f, err := os.CreateTemp("", "recording")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := h.Download(ctx, sessionID, f); err != nil {
		log.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(got))
	fmt.Println(filepath.Base(h.GetUploadMetadata(sessionID).URL) == sessionID)

	uploads, err := h.ListUploads(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploads in progress:", len(uploads))
	// Output:
	// first part of the session, second part.
	// true
	// uploads in progress: 0
}
