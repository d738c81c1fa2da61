package bsn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables of the global BSN keys of before a key per gemeente
// (platform/keyring): set, they still open the BSNs sealed with them (key version 1).
const (
	EnvKey      = "PLEIN_BSN_KEY"       // base64 of 32 bytes: AES-256-GCM key for BSNs at rest
	EnvIndexKey = "PLEIN_BSN_INDEX_KEY" // base64 of 32 bytes: HMAC key of the BSN blind index
)

// LegacyKeysFile is the file in a local data directory where `plein dev` kept the
// global keys.
const LegacyKeysFile = "bsn.keys"

// LoadLegacyKeys returns the global keys of before from PLEIN_BSN_KEY and
// PLEIN_BSN_INDEX_KEY or, in local mode, from the data directory's bsn.keys; ok is
// false when there are none (a new installation: every key is a gemeente's). They are
// never made any more.
func LoadLegacyKeys(dataDir string, local bool) (encKey, indexKey []byte, ok bool, err error) {
	enc, idx := os.Getenv(EnvKey), os.Getenv(EnvIndexKey)
	if enc == "" && idx == "" && local {
		b, err := os.ReadFile(filepath.Join(dataDir, LegacyKeysFile))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, false, nil
		}
		if err != nil {
			return nil, nil, false, fmt.Errorf("bsn: %w", err)
		}
		var found bool
		if enc, idx, found = strings.Cut(strings.TrimSpace(string(b)), " "); !found {
			return nil, nil, false, fmt.Errorf("bsn: %s: want two base64 keys separated by a space", LegacyKeysFile)
		}
	}
	if enc == "" && idx == "" {
		return nil, nil, false, nil
	}
	if enc == "" || idx == "" {
		return nil, nil, false, fmt.Errorf("set both %s and %s, or neither", EnvKey, EnvIndexKey)
	}
	encKey, indexKey, err = KeysFromBase64(enc, idx)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s/%s: %w", EnvKey, EnvIndexKey, err)
	}
	return encKey, indexKey, true, nil
}
