package activitypub

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/jobs"
)

// KindSend is the job that signs one activity with a local actor's key and
// delivers it to one inbox.
const KindSend = "activitypub.send"

// SiteActor is the name of the site's own actor.
const SiteActor = herald.SiteActor

// Service is the microblog over Herald's store: the Backend of the Handler,
// the delivery.Channel of herald.ChannelMicroblog, and the handler of the send
// jobs that carry activities to followers' inboxes.
type Service struct {
	store  herald.Store
	urls   URLs
	client *Client
	clock  herald.Clock
	log    *slog.Logger
	// ArticleURL returns an article's absolute URL on the site.
	ArticleURL func(a *herald.Article) string
	// TagURL returns the absolute URL hashtags link to; nil leaves them out.
	TagURL func(tag string) string
	// ColumnActors makes each column an actor of its own, beside the site.
	ColumnActors bool
	// Language is the site's own language, a BCP 47 tag ("zh-CN" when
	// empty). The site and the columns post the articles in it; each other
	// language is an actor of its own, "site_" and its primary subtag
	// ("site_en"), which posts those: it exists while the language has
	// published articles, and stays once it has posted.
	Language string
	// SectionURL returns the absolute URL of a language's section on the
	// site, given its primary subtag ("en"): a language actor's profile
	// page. Nil makes the site's home page their profile.
	SectionURL func(subtag string) string

	keys sync.Map // actor name → *rsa.PrivateKey
}

// NewService returns the microblog service.
func NewService(store herald.Store, urls URLs, client *Client, clock herald.Clock, log *slog.Logger) *Service {
	return &Service{store: store, urls: urls, client: client, clock: clock, log: log}
}

// keysFor makes a new key pair, encoded as the store keeps it.
func newKeys() (string, string, error) {
	key, err := GenerateKey()
	if err != nil {
		return "", "", err
	}
	public, err := EncodePublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	private, err := EncodePrivateKey(key)
	return public, string(private), err
}

// actor returns a local actor's stored record, making its keys the first
// time, after checking that the name is one of the microblog's actors; for a
// column's actor it also returns the column, for a language's the
// language's primary subtag.
func (s *Service) actor(ctx context.Context, name string) (*herald.LocalActor, *herald.Column, string, error) {
	var col *herald.Column
	var lang string
	switch primary, isLanguage := s.actorLanguage(name); {
	case name == SiteActor:
	case isLanguage:
		exists, err := s.languageActorExists(ctx, primary)
		if err != nil {
			return nil, nil, "", err
		}
		if !exists {
			return nil, nil, "", herald.Errorf(herald.ENOTFOUND, "There is no actor %q.", name)
		}
		lang = primary
	default:
		if !s.ColumnActors {
			return nil, nil, "", herald.Errorf(herald.ENOTFOUND, "There is no actor %q.", name)
		}
		cols, err := s.store.FindColumns(ctx)
		if err != nil {
			return nil, nil, "", err
		}
		for _, c := range cols {
			if c.Slug == name {
				col = c
			}
		}
		if col == nil {
			return nil, nil, "", herald.Errorf(herald.ENOTFOUND, "There is no actor %q.", name)
		}
	}
	la, err := s.store.LocalActor(ctx, name, s.clock.Now(), newKeys)
	return la, col, lang, err
}

// SigningKey returns the key a local actor signs with.
func (s *Service) SigningKey(ctx context.Context, name string) (*SigningKey, error) {
	if k, ok := s.keys.Load(name); ok {
		return &SigningKey{KeyID: s.urls.KeyID(name), Key: k.(*rsa.PrivateKey)}, nil
	}
	la, _, _, err := s.actor(ctx, name)
	if err != nil {
		return nil, err
	}
	key, err := DecodePrivateKey([]byte(la.PrivateKeyPEM))
	if err != nil {
		return nil, fmt.Errorf("the key of actor %s: %w", name, err)
	}
	s.keys.Store(name, key)
	return &SigningKey{KeyID: s.urls.KeyID(name), Key: key}, nil
}

// LocalActor implements Backend.
func (s *Service) LocalActor(ctx context.Context, name string) (*LocalActor, error) {
	la, col, lang, err := s.actor(ctx, name)
	if err != nil {
		return nil, err
	}
	settings, err := s.store.FindSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := &LocalActor{Name: name, PublicKeyPEM: la.PublicKeyPEM, Published: la.CreatedAt, DisplayName: settings.SiteName,
		Summary: "<p>" + html.EscapeString(settings.Description) + "</p>", ProfileURL: s.urls.Base + "/"}
	switch {
	case col != nil:
		out.DisplayName = settings.SiteName + " · " + col.Name
		out.Summary = "<p>" + html.EscapeString(col.Name) + "</p>"
		out.ProfileURL = s.urls.Base + "/columns/" + url.PathEscape(col.Slug) + "/"
	case lang != "":
		out.DisplayName = settings.SiteName + " · " + languageName(lang)
		if s.SectionURL != nil {
			out.ProfileURL = s.SectionURL(lang)
		}
	}
	return out, nil
}

