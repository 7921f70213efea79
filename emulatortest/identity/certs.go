package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// Certificate is an RSA-2048 certificate and key made for a test.
type Certificate struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// NewSelfSignedCertificate makes a self-signed client certificate.
func NewSelfSignedCertificate(t testing.TB, commonName string) *Certificate {
	t.Helper()
	return issue(t, commonName, nil, false)
}

// NewCA makes a self-signed CA certificate that can [Certificate.Issue]
// client certificates (for subject name / issuer authentication).
func NewCA(t testing.TB, commonName string) *Certificate {
	t.Helper()
	return issue(t, commonName, nil, true)
}

// Issue makes a client certificate signed by c.
func (c *Certificate) Issue(t testing.TB, commonName string) *Certificate {
	t.Helper()
	return issue(t, commonName, c, false)
}

func issue(t testing.TB, cn string, parent *Certificate, isCA bool) *Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("identity: generating an RSA key: %v", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("identity: serial: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	// Set the key id ourselves: x509 would derive it with SHA-1, which
	// panics under GODEBUG=fips140=only.
	skid := sha256.Sum256(x509.MarshalPKCS1PublicKey(&key.PublicKey))
	tmpl.SubjectKeyId = skid[:20]
	if isCA {
		tmpl.IsCA = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	}
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatalf("identity: creating a certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("identity: parsing the certificate: %v", err)
	}
	return &Certificate{Cert: cert, Key: key}
}

// CertPEM is the certificate in PEM form.
func (c *Certificate) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPKCS8PEM is the private key as a PKCS#8 "PRIVATE KEY" block.
func (c *Certificate) KeyPKCS8PEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatalf("identity: marshalling the key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// KeyPKCS1PEM is the private key as a PKCS#1 "RSA PRIVATE KEY" block.
func (c *Certificate) KeyPKCS1PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(c.Key)})
}

// Thumbprint is the x5t#S256 value: base64url SHA-256 of the DER.
func (c *Certificate) Thumbprint() string { return Thumbprint(c.Cert) }

// Thumbprint is the x5t#S256 value of cert.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
