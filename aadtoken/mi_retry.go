package aadtoken

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ManagedIdentityRetry is the retry schedule for managed identity
// endpoints, after Microsoft's IMDS guidance: 404 (identity not ready
// yet), 408, 429 and 5xx are retried with exponential backoff (1 s, 2 s,
// 4 s); 410 (IMDS updating) is retried every 10 s for up to 70 s.
type ManagedIdentityRetry struct {
	MaxRetries  int           // retries after the first try; 0 means 3, negative means none
	BaseDelay   time.Duration // first backoff; 0 means 1 s
	MaxDelay    time.Duration // backoff cap (also caps Retry-After); 0 means 4 s
	GoneDelay   time.Duration // wait between tries after a 410; 0 means 10 s
	GoneMaxWait time.Duration // total time spent on 410s; 0 means 70 s
}

func (r ManagedIdentityRetry) withDefaults() ManagedIdentityRetry {
	if r.MaxRetries == 0 {
		r.MaxRetries = 3
	}
	if r.MaxRetries < 0 {
		r.MaxRetries = 0
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = time.Second
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 4 * time.Second
	}
	if r.GoneDelay <= 0 {
		r.GoneDelay = 10 * time.Second
	}
	if r.GoneMaxWait <= 0 {
		r.GoneMaxWait = 70 * time.Second
	}
	return r
}

// probeIMDS checks that something answers at the IMDS address within the
// probe timeout, so that a chain on a machine without IMDS moves on in a
// second instead of retrying for many. The probe omits the Metadata header;
// IMDS answers it at once with a JSON 400.
func (c *ManagedIdentityCredential) probeIMDS(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, c.probe)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, c.endpoint.String(), nil)
	if err != nil {
		return fmt.Errorf("aadtoken: %s: building the probe: %w", c.credential, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("aadtoken: %s: %w", c.credential, ctx.Err())
		}
		return unavailable(c.credential, "nothing answered at %s within %s (not running on Azure, or IMDS is blocked): %v",
			c.endpoint, c.probe, describeTransportError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || !json.Valid(body) {
		return unavailable(c.credential, "%s answered the probe with HTTP %d and a non-JSON body; something other than IMDS (a proxy?) is at that address", c.endpoint, resp.StatusCode)
	}
	c.log.Debug("aadtoken: IMDS probe answered", "endpoint", c.endpoint.String(), "status", resp.StatusCode)
	return nil
}

// parseRetryAfter reads delay-seconds; HTTP dates are ignored (IMDS sends
// seconds).
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 3600)) * time.Second
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
