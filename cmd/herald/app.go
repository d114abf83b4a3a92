package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
	"github.com/heraldnews/herald/api"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/newsletter"
	"github.com/heraldnews/herald/newsroom"
	"github.com/heraldnews/herald/notify"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/planning"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
	"github.com/heraldnews/herald/syndication"
	"github.com/heraldnews/herald/topics"
	"github.com/heraldnews/herald/views"
	"github.com/heraldnews/herald/workflow"
)

// flags returns a flag set with every configuration option, and the function
// that resolves the configuration once it is parsed.
func flags(e env, name string) (*flag.FlagSet, func() (*config.Config, error)) {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	resolve := config.Flags(fs)
	return fs, func() (*config.Config, error) { return resolve(e.getenv) }
}

// isPostgres reports whether the db option names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the configured database and migrates it.
func openStore(ctx context.Context, db string) (*sqlstore.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

func newLogger(c *config.Config, e env) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Get("log-level")))
	opts := &slog.HandlerOptions{Level: level}
	if c.Get("log-format") == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// app is a running Herald: its store, services and HTTP handler.
type app struct {
	store     herald.Store
	log       *slog.Logger
	clock     herald.Clock
	workflow  *workflow.Service
	views     *views.Counter
	portal    *portal.Portal
	search    *search.Service
	jobs      *jobs.Runner
	delivery  *delivery.Service
	fediverse *activitypub.Service
	scoring   *scoring.Service
	notify    *notify.Service // mails only with a relay (--smtp-addr)
	// newsletter is nil when no mail relay is configured (--smtp-addr).
	newsletter *newsletter.Service
	handler    http.Handler
}

func newApp(c *config.Config, store herald.Store, log *slog.Logger, clock herald.Clock) (*app, error) {
	a := &app{store: store, log: log, clock: clock, workflow: workflow.NewService(store, clock), views: views.New(store, clock, log),
		search: search.NewService(store, clock, log), jobs: jobs.New(store, clock, log), delivery: delivery.New(store, clock)}
	if u, err := url.Parse(c.BaseURL()); err == nil && u.Host != "" {
		a.views.OwnHosts = []string{u.Host} // a reader moving within the site is not a referral
	}
	a.jobs.Poll = c.Duration("scheduler-interval")
	a.jobs.Lease = c.Duration("job-lease")
	a.jobs.Handle(workflow.KindPublish, a.workflow.RunPublishJob)
	a.delivery.RegisterJobs(a.jobs)
	a.delivery.Queued = a.jobs.Wake
	a.workflow.Follow = delivery.Follow
	// a published article completes the assignments handed in with it
	plans := planning.New(store, clock)
	a.jobs.Handle(planning.KindComplete, plans.RunCompleteJob)
	deliveries := a.workflow.Follow
	a.workflow.Follow = func(from herald.Status, art *herald.Article) []*herald.Job {
		return append(deliveries(from, art), planning.Follow(from, art)...)
	}
	authSvc := auth.NewService(store, clock)
	apiServer := &api.Server{
		Store: store, Auth: authSvc, Directory: directory.NewService(store, clock),
		Workflow: a.workflow, Search: a.search, Log: log, MaxBodyBytes: c.MaxBody(),
		Periodicals: periodicals.New(store, clock), Syndication: syndication.New(store, clock, c.BaseURL(), log),
		Scoring: scoring.New(store, clock, log),
	}
	a.scoring = apiServer.Scoring
	apiServer.Planning = plans
	a.scoring.RegisterJobs(a.jobs)
	// partner outlets are the print channel's subscribers
	a.delivery.Register(apiServer.Syndication)
	desk, err := newsroom.New(store, authSvc, a.workflow, log, strings.HasPrefix(c.BaseURL(), "https://"))
	if err != nil {
		return nil, fmt.Errorf("newsroom: %w", err)
	}
	if a.portal, err = portal.New(store, a.views, clock, log, c.BaseURL()); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	a.workflow.Changed = func(*herald.Article) {
		a.portal.Wake()
		a.search.Wake()
		a.queueScoring()
		a.queueNotify()
		a.jobs.Wake()
	}
	a.portal.Search, desk.Search = a.search, a.search
	desk.BaseURL = c.BaseURL()
	desk.JobChanged = a.delivery.JobChanged
	desk.Periodicals, desk.Scoring = apiServer.Periodicals, apiServer.Scoring
	desk.Syndication = apiServer.Syndication
	// the films of video pieces are files, streamed by the portal (topics)
	films, err := filmStorage(c)
	if err != nil {
		return nil, err
	}
	maxFilm, _ := strconv.ParseInt(c.Get("video-max-bytes"), 10, 64)
	a.portal.Videos, desk.VideoFiles, desk.VideoMaxBytes = films, films, maxFilm
	desk.Topics = topics.New(store, clock)
	desk.Topics.Changed = a.portal.Wake
	desk.Planning = plans
	desk.Links = checklist.HTTPLinkChecker(httpx.PublicClient(5*time.Second), checklist.SiteLinks(store))
	a.workflow.Gate = checklist.Gate(store, desk.Links)
	desk.Preview = func(ctx context.Context, art *herald.Article, phone bool) ([]byte, error) {
		page, err := a.portal.Preview(ctx, art, phone)
		if err != nil {
			return nil, err
		}
		return page.Body, nil
	}
	ap, err := a.microblog(c)
	if err != nil {
		return nil, fmt.Errorf("microblog: %w", err)
	}
	if err := a.subscriptions(c); err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	if err := a.notifications(c); err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	desk.Mails = a.notify.Mailer != nil
	mux := http.NewServeMux()
	ap.Register(mux)
	mux.Handle("/api/", apiServer.Handler())
	mux.Handle("/newsroom/", desk.Handler())
	mux.Handle("/", a.portal)
	for _, route := range portal.Routes {
		mux.Handle(route, a.portal)
	}
	measure := a.observability(mux, c.Get("metrics-token"), films.Check)
	proxies, _ := httpx.ParseProxies(c.Get("trusted-proxies")) // checked with the configuration
	httpx.TrustProxies(proxies)
	a.handler = httpx.Middleware(log, measure(mux))
	return a, nil
}

