package strictjson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/plein-nl/plein/platform/strictjson"
)

func TestRead(t *testing.T) {
	t.Parallel()
	var v struct {
		Name string `json:"name"`
	}
	dec, err := strictjson.Read(strings.NewReader(`{"name":"Ada"}`), 1<<10)
	if err != nil || dec.Decode(&v) != nil || v.Name != "Ada" {
		t.Fatalf("Read = %v, %+v; want Ada", err, v)
	}
	dec, err = strictjson.Read(strings.NewReader(`{"name":"Ada","age":3}`), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := strictjson.UnknownField(dec.Decode(&v)); !ok || name != "age" {
		t.Errorf("UnknownField = %q %v, want age true", name, ok)
	}
	// At most max bytes are read: the rest is as if it were not there.
	dec, err = strictjson.Read(strings.NewReader(`{"name":"Ada"}`), 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&v); err == nil {
		t.Error("Decode of a cut input: no error, want one")
	}
	broken := errors.New("broken")
	if _, err := strictjson.Read(iotest.ErrReader(broken), 10); !errors.Is(err, broken) {
		t.Errorf("Read of a broken reader: err = %v, want %v", err, broken)
	}
}

func TestUnknownField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		name string
		ok   bool
	}{
		{errors.New(`json: unknown field "x"`), "x", true},
		{errors.New(`json: unknown field "a\"b"`), `a"b`, true},
		// Found by FuzzDecodeCase: {"": false} was refused naming no field.
		{errors.New(`json: unknown field ""`), `""`, true},
		{errors.New("json: cannot unmarshal"), "", false},
		{nil, "", false},
	} {
		if name, ok := strictjson.UnknownField(tc.err); name != tc.name || ok != tc.ok {
			t.Errorf("UnknownField(%v) = %q %v, want %q %v", tc.err, name, ok, tc.name, tc.ok)
		}
	}
}

func TestKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    any
		want string
	}{
		{int64(0), "whole number"}, {uint8(0), "whole number"}, {0.5, "number"}, {true, "true or false"},
		{"", "string"}, {[]int{}, "list"}, {[2]int{}, "list"}, {struct{}{}, "object"},
		{map[string]int{}, "object"}, {new(int), "object"}, {json.Number(""), "string"}, {make(chan int), "chan"},
	} {
		if got := strictjson.Kind(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("Kind(%T) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
