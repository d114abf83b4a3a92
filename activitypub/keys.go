package activitypub

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/heraldnews/herald"
)

// KeyBits is the size of the RSA keys Herald generates: what Mastodon uses,
// and what every implementation that verifies rsa-sha256 accepts.
const KeyBits = 2048

// minKeyBits is the smallest remote key Verify trusts; shorter keys can be
// factored by whoever wants to impersonate their owner.
const minKeyBits = 1024

// GenerateKey returns a new RSA key pair for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	return key, nil
}

// EncodePrivateKey returns key as a PKCS #8 "PRIVATE KEY" PEM block, the form
// stored in the database.
func EncodePrivateKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// DecodePrivateKey parses an RSA private key from PEM, as PKCS #8 ("PRIVATE
// KEY") or PKCS #1 ("RSA PRIVATE KEY"), so that keys made by other tools
// (openssl genrsa, Mastodon exports) can be imported.
func DecodePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, herald.Errorf(herald.EINVALID, "The private key is not PEM-encoded.")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, herald.Errorf(herald.EINVALID, "A PEM block of type %q is not an RSA private key.", block.Type)
	}
	if err != nil {
		return nil, herald.Errorf(herald.EINVALID, "The private key cannot be parsed: %v", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, herald.Errorf(herald.EINVALID, "The private key is not an RSA key.")
	}
	return key, nil
}

// EncodePublicKey returns key as a PKIX "PUBLIC KEY" PEM block, the form
// ActivityPub actors publish as publicKeyPem.
func EncodePublicKey(key *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// DecodePublicKey parses an RSA public key from PEM, as PKIX ("PUBLIC KEY",
// what Mastodon publishes) or PKCS #1 ("RSA PUBLIC KEY", what some older
// servers publish). Keys shorter than 1024 bits are refused.
func DecodePublicKey(data string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		return nil, herald.Errorf(herald.EINVALID, "The public key is not PEM-encoded.")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		parsed, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		parsed, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, herald.Errorf(herald.EINVALID, "A PEM block of type %q is not a public key.", block.Type)
	}
	if err != nil {
		return nil, herald.Errorf(herald.EINVALID, "The public key cannot be parsed: %v", err)
	}
	key, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, herald.Errorf(herald.EINVALID, "The public key is not an RSA key.")
	}
	if key.N.BitLen() < minKeyBits {
		return nil, herald.Errorf(herald.EINVALID, "The public key has %d bits; at least %d are required.", key.N.BitLen(), minKeyBits)
	}
	return key, nil
}
