package problem

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// encoding/json reports only the first wrongly typed value of a body (and stops at the
// first unknown field or failing UnmarshalJSON). everyBadField is the second, tolerant
// pass Decode makes after such a failure: it takes the body apart member by member and
// decodes each value alone into its field's type, down through objects and arrays, so
// the problem names every bad field at once.

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// everyBadField lists the bad fields of body as a value of type t, in the body's order.
// Nil when body is not an object (the first error then stands).
func everyBadField(body []byte, t reflect.Type) []FieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	var out []FieldError
	collect(&out, "", body, t)
	return out
}

// collect appends to out what is wrong with raw as a value of type t at path.
func collect(out *[]FieldError, path string, raw []byte, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	custom := reflect.PointerTo(t).Implements(unmarshalerType)
	switch {
	case bytes.Equal(raw, []byte("null")):
		return
	case !custom && t.Kind() == reflect.Struct && len(raw) > 0 && raw[0] == '{':
		members, ok := objectMembers(raw)
		if !ok {
			break
		}
		fields := jsonFields(t)
		for _, m := range members {
			f, known := lookupField(fields, m.key)
			if !known {
				*out = append(*out, FieldError{Field: join(path, m.key), Reason: "is not a known field"})
				continue
			}
			collect(out, join(path, f.name), m.value, f.typ)
		}
		return
	case !custom && t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && len(raw) > 0 && raw[0] == '{':
		members, ok := objectMembers(raw)
		if !ok {
			break
		}
		for _, m := range members {
			collect(out, join(path, m.key), m.value, t.Elem())
		}
		return
	case !custom && t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && len(raw) > 0 && raw[0] == '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			break
		}
		for i, item := range items {
			collect(out, path+"["+strconv.Itoa(i)+"]", item, t.Elem())
		}
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(reflect.New(t).Interface()); err != nil {
		*out = append(*out, fieldErrorAt(path, err))
	}
}

// fieldErrorAt is the one FieldError of a value decoded alone at path.
func fieldErrorAt(path string, err error) FieldError {
	var fe *FieldError
	if errors.As(err, &fe) { // a custom UnmarshalJSON names its own field; keep its reason
		return FieldError{Field: orBody(path), Reason: fe.Reason}
	}
	p := decodeProblem(err)
	if len(p.Errors) == 0 { // an UnmarshalJSON's own message, less its package prefix
		msg := p.Detail
		if pkg, rest, ok := strings.Cut(msg, ": "); ok && !strings.ContainsAny(pkg, " \"") {
			msg = rest
		}
		return FieldError{Field: orBody(path), Reason: "is invalid: " + msg}
	}
	e := p.Errors[0]
	if e.Field != "(body)" && e.Field != "" {
		e.Field = join(path, e.Field)
	} else {
		e.Field = orBody(path)
	}
	return e
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orBody(path string) string {
	if path == "" {
		return "(body)"
	}
	return path
}

type member struct {
	key   string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members, in order.
func objectMembers(raw []byte) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{key, v})
	}
	return out, true
}

type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the members a struct decodes, by JSON name, embedded structs'
// members included, as encoding/json sees them.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name, f.Type})
	}
	return out
}

// lookupField finds key as encoding/json does: the exact name first, then ignoring case.
func lookupField(fields []jsonField, key string) (jsonField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}
