package emulatortest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// selfSigned is a loopback server certificate made at test time. ECDSA
// P-256 with SHA-256 is allowed under GODEBUG=fips140=only and is accepted
// by Node's TLS stack.
type selfSigned struct {
	certPEM []byte
	keyPEM  []byte
	cert    *x509.Certificate
}

// newSelfSigned makes a certificate for 127.0.0.1, ::1 and localhost, valid
// from an hour ago (tolerating clock skew) for validFor.
func newSelfSigned(validFor time.Duration) (*selfSigned, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: generating certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("emulatortest: generating certificate serial: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: encoding certificate public key: %w", err)
	}
	// An explicit key id (RFC 7093: leftmost 160 bits of SHA-256) keeps
	// CreateCertificate from deriving one with SHA-1, which panics under
	// GODEBUG=fips140=only.
	skid := sha256.Sum256(pubDER)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		SubjectKeyId:          skid[:20],
		Subject:               pkix.Name{CommonName: "azblobmin emulatortest", Organization: []string{"azblobmin tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validFor),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: creating self-signed certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: parsing self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: encoding certificate key: %w", err)
	}
	return &selfSigned{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		cert:    cert,
	}, nil
}

// writeFiles stores the PEM files Azurite's --cert and --key read. The key
// file is private to the user.
func (s *selfSigned) writeFiles(dir string) (certFile, keyFile string, err error) {
	certFile = filepath.Join(dir, "azurite-cert.pem")
	keyFile = filepath.Join(dir, "azurite-key.pem")
	if err := os.WriteFile(certFile, s.certPEM, 0o644); err != nil {
		return "", "", fmt.Errorf("emulatortest: writing certificate: %w", err)
	}
	if err := os.WriteFile(keyFile, s.keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("emulatortest: writing certificate key: %w", err)
	}
	return certFile, keyFile, nil
}

// tlsConfig trusts exactly this certificate and nothing else, so a test that
// passes proves the client verified the emulator rather than skipping
// verification.
func (s *selfSigned) tlsConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}
