package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/sharedkey"
)

// maxErrorBody bounds how much of a probe's error answer is read.
const maxErrorBody = 64 << 10

// clockSkewLimit is how far the client's clock may be from the service's
// before Azure refuses a SharedKey request.
const clockSkewLimit = 15 * time.Minute

// headerList collects repeatable -header 'Name: value' flags.
type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

// explainFlags are explain's flags.
type explainFlags struct {
	connFlags
	method        string
	headers       headerList
	contentLength int64
	account       string
	probe         bool
	serverFile    string
	azuriteLog    string
}

// probeResult is what the server answered to a probe.
type probeResult struct {
	Status           int     `json:"status"`
	Accepted         bool    `json:"accepted"` // the signature passed (any answer but 401/403)
	ErrorCode        string  `json:"error_code,omitempty"`
	Message          string  `json:"message,omitempty"`
	Detail           string  `json:"authentication_error_detail,omitempty"`
	RequestID        string  `json:"request_id,omitempty"`
	ServerDate       string  `json:"server_date,omitempty"`
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
}

// explainOutput is explain's -json output.
type explainOutput struct {
	Method             string        `json:"method"`
	URL                string        `json:"url"`
	Account            string        `json:"account"`
	Added              []string      `json:"headers_added"`
	StringToSign       string        `json:"string_to_sign"`
	Lines              []cli.STSLine `json:"lines"`
	Credential         string        `json:"credential,omitempty"`
	Probe              *probeResult  `json:"probe,omitempty"`
	ServerStringToSign *string       `json:"server_string_to_sign,omitempty"`
	ServerSource       string        `json:"server_string_source,omitempty"`
	FirstDifference    int           `json:"first_difference"`
	Verdict            string        `json:"verdict"`
}

// cmdExplain is `azblobmin explain`.
func cmdExplain(a *app, ctx context.Context, args []string) error {
	c := commands["explain"]
	f := explainFlags{contentLength: -1}
	fs := a.newFlagSet(c)
	f.outputFlags.register(fs)
	fs.StringVar(&f.url, "url", "", "the request's URL: a blob, container or account URL (https://, http://, azblob://, azblob-http://); default $"+envURL+"; an account URL means List Containers")
	fs.StringVar(&f.keyFile, "account-key-file", "", "read the storage account key from `FILE` (for -probe)")
	fs.StringVar(&f.connFile, "connection-string-file", "", "read a storage connection string from `FILE` (for -probe)")
	fs.StringVar(&f.method, "method", "GET", "HTTP method")
	fs.Var(&f.headers, "header", "request header 'Name: value' (repeatable)")
	fs.Int64Var(&f.contentLength, "content-length", -1, "request body length in bytes (default: no body)")
	fs.StringVar(&f.account, "account", "", "account name to sign as (default: from the connection string, $"+envAccountName+" or the URL)")
	fs.BoolVar(&f.probe, "probe", false, "send the request (GET or HEAD only) signed with the configured key and explain the answer")
	fs.StringVar(&f.serverFile, "server-string-to-sign", "", "compare with the server's string-to-sign saved in `FILE` (raw, JSON-quoted, or Azure's whole AuthenticationErrorDetail)")
	fs.StringVar(&f.azuriteLog, "azurite-debug-log", "", "with -probe against Azurite started with --debug FILE: read Azurite's string-to-sign for the probe from `FILE`")
	pos, err := a.parse(c, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q (headers go in -header 'Name: value')", pos)
	}
	a.setup(&f.outputFlags)
	if err := a.loadSecretFiles(f.keyFile, f.connFile); err != nil {
		return err
	}
	method := strings.ToUpper(f.method)
	if f.probe && method != http.MethodGet && method != http.MethodHead {
		return usagef("-probe sends only GET or HEAD requests, which change nothing; explain other methods without -probe")
	}
	if f.probe && f.contentLength > 0 {
		return usagef("-probe sends no body; drop -content-length")
	}
	if f.azuriteLog != "" && !f.probe {
		return usagef("-azurite-debug-log needs -probe: it finds the probe's request id in the log")
	}
	var serverFromFile *string
	if f.serverFile != "" {
		b, err := os.ReadFile(f.serverFile)
		if err != nil {
			return usagef("-server-string-to-sign: %v", err)
		}
		s, err := cli.ParseServerStringToSignFile(string(b))
		if err != nil {
			return usagef("-server-string-to-sign %s: %v", f.serverFile, err)
		}
		serverFromFile = &s
	}

	target, account, err := a.explainTarget(f.url, f.account)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return usagef("cannot build a %s request for that URL: %v", method, err)
	}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return usagef("-header %q is not 'Name: value'", h)
		}
		if strings.EqualFold(name, "Authorization") {
			return usagef("-header Authorization is not accepted: it holds a signature; explain computes the string-to-sign itself")
		}
		req.Header.Add(name, strings.TrimSpace(value))
	}
	if f.contentLength >= 0 {
		req.ContentLength = f.contentLength
	}
	out := explainOutput{Method: method, URL: restapi.RedactURL(target), Account: account, Added: []string{}, Credential: ""}
	if req.Header.Get("x-ms-version") == "" {
		req.Header.Set("x-ms-version", restapi.DefaultServiceVersion)
		out.Added = append(out.Added, "x-ms-version: "+restapi.DefaultServiceVersion)
	}
	if req.Header.Get("x-ms-date") == "" && req.Header.Get("Date") == "" {
		d := time.Now().UTC().Format(http.TimeFormat)
		req.Header.Set("x-ms-date", d)
		out.Added = append(out.Added, "x-ms-date: "+d)
	}

	var cred *sharedkey.Credential
	if f.probe {
		cred, out.Credential, err = a.sharedKeyCredential(account)
		if err != nil {
			return err
		}
		if err := cred.Authorize(ctx, req); err != nil {
			return fmt.Errorf("signing the request: %w", err)
		}
	}
	sts, err := sharedkey.StringToSign(req, account)
	if err != nil {
		return fmt.Errorf("cannot build the string-to-sign: %w", err)
	}
	out.StringToSign, out.Lines = sts, cli.SplitStringToSign(sts)

	if f.probe {
		pr, err := sendProbe(req)
		if err != nil {
			return err
		}
		out.Probe = pr
		switch {
		case pr.Detail != "":
			if s, ok := cli.ServerStringToSign(pr.Detail); ok {
				out.ServerStringToSign, out.ServerSource = &s, "AuthenticationErrorDetail"
			}
		}
		if out.ServerStringToSign == nil && !pr.Accepted && f.azuriteLog != "" {
			if s, ok := readAzuriteLog(ctx, f.azuriteLog, pr.RequestID); ok {
				out.ServerStringToSign, out.ServerSource = &s, "Azurite debug log "+f.azuriteLog
			} else {
				fmt.Fprintf(a.errw, "note: request %s not found in %s (was Azurite started with --debug %s?)\n", pr.RequestID, f.azuriteLog, f.azuriteLog)
			}
		}
	}
	if out.ServerStringToSign == nil && serverFromFile != nil {
		out.ServerStringToSign, out.ServerSource = serverFromFile, "file "+f.serverFile
	}
	if out.ServerStringToSign != nil {
		out.FirstDifference = cli.FirstDifference(sts, *out.ServerStringToSign)
	}
	out.Verdict = verdict(&out)

	if f.json {
		if err := cli.WriteJSON(a.out, out); err != nil {
			return err
		}
	} else {
		a.printExplain(&out)
	}
	if out.Probe != nil && !out.Probe.Accepted {
		return errReported
	}
	return nil
}

