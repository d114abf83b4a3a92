package feeds

import (
	"bytes"
	"io"
	"strings"
)

// Robots writes a robots.txt for all user agents that disallows the given
// paths and names the site's sitemap (BASE/sitemap.xml) and news sitemap
// (BASE/news-sitemap.xml). Paths are trimmed, stripped of control characters
// (so a path cannot inject a directive), given a leading "/" when they start
// with neither "/" nor "*", and deduplicated; with none left, an empty
// Disallow allows everything. It returns an error if the site's BaseURL is
// not an absolute http(s) URL.
func Robots(w io.Writer, site Site, disallow []string) error {
	base := site.baseURL()
	if err := checkAbsURL("site base URL", base); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("User-agent: *\n")
	seen := map[string]bool{}
	for _, p := range disallow {
		p = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, p))
		if p == "" {
			continue
		}
		if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "*") {
			p = "/" + p
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		buf.WriteString("Disallow: " + p + "\n")
	}
	if len(seen) == 0 {
		buf.WriteString("Disallow:\n")
	}
	buf.WriteString("\nSitemap: " + base + "/sitemap.xml\n")
	buf.WriteString("Sitemap: " + base + "/news-sitemap.xml\n")
	return writeOut(w, &buf)
}
