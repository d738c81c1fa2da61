package bsn

import "testing"

func TestLoadSealer(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvKey, "")
	t.Setenv(EnvIndexKey, "")
	if _, err := LoadSealer(dir, false); err == nil {
		t.Fatal("no keys outside local mode: want an error")
	}
	s1, err := LoadSealer(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := LoadSealer(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("111222333")
	if err != nil {
		t.Fatal(err)
	}
	if string(s1.BlindIndex(b)) != string(s2.BlindIndex(b)) {
		t.Fatal("second start: another index key, want the kept one")
	}
}
