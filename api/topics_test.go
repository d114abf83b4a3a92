package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

func TestTopicsAndVideos(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		editor, writer, anon := ts.as(t, w.Editor), ts.as(t, w.Writer), &client{t: t, base: ts.url}
		ctx := t.Context()
		vf := &herald.VideoFile{SHA256: strings.Repeat("0a", 32), ContentType: "video/mp4", Size: 16375, DurationMS: 3134, Filename: "公证人.mp4", UploadedBy: w.Editor.ID}
		if err := s.CreateVideoFile(ctx, vf, herald.Event{At: ts.now, ActorID: w.Editor.ID}); err != nil {
			t.Fatal(err)
		}
		// A video piece through the API carries its film; a profile its figure.
		c := storetest.Content(w.Local, "《公证人》第一集：一纸委托")
		var video herald.Article
		body := map[string]any{"title": c.Title, "body": c.Body, "column_id": w.Local.ID, "kind": "video",
			"video": map[string]any{"file_id": vf.ID, "series": "公证人", "poster": "/media/1-0123456789abcdef/large.jpg"}}
		editor.do("POST", "/api/v1/articles", body).must(t, http.StatusCreated).decode(t, &video)
		if video.Video == nil || video.Video.FileID != vf.ID || video.Video.Series != "公证人" {
			t.Fatalf("video piece = %+v", video.Video)
		}
		body["video"] = map[string]any{"file_id": vf.ID + 50}
		if res := editor.do("POST", "/api/v1/articles", body).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"video.file_id"`) {
			t.Fatalf("a missing film is not named: %s", res.body)
		}
		profile := map[string]any{"title": "调解员周立华", "body": c.Body, "column_id": w.Local.ID, "kind": "profile"}
		if res := editor.do("POST", "/api/v1/articles", profile).must(t, http.StatusBadRequest); !strings.Contains(string(res.body), `"figure.name"`) {
			t.Fatalf("a profile without its figure: %s", res.body)
		}
		profile["figure"] = map[string]any{"name": "周立华", "position": "人民调解员"}
		editor.do("POST", "/api/v1/articles", profile).must(t, http.StatusCreated)

		var got struct {
			herald.VideoFile
			URL string `json:"url"`
		}
		writer.do("GET", "/api/v1/videos/"+strconv.FormatInt(vf.ID, 10), nil).must(t, http.StatusOK).decode(t, &got)
		if got.Size != 16375 || got.DurationMS != 3134 || got.URL != vf.URL() {
			t.Fatalf("video file = %+v", got)
		}
		anon.do("GET", "/api/v1/videos/"+strconv.FormatInt(vf.ID, 10), nil).must(t, http.StatusUnauthorized)
		writer.do("GET", "/api/v1/videos/99999", nil).must(t, http.StatusNotFound)

		draft := &herald.SpecialTopic{Slug: "notary", Title: "公证人", CreatedBy: w.Editor.ID,
			Sections: []herald.TopicSection{{Heading: "影片", ArticleIDs: []int64{video.ID}}}}
		published := &herald.SpecialTopic{Slug: "advanced-figures", Title: "先进典型", Status: herald.TopicPublished, CreatedBy: w.Editor.ID,
			Sections: []herald.TopicSection{{Heading: "影片", ArticleIDs: []int64{video.ID}}}}
		for _, tp := range []*herald.SpecialTopic{draft, published} {
			if err := s.CreateTopic(ctx, tp, herald.Event{At: ts.now, ActorID: w.Editor.ID}); err != nil {
				t.Fatal(err)
			}
		}
		var page struct {
			Items []struct {
				herald.SpecialTopic
				URL string `json:"url"`
			}
			Total int
		}
		anon.do("GET", "/api/v1/topics", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 || page.Items[0].Slug != "advanced-figures" || page.Items[0].URL != "/topics/advanced-figures.html" ||
			page.Items[0].Sections[0].ArticleIDs[0] != video.ID {
			t.Fatalf("readers' topics = %+v", page)
		}
		writer.do("GET", "/api/v1/topics?status=draft", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 || page.Items[0].Slug != "advanced-figures" {
			t.Fatalf("a correspondent sees drafts: %+v", page)
		}
		editor.do("GET", "/api/v1/topics?status=draft", nil).must(t, http.StatusOK).decode(t, &page)
		if page.Total != 1 || page.Items[0].Slug != "notary" {
			t.Fatalf("an editor's drafts = %+v", page)
		}
		editor.do("GET", "/api/v1/topics?status=archived", nil).must(t, http.StatusBadRequest)
		anon.do("GET", "/api/v1/topics/notary", nil).must(t, http.StatusNotFound)
		editor.do("GET", "/api/v1/topics/notary", nil).must(t, http.StatusOK)
		anon.do("GET", "/api/v1/topics/advanced-figures", nil).must(t, http.StatusOK)
		anon.do("GET", "/api/v1/topics/nothing", nil).must(t, http.StatusNotFound)
	})
}
