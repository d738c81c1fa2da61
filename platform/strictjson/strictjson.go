// Package strictjson reads JSON input the strict way every input of Plein is read — no
// unknown fields — and names what is wrong in a JSON author's words, not Go's.
package strictjson

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Read reads at most max bytes of r and returns a decoder over them that refuses
// unknown fields. Only an error of r is returned; what is wrong with the JSON comes
// from the decoder.
func Read(r io.Reader, max int64) (*json.Decoder, error) {
	data, err := io.ReadAll(io.LimitReader(r, max))
	if err != nil {
		return nil, err
	}
	return NewDecoder(bytes.NewReader(data)), nil
}

// NewDecoder returns a decoder of r that refuses unknown fields.
func NewDecoder(r io.Reader) *json.Decoder {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec
}

// UnknownField returns the name of the field an error of a strict decoder refused,
// and whether err is such an error. The name is never empty: the key "" is `""`.
func UnknownField(err error) (string, bool) {
	const prefix = "json: unknown field "
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		return "", false
	}
	quoted := strings.TrimPrefix(err.Error(), prefix)
	name, uerr := strconv.Unquote(quoted)
	if uerr != nil {
		name = strings.Trim(quoted, `"`)
	}
	if name == "" {
		// A key with no name ({"": 1}): name it as written, or the error names no field.
		return `""`, true
	}
	return name, true
}

// Kind names the JSON type a Go type is read from, as a JSON author knows it:
// "whole number", "list", "object".
func Kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "object"
	}
	return t.Kind().String()
}
