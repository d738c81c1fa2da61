package bsn

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables of the BSN keys.
const (
	EnvKey      = "PLEIN_BSN_KEY"       // base64 of 32 bytes: AES-256-GCM key for BSNs at rest
	EnvIndexKey = "PLEIN_BSN_INDEX_KEY" // base64 of 32 bytes: HMAC key of the BSN blind index
)

// LoadSealer builds the sealer from PLEIN_BSN_KEY and PLEIN_BSN_INDEX_KEY, or in
// local mode from keys kept in the data directory (made on first use).
func LoadSealer(dataDir string, local bool) (*Sealer, error) {
	enc, idx := os.Getenv(EnvKey), os.Getenv(EnvIndexKey)
	if enc == "" && idx == "" && local {
		var err error
		if enc, idx, err = localKeys(filepath.Join(dataDir, "bsn.keys"), dataDir); err != nil {
			return nil, err
		}
	}
	if enc == "" || idx == "" {
		return nil, fmt.Errorf("%s and %s must be set", EnvKey, EnvIndexKey)
	}
	encKey, idxKey, err := KeysFromBase64(enc, idx)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", EnvKey, EnvIndexKey, err)
	}
	return NewSealer(encKey, idxKey)
}

// localKeys reads the keys kept at path, or makes and keeps them there.
func localKeys(path, dataDir string) (enc, idx string, err error) {
	if b, err := os.ReadFile(path); err == nil {
		if e, i, ok := strings.Cut(strings.TrimSpace(string(b)), " "); ok && e != "" {
			return e, i, nil
		}
	}
	var e, i [32]byte
	_, _ = rand.Read(e[:])
	_, _ = rand.Read(i[:])
	enc, idx = base64.StdEncoding.EncodeToString(e[:]), base64.StdEncoding.EncodeToString(i[:])
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(path, []byte(enc+" "+idx+"\n"), 0o600); err != nil {
		return "", "", err
	}
	return enc, idx, nil
}
