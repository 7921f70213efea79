package aadtoken

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// minRSABits is the smallest RSA key accepted: Entra ID requires 2048 and
// FIPS 140-3 forbids less.
const minRSABits = 2048

const pkcs12Advice = "PKCS#12 (.pfx/.p12) files are not supported: convert to PEM with\n" +
	"  openssl pkcs12 -in cert.pfx -out cert.pem -nodes\n" +
	"and keep cert.pem as private as the .pfx (it holds the unencrypted key)"

const encryptedKeyAdvice = "password-protected PEM keys are not supported: write an unencrypted copy with\n" +
	"  openssl pkey -in key.pem -out key-plain.pem\n" +
	"and protect it with file permissions (or a secret store mounted as a file)"

// ParseCertificatePEM reads a PEM bundle holding the client certificate
// (optionally followed by its chain) and its RSA private key, in PKCS#1
// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") form. The certificate
// matching the key is returned first. Errors never include key material.
func ParseCertificatePEM(data []byte) ([]*x509.Certificate, *rsa.PrivateKey, error) {
	var (
		certs  []*x509.Certificate
		key    *rsa.PrivateKey
		blocks int
	)
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks++
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("certificate %d in the PEM file is invalid: %v", len(certs)+1, err)
			}
			certs = append(certs, c)
		case "RSA PRIVATE KEY", "PRIVATE KEY":
			if key != nil {
				return nil, nil, errors.New("the PEM file holds more than one private key; keep only the client certificate's key")
			}
			if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
				return nil, nil, errors.New("the private key is encrypted; " + encryptedKeyAdvice)
			}
			k, err := parseRSAKey(b)
			if err != nil {
				return nil, nil, err
			}
			key = k
		case "ENCRYPTED PRIVATE KEY":
			return nil, nil, errors.New("the private key is encrypted (PKCS#8 ENCRYPTED PRIVATE KEY); " + encryptedKeyAdvice)
		case "EC PRIVATE KEY":
			return nil, nil, errors.New("the private key is an EC key; Entra ID client certificates must use RSA keys of at least 2048 bits")
		}
	}
	if blocks == 0 {
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == 0x30 {
			return nil, nil, errors.New("the file is binary (DER), not PEM; " + pkcs12Advice)
		}
		return nil, nil, errors.New("the file holds no PEM blocks; expected -----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY----- sections")
	}
	if len(certs) == 0 {
		return nil, nil, errors.New("the PEM file holds no CERTIFICATE block; put the certificate and its key in one file (cat cert.pem key.pem > client.pem)")
	}
	if key == nil {
		return nil, nil, errors.New("the PEM file holds no private key (RSA PRIVATE KEY or PRIVATE KEY block); put the certificate and its key in one file (cat cert.pem key.pem > client.pem)")
	}
	leaf := -1
	for i, c := range certs {
		if pub, ok := c.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&key.PublicKey) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, nil, errors.New("the private key does not match any certificate in the PEM file")
	}
	ordered := append([]*x509.Certificate{certs[leaf]}, certs[:leaf]...)
	ordered = append(ordered, certs[leaf+1:]...)
	return ordered, key, nil
}

func parseRSAKey(b *pem.Block) (*rsa.PrivateKey, error) {
	var (
		k   any
		err error
	)
	if b.Type == "RSA PRIVATE KEY" {
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	} else {
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		// The parser's message names the structure, never key bytes.
		return nil, fmt.Errorf("the %s block is not a valid key: %v", b.Type, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the private key is %T; Entra ID client certificates must use RSA keys", k)
	}
	if bits := rk.N.BitLen(); bits < minRSABits {
		return nil, fmt.Errorf("the RSA key has %d bits; at least %d are required", bits, minRSABits)
	}
	return rk, nil
}
