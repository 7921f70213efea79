package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/azblobmin/azblobmin/aadtoken"
	"github.com/azblobmin/azblobmin/cmd/internal/cli"
	"github.com/google/uuid"
)

// storageAudiences are the aud values of a token Blob Storage accepts.
var storageAudiences = []string{"https://storage.azure.com", "https://storage.azure.com/"}

// tokenOutput is token's -json output; AccessToken only with -show-token.
type tokenOutput struct {
	Source      string           `json:"source"`
	Chain       string           `json:"chain"`
	ExpiresOn   time.Time        `json:"expires_on"`
	RefreshOn   time.Time        `json:"refresh_on,omitzero"`
	ExpiresIn   float64          `json:"expires_in_seconds"`
	Claims      *cli.TokenClaims `json:"claims,omitempty"`
	ClaimsError string           `json:"claims_error,omitempty"`
	Warnings    []string         `json:"warnings"`
	AccessToken string           `json:"access_token,omitempty"` // only with -show-token
}

// cmdToken is `azblobmin token`.
func cmdToken(a *app, ctx context.Context, args []string) error {
	c := commands["token"]
	var o outputFlags
	var clientID, rawURL, scope string
	var showToken, noCLI bool
	fs := a.newFlagSet(c)
	o.register(fs)
	fs.StringVar(&clientID, "client-id", "", "client id of a user-assigned managed identity / workload identity (default: the URL's azure_client_id, then AZURE_CLIENT_ID)")
	fs.StringVar(&rawURL, "url", "", "session storage URL, only to read its azure_client_id (default $"+envURL+")")
	fs.StringVar(&scope, "scope", aadtoken.StorageScope, "scope to request")
	fs.BoolVar(&showToken, "show-token", false, "also print the access token itself (it is a secret: anyone holding it acts as this identity until it expires)")
	fs.BoolVar(&noCLI, "no-azure-cli", false, "leave the Azure CLI (az) out of the chain")
	if err := a.parseNoArgs(c, fs, args); err != nil {
		return err
	}
	a.setup(&o)
	if clientID == "" {
		if rawURL == "" {
			rawURL = a.getenv(envURL)
		}
		if rawURL != "" {
			if err := cli.CheckURLHasNoSecret(rawURL); err != nil {
				return usagef("-url: %v", err)
			}
			clientID = clientIDFromURL(rawURL)
		}
	}
	if clientID != "" {
		if _, err := uuid.Parse(clientID); err != nil {
			return usagef("-client-id %q is not a client id: want a UUID like 11111111-2222-3333-4444-555555555555", clientID)
		}
	}
	var warnings []string
	if a.env.usesSharedKey() {
		warnings = append(warnings, fmt.Sprintf("%s is set: the other commands sign with that key and use no token", a.env.credentialSource()))
	}
	chain, err := aadtoken.NewChainFromEnvironment(&aadtoken.ChainOptions{
		ClientID:        clientID,
		Scope:           scope,
		Logger:          a.logger,
		LookupEnv:       func(k string) (string, bool) { v := a.getenv(k); return v, v != "" },
		ExcludeAzureCLI: noCLI,
	})
	if err != nil {
		return usagef("%v", err)
	}
	tok, err := chain.Token(ctx)
	if err != nil {
		var ce *aadtoken.ChainError
		if errors.As(err, &ce) && !o.json {
			fmt.Fprintf(a.errw, "no credential of the chain produced a token:\n")
			for _, at := range ce.Attempts {
				verb := "failed "
				if at.Skipped {
					verb = "skipped"
				}
				fmt.Fprintf(a.errw, "  %-20s %s  %s\n", at.Credential, verb, firstLine(at.Err.Error()))
			}
			fmt.Fprintf(a.errw, "set the environment of one credential (AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE), run on Azure with a managed identity, or `az login`\n")
			return errReported
		}
		return err
	}
	a.addSecret(tok.AccessToken) // from here on it can only be printed on purpose
	out := tokenOutput{
		Source:    chain.Selected(),
		Chain:     chain.String(),
		ExpiresOn: tok.ExpiresOn.UTC(),
		RefreshOn: tok.RefreshOn.UTC(),
		ExpiresIn: time.Until(tok.ExpiresOn).Round(time.Second).Seconds(),
		Warnings:  warnings,
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	if tok.RefreshOn.IsZero() {
		out.RefreshOn = time.Time{}
	}
	claims, err := cli.DecodeTokenClaims(tok.AccessToken)
	if err != nil {
		out.ClaimsError = err.Error()
	} else {
		out.Claims = &claims
		if scope == aadtoken.StorageScope && !audienceIsStorage(claims.Audience) {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the token's audience is %q, not https://storage.azure.com: Blob Storage will refuse it", strings.Join(claims.Audience, ", ")))
		}
	}
	if time.Until(tok.ExpiresOn) <= 0 {
		out.Warnings = append(out.Warnings, "the token has already expired")
	}
	if o.json {
		if showToken {
			out.AccessToken = tok.AccessToken
			// Written raw: the scrubber would (rightly) remove the token.
			return cli.WriteJSON(a.stdout, out)
		}
		return cli.WriteJSON(a.out, out)
	}
	w := a.out
	fmt.Fprintf(w, "source:      %s\n", out.Source)
	fmt.Fprintf(w, "expires:     %s (in %s)\n", out.ExpiresOn.Format(time.RFC3339), time.Duration(out.ExpiresIn)*time.Second)
	if !out.RefreshOn.IsZero() {
		fmt.Fprintf(w, "refresh at:  %s\n", out.RefreshOn.Format(time.RFC3339))
	}
	if out.Claims != nil {
		cl := out.Claims
		fmt.Fprintf(w, "claims (read from the token without verifying it):\n")
		row := func(name, v string) {
			if v != "" {
				fmt.Fprintf(w, "  %-22s %s\n", name, v)
			}
		}
		row("tenant (tid)", cl.TenantID)
		row("app id (appid)", cl.AppID)
		row("app id (azp)", cl.AuthorizedParty)
		row("audience (aud)", strings.Join(cl.Audience, ", "))
		row("object id (oid)", cl.ObjectID)
		row("issuer (iss)", cl.Issuer)
		row("identity type (idtyp)", cl.IdentityType)
		row("managed identity", cl.ManagedIdentity)
		row("roles", strings.Join(cl.Roles, ", "))
		row("scopes (scp)", cl.Scope)
		if !cl.IssuedAt.IsZero() {
			row("issued at (iat)", cl.IssuedAt.Format(time.RFC3339))
		}
	} else {
		fmt.Fprintf(w, "claims:      none shown (%s)\n", out.ClaimsError)
	}
	for _, warn := range out.Warnings {
		fmt.Fprintf(w, "warning:     %s\n", warn)
	}
	if showToken {
		fmt.Fprintf(a.stdout, "token:       %s\n", tok.AccessToken)
	} else {
		fmt.Fprintf(w, "token:       not shown (add -show-token; it is a secret)\n")
	}
	return nil
}

func audienceIsStorage(aud []string) bool {
	for _, a := range aud {
		for _, s := range storageAudiences {
			if strings.EqualFold(a, s) {
				return true
			}
		}
	}
	return false
}

// clientIDFromURL reads azure_client_id from a storage URL's fragment.
func clientIDFromURL(raw string) string {
	_, frag, ok := strings.Cut(raw, "#")
	if !ok {
		return ""
	}
	for _, kv := range strings.Split(frag, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "azure_client_id" {
			return v
		}
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
