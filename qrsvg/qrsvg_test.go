package qrsvg

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestSVG(t *testing.T) {
	svg, err := SVG("https://news.example.gov.cn/m/articles/1.html", `扫码 "手机版" <阅读>`, 120)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Label   string   `xml:"aria-label,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("not valid SVG: %v", err)
	}
	if doc.Label != `扫码 "手机版" <阅读>` || !strings.Contains(s, `width="120"`) || strings.Count(doc.Path.D, "M") < 50 {
		t.Fatalf("svg = %.200s…", s)
	}
	a, _ := SVG("https://a.example/1", "x", 100)
	b, _ := SVG("https://a.example/2", "x", 100)
	if a == b {
		t.Fatal("different texts give the same code")
	}
}
