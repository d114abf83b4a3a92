package charts

import "testing"

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{1234567, 0, "1,234,567"},
		{-1234567.25, 2, "-1,234,567.25"},
		{92.5, 1, "92.5"},
		{92.5, 0, "92"}, // round half to even, as strconv does
		{-0.001, 1, "0.0"},
		{123456.789, 1, "123,456.8"},
		{-100, 0, "-100"},
	} {
		if got := formatNumber(c.v, c.decimals); got != c.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", c.v, c.decimals, got, c.want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	for _, c := range []struct {
		s    string
		bold bool
		want float64 // in em
	}{
		{"石家庄市司法局", false, 7},
		{"石家庄市司法局", true, 7},
		{"2026-11", false, 6*0.64 + 0.36},
		{"1,234", false, 4*0.64 + 0.36},
		{"ABC", true, 3 * 0.68 * 1.1},
		{"abc", false, 3 * 0.58},
		{"（全省）", false, 4}, // fullwidth brackets
		{"a.i", false, 0.58 + 0.36 + 0.36},
		{"é", false, 0.58}, // e and a combining acute
		{"", false, 0},
	} {
		if got := textWidth(c.s, 10, c.bold) / 10; got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("textWidth(%q) = %v em, want %v", c.s, got, c.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s        string
		maxWidth float64 // in em at size 10
		want     string
	}{
		{"石家庄市司法局", 7, "石家庄市司法局"},
		{"石家庄市司法局", 6.9, "石家庄市司…"},
		{"河北省石家庄市长安区司法局人民调解委员会", 10, "河北省石家庄市长安…"},
		{"Xiong'an New Area Bureau of Justice", 10, "Xiong'an New Are…"},
		{"Bureau of Justice", 5, "Bureau…"}, // no space before the ellipsis
		{"长安区 Legal Aid", 6, "长安区 Le…"},
		{"司法局", 0.5, "…"},
	} {
		got := truncate(c.s, c.maxWidth*10, 10, false)
		if got != c.want {
			t.Errorf("truncate(%q, %v em) = %q, want %q", c.s, c.maxWidth, got, c.want)
		}
		if w := textWidth(got, 10, false); w > c.maxWidth*10 && got != "…" {
			t.Errorf("truncate(%q, %v em) = %q is %v em wide", c.s, c.maxWidth, got, w/10)
		}
	}
}
