package aadtoken

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const credClientCertificate = "client certificate"

// assertionLifetime is how long a client assertion is valid. It is used
// once, immediately; a short life limits the harm if one leaks.
const assertionLifetime = 10 * time.Minute

// ClientCertificateOptions configure [ClientCertificateCredential].
type ClientCertificateOptions struct {
	CredentialOptions
	// SendCertificateChain adds the x5c header (the certificate chain) to
	// the assertion, which subject name / issuer authentication requires.
	// The FromEnvironment constructor reads
	// AZURE_CLIENT_SEND_CERTIFICATE_CHAIN ("true"/"1") when this is false.
	SendCertificateChain bool
}

// ClientCertificateCredential authenticates a service principal with a
// certificate: each request carries a fresh JWT client assertion signed
// PS256 with the certificate's RSA key, identified by its SHA-256
// thumbprint (x5t#S256). No SHA-1 or PKCS#1 v1.5 is involved, so it works
// under GODEBUG=fips140=only.
type ClientCertificateCredential struct {
	ep         *tokenEndpoint
	key        *rsa.PrivateKey
	thumbprint string   // base64url SHA-256 of the leaf certificate's DER
	x5c        []string // std-base64 DER, leaf first; nil unless sending the chain
	subject    string   // leaf subject, for String
}

// NewClientCertificateCredential returns a credential for the app clientID
// in tenantID. certs[0] must be the certificate of key (as returned by
// [ParseCertificatePEM]); the rest are its chain. opts may be nil.
func NewClientCertificateCredential(tenantID, clientID string, certs []*x509.Certificate, key *rsa.PrivateKey, opts *ClientCertificateOptions) (*ClientCertificateCredential, error) {
	var o ClientCertificateOptions
	if opts != nil {
		o = *opts
	}
	if len(certs) == 0 || certs[0] == nil {
		return nil, fmt.Errorf("aadtoken: %s: no certificate given", credClientCertificate)
	}
	if key == nil {
		return nil, fmt.Errorf("aadtoken: %s: no private key given", credClientCertificate)
	}
	if bits := key.N.BitLen(); bits < minRSABits {
		return nil, fmt.Errorf("aadtoken: %s: the RSA key has %d bits; at least %d are required", credClientCertificate, bits, minRSABits)
	}
	if pub, ok := certs[0].PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("aadtoken: %s: the private key does not belong to the first certificate", credClientCertificate)
	}
	ep, err := newTokenEndpoint(credClientCertificate, tenantID, clientID, o.CredentialOptions)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(certs[0].Raw)
	c := &ClientCertificateCredential{
		ep:         ep,
		key:        key,
		thumbprint: base64.RawURLEncoding.EncodeToString(sum[:]),
		subject:    certs[0].Subject.String(),
	}
	if o.SendCertificateChain {
		for _, cert := range certs {
			c.x5c = append(c.x5c, base64.StdEncoding.EncodeToString(cert.Raw))
		}
	}
	return c, nil
}

