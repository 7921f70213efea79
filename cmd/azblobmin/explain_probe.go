package main

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
)

// sendProbe sends req and reads what the server said about it.
func sendProbe(req *http.Request) (*probeResult, error) {
	hc, _ := cli.NewHTTPClient()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sending the probe to %s: %w", restapi.RedactURL(req.URL.String()), unwrapURLError(err))
	}
	defer resp.Body.Close()
	received := time.Now()
	pr := &probeResult{
		Status:    resp.StatusCode,
		Accepted:  resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized,
		ErrorCode: resp.Header.Get("x-ms-error-code"),
		RequestID: resp.Header.Get("x-ms-request-id"),
	}
	if d := resp.Header.Get("Date"); d != "" {
		pr.ServerDate = d
		if t, err := http.ParseTime(d); err == nil {
			pr.ClockSkewSeconds = received.Sub(t).Round(time.Second).Seconds()
		}
	}
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		var eb errorBody
		if xml.Unmarshal(body, &eb) == nil {
			if pr.ErrorCode == "" {
				pr.ErrorCode = eb.Code
			}
			msg, _, _ := strings.Cut(eb.Message, "\n")
			pr.Message = strings.TrimSpace(msg)
			pr.Detail = strings.TrimSpace(eb.AuthenticationErrorDetail)
		}
	}
	return pr, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readAzuriteLog waits briefly for Azurite to flush its debug log, then
// returns its string-to-sign for requestID.
func readAzuriteLog(ctx context.Context, path, requestID string) (string, bool) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil {
			if s, ok := cli.AzuriteStringToSign(string(b), requestID); ok {
				return s, true
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return "", false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// errorBody is the XML error document of the Blob service.
type errorBody struct {
	Code                      string `xml:"Code"`
	Message                   string `xml:"Message"`
	AuthenticationErrorDetail string `xml:"AuthenticationErrorDetail"`
}
