// Command floorcli is the floor of the binary size comparison of `make
// bench`: the least a Go program that uploads and downloads over HTTPS
// links in (net/http, crypto/tls, x509, HMAC-SHA256 for a signature), with
// none of either client's features.
//
//	floorcli put URL FILE
//	floorcli get URL
//
// It is not a tool anyone should use: it exists to be measured.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "floorcli:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: floorcli put URL FILE | floorcli get URL")
	}
	var req *http.Request
	var err error
	switch args[0] {
	case "put":
		if len(args) != 3 {
			return fmt.Errorf("usage: floorcli put URL FILE")
		}
		f, err := os.Open(args[2])
		if err != nil {
			return err
		}
		defer f.Close()
		if req, err = http.NewRequest(http.MethodPut, args[1], f); err != nil {
			return err
		}
	case "get":
		if req, err = http.NewRequest(http.MethodGet, args[1], nil); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	mac := hmac.New(sha256.New, []byte(os.Getenv("FLOORCLI_KEY")))
	mac.Write([]byte(req.Method + "\n" + req.URL.Path))
	req.Header.Set("Authorization", "SharedKey "+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s", resp.Status)
	}
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}
