package newsroom

import (
	"regexp"
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

// problemPattern translates a domain's field message: the text captured by
// re is the arguments of the catalog text key.
type problemPattern = struct {
	re  *regexp.Regexp
	key string
}

// patternProblemText is a field message in lang, by the first pattern that
// matches it, or as problemText says it.
func (s *Server) patternProblemText(lang string, fe herald.FieldError, patterns []problemPattern) string {
	for _, p := range patterns {
		m := p.re.FindStringSubmatch(fe.Message)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, v := range m[1:] {
			args[i] = v
		}
		return s.msgs.T(lang, p.key, args...)
	}
	return s.problemText(lang, fe)
}
