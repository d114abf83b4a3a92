package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/print"
)

func (s *Server) listPeriodicals(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	ps, err := s.Store.FindPeriodicals(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if ps == nil {
		ps = []*herald.Periodical{}
	}
	reply(w, http.StatusOK, map[string]any{"periodicals": ps})
}

// periodicalInput is a new periodical.
type periodicalInput struct {
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	UnitID int64  `json:"unit_id"`
}

func (s *Server) createPeriodical(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in periodicalInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	p := &herald.Periodical{Slug: in.Slug, Name: in.Name, NameEn: in.NameEn, UnitID: in.UnitID}
	if err := s.Periodicals.CreatePeriodical(r.Context(), actor, p); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, p)
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	issues, err := s.Store.FindIssues(r.Context(), id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if issues == nil {
		issues = []*herald.Issue{}
	}
	reply(w, http.StatusOK, map[string]any{"issues": issues})
}

// issueInput is a new issue; its date is a day (YYYY-MM-DD, China Standard Time).
type issueInput struct {
	Volume     int     `json:"volume"`
	Number     int     `json:"number"`
	Date       string  `json:"date"`
	EditorNote string  `json:"editor_note"`
	ArticleIDs []int64 `json:"article_ids"`
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[issueInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	day, err := bodyDay("date", in.Date)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	is := &herald.Issue{PeriodicalID: id, Volume: in.Volume, Number: in.Number, Date: day, EditorNote: in.EditorNote, ArticleIDs: in.ArticleIDs}
	if err := s.Periodicals.CreateIssue(r.Context(), actor, is); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, is)
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[periodicals.IssueChange](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if in.Version <= 0 {
		s.problem(w, r, herald.Invalid("version", "is required: send the version you changed"))
		return
	}
	is, err := s.Periodicals.UpdateIssue(r.Context(), actor, id, in)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, is)
}

func (s *Server) issuePDF(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	size := r.URL.Query().Get("page_size")
	res, err := s.Periodicals.PDF(r.Context(), actor, id, print.Options{PageSize: size})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="issue-%d.pdf"`, id))
	w.Header().Set("Content-Length", strconv.Itoa(len(res.PDF)))
	w.Header().Set("X-Pages", strconv.Itoa(res.Pages))
	w.WriteHeader(http.StatusOK)
	w.Write(res.PDF)
}
