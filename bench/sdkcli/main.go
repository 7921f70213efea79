// Command sdkcli is the Azure-SDK-built counterpart of cmd/azblobmin for the
// binary size and module count comparison of `make bench`: it does the
// core job — upload a blob from a file or stdin, download a blob to a file
// or stdout — with the SDK's shared key credential or its default Entra
// credential chain.
//
//	sdkcli upload   -url https://ACCOUNT.blob.core.windows.net -container C -blob B FILE|-
//	sdkcli download -url https://ACCOUNT.blob.core.windows.net -container C -blob B OUT|-
//
// Credentials come from the environment: AZURE_STORAGE_CONNECTION_STRING,
// or AZURE_STORAGE_KEY with the account named by -account (default: the
// first label of the URL's host, or the path's first segment for
// path-style emulator URLs); otherwise azidentity.DefaultAzureCredential.
//
// It is not a tool anyone should use: it exists to be measured.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkcli:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: sdkcli upload|download -url URL -container C -blob B PATH|-")
	}
	cmd := args[0]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	endpoint := fs.String("url", "", "account URL")
	account := fs.String("account", "", "account name for AZURE_STORAGE_KEY")
	containerName := fs.String("container", "", "container")
	blobName := fs.String("blob", "", "blob name")
	blockSize := fs.Int64("block-size", 8<<20, "block size of uploads")
	concurrency := fs.Int("concurrency", 4, "blocks in flight")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *endpoint == "" || *containerName == "" || *blobName == "" || fs.NArg() != 1 {
		return errors.New("need -url, -container, -blob and one PATH (- for stdin/stdout)")
	}
	client, err := newClient(*endpoint, *account)
	if err != nil {
		return err
	}
	bb := client.ServiceClient().NewContainerClient(*containerName).NewBlockBlobClient(*blobName)
	path := fs.Arg(0)
	switch cmd {
	case "upload":
		var r io.Reader = os.Stdin
		if path != "-" {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		_, err := bb.UploadStream(ctx, r, &blockblob.UploadStreamOptions{
			BlockSize:               *blockSize,
			Concurrency:             *concurrency,
			TransactionalValidation: blob.TransferValidationTypeComputeCRC64(),
		})
		return err
	case "download":
		resp, err := bb.DownloadStream(ctx, nil)
		if err != nil {
			return err
		}
		body := resp.NewRetryReader(ctx, nil)
		defer body.Close()
		var w io.Writer = os.Stdout
		if path != "-" {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		_, err = io.Copy(w, body)
		return err
	}
	return fmt.Errorf("unknown command %q: want upload or download", cmd)
}

// newClient picks the credential the way cmd/azblobmin does: a
// connection string, an account key, or the Entra default chain.
func newClient(endpoint, account string) (*azblob.Client, error) {
	if cs := os.Getenv("AZURE_STORAGE_CONNECTION_STRING"); cs != "" {
		return azblob.NewClientFromConnectionString(cs, nil)
	}
	if key := os.Getenv("AZURE_STORAGE_KEY"); key != "" {
		if account == "" {
			account = accountOf(endpoint)
		}
		cred, err := azblob.NewSharedKeyCredential(account, key)
		if err != nil {
			return nil, err
		}
		return azblob.NewClientWithSharedKeyCredential(endpoint, cred, nil)
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, err
	}
	return azblob.NewClient(endpoint, cred, nil)
}

// accountOf returns the account named by an account URL.
func accountOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return strings.SplitN(p, "/", 2)[0]
	}
	return strings.SplitN(u.Hostname(), ".", 2)[0]
}
