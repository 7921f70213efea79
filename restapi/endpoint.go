package restapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"
)

// endpoint is a parsed, validated account endpoint.
type endpoint struct {
	scheme    string // "https" or "http", lower case
	host      string // host[:port] as it goes on the wire
	account   string // account name derived from the URL (or overridden)
	pathStyle bool   // true when the account is the first path segment
	base      string // scheme://host[/account], no trailing slash
	basePath  string // "" or "/account"
}

// parseEndpoint validates an account URL and works out its style.
//
// Path style (http://127.0.0.1:10000/devstoreaccount1) is used when the host
// is an IP address or "localhost", or when a port is given together with a
// path: that is how emulators are addressed. Anything else is host style
// (https://<account>.blob.core.windows.net, sovereign clouds, custom domains)
// and must not carry a path, because a path there would silently become part
// of every container name.
func parseEndpoint(raw string) (*endpoint, error) {
	const example = "give the account URL, e.g. https://<account>.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1"
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("restapi: endpoint is empty; %s", example)
	}
	if raw != strings.TrimSpace(raw) {
		return nil, fmt.Errorf("restapi: endpoint %q has leading or trailing spaces; remove them", RedactURL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input, which might carry a SAS; say only what failed.
		return nil, fmt.Errorf("restapi: endpoint is not a valid URL; %s", example)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return nil, fmt.Errorf("restapi: endpoint scheme %q is not supported; use https (or http for a local emulator); %s", u.Scheme, example)
	}
	if u.User != nil {
		return nil, errors.New("restapi: endpoint must not contain user info (user:password@); pass credentials as an Authorizer")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, errors.New("restapi: endpoint must not contain a query string; a SAS token belongs in an Authorizer, not in the endpoint")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, errors.New("restapi: endpoint must not contain a fragment (#...)")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("restapi: endpoint %q has no host; %s", raw, example)
	}
	hostname := strings.ToLower(u.Hostname())
	port := u.Port()
	if hostname == "" {
		return nil, fmt.Errorf("restapi: endpoint %q has no host name; %s", raw, example)
	}
	if strings.HasSuffix(u.Host, ":") {
		return nil, fmt.Errorf("restapi: endpoint %q has an empty port", raw)
	}

	path := strings.Trim(u.Path, "/")
	var segments []string
	if path != "" {
		segments = strings.Split(path, "/")
	}

	isIP := net.ParseIP(hostname) != nil
	pathStyle := isIP || hostname == "localhost" || (port != "" && len(segments) > 0)

	ep := &endpoint{scheme: scheme, host: strings.ToLower(u.Host), pathStyle: pathStyle}
	if pathStyle {
		if len(segments) != 1 {
			if len(segments) == 0 {
				return nil, fmt.Errorf("restapi: path-style endpoint %q needs the account name as its only path segment, e.g. http://127.0.0.1:10000/devstoreaccount1", raw)
			}
			return nil, fmt.Errorf("restapi: path-style endpoint %q must have exactly one path segment (the account name), not %d; container and blob names are passed to each call", raw, len(segments))
		}
		ep.account = segments[0]
		ep.basePath = "/" + ep.account
	} else {
		if len(segments) > 0 {
			return nil, fmt.Errorf("restapi: endpoint %q has a path; an account URL such as https://<account>.blob.core.windows.net has none (path-style endpoints are only recognised for IP addresses, localhost, or a host with an explicit port)", raw)
		}
		label, _, _ := strings.Cut(hostname, ".")
		ep.account = label
	}
	if err := validateAccountName(ep.account); err != nil {
		return nil, err
	}
	ep.base = scheme + "://" + ep.host + ep.basePath
	return ep, nil
}

// validateAccountName accepts what Azure and the emulators use: letters,
// digits and hyphens. Azure itself allows only 3-24 lower-case letters and
// digits, but emulators and custom domains are looser, so only characters
// that would need escaping in a URL path are refused.
func validateAccountName(name string) error {
	if name == "" {
		return errors.New("restapi: endpoint gives no account name")
	}
	if len(name) > 63 {
		return fmt.Errorf("restapi: account name %q is longer than 63 characters", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("restapi: account name %q may contain only letters, digits and '-'", name)
		}
	}
	return nil
}

// validateContainerName applies Azure's container naming rules so a typo
// fails here with a clear message rather than as a 400 from the service.
func validateContainerName(name string) error {
	switch name {
	case "$root", "$logs", "$web":
		return nil
	}
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("restapi: container name %q must be 3 to 63 characters long", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(name)-1 || name[i-1] == '-' {
				return fmt.Errorf("restapi: container name %q must start and end with a letter or digit and must not contain \"--\"", name)
			}
		default:
			return fmt.Errorf("restapi: container name %q may contain only lower-case letters, digits and '-'", name)
		}
	}
	return nil
}

// validateBlobName refuses names the service or an HTTP stack would alter:
// empty, over 1024 characters, invalid UTF-8, or with "." / ".." segments,
// which URL normalisation removes before the request reaches the blob.
func validateBlobName(name string) error {
	if name == "" {
		return errors.New("restapi: blob name is empty")
	}
	if utf8.RuneCountInString(name) > 1024 {
		return fmt.Errorf("restapi: blob name is %d characters long; the limit is 1024", utf8.RuneCountInString(name))
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("restapi: blob name %q is not valid UTF-8", name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("restapi: blob name %q has a %q path segment, which URL normalisation would remove; rename the blob", name, seg)
		}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("restapi: blob name %q contains a control character", name)
		}
	}
	return nil
}

// validateContainerAndBlob checks the two names of a blob operation,
// container first.
func validateContainerAndBlob(container, blob string) error {
	if err := validateContainerName(container); err != nil {
		return err
	}
	return validateBlobName(blob)
}

// escapePath percent-encodes every byte except RFC 3986 unreserved
// characters and '/'. Encoding more than net/url would (it leaves + $ & , ; =
// : @ alone) keeps the path unambiguous for every server and signer: the
// bytes on the wire are exactly the bytes that get signed.
func escapePath(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// escapeQuery encodes a query key or value like url.QueryEscape but writes
// a space as %20, not '+': a '+' is read back as a space by some servers and
// literally by others, %20 by all of them as a space.
func escapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// resourceURL builds the URL for an account-level (container == ""),
// container-level (blob == "") or blob-level resource. The caller has
// validated the names.
func (e *endpoint) resourceURL(container, blob string) *url.URL {
	p := e.basePath
	if container != "" {
		p += "/" + container
		if blob != "" {
			p += "/" + blob
		}
	} else {
		p += "/"
	}
	return &url.URL{Scheme: e.scheme, Host: e.host, Path: p, RawPath: escapePath(p)}
}