// microblog sets up the microblog channel (ActivityPub): the site's actor and
// its key (made on first start), the endpoints peers call, delivery of notes
// through the job queue.
func (a *app) microblog(c *config.Config) (*activitypub.Handler, error) {
	base := c.BaseURL()
	urls := activitypub.URLs{Base: base}
	client := activitypub.NewClient(activitypub.ClientConfig{UserAgent: "Herald/" + Version + " (+" + base + "/)",
		AllowPrivate: c.Get("fediverse-allow-private") == "true", Clock: a.clock})
	a.fediverse = activitypub.NewService(a.store, urls, client, a.clock, a.log)
	a.fediverse.ColumnActors = c.Get("fediverse-columns") == "true"
	a.fediverse.ArticleURL = func(ar *herald.Article) string { return herald.ArticleLink(base, ar.ID, herald.ReadMicroblog) }
	a.fediverse.TagURL = func(tag string) string { return base + "/search?q=" + url.QueryEscape(tag) }
	a.fediverse.Language = portal.DefaultLanguage
	a.fediverse.SectionURL = func(subtag string) string { return base + portal.SectionPath(subtag, 0) }
	a.delivery.Register(a.fediverse)
	a.fediverse.RegisterJobs(a.jobs)
	// fetching the actors of peers that write to the inboxes is signed by the
	// site, as servers in Mastodon's secure mode require
	site, err := a.fediverse.SigningKey(context.Background(), activitypub.SiteActor)
	if err != nil {
		return nil, err
	}
	return activitypub.NewHandler(activitypub.Config{
		URLs: urls, Backend: a.fediverse, Clock: a.clock, Log: a.log,
		Remote:   activitypub.NewActorCache(client, site, 10*time.Minute, 10000, a.clock),
		Software: activitypub.NodeInfoSoftware{Name: "herald", Version: Version},
	}), nil
}

// subscriptions sets up the public account's e-mail subscriptions when a
// mail relay is configured: the subscription pages, the channel, the digests
// and the mail jobs.
func (a *app) subscriptions(c *config.Config) error {
	if c.Get("smtp-addr") == "" {
		return nil
	}
	rate, _ := strconv.ParseFloat(c.Get("mail-rate"), 64)
	nl, err := newsletter.New(a.store, a.clock, a.log, newsletter.Config{
		SMTPAddr: c.Get("smtp-addr"), TLS: mail.TLSMode(c.Get("smtp-tls")), Username: c.Get("smtp-user"), Password: c.Get("smtp-password"),
		FromAddress: c.Get("mail-from"), FromName: c.Get("mail-from-name"), RatePerSecond: rate, BaseURL: c.BaseURL(),
	})
	if err != nil {
		return err
	}
	a.newsletter = nl
	a.delivery.Register(nl)
	nl.RegisterJobs(a.jobs)
	nl.Queued = a.jobs.Wake
	a.portal.Newsletter = nl
	return nil
}

// checkedFiles is a film storage that can say whether it takes files, for
// /readyz and herald doctor.
type checkedFiles interface {
	media.Files
	Check(ctx context.Context) error
}

// filmStorage is where the films of video pieces are kept: object storage
// when --media-s3-endpoint is set, else the folder --video-dir.
func filmStorage(c *config.Config) (checkedFiles, error) {
	if c.Get("media-s3-endpoint") == "" {
		return media.Dir(c.Get("video-dir")), nil
	}
	s3, err := media.NewS3(media.S3Config{Endpoint: c.Get("media-s3-endpoint"), Region: c.Get("media-s3-region"),
		Bucket: c.Get("media-s3-bucket"), AccessKey: c.Get("media-s3-access-key"), SecretKey: c.Get("media-s3-secret-key"),
		Prefix: c.Get("media-s3-prefix")})
	if err != nil {
		return nil, fmt.Errorf("film storage (--media-s3-*): %w", err)
	}
	return s3, nil
}
