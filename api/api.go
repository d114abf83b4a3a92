// Package api is Herald's JSON API under /api/v1, authenticated with personal
// API tokens (Authorization: Bearer hrd_…), with errors as
// application/problem+json and an OpenAPI 3 document at /api/openapi.json.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/planning"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/syndication"
	"github.com/heraldnews/herald/workflow"
)

// Server serves the API.
type Server struct {
	Store        herald.Store
	Auth         *auth.Service
	Directory    *directory.Service
	Workflow     *workflow.Service
	Search       *search.Service // nil: the search routes answer 503
	Periodicals  *periodicals.Service
	Syndication  *syndication.Service // nil: the partner routes answer 503
	Scoring      *scoring.Service     // nil: the incentive routes answer 503
	Planning     *planning.Service    // nil: a service over Store on the Auth clock
	Log          *slog.Logger
	MaxBodyBytes int64
}

// Route is one API operation: its method and path pattern, and whether it is
// open without a token. The OpenAPI document lists exactly these.
type Route struct {
	Method, Path string
	Public       bool
	// OptionalToken marks a public route that also reads a token when one is
	// sent: the handler gets the token's staff member, or nil without a
	// token. A token that is sent but invalid is refused with 401, not
	// ignored, so that a caller never mistakes a public answer for theirs.
	OptionalToken bool
	// PartnerToken marks a route for partner outlets, opened by a partner's
	// token (hrp_…) instead of a staff member's.
	PartnerToken bool
	handler      func(s *Server, w http.ResponseWriter, r *http.Request, actor *herald.Staff)
	partner      func(s *Server, w http.ResponseWriter, r *http.Request, p *herald.Partner)
}

// Routes lists every API operation.
func Routes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/api/openapi.json", Public: true, handler: (*Server).openAPI},
		{Method: "POST", Path: "/api/v1/tokens", Public: true, handler: (*Server).createToken},
		{Method: "GET", Path: "/api/v1/tokens", handler: (*Server).listTokens},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", handler: (*Server).deleteToken},
		{Method: "GET", Path: "/api/v1/me", handler: (*Server).me},
		{Method: "GET", Path: "/api/v1/notifications", handler: (*Server).listNotifications},
		{Method: "POST", Path: "/api/v1/notifications/read", handler: (*Server).markNotificationsRead},
		{Method: "GET", Path: "/api/v1/notifications/prefs", handler: (*Server).getNotificationPrefs},
		{Method: "PUT", Path: "/api/v1/notifications/prefs", handler: (*Server).putNotificationPrefs},

		{Method: "GET", Path: "/api/v1/periodicals", handler: (*Server).listPeriodicals},
		{Method: "POST", Path: "/api/v1/periodicals", handler: (*Server).createPeriodical},
		{Method: "GET", Path: "/api/v1/periodicals/{id}/issues", handler: (*Server).listIssues},
		{Method: "POST", Path: "/api/v1/periodicals/{id}/issues", handler: (*Server).createIssue},
		{Method: "PATCH", Path: "/api/v1/issues/{id}", handler: (*Server).updateIssue},
		{Method: "GET", Path: "/api/v1/issues/{id}/pdf", handler: (*Server).issuePDF},

		{Method: "GET", Path: "/api/v1/partners", handler: (*Server).listPartners},
		{Method: "POST", Path: "/api/v1/partners", handler: (*Server).createPartner},
		{Method: "PATCH", Path: "/api/v1/partners/{id}", handler: (*Server).updatePartner},
		{Method: "POST", Path: "/api/v1/partners/{id}/token", handler: (*Server).rotatePartnerToken},
		{Method: "GET", Path: "/api/v1/articles/{id}/placements", handler: (*Server).articlePlacements},
		{Method: "GET", Path: "/api/v1/syndication/items", PartnerToken: true, partner: (*Server).pullItems},
		{Method: "GET", Path: "/api/v1/syndication/items/{id}", PartnerToken: true, partner: (*Server).pullItem},
		{Method: "GET", Path: "/api/v1/syndication/placements", PartnerToken: true, partner: (*Server).listOwnPlacements},
		{Method: "POST", Path: "/api/v1/syndication/placements", PartnerToken: true, partner: (*Server).reportPlacement},

		{Method: "GET", Path: "/api/v1/rankings", handler: (*Server).rankings},
		{Method: "GET", Path: "/api/v1/ledger", handler: (*Server).ledger},
		{Method: "GET", Path: "/api/v1/placements", handler: (*Server).listPlacements},
		{Method: "POST", Path: "/api/v1/placements", handler: (*Server).recordPlacement},
		{Method: "POST", Path: "/api/v1/placements/{id}/review", handler: (*Server).reviewPlacement},
		{Method: "GET", Path: "/api/v1/spikes", handler: (*Server).listSpikes},
		{Method: "POST", Path: "/api/v1/spikes/{id}/review", handler: (*Server).reviewSpike},
		{Method: "POST", Path: "/api/v1/articles/{id}/recognitions", handler: (*Server).recognize},
		{Method: "DELETE", Path: "/api/v1/recognitions/{id}", handler: (*Server).withdrawRecognition},
		{Method: "GET", Path: "/api/v1/scoring/rules", handler: (*Server).listRules},
		{Method: "POST", Path: "/api/v1/scoring/rules", handler: (*Server).createRules},
		{Method: "GET", Path: "/api/v1/quotas", handler: (*Server).listQuotas},
		{Method: "PUT", Path: "/api/v1/quotas", handler: (*Server).setQuota},

		{Method: "GET", Path: "/api/v1/search", Public: true, OptionalToken: true, handler: (*Server).searchArticles},
		{Method: "GET", Path: "/api/v1/search/suggest", Public: true, handler: (*Server).suggestTitles},

		{Method: "GET", Path: "/api/v1/units", handler: (*Server).listUnits},
		{Method: "POST", Path: "/api/v1/units", handler: (*Server).createUnit},
		{Method: "GET", Path: "/api/v1/units/{id}", handler: (*Server).getUnit},
		{Method: "PATCH", Path: "/api/v1/units/{id}", handler: (*Server).updateUnit},

		{Method: "GET", Path: "/api/v1/staff", handler: (*Server).listStaff},
		{Method: "POST", Path: "/api/v1/staff", handler: (*Server).createStaff},
		{Method: "GET", Path: "/api/v1/staff/{id}", handler: (*Server).getStaff},
		{Method: "PATCH", Path: "/api/v1/staff/{id}", handler: (*Server).updateStaff},
		{Method: "PUT", Path: "/api/v1/staff/{id}/password", handler: (*Server).setPassword},

		{Method: "GET", Path: "/api/v1/columns", handler: (*Server).listColumns},
		{Method: "POST", Path: "/api/v1/columns", handler: (*Server).createColumn},
		{Method: "PATCH", Path: "/api/v1/columns/{id}", handler: (*Server).updateColumn},
		{Method: "GET", Path: "/api/v1/themes", handler: (*Server).listThemes},
		{Method: "POST", Path: "/api/v1/themes", handler: (*Server).createTheme},
		{Method: "PATCH", Path: "/api/v1/themes/{id}", handler: (*Server).updateTheme},

		{Method: "GET", Path: "/api/v1/articles", handler: (*Server).listArticles},
		{Method: "POST", Path: "/api/v1/articles", handler: (*Server).createArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}", handler: (*Server).getArticle},
		{Method: "PATCH", Path: "/api/v1/articles/{id}", handler: (*Server).editArticle},
		{Method: "POST", Path: "/api/v1/articles/{id}/correct", handler: (*Server).correctArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions", handler: (*Server).listRevisions},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions/{number}", handler: (*Server).getRevision},
		{Method: "GET", Path: "/api/v1/articles/{id}/diff", handler: (*Server).diffRevisions},
		{Method: "GET", Path: "/api/v1/articles/{id}/events", handler: (*Server).articleEvents},
		{Method: "GET", Path: "/api/v1/events", handler: (*Server).listEvents},

		{Method: "GET", Path: "/api/v1/settings", handler: (*Server).getSettings},
		{Method: "PUT", Path: "/api/v1/settings", handler: (*Server).putSettings},
		{Method: "GET", Path: "/api/v1/tips", handler: (*Server).listTips},
		{Method: "GET", Path: "/api/v1/tips/{id}/attachments/{attachment}", handler: (*Server).getTipAttachment},
	}
	routes = append(routes, planRoutes()...)  // planning.go
	routes = append(routes, topicRoutes()...) // topics.go
	routes = append(routes, trainingRoutes()...)
	for _, act := range transitions {
		routes = append(routes, Route{Method: "POST", Path: "/api/v1/articles/{id}/" + string(act), handler: transition(act)})
	}
	return routes
}

