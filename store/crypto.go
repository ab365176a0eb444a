package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cipher encrypts hh tokens with AES-256-GCM. Each key version has its own
// key, derived from that version's secret with HKDF-SHA256; ciphertext names
// its version ("v2.<base64>") so rows written under an old key still decrypt
// after rotation, and RotateTokens re-encrypts them under the current one.
// The additional data binds a ciphertext to its user and column, so a value
// copied into another row does not decrypt.
type Cipher struct {
	aeads   map[int]cipher.AEAD
	current int
}

// hkdfInfo names the purpose and version of a derived key; fixed forever.
func hkdfInfo(version int) string {
	return "otklik token encryption v" + strconv.Itoa(version)
}

// NewCipher derives one AES-256 key per version from secrets (SECRET_KEY
// bytes, old and new) and encrypts with secrets[current].
func NewCipher(secrets map[int][]byte, current int) (*Cipher, error) {
	if _, ok := secrets[current]; !ok {
		return nil, fmt.Errorf("store: cipher: no secret for current key version %d", current)
	}
	c := &Cipher{aeads: make(map[int]cipher.AEAD, len(secrets)), current: current}
	for version, secret := range secrets {
		if version < 1 {
			return nil, fmt.Errorf("store: cipher: key version %d: versions start at 1", version)
		}
		if len(secret) < 16 {
			return nil, fmt.Errorf("store: cipher: key version %d: secret shorter than 16 bytes", version)
		}
		key, err := hkdf.Key(sha256.New, secret, nil, hkdfInfo(version), 32)
		if err != nil {
			return nil, fmt.Errorf("store: cipher: derive key version %d: %w", version, err)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("store: cipher: key version %d: %w", version, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("store: cipher: key version %d: %w", version, err)
		}
		c.aeads[version] = aead
	}
	return c, nil
}

// NewCipherFromSecret is NewCipher with a single secret as key version 1.
func NewCipherFromSecret(secret []byte) (*Cipher, error) {
	return NewCipher(map[int][]byte{1: secret}, 1)
}

// CurrentVersion is the key version new ciphertext is written under.
func (c *Cipher) CurrentVersion() int { return c.current }

func tokenAAD(userID int64, column string) []byte {
	return []byte("otklik/user/" + strconv.FormatInt(userID, 10) + "/" + column)
}

// encrypt seals plaintext for userID's column under the current key.
func (c *Cipher) encrypt(userID int64, column, plaintext string) (string, error) {
	aead := c.aeads[c.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), tokenAAD(userID, column))
	return "v" + strconv.Itoa(c.current) + "." + base64.RawStdEncoding.EncodeToString(sealed), nil
}

var errDecrypt = errors.New("cannot decrypt token (wrong key, or ciphertext from another row)")

// decrypt opens a value written by encrypt and returns its key version.
func (c *Cipher) decrypt(userID int64, column, value string) (string, int, error) {
	head, body, ok := strings.Cut(value, ".")
	if !ok || !strings.HasPrefix(head, "v") {
		return "", 0, errors.New("token ciphertext has no key version")
	}
	version, err := strconv.Atoi(head[1:])
	if err != nil {
		return "", 0, fmt.Errorf("token ciphertext key version %q", head)
	}
	aead, ok := c.aeads[version]
	if !ok {
		return "", version, fmt.Errorf("token encrypted under key version %d, which is not configured", version)
	}
	sealed, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", version, errors.New("token ciphertext is malformed")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], tokenAAD(userID, column))
	if err != nil {
		return "", version, errDecrypt
	}
	return string(plain), version, nil
}
