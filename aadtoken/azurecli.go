package aadtoken

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"
)

const credAzureCLI = "Azure CLI"

// AzureCLIOptions configure [AzureCLICredential]. The zero value is usable.
type AzureCLIOptions struct {
	// TenantID, when set, is passed as --tenant.
	TenantID string
	// Scope is the scope requested; "" means StorageScope. The CLI takes a
	// resource: the scope minus "/.default".
	Scope string
	// Path is the az executable; "" means "az" looked up on PATH.
	Path string
	// Timeout bounds one az run; 0 means 20 s (az is a Python program and
	// starts slowly).
	Timeout time.Duration
	// Logger receives Debug records; never tokens. nil discards.
	Logger *slog.Logger
}

// AzureCLICredential runs "az account get-access-token" to reuse the
// developer's "az login" session. It is meant for workstations, not
// servers. The command is run directly, never through a shell.
type AzureCLICredential struct {
	tenant   string
	resource string
	path     string
	timeout  time.Duration
	log      *slog.Logger
	loc      *time.Location // zone of the CLI's local-time expiresOn
	now      func() time.Time
}

// NewAzureCLICredential returns a credential using the Azure CLI. opts may
// be nil. It does not run az; a missing az is reported by Token.
func NewAzureCLICredential(opts *AzureCLIOptions) (*AzureCLICredential, error) {
	var o AzureCLIOptions
	if opts != nil {
		o = *opts
	}
	scope, err := scopeOrDefault(o.Scope)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: %s: %w", credAzureCLI, err)
	}
	resource := resourceFromScope(scope)
	if !isResource(resource) {
		return nil, fmt.Errorf("aadtoken: %s: the resource %q may only hold letters, digits and . _ : / -", credAzureCLI, truncateForMessage(resource))
	}
	if o.TenantID != "" {
		if err := checkTenant(o.TenantID); err != nil {
			return nil, fmt.Errorf("aadtoken: %s: %w", credAzureCLI, err)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	return &AzureCLICredential{
		tenant:   o.TenantID,
		resource: resource,
		path:     o.Path,
		timeout:  o.Timeout,
		log:      loggerOrDiscard(o.Logger),
		loc:      time.Local,
		now:      time.Now,
	}, nil
}

// Token runs az and parses its output.
func (c *AzureCLICredential) Token(ctx context.Context) (Token, error) {
	if c == nil {
		return Token{}, errors.New("aadtoken: nil AzureCLICredential")
	}
	path := c.path
	if path == "" {
		p, err := exec.LookPath("az")
		if err != nil {
			return Token{}, unavailable(credAzureCLI, "the Azure CLI (az) is not installed or not on PATH; install it and run az login")
		}
		path = p
	}
	args := []string{"account", "get-access-token", "--output", "json", "--resource", c.resource}
	if c.tenant != "" {
		args = append(args, "--tenant", c.tenant)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, path, args...)
	stdout := &cappedBuffer{max: maxResponseBytes}
	stderr := &cappedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second // do not hang on pipes held by az's children
	c.log.Debug("aadtoken: running az", "credential", credAzureCLI, "path", path, "args", strings.Join(args, " "))
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			return Token{}, fmt.Errorf("aadtoken: %s: %w", credAzureCLI, ctx.Err())
		}
		if rctx.Err() != nil {
			return Token{}, fmt.Errorf("aadtoken: %s: az did not finish within %s", credAzureCLI, c.timeout)
		}
		return Token{}, cliFailure(path, err, stderr.String())
	}
	if stdout.overflow {
		return Token{}, fmt.Errorf("aadtoken: %s: az printed more than %d bytes; that is not a token", credAzureCLI, maxResponseBytes)
	}
	tok, err := parseCLIOutput(stdout.Bytes(), c.now(), c.loc)
	if err != nil {
		return Token{}, fmt.Errorf("aadtoken: %s: %w", credAzureCLI, err)
	}
	c.log.Debug("aadtoken: token acquired", "credential", credAzureCLI, "expires_on", tok.ExpiresOn)
	return tok, nil
}

