package views

import (
	"bytes"
	"net/http"
	"strings"
)

// botPatterns are lower-case substrings of User-Agents that are not readers:
// crawlers, link-preview fetchers, monitors, headless browsers and HTTP
// libraries. Patterns that contain another pattern are redundant and dropped at
// init, so the list can stay descriptive.
var botPatterns = []string{
	// generic
	"bot", "crawl", "spider", "slurp", "scrape", "archiver", "fetcher",
	// search engines and their tools
	"googlebot", "bingbot", "bingpreview", "yandex", "baiduspider", "sogou",
	"360spider", "bytespider", "yisouspider", "petalbot", "mediapartners-google",
	"google-inspectiontool", "google web preview", "feedfetcher", "ia_archiver",
	// link previews and AI crawlers
	"facebookexternalhit", "facebookcatalog", "meta-externalagent", "twitterbot",
	"embedly", "quora link preview", "anthropic-ai", "chatgpt-user",
	// headless browsers and testing
	"headless", "phantomjs", "lighthouse", "pagespeed", "gtmetrix", "pingdom",
	"uptime", "statuscake",
	// HTTP libraries and command-line tools
	"python-requests", "python-urllib", "python-httpx", "aiohttp", "scrapy",
	"curl", "wget", "go-http-client", "okhttp", "java/", "apache-httpclient",
	"libwww", "axios/", "node-fetch", "undici", "postmanruntime", "httpie",
}

// botExcused maps a pattern to lower-case User-Agent fragments that contain it
// but belong to browsers (CUBOT is an Android phone brand).
var botExcused = map[string][]string{"bot": {"cubot"}}

// botNeedle is a pattern in the matcher; excused fragments are split around
// the pattern: a match at i is excused if before is right before i and after
// right after the pattern.
type botNeedle struct {
	pat     []byte
	excused []struct{ before, after []byte }
}

// botGroups holds the needles by their first two bytes; botFirst maps those two
// bytes to 1 + the index of their group, or 0 if no needle starts with them.
var (
	botGroups [][]botNeedle
	botFirst  [1 << 16]uint8
)

func init() {
	for i, p := range botPatterns {
		if len(p) < 2 || strings.ToLower(p) != p {
			panic("views: bad bot pattern " + p)
		}
		redundant := false
		for j, q := range botPatterns {
			if i != j && strings.Contains(p, q) && (p != q || j < i) {
				redundant = true // anything p matches, q matches
				break
			}
		}
		if redundant {
			continue
		}
		n := botNeedle{pat: []byte(p)}
		for _, e := range botExcused[p] {
			before, after, ok := strings.Cut(e, p)
			if !ok {
				panic("views: bad bot exception " + e)
			}
			n.excused = append(n.excused, struct{ before, after []byte }{[]byte(before), []byte(after)})
		}
		bg := uint16(p[0])<<8 | uint16(p[1])
		if botFirst[bg] == 0 {
			if len(botGroups) == 255 {
				panic("views: too many bot pattern prefixes")
			}
			botGroups = append(botGroups, nil)
			botFirst[bg] = uint8(len(botGroups))
		}
		g := botFirst[bg] - 1
		botGroups[g] = append(botGroups[g], n)
	}
}

// IsBot reports whether userAgent belongs to a bot or tool rather than a reader.
// An empty (or blank) User-Agent is a bot. Matching is case-insensitive and
// takes one pass over the User-Agent.
func IsBot(userAgent string) bool {
	ua := strings.TrimSpace(userAgent)
	if ua == "" {
		return true
	}
	var buf [512]byte
	b := buf[:0]
	if len(ua) > len(buf) {
		b = make([]byte, 0, len(ua))
	}
	for i := 0; i < len(ua); i++ {
		ch := ua[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	for i := 0; i+1 < len(b); i++ {
		g := botFirst[uint16(b[i])<<8|uint16(b[i+1])]
		if g == 0 {
			continue
		}
		for _, n := range botGroups[g-1] {
			if bytes.HasPrefix(b[i:], n.pat) && !n.excusedAt(b, i) {
				return true
			}
		}
	}
	return false
}

func (n *botNeedle) excusedAt(b []byte, i int) bool {
	for _, e := range n.excused {
		if bytes.HasSuffix(b[:i], e.before) && bytes.HasPrefix(b[i+len(n.pat):], e.after) {
			return true
		}
	}
	return false
}

// IsPrefetch reports whether the request headers mark a prefetch, prerender or
// preview rather than a reader opening the page: Sec-Purpose, Purpose, X-Moz or
// X-Purpose containing "prefetch" or "preview" (case-insensitive).
func IsPrefetch(h http.Header) bool {
	for _, k := range [...]string{"Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"} {
		for _, v := range h[k] {
			v = strings.ToLower(v)
			if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
				return true
			}
		}
	}
	return false
}
