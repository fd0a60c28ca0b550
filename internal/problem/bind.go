package problem

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
)

// MaxBody is the largest admin request body Bind reads.
const MaxBody = 1 << 20

// Validator wraps validator/v10 so it can be registered as echo's Validator; field
// errors are reported by JSON name (`starts_on`, not `StartsOn`).
type Validator struct {
	V *validator.Validate
}

// NewValidator returns a validator that names fields by their json tag.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return &Validator{V: v}
}

// Validate implements echo.Validator. It returns a *Problem (422) listing each bad field.
func (v *Validator) Validate(i any) error {
	err := v.V.Struct(i)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return Fields(http.StatusUnprocessableEntity, err.Error())
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, FieldError{Field: fieldPath(fe.Namespace()), Reason: reason(fe)})
	}
	return Fields(http.StatusUnprocessableEntity, "the request has invalid fields", out...)
}

// fieldPath drops the struct name validator puts first: "req.pauses[0].from" → "pauses[0].from".
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// unit names what a length limit counts: characters of a string, items of a list.
func unit(fe validator.FieldError) string {
	switch fe.Kind() {
	case reflect.String:
		return " characters"
	case reflect.Slice, reflect.Array, reflect.Map:
		return " items"
	}
	return ""
}

func reason(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required", "required_with", "required_without":
		return "is required"
	case "min", "gte":
		return "must be at least " + fe.Param() + unit(fe)
	case "max", "lte":
		return "must be at most " + fe.Param() + unit(fe)
	case "gt":
		return "must be greater than " + fe.Param()
	case "lt":
		return "must be less than " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "email":
		return "must be an e-mail address"
	case "fqdn", "hostname":
		return "must be a domain name like example.at"
	case "url", "http_url":
		return "must be a URL"
	case "https_url":
		return "must be an https:// URL"
	case "dive":
		return "has an invalid element"
	}
	if fe.Param() != "" {
		return fmt.Sprintf("fails %s=%s", fe.Tag(), fe.Param())
	}
	return "fails " + fe.Tag()
}

// Bind decodes the JSON body of c into dst strictly (unknown fields, trailing data and
// bodies over MaxBody are errors) and validates it with echo's validator. Every failure
// is a *Problem naming the field; dst must not be used when Bind fails.
func Bind(c echo.Context, dst any) error {
	if err := Decode(c.Request().Body, dst); err != nil {
		return err
	}
	if c.Echo().Validator != nil {
		if err := c.Validate(dst); err != nil {
			return err
		}
	}
	return nil
}

// Decode is Bind's strict JSON decoding without validation.
func Decode(r io.Reader, dst any) error {
	body, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return New(http.StatusBadRequest, "the request body could not be read")
	}
	if len(body) > MaxBody {
		return New(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", MaxBody))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Fields(http.StatusBadRequest, "the request body is empty; a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		p := decodeProblem(err)
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return p // not JSON: nothing to name
		}
		// Name every bad field, not just the first (fields.go).
		if all := everyBadField(body, reflect.TypeOf(dst)); len(all) > 1 || (len(all) == 1 && len(p.Errors) == 0) {
			detail := "fields have the wrong type or value"
			if all[0].Reason == "is not a known field" && allUnknown(all) {
				detail = "the request body has fields this API does not know"
			}
			return Fields(http.StatusBadRequest, detail, all...)
		}
		return p
	}
	if dec.More() {
		return Fields(http.StatusBadRequest, "the request body has data after the JSON value")
	}
	return nil
}

func decodeProblem(err error) *Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return Fields(http.StatusBadRequest, fmt.Sprintf("the request body is not valid JSON (at byte %d)", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return Fields(http.StatusBadRequest, "a field has the wrong type",
			FieldError{Field: field, Reason: typeReason(typ)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Fields(http.StatusBadRequest, "the request body has a field this API does not know",
			FieldError{Field: name, Reason: "is not a known field"})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Fields(http.StatusBadRequest, "the request body is truncated JSON")
	}
	// Custom UnmarshalJSON methods (durations, dates) report their own message.
	var fe *FieldError
	if errors.As(err, &fe) {
		return Fields(http.StatusBadRequest, "a field has an invalid value", *fe)
	}
	return Fields(http.StatusBadRequest, err.Error())
}

func allUnknown(errs []FieldError) bool {
	for _, e := range errs {
		if e.Reason != "is not a known field" {
			return false
		}
	}
	return true
}

// Error lets a custom UnmarshalJSON return a FieldError that Decode reports by name.
func (f *FieldError) Error() string { return f.Field + " " + f.Reason }

// typeReason says what a wrongly typed value should have been, and why a number that
// looks right is not: too large for its field, or not whole.
func typeReason(typ *json.UnmarshalTypeError) string {
	t := typ.Type
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if num, ok := strings.CutPrefix(typ.Value, "number "); ok || typ.Value == "number" {
			if strings.ContainsAny(num, ".eE") {
				return "must be a whole number"
			}
			return fmt.Sprintf("must be a whole number from %d to %d", minInt(t.Bits()), maxInt(t.Bits()))
		}
	case reflect.Array:
		if t.Len() == 2 {
			return "must be a [from, to] pair (an array of two), not " + typ.Value
		}
	}
	return "must be " + jsonKind(t)
}

func maxInt(bits int) int64 { return int64(1)<<(bits-1) - 1 }
func minInt(bits int) int64 { return -int64(1) << (bits - 1) }

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
}
