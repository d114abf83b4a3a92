package htmlsafe

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in      string
		keep, dropped []string
	}{
		{"script", `<p>司法</p><script>alert(1)</script>`, []string{"<p>司法</p>"}, []string{"script", "alert"}},
		{"handler", `<img src="/media/a.jpg" alt="图" onerror="x()">`, []string{`src="/media/a.jpg"`, `alt="图"`}, []string{"onerror"}},
		{"javascript url", `<a href="javascript:alert(1)">点</a>`, []string{"点"}, []string{"javascript"}},
		{"word table", `<table><tr><td colspan="2" style="text-align: center">甲</td></tr></table>`, []string{`colspan="2"`, "text-align: center"}, nil},
		{"word styles", `<p class="MsoNormal" style="font-family:宋体;color:red">乙</p>`, []string{"<p", "乙</p>"}, []string{"font-family", "color"}},
		{"structure", `<h2>标题</h2><ul><li>一</li></ul><strong>粗</strong><em>斜</em>`, []string{"<h2>", "<ul><li>", "<strong>", "<em>"}, nil},
		{"iframe", `<iframe src="https://x.example"></iframe>`, nil, []string{"iframe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("Sanitize(%q) = %q, lost %q", tt.in, got, k)
				}
			}
			for _, d := range tt.dropped {
				if strings.Contains(got, d) {
					t.Errorf("Sanitize(%q) = %q, kept %q", tt.in, got, d)
				}
			}
		})
	}
}