// explainTarget turns -url into the URL to sign and the account to sign as.
func (a *app) explainTarget(raw, accountFlag string) (string, string, error) {
	from := "-url"
	if raw == "" {
		raw, from = a.getenv(envURL), "$"+envURL
	}
	if raw == "" {
		return "", "", usagef("no URL: give -url (a blob, container or account URL) or set %s", envURL)
	}
	if err := cli.CheckURLHasNoSecret(raw); err != nil {
		return "", "", usagef("%s: %v", from, err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", usagef("%s is not an absolute URL such as https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB", from)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "azblob":
		u.Scheme = "https"
	case "http", "azblob-http":
		u.Scheme = "http"
	default:
		return "", "", usagef("%s scheme %q is not supported: use https, http, azblob or azblob-http", from, u.Scheme)
	}
	u.Fragment, u.RawFragment = "", ""
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	pathStyle := isPathStyleHost(u.Hostname())
	account := accountFlag
	if account == "" {
		account = a.env.Get(envAccountName)
	}
	if account == "" {
		if cs := a.env.Get(envConnectionString); cs != "" {
			if p, err := sharedkey.ParseConnectionString(cs); err == nil {
				account = p.AccountName
			}
		}
	}
	if account == "" {
		if pathStyle {
			account = segs[0]
		} else {
			account, _, _ = strings.Cut(u.Hostname(), ".")
		}
	}
	if account == "" {
		return "", "", usagef("cannot tell the account name from %s; give -account", from)
	}
	// An account URL alone means List Containers, the simplest request
	// every account answers.
	onlyAccount := (pathStyle && len(segs) == 1) || (!pathStyle && segs[0] == "")
	if onlyAccount {
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		if u.RawQuery == "" {
			u.RawQuery = "comp=list&maxresults=1"
		}
	}
	return u.String(), account, nil
}

// isPathStyleHost reports hosts that carry the account in the path:
// IP literals, localhost and single-label hosts (emulators).
func isPathStyleHost(host string) bool {
	return net.ParseIP(host) != nil || host == "localhost" || !strings.Contains(host, ".")
}

// sharedKeyCredential builds the SharedKey credential -probe signs with.
func (a *app) sharedKeyCredential(account string) (*sharedkey.Credential, string, error) {
	source := a.env.credentialSource()
	if cs := a.env.Get(envConnectionString); cs != "" {
		p, err := sharedkey.ParseConnectionString(cs)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", source, err)
		}
		if p.AccountKey == "" {
			return nil, "", fmt.Errorf("%s has no AccountKey; -probe explains SharedKey signatures only", source)
		}
		if p.AccountName != "" && !strings.EqualFold(p.AccountName, account) {
			fmt.Fprintf(a.errw, "note: the connection string is for account %q but the request is signed as %q\n", p.AccountName, account)
		}
		c, err := sharedkey.NewCredential(account, p.AccountKey)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", source, err)
		}
		return c, source, nil
	}
	if key := a.env.Get(envAccountKey); key != "" {
		c, err := sharedkey.NewCredential(account, key)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", source, err)
		}
		return c, source, nil
	}
	return nil, "", usagef("-probe needs an account key: set %s or %s, or give -account-key-file / -connection-string-file", envAccountKey, envConnectionString)
}
