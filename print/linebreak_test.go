package print

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// measure returns the advance of runes in em, from the embedded fonts.
func measure(t *testing.T) func(rune) float64 {
	t.Helper()
	fc, err := loadFace()
	if err != nil {
		t.Fatal(err)
	}
	return fc.em
}

func measureOf(w float64) func(int) float64 { return func(int) float64 { return w } }

func texts(ls []line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

func TestBreakKinsoku(t *testing.T) {
	adv := measure(t)
	tests := []struct {
		text  string
		width float64 // em
		want  []string
	}{
		// "，" would start line 2: "五" comes down with it.
		{"一二三四五，六七", 5, []string{"一二三四", "五，六七"}},
		// "（" would end line 1: it goes down with "五".
		{"一二三四（五六）", 5, []string{"一二三四", "（五六）"}},
		// Closing quote and full stop stay with the text they close.
		// (DejaVu's curly quotes are narrow, so "“好" fits on line 1.)
		{"他说：“好的。”然后走了", 5, []string{"他说：“好", "的。”然后", "走了"}},
		// A number keeps its unit and stays whole.
		{"截至2019年底共计", 4, []string{"截至", "2019年", "底共计"}},
		{"拨打12348热线", 5, []string{"拨打", "12348热", "线"}},
	}
	for _, tt := range tests {
		got := texts(breakLines(tt.text, measureOf(tt.width), adv))
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q at %v em: got %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

// corpus is every paragraph of the demo articles plus lines full of the
// tokens that must not split.
func corpus(t *testing.T) []string {
	names, _ := filepath.Glob(filepath.Join("..", "demo", "data", "articles", "*.txt"))
	if len(names) == 0 {
		t.Fatal("no demo articles")
	}
	paras := []string{
		"新冠肺炎（COVID-19）疫情期间，全省开通12348公共法律服务热线，详见https://www.hebeisf.gov.cn/xwzx/2026/0801.html或拨打0311-12348咨询。",
		"《中华人民共和国民法典》自2021年1月1日起施行，“法律明白人”培养工程覆盖4.9万个村（社区）……",
	}
	for _, n := range names {
		a := demoArticle(t, filepath.Base(n))
		blocks, err := parseBody(a.Body)
		if err != nil {
			t.Fatal(err)
		}
		paras = append(paras, a.Title)
		for _, b := range blocks {
			if b.text != "" {
				paras = append(paras, b.text)
			}
		}
	}
	return paras
}

func TestBreakCorpus(t *testing.T) {
	adv := measure(t)
	keep := []string{"COVID-19", "12348", "2019年", "2021年", "https://www.hebeisf.gov.cn/xwzx/2026/0801.html", "0311-12348", "4.9万"}
	for _, width := range []float64{7.5, 12, 17.25, 23.5} {
		for _, p := range corpus(t) {
			ls := breakLines(p, measureOf(width), adv)
			var joined strings.Builder
			src, pos := []rune(p), 0
			for i, l := range ls {
				// Follow the line through the paragraph to see whether it
				// ended at a space.
				for pos < len(src) && isSpace(src[pos]) {
					pos++
				}
				pos += utf8.RuneCountInString(l.text)
				atSpace := pos >= len(src) || isSpace(src[pos])
				first, _ := utf8.DecodeRuneInString(l.text)
				last, _ := utf8.DecodeLastRuneInString(l.text)
				switch {
				case l.text == "":
					t.Errorf("width %v: empty line in %q", width, p)
				case i > 0 && isClosing(first):
					t.Errorf("width %v: line starts with closing %q: %q", width, first, l.text)
				case i < len(ls)-1 && isOpening(last) && !ls[i].last:
					t.Errorf("width %v: line ends with opening %q: %q", width, last, l.text)
				case l.width > width+epsilon && utf8.RuneCountInString(l.text) > 1:
					t.Errorf("width %v: line overflows (%.2f em): %q", width, l.width, l.text)
				case l.text != strings.TrimSpace(l.text):
					t.Errorf("width %v: line has edge spaces: %q", width, l.text)
				}
				if i < len(ls)-1 && !atSpace && isASCIIAlnum(last) {
					next, _ := utf8.DecodeRuneInString(ls[i+1].text)
					if isASCIIAlnum(next) && !tooWide(l.text, ls[i+1].text, width, adv) {
						t.Errorf("width %v: word split across lines: %q | %q", width, l.text, ls[i+1].text)
					}
				}
				joined.WriteString(l.text)
			}
			if squash(joined.String()) != squash(p) {
				t.Errorf("width %v: text changed:\n got %s\nwant %s", width, joined.String(), p)
			}
			for _, k := range keep {
				if !strings.Contains(p, k) || widthRunes([]rune(k), adv) > width {
					continue
				}
				if !strings.Contains(strings.Join(texts(ls), "\n"), k) {
					t.Errorf("width %v: %q split in %q", width, k, texts(ls))
				}
			}
		}
	}
}

// tooWide reports whether the word spanning the end of a and the start of b
// is wider than the line, the one case where a word may split.
func tooWide(a, b string, width float64, adv func(rune) float64) bool {
	ra, rb := []rune(a), []rune(b)
	i := len(ra)
	for i > 0 && !isSpace(ra[i-1]) && !isWide(ra[i-1]) {
		i--
	}
	j := 0
	for j < len(rb) && !isSpace(rb[j]) && !isWide(rb[j]) {
		j++
	}
	word := append(append([]rune{}, ra[i:]...), rb[:j]...)
	return widthRunes(word, adv) > width
}

func TestBreakLongWord(t *testing.T) {
	adv := measure(t)
	url := "https://www.hebeisf.gov.cn/" + strings.Repeat("abcdefghij", 8) + ".html"
	text := "详见 " + url + " 。"
	width := 10.0
	ls := breakLines(text, measureOf(width), adv)
	if len(ls) < 4 {
		t.Fatalf("a word of %.1f em should take several 10 em lines: %q", widthRunes([]rune(url), adv), texts(ls))
	}
	for _, l := range ls {
		if l.width > width+epsilon {
			t.Errorf("line overflows: %q (%.2f em)", l.text, l.width)
		}
	}
	if got := squash(strings.Join(texts(ls), "")); got != squash(text) {
		t.Errorf("text changed: %s", got)
	}
	if ls[0].text != "详见" {
		t.Errorf("the long word should start on its own line, got %q", ls[0].text)
	}
}

func TestBreakIndentAndForcedBreak(t *testing.T) {
	adv := measure(t)
	ls := breakLines("一二三四五六七八\n九十", func(i int) float64 {
		if i == 0 {
			return 4 // a two-character indent on a six-character line
		}
		return 6
	}, adv)
	want := "一二三四|五六七八|九十"
	if got := strings.Join(texts(ls), "|"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !ls[1].last || ls[0].last || !ls[2].last {
		t.Errorf("last flags wrong: %+v", ls)
	}
}
