package newsroom

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/heraldnews/herald/web"
)

// Languages the newsroom speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

// catalogs maps language → message key → text.
type catalogs map[string]map[string]string

// loadCatalogs reads every catalog and checks that each has the default's keys.
func loadCatalogs() (catalogs, error) {
	c := catalogs{}
	for _, lang := range Languages {
		b, err := fs.ReadFile(web.Catalogs, "i18n/"+lang+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", lang, err)
		}
		c[lang] = m
	}
	for key := range c[Languages[0]] {
		for _, lang := range Languages[1:] {
			if _, ok := c[lang][key]; !ok {
				return nil, fmt.Errorf("catalog %s lacks %q", lang, key)
			}
		}
	}
	return c, nil
}

// T returns the text of key in lang, formatted with args; a missing key shows
// itself, so that it is noticed.
func (c catalogs) T(lang, key string, args ...any) string {
	msg, ok := c[lang][key]
	if !ok {
		if msg, ok = c[Languages[0]][key]; !ok {
			return key
		}
	}
	if len(args) > 0 && strings.Contains(msg, "%") {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}
