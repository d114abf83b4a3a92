package print

import (
	"bufio"
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// demoArticle reads one of the demo articles: "key: value" lines, a "---"
// line, then the HTML body.
func demoArticle(t testing.TB, name string) Article {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "demo", "data", "articles", name))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(data), "\n---\n")
	if !ok {
		t.Fatalf("%s: no --- line", name)
	}
	a := Article{Body: body}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		v = strings.TrimSpace(v)
		switch k {
		case "title":
			a.Title = v
		case "subtitle":
			a.Subtitle = v
		case "source":
			a.Source = v
		case "authors_extra":
			a.Byline = v
		case "time":
			a.Date, _ = time.Parse("2006-01-02 15:04:05", v)
		}
	}
	if a.Title == "" {
		t.Fatalf("%s: no title", name)
	}
	return a
}

// testPNG draws a w×h picture.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// demoIssue is an issue of several demo articles: Chinese news with quotes
// and numbers, one with a subtitle, one with a table (018), one in English
// (001), and one with a picture in its body and one after it.
func demoIssue(t testing.TB) Issue {
	t.Helper()
	names := []string{"002.txt", "004.txt", "009.txt", "018.txt", "001.txt", "006.txt", "005.txt"}
	is := Issue{
		Title:       "河北司法行政宣传",
		Publisher:   "河北省司法厅主办",
		Number:      9,
		Total:       128,
		Date:        time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		EditorsNote: "本期聚焦公共法律服务体系建设和基层人民调解工作。\n京津冀协同发展、法律援助、远程视频公证等稿件从不同侧面展示了全省司法行政系统服务群众的新举措，欢迎各地来稿交流经验。",
	}
	for _, n := range names {
		is.Articles = append(is.Articles, demoArticle(t, n))
	}
	is.Articles[1].Body = strings.Replace(is.Articles[1].Body, "</p>", `</p><figure><img src="/media/wall.png" alt=""><figcaption>调解员在现场丈量院墙位置</figcaption></figure>`, 1)
	is.Articles[1].Images = []Image{{Src: "/media/wall.png", Data: testPNG(t, 400, 260)}}
	is.Articles[5].Images = []Image{{Data: testPNG(t, 300, 300), Caption: "普法志愿者在社区广场宣讲民法典", Width: 0.7}}
	return is
}

// BenchmarkRender typesets the demo issue (seven articles, two images) and
// an issue four times as long.
func BenchmarkRender(b *testing.B) {
	is := demoIssue(b)
	long := is
	for range 3 {
		long.Articles = append(long.Articles, is.Articles...)
	}
	for name, issue := range map[string]Issue{"7 articles": is, "28 articles": long} {
		b.Run(name, func(b *testing.B) {
			var pages int
			for b.Loop() {
				res, err := RenderWith(issue, Options{})
				if err != nil {
					b.Fatal(err)
				}
				pages = res.Pages
			}
			b.ReportMetric(float64(pages), "pages")
		})
	}
}