// NewClientCertificateCredentialFromEnvironment reads AZURE_TENANT_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the
// certificate and its RSA key), AZURE_CLIENT_SEND_CERTIFICATE_CHAIN and
// AZURE_AUTHORITY_HOST. AZURE_CLIENT_CERTIFICATE_PASSWORD cannot be honoured
// (encrypted keys and PKCS#12 are not supported); when the key is
// encrypted the error says how to decrypt it. The error matches
// [ErrCredentialUnavailable] when a variable is missing.
func NewClientCertificateCredentialFromEnvironment(opts *ClientCertificateOptions) (*ClientCertificateCredential, error) {
	var o ClientCertificateOptions
	if opts != nil {
		o = *opts
	}
	env := newEnvReader(o.LookupEnv)
	if m := env.missing(EnvTenantID, EnvClientID, EnvClientCertificatePath); len(m) > 0 {
		return nil, unavailable(credClientCertificate, "%s not set", strings.Join(m, ", "))
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = env.get(EnvAuthorityHost)
	}
	if v := env.get(EnvClientSendCertChain); v != "" && !o.SendCertificateChain {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("aadtoken: %s: %s=%q is not a boolean (use true or false)", credClientCertificate, EnvClientSendCertChain, truncateForMessage(v))
		}
		o.SendCertificateChain = b
	}
	path := env.get(EnvClientCertificatePath)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("aadtoken: %s: reading %s=%s: %w", credClientCertificate, EnvClientCertificatePath, path, err)
	}
	certs, key, err := ParseCertificatePEM(data)
	if err != nil {
		msg := err.Error()
		if env.get(EnvClientCertificatePass) != "" {
			msg += "; note that " + EnvClientCertificatePass + " is set but passwords are not supported"
		}
		return nil, fmt.Errorf("aadtoken: %s: %s: %s", credClientCertificate, path, msg)
	}
	if env.get(EnvClientCertificatePass) != "" {
		loggerOrDiscard(o.Logger).Warn("aadtoken: " + EnvClientCertificatePass + " is set but ignored: the PEM key is not encrypted")
	}
	return NewClientCertificateCredential(env.get(EnvTenantID), env.get(EnvClientID), certs, key, &o)
}

// Token requests a new token with a freshly signed assertion.
func (c *ClientCertificateCredential) Token(ctx context.Context) (Token, error) {
	if c == nil || c.ep == nil {
		return Token{}, errors.New("aadtoken: nil ClientCertificateCredential")
	}
	assertion, err := c.assertion(c.ep.now())
	if err != nil {
		return Token{}, err
	}
	return c.ep.request(ctx, url.Values{
		"client_assertion_type": {clientAssertionType},
		"client_assertion":      {assertion},
	}, assertion)
}

// assertion builds the signed JWT that proves possession of the key:
// aud is the token endpoint, iss and sub the client id, jti a random id.
func (c *ClientCertificateCredential) assertion(now time.Time) (string, error) {
	jti, err := randomID()
	if err != nil {
		return "", fmt.Errorf("aadtoken: %s: %w", credClientCertificate, err)
	}
	claims := jwt.MapClaims{
		"aud": c.ep.tokenURL,
		"iss": c.ep.clientID,
		"sub": c.ep.clientID,
		"jti": jti,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodPS256, claims)
	t.Header["x5t#S256"] = c.thumbprint
	if c.x5c != nil {
		t.Header["x5c"] = c.x5c
	}
	s, err := t.SignedString(c.key)
	if err != nil {
		return "", fmt.Errorf("aadtoken: %s: signing the client assertion failed: %v", credClientCertificate, err)
	}
	return s, nil
}

// Thumbprint returns the certificate's x5t#S256 value (base64url SHA-256
// of its DER), as Entra ID lists it. It is public information.
func (c *ClientCertificateCredential) Thumbprint() string { return c.thumbprint }

// randomID returns a random UUID-formatted (version 4) identifier from
// crypto/rand, used as the assertion's jti.
func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}

// String names the credential; the key is never printed.
func (c *ClientCertificateCredential) String() string {
	if c == nil || c.ep == nil {
		return "aadtoken.ClientCertificateCredential(nil)"
	}
	return fmt.Sprintf("aadtoken.ClientCertificateCredential{tenant: %s, client_id: %s, endpoint: %s, certificate: %q, x5t#S256: %s, send_chain: %t, key: REDACTED}",
		c.ep.tenantID, c.ep.clientID, c.ep.tokenURL, c.subject, c.thumbprint, c.x5c != nil)
}

// GoString is String.
func (c *ClientCertificateCredential) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *ClientCertificateCredential) Format(f fmt.State, verb rune) {
	writeRedacted(f, verb, c.String())
}

// LogValue keeps the key out of slog output.
func (c *ClientCertificateCredential) LogValue() slog.Value { return slog.StringValue(c.String()) }
