package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSummary(t *testing.T) {
	han := func(n int) string { return strings.Repeat("法", n) }
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"short text kept", "省司法厅启动专项监督。", "省司法厅启动专项监督。"},
		{"whitespace collapsed", "  Herald \t supports\n\nWeChat  ", "Herald supports WeChat"},
		{"line breaks inside Chinese are not spaces", "省司法厅\n  启动专项监督。\n第二句。", "省司法厅启动专项监督。第二句。"},
		{"space kept between Chinese and Latin", "支持\nWeChat 公众号", "支持 WeChat 公众号"},
		{"exactly 120 kept whole", han(120), han(120)},
		{"121 without sentence end", han(121), han(119) + "…"},
		{"cut after the last sentence within the limit", han(30) + "。" + han(30) + "！" + han(100), han(30) + "。" + han(30) + "！"},
		{"question mark and semicolon end sentences", han(10) + "？" + han(10) + "；" + han(200), han(10) + "？" + han(10) + "；"},
		{"sentence ending on the 120th rune", han(119) + "。" + han(10), han(119) + "。"},
		{"sentence ending only after the limit", han(120) + "。" + han(10), han(119) + "…"},
		{"closing quote stays with its sentence", han(10) + "“" + han(10) + "。”" + han(200), han(10) + "“" + han(10) + "。”"},
		{"collapsing happens before measuring", han(60) + "\n\n\n" + han(60), han(120)},
		{
			"mixed Latin counted in runes, not bytes",
			"Herald 平台" + strings.Repeat("ab", 60) + "。",
			"Herald 平台" + strings.Repeat("ab", 55) + "…",
		},
		{
			"Latin sentence end needs a following space",
			"Version 3.14 of the site went live on example.com today. " + strings.Repeat("More text follows here ", 6),
			"Version 3.14 of the site went live on example.com today.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Summary(tc.in)
			if got != tc.want {
				t.Errorf("Summary(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > MaxSummaryRunes {
				t.Errorf("summary has %d runes, more than %d", n, MaxSummaryRunes)
			}
		})
	}
}
