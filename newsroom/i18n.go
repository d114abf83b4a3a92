package newsroom

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/web"
)

// Languages the newsroom speaks; the first is the default.
var Languages = herald.Languages

// catalogs maps language → message key → text.
type catalogs map[string]map[string]string

// loadCatalogs reads every catalog and checks that each has the default's keys.
// A language's messages may be split by area: i18n/zh-CN.json holds the common
// ones, i18n/admin.zh-CN.json those of one area; a key may be defined only once.
func loadCatalogs() (catalogs, error) {
	c := catalogs{}
	files, err := fs.Glob(web.Catalogs, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		c[lang] = map[string]string{}
	}
	for _, name := range files {
		base := strings.TrimSuffix(path.Base(name), ".json")
		lang := base[strings.LastIndex(base, ".")+1:]
		if c[lang] == nil {
			return nil, fmt.Errorf("catalog %s: unknown language %q", name, lang)
		}
		b, err := fs.ReadFile(web.Catalogs, name)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		for key, msg := range m {
			if _, dup := c[lang][key]; dup {
				return nil, fmt.Errorf("catalog %s: %q is defined twice", name, key)
			}
			c[lang][key] = msg
		}
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
