package bsn

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadLegacyKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvKey, "")
	t.Setenv(EnvIndexKey, "")
	if _, _, ok, err := LoadLegacyKeys(dir, true); ok || err != nil {
		t.Fatalf("no keys anywhere: ok %v, err %v; want none and no error", ok, err)
	}
	if _, err := os.Stat(filepath.Join(dir, LegacyKeysFile)); err == nil {
		t.Fatal("a legacy key file was made; keys are a gemeente's now")
	}
	enc, idx := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	line := base64.StdEncoding.EncodeToString(enc) + " " + base64.StdEncoding.EncodeToString(idx) + "\n"
	if err := os.WriteFile(filepath.Join(dir, LegacyKeysFile), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	gotEnc, gotIdx, ok, err := LoadLegacyKeys(dir, true)
	if err != nil || !ok || !bytes.Equal(gotEnc, enc) || !bytes.Equal(gotIdx, idx) {
		t.Fatalf("an existing data directory's bsn.keys: ok %v, err %v, keys equal %v %v", ok, err, bytes.Equal(gotEnc, enc), bytes.Equal(gotIdx, idx))
	}
	if _, _, ok, _ := LoadLegacyKeys(dir, false); ok {
		t.Error("outside local mode the data directory's file was read")
	}
	t.Setenv(EnvKey, base64.StdEncoding.EncodeToString(enc))
	if _, _, _, err := LoadLegacyKeys(dir, false); err == nil {
		t.Error("only PLEIN_BSN_KEY set: want an error naming both")
	}
}
