package main

import (
	"context"
	"errors"
	"flag"
	"net/url"
	"strings"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/azblobmin/azblobmin/restapi"
	"github.com/azblobmin/azblobmin/uploader"
	"github.com/google/uuid"
)

// outputFlags are shared by every command that prints results.
type outputFlags struct {
	json    bool
	verbose bool
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print one JSON document on stdout instead of text")
	fs.BoolVar(&o.verbose, "v", false, "debug logging on stderr (URLs and secrets redacted)")
	fs.BoolVar(&o.verbose, "debug", false, "same as -v")
}

// connFlags are shared by every command that talks to the storage account.
type connFlags struct {
	outputFlags
	url         string
	clientID    string
	keyFile     string
	connFile    string
	concurrency int // for commands that move data; 0 keeps the default
}

func (c *connFlags) register(fs *flag.FlagSet) {
	c.outputFlags.register(fs)
	fs.StringVar(&c.url, "url", "", "session storage URL (default $"+envURL+"), e.g. azblob://ACCOUNT.blob.core.windows.net")
	fs.StringVar(&c.clientID, "client-id", "", "Entra client id of a user-assigned managed identity (overrides the URL's azure_client_id)")
	fs.StringVar(&c.keyFile, "account-key-file", "", "read the storage account key from `FILE` (instead of $"+envAccountKey+")")
	fs.StringVar(&c.connFile, "connection-string-file", "", "read a storage connection string from `FILE` (instead of $"+envConnectionString+")")
}

// setup applies the output flags (logging) and reads the secret files.
// It is the first thing every connected command does after parsing.
func (a *app) setup(o *outputFlags) {
	if o.verbose {
		a.logger = cli.NewLogger(a.stderr, &a.scrub, true)
	}
}

// storageURL returns the -url value or $AZBLOBMIN_URL, refusing URLs that
// carry secrets.
func (a *app) storageURL(flagValue string) (*url.URL, error) {
	raw := flagValue
	from := "-url"
	if raw == "" {
		raw = a.getenv(envURL)
		from = "$" + envURL
	}
	if raw == "" {
		return nil, usagef("no storage URL: give -url or set %s, e.g. azblob://ACCOUNT.blob.core.windows.net", envURL)
	}
	if err := cli.CheckURLHasNoSecret(raw); err != nil {
		return nil, usagef("%s: %v", from, err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, usagef("%s cannot be parsed; expected azblob://ACCOUNT.blob.core.windows.net", from)
	}
	return u, nil
}

// handlerConfig builds the uploader configuration from the flags.
func (a *app) handlerConfig(c *connFlags) (uploader.Config, error) {
	a.setup(&c.outputFlags)
	if err := a.loadSecretFiles(c.keyFile, c.connFile); err != nil {
		return uploader.Config{}, err
	}
	u, err := a.storageURL(c.url)
	if err != nil {
		return uploader.Config{}, err
	}
	var cfg uploader.Config
	if err := cfg.SetFromURL(u); err != nil {
		return uploader.Config{}, usagef("%v", trimInvalid(err))
	}
	if c.clientID != "" {
		if _, err := uuid.Parse(c.clientID); err != nil {
			return uploader.Config{}, usagef("-client-id %q is not a client id: want a UUID like 11111111-2222-3333-4444-555555555555", c.clientID)
		}
		cfg.ClientID = c.clientID
	}
	cfg.Logger = a.logger
	cfg.Getenv = a.env.Get
	if c.concurrency > 0 {
		cfg.UploadConcurrency = c.concurrency
	}
	return cfg, nil
}

// newHandler connects to the storage account (and creates the containers
// when missing, which the uploader does on start).
func (a *app) newHandler(ctx context.Context, c *connFlags) (*uploader.Handler, error) {
	cfg, err := a.handlerConfig(c)
	if err != nil {
		return nil, err
	}
	return a.newHandlerFrom(ctx, cfg)
}

// newHandlerFrom is newHandler for a configuration the caller adjusted.
func (a *app) newHandlerFrom(ctx context.Context, cfg uploader.Config) (*uploader.Handler, error) {
	h, err := uploader.NewHandler(ctx, cfg)
	if err != nil {
		if errors.Is(err, uploader.ErrInvalidArgument) && !isServiceError(err) {
			return nil, usagef("%v", trimInvalid(err))
		}
		return nil, err
	}
	hc := h.Config()
	a.logger.Debug("azblobmin: storage", "endpoint", hc.Endpoint, "session_container", hc.SessionContainer,
		"inprogress_container", hc.InprogressContainer, "credential", a.env.credentialSource())
	return h, nil
}

// trimInvalid drops the "invalid argument: " prefix the uploader puts on
// its validation errors; on a command line "usage" already says it.
func trimInvalid(err error) string {
	return strings.TrimPrefix(err.Error(), uploader.ErrInvalidArgument.Error()+": ")
}

// isServiceError reports an error that came back from the service.
func isServiceError(err error) bool {
	var re *restapi.ResponseError
	return errors.As(err, &re)
}

// hints add what to do next for errors whose fix is the user's.
func (a *app) hints(err error) []string {
	var out []string
	if errors.Is(err, restapi.ErrAuthenticationFailed) {
		if a.env != nil && a.env.usesSharedKey() {
			out = append(out, "run `azblobmin explain -probe` (same -url and credentials) to see the string-to-sign and what the server answered")
		} else {
			out = append(out, "run `azblobmin token` to see which identity answered and for which audience")
		}
	}
	return out
}