// Outbox implements Backend.
func (s *Service) Outbox(ctx context.Context, name string, offset, limit int) ([]json.RawMessage, int, error) {
	if _, _, _, err := s.actor(ctx, name); err != nil {
		return nil, 0, err
	}
	if limit == 0 {
		_, n, err := s.store.FindOutbox(ctx, name, 1, 0)
		return nil, n, err
	}
	items, n, err := s.store.FindOutbox(ctx, name, limit, offset)
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		out[i] = it.Activity
	}
	return out, n, err
}

// FollowerCount implements Backend.
func (s *Service) FollowerCount(ctx context.Context, name string) (int, error) {
	_, n, err := s.store.FindFollowers(ctx, name, 1, 0)
	return n, err
}

// Object implements Backend.
func (s *Service) Object(ctx context.Context, id string) (json.RawMessage, error) {
	o, err := s.store.FindObject(ctx, id)
	if err != nil {
		return nil, err
	}
	return o.Object, nil
}

// DomainBlocked implements Backend: a host is blocked when it or a domain it
// is under is in the site settings' list.
func (s *Service) DomainBlocked(ctx context.Context, host string) (bool, error) {
	settings, err := s.store.FindSettings(ctx)
	if err != nil {
		return false, err
	}
	for _, d := range settings.BlockedDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true, nil
		}
	}
	return false, nil
}

// Stats implements Backend.
func (s *Service) Stats(ctx context.Context) (NodeInfoUsage, error) {
	names, err := s.actorNames(ctx)
	if err != nil {
		return NodeInfoUsage{}, err
	}
	users := len(names)
	_, posts, err := s.store.FindOutbox(ctx, "", 1, 0)
	return NodeInfoUsage{Users: NodeInfoUsers{Total: users, ActiveMonth: users, ActiveHalfyear: users}, LocalPosts: posts}, err
}

// Receive implements Backend: follows are recorded and answered through the
// job queue; likes, boosts and replies to Herald's notes are kept as
// engagement. Each store call is idempotent, so a redelivered activity
// changes nothing.
func (s *Service) Receive(ctx context.Context, rcv *Received) error {
	act, who := rcv.Activity, rcv.Actor
	switch rcv.Action {
	case ActionFollow:
		f := &herald.Follower{Actor: rcv.Target, Account: who.ID, Inbox: who.Inbox, SharedInbox: who.SharedInbox, FollowID: act.ID, CreatedAt: rcv.At}
		job, err := sendJob(rcv.Accept)
		if err != nil {
			return err
		}
		_, err = s.store.AddFollower(ctx, f, job)
		return err
	case ActionUnfollow:
		_, err := s.store.RemoveFollower(ctx, rcv.Target, who.ID, rcv.At)
		return err
	case ActionRemoveActor:
		names, err := s.actorNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			if _, err := s.store.RemoveFollower(ctx, name, who.ID, rcv.At); err != nil {
				return err
			}
		}
		return nil
	}
	e := &herald.Engagement{ActivityID: act.ID, Account: who.ID, Object: act.Object, At: rcv.At}
	switch act.Type {
	case TypeLike:
		e.Kind = herald.EngagementLike
	case TypeAnnounce:
		e.Kind = herald.EngagementAnnounce
	case TypeCreate:
		if act.Embedded == nil || act.Embedded.InReplyTo == "" {
			return nil // a post of theirs that is no reply to Herald
		}
		e.Kind, e.ActivityID, e.Object = herald.EngagementReply, act.Embedded.ID, act.Embedded.InReplyTo
		e.Content = replyText(act.Embedded.Raw)
	case TypeUndo:
		if act.Object == "" {
			return nil
		}
		_, err := s.store.UndoEngagement(ctx, act.Object, who.ID, rcv.At)
		return err
	default:
		return nil
	}
	if e.ArticleID = s.articleOf(e.Object); e.ArticleID == 0 {
		return nil // not about one of Herald's notes
	}
	_, err := s.store.RecordEngagement(ctx, e)
	return err
}

// replyText is a reply's text: its content without markup, shortened.
func replyText(raw json.RawMessage) string {
	var note struct {
		Content string `json:"content"`
	}
	json.Unmarshal(raw, &note)
	return shorten(collapseSpace(NoteText(note.Content)), 500)
}

// noteID is the ID of the note an actor posts about an article.
func (s *Service) noteID(actor string, articleID int64) string {
	return s.urls.Object(fmt.Sprintf("notes/%s/%d", actor, articleID))
}

// articleOf returns the article a note ID is about, 0 if it is none of Herald's.
func (s *Service) articleOf(objectID string) int64 {
	rest, ok := strings.CutPrefix(objectID, s.urls.Object("notes/"))
	if !ok {
		return 0
	}
	_, id, ok := strings.Cut(rest, "/")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return 0
	}
	return n
}

// Name implements delivery.Channel.
func (s *Service) Name() herald.Channel { return herald.ChannelMicroblog }

// Supports implements delivery.Channel: notes are created, updated and deleted.
func (s *Service) Supports(action string) bool { return true }

