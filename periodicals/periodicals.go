// Package periodicals runs the print side of the "4 + 1" model: the
// department's periodicals (a monthly bulletin), their issues — published
// articles picked and ordered by an editor, with an editor's note — and the
// print-ready PDF of an issue, typeset by package print.
package periodicals

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/print"
)

// Service manages periodicals and issues over a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
}

// New returns a service.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

// editors may make periodicals and issues: print is editorial work.
var editors = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}

func mayEdit(actor *herald.Staff) error {
	if actor == nil || !actor.Active() || !actor.HasRole(editors...) {
		return herald.Errorf(herald.EFORBIDDEN, "Only editors make periodicals and their issues.")
	}
	return nil
}

func (s *Service) event(actor *herald.Staff) herald.Event {
	return herald.Event{At: s.Clock.Now(), ActorID: actor.ID}
}

// CreatePeriodical adds a periodical published by the editor's unit unless
// it names another.
func (s *Service) CreatePeriodical(ctx context.Context, actor *herald.Staff, p *herald.Periodical) error {
	if err := mayEdit(actor); err != nil {
		return err
	}
	if p.UnitID == 0 {
		p.UnitID = actor.UnitID
	}
	return s.Store.CreatePeriodical(ctx, p, s.event(actor))
}

// CreateIssue adds an issue.
func (s *Service) CreateIssue(ctx context.Context, actor *herald.Staff, is *herald.Issue) error {
	if err := mayEdit(actor); err != nil {
		return err
	}
	return s.Store.CreateIssue(ctx, is, s.event(actor))
}

// IssueChange is an editor's change of an issue; nil fields stay as they are.
// Version must be the version the editor changed, so that two editors do not
// overwrite each other's picks.
type IssueChange struct {
	Version    int        `json:"version"`
	Volume     *int       `json:"volume"`
	Number     *int       `json:"number"`
	Date       *time.Time `json:"date"`
	EditorNote *string    `json:"editor_note"`
	ArticleIDs []int64    `json:"article_ids"`
}

// UpdateIssue applies a change.
func (s *Service) UpdateIssue(ctx context.Context, actor *herald.Staff, id int64, c IssueChange) (*herald.Issue, error) {
	if err := mayEdit(actor); err != nil {
		return nil, err
	}
	return s.Store.UpdateIssue(ctx, id, s.event(actor), func(is *herald.Issue) error {
		if c.Version != is.Version {
			return herald.Errorf(herald.ECONFLICT, "The issue was changed by someone else (version %d, you had %d); reload it.", is.Version, c.Version)
		}
		if c.Volume != nil {
			is.Volume = *c.Volume
		}
		if c.Number != nil {
			is.Number = *c.Number
		}
		if c.Date != nil {
			is.Date = herald.CSTDay(*c.Date)
		}
		if c.EditorNote != nil {
			is.EditorNote = *c.EditorNote
		}
		if c.ArticleIDs != nil {
			is.ArticleIDs = c.ArticleIDs
		}
		return nil
	})
}

// PDF typesets an issue for the printer. An issue without articles, or with
// one that is no longer published (retracted after it was picked), is refused
// naming the article. Images uploaded to Herald print with their captions;
// images from elsewhere are left out (the server fetches nothing).
func (s *Service) PDF(ctx context.Context, actor *herald.Staff, id int64, opts print.Options) (*print.Result, error) {
	if err := mayEdit(actor); err != nil {
		return nil, err
	}
	is, err := s.Store.FindIssueByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(is.ArticleIDs) == 0 {
		return nil, herald.Invalid("article_ids", "the issue has no articles yet")
	}
	per, err := s.periodical(ctx, is.PeriodicalID)
	if err != nil {
		return nil, err
	}
	unit, err := s.Store.FindUnitByID(ctx, per.UnitID)
	if err != nil {
		return nil, err
	}
	doc := print.Issue{Title: per.Name, Publisher: unit.Name + "主办", Volume: is.Volume, Number: is.Number, Date: is.Date, EditorsNote: is.EditorNote}
	for _, aid := range is.ArticleIDs {
		a, err := s.Store.FindArticleByID(ctx, aid)
		if err != nil {
			return nil, err
		}
		if a.Status != herald.StatusPublished {
			return nil, herald.Invalid("article_ids", "article %d (%s) is %s: take it out of the issue", a.ID, a.Title, a.Status)
		}
		byline, err := s.byline(ctx, a)
		if err != nil {
			return nil, err
		}
		pa := print.Article{Title: a.Title, Subtitle: a.Subtitle, Byline: byline, Source: a.Source, Body: a.Body}
		if a.PublishedAt != nil {
			pa.Date = *a.PublishedAt
		}
		if pa.Images, err = s.images(ctx, a.Body); err != nil {
			return nil, err
		}
		doc.Articles = append(doc.Articles, pa)
	}
	res, err := print.RenderWith(doc, opts)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func (s *Service) periodical(ctx context.Context, id int64) (*herald.Periodical, error) {
	ps, err := s.Store.FindPeriodicals(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "Periodical %d not found.", id)
}

// byline prints the article's authors as a bulletin does: names joined.
func (s *Service) byline(ctx context.Context, a *herald.Article) (string, error) {
	var names []string
	for _, au := range a.Authors {
		if au.Name != "" {
			names = append(names, au.Name)
			continue
		}
		st, err := s.Store.FindStaffByID(ctx, au.StaffID)
		if err != nil {
			return "", err
		}
		names = append(names, st.Name)
	}
	return strings.Join(names, " "), nil
}

var imgSrc = regexp.MustCompile(`<img[^>]*\ssrc="([^"]+)"`)

// images returns the body's images that were uploaded to Herald, at the
// large rendition, keyed by their src so that they print where they stand.
func (s *Service) images(ctx context.Context, body string) ([]print.Image, error) {
	var out []print.Image
	for _, m := range imgSrc.FindAllStringSubmatch(body, -1) {
		id, key, _, ok := herald.ParseMediaURL(m[1])
		if !ok {
			continue
		}
		media, err := s.Store.FindMediaByID(ctx, id)
		if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && media.Key() != key {
			continue // not an image of Herald's after all
		} else if err != nil {
			return nil, err
		}
		r, err := s.Store.FindRendition(ctx, id, "large")
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("image %s: %w", m[1], err)
		}
		out = append(out, print.Image{Src: m[1], Data: r.Data})
	}
	return out, nil
}
