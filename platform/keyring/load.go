package keyring

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/kms"
)

// LocalKMSDir is the KMS directory in a local data directory.
const LocalKMSDir = "kms"

// Load returns the keyring of a process: over the app pool, with the KMS directory of
// PLEIN_KMS_DIR (in local mode by default dataDir/kms) and, if there are any, the
// global keys of before (bsn.LoadLegacyKeys) as version 1.
func Load(app *pgxpool.Pool, dataDir string, local bool) (*Keyring, error) {
	k, err := LoadKMS(dataDir, local)
	if err != nil {
		return nil, err
	}
	enc, idx, ok, err := bsn.LoadLegacyKeys(dataDir, local)
	if err != nil {
		return nil, err
	}
	var legacy *Legacy
	if ok {
		legacy = &Legacy{Enc: enc, Index: idx}
	}
	return New(app, k, legacy), nil
}

// LoadKMS returns the KMS of PLEIN_KMS_DIR, in local mode by default dataDir/kms.
func LoadKMS(dataDir string, local bool) (*kms.Dir, error) {
	dir := os.Getenv(kms.EnvDir)
	if dir == "" && local {
		dir = filepath.Join(dataDir, LocalKMSDir)
	}
	if dir == "" {
		return nil, errors.New(kms.EnvDir + " must be set: the directory of the gemeenten's key-encryption keys")
	}
	return kms.NewDir(dir)
}
