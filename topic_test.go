package herald_test

import (
	"testing"

	"github.com/heraldnews/herald"
)

// Rules written before profiles existed score them as in-depth pieces; an
// amount set for profiles wins; a kind the rules do not know earns nothing.
func TestAdoptionPointsFallBack(t *testing.T) {
	old := &herald.Rules{Adoption: map[herald.ArticleKind]herald.Points{herald.KindNews: 300, herald.KindInDepth: 500}}
	set := &herald.Rules{Adoption: map[herald.ArticleKind]herald.Points{herald.KindInDepth: 500, herald.KindProfile: 800}}
	for _, tc := range []struct {
		name  string
		rules *herald.Rules
		kind  herald.ArticleKind
		want  herald.Points
	}{
		{"news", old, herald.KindNews, 300},
		{"a profile under old rules", old, herald.KindProfile, 500},
		{"a profile under rules that name it", set, herald.KindProfile, 800},
		{"a kind the rules leave out", old, herald.KindVideo, 0},
		{"no rules for adoption at all", &herald.Rules{}, herald.KindProfile, 0},
	} {
		if got := tc.rules.AdoptionPoints(tc.kind); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if err := set.Validate(); err != nil {
		t.Errorf("rules naming profiles: %v", err)
	}
}

func TestVideoURLs(t *testing.T) {
	v := &herald.VideoFile{ID: 7, SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ContentType: "video/webm"}
	if v.URL() != "/media/videos/7-0123456789abcdef.webm" || v.Key() != "videos/"+v.SHA256+".webm" {
		t.Fatalf("url %s, key %s", v.URL(), v.Key())
	}
	for path, ok := range map[string]bool{
		v.URL():                                 true,
		"/media/videos/7-0123456789abcdef.mp4":  true,
		"/media/videos/7-0123456789abcdef.mov":  false,
		"/media/videos/7-0123456789abcde.mp4":   false,
		"/media/videos/0-0123456789abcdef.mp4":  false,
		"/media/videos/x-0123456789abcdef.mp4":  false,
		"/media/videos/7.mp4":                   false,
		"/media/7-0123456789abcdef/large.jpg":   false,
		"/media/videos/7-0123456789abcdef/.mp4": false,
	} {
		if _, _, got := herald.ParseVideoURL(path); got != ok {
			t.Errorf("ParseVideoURL(%q) ok = %v, want %v", path, got, ok)
		}
	}
}