// transitions are the workflow actions with a route of their own that take
// only a comment (and, for publish, a time).
var transitions = []workflow.Action{
	workflow.ActSubmit, workflow.ActWithdraw, workflow.ActApprove, workflow.ActReject,
	workflow.ActPublish, workflow.ActUnschedule, workflow.ActRetract,
}

// Handler returns the API's handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Path, s.wrap(rt))
		allowed[rt.Path] = append(allowed[rt.Path], rt.Method)
	}
	// A known path with another method gets a 405 naming the methods it takes.
	for path, methods := range allowed {
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.problem(w, r, herald.Errorf(herald.EMETHOD, "%s takes %s, not %s.", r.URL.Path, allow, r.Method))
		})
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, herald.Errorf(herald.ENOTFOUND, "No API endpoint %s %s.", r.Method, r.URL.Path))
	})
	return mux
}

func (s *Server) wrap(rt Route) http.HandlerFunc {
	if rt.PartnerToken {
		return s.wrapPartner(rt)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var actor *herald.Staff
		if !rt.Public || rt.OptionalToken && r.Header.Get("Authorization") != "" {
			var err error
			if actor, err = s.authenticate(r); err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
				s.problem(w, r, err)
				return
			}
		}
		if r.Body != nil && s.MaxBodyBytes > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
		}
		rt.handler(s, w, r, actor)
	}
}

func (s *Server) wrapPartner(rt Route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald-partners"`)
			s.problem(w, r, herald.Errorf(herald.EUNAUTHORIZED, "Send your partner token: Authorization: Bearer hrp_…; the publicity center issues it."))
			return
		}
		if s.Syndication == nil {
			s.problem(w, r, herald.Errorf(herald.EUNAVAILABLE, "Syndication is not available on this server."))
			return
		}
		p, err := s.Syndication.Authenticate(r.Context(), secret)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald-partners"`)
			s.problem(w, r, err)
			return
		}
		if r.Body != nil && s.MaxBodyBytes > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
		}
		rt.partner(s, w, r, p)
	}
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func (s *Server) authenticate(r *http.Request) (*herald.Staff, error) {
	secret, ok := bearer(r)
	if !ok || secret == "" {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Send an API token: Authorization: Bearer <token>. Get one with POST /api/v1/tokens.")
	}
	st, _, err := s.Auth.Authenticate(r.Context(), secret)
	return st, err
}