// actorNames lists the microblog's actors: the site, the columns with
// column actors, and the languages that have published articles.
func (s *Service) actorNames(ctx context.Context) ([]string, error) {
	names := []string{SiteActor}
	if s.ColumnActors {
		cols, err := s.store.FindColumns(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			names = append(names, c.Slug)
		}
	}
	langs, err := s.languageActorNames(ctx)
	return append(names, langs...), err
}

// Targets implements delivery.Channel: an article in a language other than
// the site's goes to that language's actor only; the others go to the site's
// actor and, with column actors, the article's column.
func (s *Service) Targets(ctx context.Context, a *herald.Article) ([]string, error) {
	if name, ok := s.languageActor(a.Language); ok {
		return []string{name}, nil
	}
	targets := []string{SiteActor}
	if s.ColumnActors {
		cols, err := s.store.FindColumns(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			if c.ID == a.ColumnID {
				targets = append(targets, c.Slug)
			}
		}
	}
	return targets, nil
}

// Deliver implements delivery.Channel: it records the activity in the
// actor's outbox and queues one send per follower inbox (each server's shared
// inbox once), in one transaction. The activity's ID is fixed by the article,
// action and version, so a repeated call queues nothing new.
func (s *Service) Deliver(ctx context.Context, d *herald.Delivery, a *herald.Article) (delivery.Result, error) {
	actorID, followers := s.urls.Actor(d.Target), s.urls.Followers(d.Target)
	if _, _, _, err := s.actor(ctx, d.Target); err != nil {
		return delivery.Result{}, err
	}
	noteID, articleURL := s.noteID(d.Target, a.ID), s.ArticleURL(a)
	activityID := s.urls.Object(fmt.Sprintf("activities/%s/%d/%s/%d", d.Target, a.ID, d.Action, d.Version))
	var activity *Activity
	var object any
	if d.Action == herald.ActionDelete {
		at := s.clock.Now()
		if a.RetractedAt != nil {
			at = *a.RetractedAt
		}
		activity = NewDelete(activityID, actorID, noteID, followers, at)
		object = activity.Object
	} else {
		note, err := NoteOf(a, NoteOptions{ID: noteID, ActorID: actorID, Followers: followers, URL: articleURL, BaseURL: s.urls.Base, TagURL: s.TagURL})
		if err != nil {
			return delivery.Result{}, jobs.Permanent(err)
		}
		if d.Action == herald.ActionUpdate {
			activity = NewUpdate(activityID, note)
		} else {
			activity = NewCreate(activityID, note)
		}
		object = note
	}
	body, err := Marshal(activity)
	if err != nil {
		return delivery.Result{}, err
	}
	objectJSON, err := Marshal(object)
	if err != nil {
		return delivery.Result{}, err
	}
	inboxes, err := s.store.FollowerInboxes(ctx, d.Target)
	if err != nil {
		return delivery.Result{}, err
	}
	var sends []*herald.Job
	for _, inbox := range inboxes {
		if unreachable(inbox) {
			continue // a send there could only fail: no job, no failure to look into
		}
		job, err := sendJob(&Delivery{Actor: d.Target, Inbox: inbox, Activity: body})
		if err != nil {
			return delivery.Result{}, err
		}
		sends = append(sends, job)
	}
	item := &herald.OutboxItem{Actor: d.Target, ActivityID: activityID, Type: activity.Type, ObjectID: noteID, ArticleID: a.ID,
		Activity: body, Object: objectJSON, At: s.clock.Now()}
	if _, err := s.store.PutOutbox(ctx, item, sends); err != nil {
		return delivery.Result{}, err
	}
	return delivery.Result{ExternalID: noteID, ExternalURL: articleURL}, nil
}

// sendJob is the job that delivers one activity to one inbox; its key is the
// activity and the inbox, so that each goes there once.
func sendJob(d *Delivery) (*herald.Job, error) {
	var probe struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(d.Activity, &probe); err != nil || probe.ID == "" {
		return nil, herald.Errorf(herald.EINVALID, "An activity to send has no id.")
	}
	payload, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return &herald.Job{Kind: KindSend, Key: KindSend + "/" + probe.ID + " " + d.Inbox, Payload: payload}, nil
}

// RunSend is the handler of KindSend: it signs the activity with its actor's
// key and posts it to the inbox. Refusals that will not change (a 4xx other
// than 429, an address Herald may not reach) fail the job at once.
func (s *Service) RunSend(ctx context.Context, j *herald.Job) error {
	var d Delivery
	if err := json.Unmarshal(j.Payload, &d); err != nil {
		return herald.Errorf(herald.EINVALID, "send job %d: %v", j.ID, err)
	}
	key, err := s.SigningKey(ctx, d.Actor)
	if err != nil {
		return err
	}
	if err := s.client.Deliver(ctx, d.Inbox, d.Activity, *key); err != nil {
		if !Temporary(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	return nil
}

// RegisterJobs adds the send handler to a runner.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Handle(KindSend, s.RunSend) }