// cliFailure turns a failed az run into an error: "not logged in" and "not
// installed" are ErrCredentialUnavailable, anything else a failure quoting
// the first line of az's error output (az never prints tokens there).
func cliFailure(path string, runErr error, stderr string) error {
	var ee *exec.ExitError
	if !errors.As(runErr, &ee) {
		return unavailable(credAzureCLI, "running %s failed: %v", path, runErr)
	}
	line := ""
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = firstLine(strings.TrimPrefix(l, "ERROR: "))
			break
		}
	}
	lower := strings.ToLower(stderr)
	switch {
	case strings.Contains(lower, "az login") || strings.Contains(lower, "az account set"):
		return unavailable(credAzureCLI, "not logged in (%s): run az login", line)
	case strings.Contains(lower, "command not found"):
		return unavailable(credAzureCLI, "az could not run: %s", line)
	}
	if line == "" {
		line = "no error output"
	}
	return fmt.Errorf("aadtoken: %s: az exited with code %d: %s", credAzureCLI, ee.ExitCode(), line)
}

// cliOutput is what "az account get-access-token -o json" prints.
type cliOutput struct {
	AccessToken string          `json:"accessToken"`
	ExpiresOn   string          `json:"expiresOn"`  // local time, "2006-01-02 15:04:05.000000"
	ExpiresOnTS json.RawMessage `json:"expires_on"` // Unix seconds, az 2.54 and later
	TokenType   string          `json:"tokenType"`
}

// cliLocalLayout is the CLI's expiresOn: local time without a zone.
const cliLocalLayout = "2006-01-02 15:04:05.999999"

// parseCLIOutput reads az's JSON. expires_on (Unix seconds) is preferred;
// older CLIs only print expiresOn in the machine's local time zone (loc).
func parseCLIOutput(b []byte, now time.Time, loc *time.Location) (Token, error) {
	var out cliOutput
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return Token{}, errors.New("az printed no JSON object; run az account get-access-token --resource https://storage.azure.com yourself to see why")
	}
	if err := json.Unmarshal(t, &out); err != nil {
		return Token{}, fmt.Errorf("az printed invalid JSON (%s)", jsonErrorSummary(err))
	}
	if out.AccessToken == "" {
		return Token{}, errors.New("az printed no accessToken")
	}
	if err := checkTokenChars("accessToken", out.AccessToken); err != nil {
		return Token{}, err
	}
	if out.TokenType != "" && !strings.EqualFold(out.TokenType, "Bearer") {
		return Token{}, fmt.Errorf("az printed tokenType %q; only Bearer tokens are supported", truncateForMessage(out.TokenType))
	}
	tok := Token{AccessToken: out.AccessToken}
	switch {
	case isPresent(out.ExpiresOnTS):
		exp, err := parseExpiresOn(out.ExpiresOnTS)
		if err != nil {
			return Token{}, fmt.Errorf("az printed a bad expires_on: %w", err)
		}
		tok.ExpiresOn = exp
	case out.ExpiresOn != "":
		s := strings.TrimSpace(out.ExpiresOn)
		exp, err := time.ParseInLocation(cliLocalLayout, s, loc)
		if err != nil {
			exp, err = time.Parse(time.RFC3339Nano, s) // Cloud Shell
		}
		if err != nil {
			return Token{}, fmt.Errorf("az printed expiresOn %q in an unknown format", truncateForMessage(s))
		}
		tok.ExpiresOn = exp
	default:
		return Token{}, errors.New("az printed neither expires_on nor expiresOn")
	}
	if !tok.ExpiresOn.After(now) {
		return Token{}, fmt.Errorf("az returned a token that expired at %s; run az login again", fmtTime(tok.ExpiresOn))
	}
	return tok, nil
}

// cappedBuffer collects at most max bytes and notes overflow.
type cappedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// String names the credential.
func (c *AzureCLICredential) String() string {
	if c == nil {
		return "aadtoken.AzureCLICredential(nil)"
	}
	path := c.path
	if path == "" {
		path = "az"
	}
	return fmt.Sprintf("aadtoken.AzureCLICredential{path: %s, resource: %s, tenant: %s}", path, c.resource, c.tenant)
}

// GoString is String.
func (c *AzureCLICredential) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *AzureCLICredential) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// LogValue is String.
func (c *AzureCLICredential) LogValue() slog.Value { return slog.StringValue(c.String()) }
