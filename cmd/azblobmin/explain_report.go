package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/cmd/internal/cli"
)

// verdict says, in one paragraph, what the evidence means.
func verdict(o *explainOutput) string {
	p := o.Probe
	if p != nil && p.Accepted {
		if p.Status < 300 {
			return fmt.Sprintf("the server accepted the signature (HTTP %d)", p.Status)
		}
		return strings.TrimSpace(fmt.Sprintf("the server answered HTTP %d %s, which is not an authentication failure: the request itself was refused, not its signature", p.Status, p.ErrorCode))
	}
	skew := ""
	if p != nil && (p.ClockSkewSeconds > clockSkewLimit.Seconds() || p.ClockSkewSeconds < -clockSkewLimit.Seconds()) {
		skew = fmt.Sprintf(" This machine's clock is %s off the server's (more than 15 minutes): fix the clock first.", time.Duration(p.ClockSkewSeconds)*time.Second)
	}
	switch {
	case o.ServerStringToSign != nil && o.FirstDifference == 0:
		if p == nil {
			return "the server's string-to-sign is identical to ours: if the request was refused, the key is wrong (or belongs to another account)." + skew
		}
		return fmt.Sprintf("the server signed exactly the same string, so only the key can differ: the key (%s) is wrong or belongs to another account than %q.%s", o.Credential, o.Account, skew)
	case o.ServerStringToSign != nil:
		label := ""
		if o.FirstDifference <= len(o.Lines) {
			label = " (" + o.Lines[o.FirstDifference-1].Label + ")"
		}
		what := ""
		if d := cli.DescribeDifference(o.StringToSign, *o.ServerStringToSign); d != "" {
			what = " " + strings.ToUpper(d[:1]) + d[1:] + "."
		}
		return fmt.Sprintf("the server signed a different string: they first differ at line %d%s.%s Something changed the request after it was signed (a proxy adding or rewriting headers or the query?), or the signer canonicalized it differently from the service; see SIGNING.md.%s", o.FirstDifference, label, what, skew)
	case p == nil:
		return "string-to-sign only (no request sent); add -probe to send it with the configured key"
	default:
		return fmt.Sprintf("the server refused the request (HTTP %d %s) without saying which string it signed (Azurite never does; Azure puts it in AuthenticationErrorDetail). "+
			"Compare the string above with the server's: for Azurite start it with --debug FILE and add -azurite-debug-log FILE; for Azure save the AuthenticationErrorDetail to a file and add -server-string-to-sign FILE. "+
			"Most likely causes: the key (%s) is wrong or is not the key of account %q; the clock is off.%s", p.Status, p.ErrorCode, o.Credential, o.Account, skew)
	}
}

func (a *app) printExplain(o *explainOutput) {
	w := a.out
	fmt.Fprintf(w, "request:  %s %s\naccount:  %s\n", o.Method, o.URL, o.Account)
	if o.Credential != "" {
		fmt.Fprintf(w, "key:      %s (never shown)\n", o.Credential)
	}
	for _, h := range o.Added {
		fmt.Fprintf(w, "added:    %s\n", h)
	}
	fmt.Fprintf(w, "\nstring-to-sign (%d lines; each \\n is a newline in the signed text):\n", len(o.Lines))
	fmt.Fprint(w, cli.FormatStringToSign(o.StringToSign))
	if p := o.Probe; p != nil {
		fmt.Fprintf(w, "\nserver answered: HTTP %d", p.Status)
		if p.ErrorCode != "" {
			fmt.Fprintf(w, " %s", p.ErrorCode)
		}
		if p.RequestID != "" {
			fmt.Fprintf(w, " [request id %s]", p.RequestID)
		}
		fmt.Fprintln(w)
		if p.Message != "" {
			fmt.Fprintf(w, "message: %s\n", p.Message)
		}
		if p.Detail != "" {
			detail := p.Detail
			if i := strings.Index(detail, "Server used following string to sign"); i >= 0 {
				detail = strings.TrimSpace(detail[:i]) + " (string-to-sign compared below)"
			}
			fmt.Fprintf(w, "detail:  %s\n", detail)
		}
		if p.ServerDate != "" {
			fmt.Fprintf(w, "server date: %s (our clock is %+.0fs off)\n", p.ServerDate, p.ClockSkewSeconds)
		}
	}
	if o.ServerStringToSign != nil {
		fmt.Fprintf(w, "\nours vs the server's (from %s):\n", o.ServerSource)
		cmp, _ := cli.FormatSTSComparison(o.StringToSign, *o.ServerStringToSign)
		fmt.Fprint(w, cmp)
	}
	fmt.Fprintf(w, "\nverdict: %s\n", o.Verdict)
}
