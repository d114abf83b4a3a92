// Package auth signs staff in: argon2id password hashes, personal API tokens
// stored as SHA-256 hashes, and a limit on failed sign-ins.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/heraldnews/herald"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// Password length limits, in characters.
const (
	MinPasswordRunes = 10
	MaxPasswordRunes = 256
)

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return herald.Invalid("password", "must be valid text")
	case n < MinPasswordRunes:
		return herald.Invalid("password", "must be at least %d characters", MinPasswordRunes)
	case n > MaxPasswordRunes:
		return herald.Invalid("password", "must be at most %d characters", MaxPasswordRunes)
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC hash, in constant time.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil || memory > 1<<20 || iterations > 10 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// tokenPrefix marks Herald API tokens, so that leaked ones are easy to spot.
const tokenPrefix = "hrd_"

// NewTokenSecret returns a new random API token and the hash to store.
func NewTokenSecret() (secret, hash string) { return NewSecret(tokenPrefix) }

// NewSecret returns a new random secret that starts with prefix (which
// tells what it opens), and the hash to store.
func NewSecret(prefix string) (secret, hash string) {
	secret = prefix + randomToken()
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a token: its SHA-256 in hex. Tokens are
// long and random, so a fast hash is enough.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
