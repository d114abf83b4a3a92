// Package herald holds the domain vocabulary of Herald: units, staff, columns, themes,
// articles and their workflow states, the audit trail, coded errors, and the Store
// interfaces the rest of the code talks to. It does no I/O and imports no other
// package of this module.
package herald

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The HTTP layer maps each to one status in one table.
const (
	ENOTFOUND     = "not_found"
	EINVALID      = "invalid"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	ETOOLARGE     = "too_large"
	ERATELIMITED  = "rate_limited"
	EMETHOD       = "method_not_allowed"
	EUNAVAILABLE  = "unavailable" // a part this server runs without
	EINTERNAL     = "internal"
)

// Error is an application error whose message is safe to show to the user.
// Fields carries per-field messages for validation errors.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Err is the underlying cause, for the logs; it is never shown.
	Err error
}

// FieldError names one invalid input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("herald error: code=%s message=%s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("herald error: code=%s message=%s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about a single field.
func Invalid(field, format string, args ...any) *Error {
	var p Problems
	p.Add(field, format, args...)
	return p.Err().(*Error)
}

// ErrorCode returns the code of an application error, "" for nil, and EINTERNAL
// for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of an application error; internal
// errors get a generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field-level messages of an application error.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Problems collects validation problems, one per field, so that one response can
// name every invalid field at once.
type Problems struct {
	fields []FieldError
}

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	p.fields = append(p.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// addFrom records the field problems of err, prefixing nothing: used when a
// part's Validate reports for the whole.
func (p *Problems) addFrom(err error) {
	p.fields = append(p.fields, ErrorFields(err)...)
}

// Err returns nil when nothing was added, else an EINVALID *Error listing every field.
func (p *Problems) Err() error {
	if len(p.fields) == 0 {
		return nil
	}
	msgs := make([]string, len(p.fields))
	for i, f := range p.fields {
		msgs[i] = f.Field + ": " + f.Message
	}
	return &Error{Code: EINVALID, Message: strings.Join(msgs, "; "), Fields: p.fields}
}
