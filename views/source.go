package views

import (
	"net/netip"
	"strings"

	"github.com/heraldnews/herald"
)

// Channel is the read channel of a view of a page on device (web, mobile or
// static) whose URL has the query rawQuery: the referral channel its from
// parameter names (herald.ReadFromParam: feed, microblog, mail, wechat), or
// device when it names none or one not known. It does not allocate.
func Channel(rawQuery, device string) string {
	for q := rawQuery; q != ""; {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		key, value, _ := strings.Cut(pair, "=")
		if key != herald.ReadFromParam {
			continue
		}
		switch value {
		case ChannelFeed, ChannelMicroblog, ChannelMail, ChannelWeChat:
			return value
		}
	}
	return device
}

// ReferrerHost is the host of a Referer header as referrers are kept: lower
// case, without user info, port or trailing dot. Only the host is ever kept,
// never the path or query, which can say who the reader is. It returns
// herald.ReferrerOther for an IP address (it names no site and may be an
// internal one), and "" when there is no referrer to keep: an empty header,
// one that is not an absolute http(s) URL, or a host that is not a valid
// name.
func ReferrerHost(referrer string) string {
	rest, ok := cutSchemeFold(referrer)
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") { // an IPv6 literal, with or without a port
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return ""
		}
		if _, err := netip.ParseAddr(rest[1:end]); err != nil {
			return ""
		}
		return herald.ReferrerOther
	}
	host := stripPort(rest)
	if host == "" {
		return ""
	}
	host = strings.ToLower(host) // returns host itself when it has no upper case
	if strings.Trim(host, "0123456789.") == "" {
		return herald.ReferrerOther // 10.1.2.3, or the shorthand forms of an IPv4 address
	}
	if !herald.ValidReferrerHost(host) || host == herald.ReferrerOther {
		return ""
	}
	return host
}

// cutSchemeFold cuts "http://" or "https://", in any case, off the front of s.
func cutSchemeFold(s string) (string, bool) {
	for _, p := range [...]string{"https://", "http://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):], true
		}
	}
	return "", false
}

// stripPort returns hostport without its port (which must be digits) and
// trailing dot; "" when the port is not a number.
func stripPort(hostport string) string {
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host = hostport[:i]
		for _, c := range hostport[i+1:] {
			if c < '0' || c > '9' {
				return ""
			}
		}
	}
	return strings.TrimSuffix(host, ".")
}

// sameHost reports whether host (as ReferrerHost returns it) is hostport (a
// Host header or a configured name, with or without port, in any case).
func sameHost(host, hostport string) bool {
	if strings.HasPrefix(hostport, "[") {
		return false // an IPv6 literal, which ReferrerHost never returns
	}
	return host != "" && strings.EqualFold(host, stripPort(hostport))
}
