package newsroom

import (
	"slices"

	"github.com/heraldnews/herald"
)

// fieldProblems puts err's field messages, written by text, next to the
// form's fields (several for one field joined); the messages of other
// fields, or of none, are returned apart for the top of the page.
func fieldProblems(err error, text func(herald.FieldError) string, formFields ...string) (map[string]string, []string) {
	fields := map[string]string{}
	var rest []string
	fes := herald.ErrorFields(err)
	if len(fes) == 0 {
		rest = append(rest, herald.ErrorMessage(err))
	}
	for _, fe := range fes {
		msg := text(fe)
		switch {
		case !slices.Contains(formFields, fe.Field):
			rest = append(rest, msg)
		case fields[fe.Field] != "":
			fields[fe.Field] += " " + msg
		default:
			fields[fe.Field] = msg
		}
	}
	return fields, rest
}
