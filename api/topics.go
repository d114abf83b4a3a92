package api

import (
	"net/http"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/topics"
)

// topicRoutes are the routes of special topics and the films of video pieces.
// Readers (no token) see published topics, as the portal shows them; editors
// see drafts too. Topics are curated in the newsroom.
func topicRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/topics", Public: true, OptionalToken: true, handler: (*Server).listTopics},
		{Method: "GET", Path: "/api/v1/topics/{slug}", Public: true, OptionalToken: true, handler: (*Server).getTopic},
		{Method: "GET", Path: "/api/v1/videos/{id}", handler: (*Server).getVideoFile},
	}
}

// topicReply is a topic with the address of its portal page.
type topicReply struct {
	*herald.SpecialTopic
	URL string `json:"url"` // the portal's path, shown once published
}

func (s *Server) listTopics(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	f := herald.TopicFilter{Status: herald.TopicPublished}
	if topics.MayCurate(actor) {
		switch st := herald.TopicStatus(r.URL.Query().Get("status")); st {
		case "":
			f.Status = ""
		case herald.TopicDraft, herald.TopicPublished:
			f.Status = st
		default:
			s.problem(w, r, herald.Invalid("status", "must be draft or published"))
			return
		}
	}
	ts, err := s.Store.FindTopics(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out := make([]topicReply, len(ts))
	for i, t := range ts {
		out[i] = topicReply{t, herald.TopicPath(t.Slug)}
	}
	reply(w, http.StatusOK, list(out, len(out)))
}

func (s *Server) getTopic(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	t, err := s.Store.FindTopicBySlug(r.Context(), r.PathValue("slug"))
	if err == nil && t.Status != herald.TopicPublished && !topics.MayCurate(actor) {
		err = herald.Errorf(herald.ENOTFOUND, "Topic not found.")
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, topicReply{t, herald.TopicPath(t.Slug)})
}

// videoReply is a film's record with the address it streams from.
type videoReply struct {
	*herald.VideoFile
	URL string `json:"url"`
}

func (s *Server) getVideoFile(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	v, err := s.Store.FindVideoFileByID(r.Context(), id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, videoReply{v, v.URL()})
}
