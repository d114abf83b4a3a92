package api

import (
	"net/http"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// tokenRequest signs in for a new token.
type tokenRequest struct {
	Username     string `json:"username"`
	Password     string `json:"password"`
	Code         string `json:"code,omitempty"` // from the authenticator app, for accounts that use one
	Name         string `json:"name"`
	ExpiresInDay int    `json:"expires_in_days"`
}

// tokenResponse shows a new token's secret, once.
type tokenResponse struct {
	Token  string        `json:"token"`
	Detail *herald.Token `json:"detail"`
	Staff  *herald.Staff `json:"staff"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	var req tokenRequest
	if err := decode(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	var p herald.Problems
	if req.Username == "" {
		p.Add("username", "is required")
	}
	if req.Password == "" {
		p.Add("password", "is required")
	}
	if req.ExpiresInDay < 0 || req.ExpiresInDay > 3650 {
		p.Add("expires_in_days", "must be from 0 (never) to 3650")
	}
	if req.Name == "" {
		req.Name = "API"
	}
	if err := p.Err(); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Auth.Login(r.Context(), req.Username, req.Password, httpx.ClientIP(r))
	if err == nil && st.TOTPSecret != "" {
		err = s.Auth.VerifyCode(r.Context(), st, req.Code, httpx.ClientIP(r))
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	secret, tok, err := s.Auth.IssueToken(r.Context(), st, req.Name, time.Duration(req.ExpiresInDay)*24*time.Hour)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, tokenResponse{Token: secret, Detail: tok, Staff: st})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	tokens, err := s.Store.FindTokens(r.Context(), actor.ID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(tokens, len(tokens)))
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	tokens, err := s.Store.FindTokens(r.Context(), actor.ID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	for _, t := range tokens {
		if t.ID == id {
			if err := s.Store.DeleteToken(r.Context(), id, herald.Event{At: s.Auth.Clock.Now(), ActorID: actor.ID}); err != nil {
				s.problem(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	s.problem(w, r, herald.Errorf(herald.ENOTFOUND, "You have no token %d.", id))
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	reply(w, http.StatusOK, actor)
}
