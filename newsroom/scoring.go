package newsroom

import "github.com/heraldnews/herald/scoring"

// The incentive mechanism's pages: placements, recognitions, quotas, the
// scoring rules and the rankings with their notice.

// scoringService is the service the incentive pages run on: the one the
// newsroom was given, or one over its store.
func (s *Server) scoringService() *scoring.Service {
	if s.Scoring != nil {
		return s.Scoring
	}
	return scoring.New(s.Store, s.Auth.Clock, s.Log)
}
