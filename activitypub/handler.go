package activitypub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// URLs lays out the URLs of Herald's ActivityPub documents under the site's
// origin. Actors live under /ap/actors/NAME; they are JSON documents that
// redirect browsers to the actor's HTML profile page.
type URLs struct {
	// Base is the site's origin, such as "https://sft.example.gov.cn".
	Base string
}

// Actor returns the ID of the local actor called name.
func (u URLs) Actor(name string) string { return u.Base + "/ap/actors/" + name }

// KeyID returns the ID of the actor's signing key.
func (u URLs) KeyID(name string) string { return u.Actor(name) + "#main-key" }

// Inbox returns the actor's own inbox.
func (u URLs) Inbox(name string) string { return u.Actor(name) + "/inbox" }

// Outbox returns the actor's outbox.
func (u URLs) Outbox(name string) string { return u.Actor(name) + "/outbox" }

// Followers returns the actor's followers collection.
func (u URLs) Followers(name string) string { return u.Actor(name) + "/followers" }

// SharedInbox returns the inbox shared by every local actor.
func (u URLs) SharedInbox() string { return u.Base + "/ap/inbox" }

// Object returns the URL of a local object served by the handler, for IDs
// that are not pages of the site.
func (u URLs) Object(path string) string {
	return u.Base + "/ap/objects/" + strings.TrimPrefix(path, "/")
}

// Host returns the host (and port, if any) of acct: handles.
func (u URLs) Host() string {
	p, err := url.Parse(u.Base)
	if err != nil {
		return ""
	}
	return p.Host
}

// ActorName returns the name of the local actor whose ID is id.
func (u URLs) ActorName(id string) (string, bool) {
	name, ok := strings.CutPrefix(id, u.Base+"/ap/actors/")
	if !ok || !namePattern.MatchString(name) {
		return "", false
	}
	return name, true
}

// namePattern is what Mastodon accepts as the user part of a remote handle;
// column slugs (a-z, 0-9, hyphens), "site" and the languages' "site_en" fit it.
var namePattern = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_.-]{0,62}[a-z0-9_])?$`)

// LocalActor is a local actor as the Backend stores it.
type LocalActor struct {
	// Name is the actor's preferredUsername and the last segment of its ID:
	// "site" for the site, a column's slug for a column, "site_" and the
	// primary subtag for a language other than the site's ("site_en").
	Name string
	// Type is TypeService (the default, for the site) or TypePerson.
	Type        string
	DisplayName string
	Summary     string // HTML
	ProfileURL  string // its HTML page on the site
	IconURL     string // absolute
	// PublicKeyPEM is the public half of the key its activities are signed
	// with; the private half stays with the Backend and its delivery jobs.
	PublicKeyPEM string
	Published    time.Time
}

// ActorDocument returns the document of a local actor.
func ActorDocument(u URLs, la *LocalActor) *Actor {
	typ := la.Type
	if typ == "" {
		typ = TypeService
	}
	a := &Actor{
		Context:           DefaultContext(),
		ID:                u.Actor(la.Name),
		Type:              typ,
		PreferredUsername: la.Name,
		Name:              la.DisplayName,
		Summary:           la.Summary,
		URL:               la.ProfileURL,
		Inbox:             u.Inbox(la.Name),
		Outbox:            u.Outbox(la.Name),
		Followers:         u.Followers(la.Name),
		Discoverable:      true,
		Indexable:         true,
		Published:         la.Published.UTC().Truncate(time.Second),
		Endpoints:         &Endpoints{SharedInbox: u.SharedInbox()},
		PublicKey:         &PublicKey{ID: u.KeyID(la.Name), Owner: u.Actor(la.Name), PublicKeyPEM: la.PublicKeyPEM},
	}
	if la.IconURL != "" {
		a.Icon = &Image{Type: TypeImage, URL: la.IconURL}
		if mt := mime.TypeByExtension(strings.ToLower(pathExt(la.IconURL))); mt != "" {
			a.Icon.MediaType = mt
		}
	}
	return a
}

func pathExt(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	if i := strings.LastIndexByte(u.Path, '.'); i >= 0 && !strings.Contains(u.Path[i:], "/") {
		return u.Path[i:]
	}
	return ""
}

// What a received activity asks of the Backend (Received.Action).
const (
	// ActionFollow: Actor follows the local actor Target; record the
	// follower and enqueue Accept for delivery.
	ActionFollow = "follow"
	// ActionUnfollow: Actor no longer follows Target.
	ActionUnfollow = "unfollow"
	// ActionRemoveActor: Actor deleted itself; forget it as a follower of
	// every local actor.
	ActionRemoveActor = "remove_actor"
	// ActionRecord: keep it for staff to see (a like, a boost, a reply, a
	// report, an undone like...); nothing else changes.
	ActionRecord = "record"
)

// Received is an activity that passed verification, handed to
// Backend.Receive.
type Received struct {
	Activity *Incoming
	// Actor is the remote actor that sent it, whose key signed it.
	Actor *RemoteActor
	// Inbox is the name of the local actor whose inbox it came to, "" for
	// the shared inbox.
	Inbox  string
	Action string
	// Target is the local actor a follow or unfollow is about.
	Target string
	// Accept is, for ActionFollow, the Accept to deliver to the follower.
	Accept *Delivery
	At     time.Time
}

// Delivery is an activity to send: the job the Backend enqueues. The job
// signs it with the key of local actor Actor and sends it with
// Client.Deliver, retrying while Temporary reports true.
type Delivery struct {
	Actor    string // the local actor's name
	Inbox    string
	Activity json.RawMessage
}

// Backend is what the handlers need of the store. Its methods return coded
// herald errors: ENOTFOUND for unknown actors and objects.
type Backend interface {
	// LocalActor returns the local actor called name (ENOTFOUND when there
	// is none, or it is not on the microblog).
	LocalActor(ctx context.Context, name string) (*LocalActor, error)
	// Outbox returns up to limit of the actor's activities, newest first,
	// after skipping offset, and how many there are in all; limit 0 asks
	// for the count only.
	Outbox(ctx context.Context, name string, offset, limit int) ([]json.RawMessage, int, error)
	// FollowerCount returns how many remote actors follow the actor.
	FollowerCount(ctx context.Context, name string) (int, error)
	// Object returns a local object (a Note or, once retracted, a Tombstone)
	// by its ID, for peers that fetch it; ENOTFOUND when there is none.
	Object(ctx context.Context, id string) (json.RawMessage, error)
	// DomainBlocked reports whether host (lower case, without port) or a
	// domain it is under is blocked.
	DomainBlocked(ctx context.Context, host string) (bool, error)
	// Receive records a verified activity and does what its Action says, in
	// one transaction, once: an activity whose ID was recorded before is
	// ignored and nil returned, so that a sender's retries do no harm.
	Receive(ctx context.Context, rcv *Received) error
	// Stats returns the counts NodeInfo publishes.
	Stats(ctx context.Context) (NodeInfoUsage, error)
}

// Config configures a Handler.
type Config struct {
	URLs    URLs
	Backend Backend
	// Remote finds the actors and keys of the servers that deliver to the
	// inboxes: an *ActorCache, or one backed by the store.
	Remote Resolver
	Clock  herald.Clock
	Log    *slog.Logger
	// Software and NodeName go into NodeInfo.
	Software NodeInfoSoftware
	NodeName string
	// MaxInboxBytes bounds a delivered activity (default 1 MiB); larger
	// ones get 413.
	MaxInboxBytes int64
}

// Handler serves WebFinger, NodeInfo, the local actors and their
// collections, objects, and the inboxes.
//
// Inboxes answer 202 Accepted to verified activities, and also to activity
// types Herald has no use for (Block, Add, Move, …), which are dropped
// unrecorded: a sender has nothing to gain from retrying them. Refusals
// record nothing: 415 for a content type that is not ActivityPub's, 413 for
// a body over MaxInboxBytes, 400 for JSON that is not an activity, 403 when
// the sender's domain is blocked, 401 when the signature is missing, forged,
// stale, RFC 9421 or by another actor than the activity's.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// NewHandler returns a Handler.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxInboxBytes <= 0 {
		cfg.MaxInboxBytes = 1 << 20
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Software.Name == "" {
		cfg.Software.Name = "herald"
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.Register(h.mux)
	return h
}

// Register adds the handler's routes to mux. The server mounts them beside
// the site's own: /.well-known/webfinger, /.well-known/nodeinfo,
// /nodeinfo/2.1 and everything under /ap/.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/webfinger", h.webfinger)
	mux.HandleFunc("GET /.well-known/nodeinfo", h.nodeInfoLinks)
	mux.HandleFunc("GET /nodeinfo/2.1", h.nodeInfo)
	mux.HandleFunc("GET /ap/actors/{name}", h.actor)
	mux.HandleFunc("GET /ap/actors/{name}/outbox", h.outbox)
	mux.HandleFunc("GET /ap/actors/{name}/followers", h.followers)
	mux.HandleFunc("POST /ap/actors/{name}/inbox", h.inbox)
	mux.HandleFunc("POST /ap/inbox", h.inbox)
	mux.HandleFunc("GET /ap/objects/{path...}", h.object)
}

// ServeHTTP serves the routes that Register lists.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// WantsActivityJSON reports whether the request asks for an ActivityPub
// document (application/activity+json, or application/ld+json as the spec
// asks with the ActivityStreams profile) rather than a page.
func WantsActivityJSON(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/activity+json" || mt == "application/ld+json") {
			return true
		}
	}
	return false
}

// Negotiate serves the ActivityPub document of a local object at its own
// URL when a peer asks for JSON, so that notes can be identified by the
// article pages they announce; every other request goes to page.
func (h *Handler) Negotiate(page http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !WantsActivityJSON(r) {
			page.ServeHTTP(w, r)
			return
		}
		id := h.cfg.URLs.Base + r.URL.Path
		if r.URL.RawQuery != "" {
			id += "?" + r.URL.RawQuery
		}
		doc, err := h.cfg.Backend.Object(r.Context(), id)
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			page.ServeHTTP(w, r)
			return
		}
		h.serveObject(w, r, doc, err)
	})
}

func (h *Handler) object(w http.ResponseWriter, r *http.Request) {
	doc, err := h.cfg.Backend.Object(r.Context(), h.cfg.URLs.Object(r.PathValue("path")))
	h.serveObject(w, r, doc, err)
}

// serveObject answers 410 Gone for a Tombstone, as Mastodon does for
// deleted posts, so that peers drop their copies.
func (h *Handler) serveObject(w http.ResponseWriter, r *http.Request, doc json.RawMessage, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(doc, &probe) == nil && probe.Type == TypeTombstone {
		status = http.StatusGone
	}
	w.Header().Set("Vary", "Accept")
	writeRaw(w, status, ContentType, doc)
}

func (h *Handler) webfinger(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	resource := r.URL.Query().Get("resource")
	if resource == "" {
		h.fail(w, r, herald.Invalid("resource", "is required, as acct:name@%s", h.cfg.URLs.Host()))
		return
	}
	var name string
	if strings.HasPrefix(resource, "https://") || strings.HasPrefix(resource, "http://") {
		n, ok := h.cfg.URLs.ActorName(resource)
		if !ok {
			h.fail(w, r, herald.Errorf(herald.ENOTFOUND, "No actor has the ID %s.", resource))
			return
		}
		name = n
	} else {
		acct := strings.TrimPrefix(resource, "acct:")
		at := strings.LastIndexByte(acct, '@')
		if at <= 0 || !strings.EqualFold(acct[at+1:], h.cfg.URLs.Host()) {
			h.fail(w, r, herald.Errorf(herald.ENOTFOUND, "This server has only accounts @%s.", h.cfg.URLs.Host()))
			return
		}
		name = strings.ToLower(acct[:at])
	}
	la, err := h.localActor(r.Context(), name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	jrd := JRD{
		Subject: "acct:" + la.Name + "@" + h.cfg.URLs.Host(),
		Aliases: []string{h.cfg.URLs.Actor(la.Name)},
		Links:   []Link{{Rel: "self", Type: ContentType, Href: h.cfg.URLs.Actor(la.Name)}},
	}
	if la.ProfileURL != "" {
		jrd.Aliases = append(jrd.Aliases, la.ProfileURL)
		jrd.Links = append(jrd.Links, Link{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: la.ProfileURL})
	}
	w.Header().Set("Cache-Control", "public, max-age=600")
	h.writeJSON(w, r, http.StatusOK, "application/jrd+json", jrd)
}

func (h *Handler) localActor(ctx context.Context, name string) (*LocalActor, error) {
	if !namePattern.MatchString(name) {
		return nil, herald.Errorf(herald.ENOTFOUND, "There is no actor %q.", name)
	}
	return h.cfg.Backend.LocalActor(ctx, name)
}

func (h *Handler) actor(w http.ResponseWriter, r *http.Request) {
	la, err := h.localActor(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Vary", "Accept")
	if !WantsActivityJSON(r) && la.ProfileURL != "" {
		http.Redirect(w, r, la.ProfileURL, http.StatusSeeOther)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=180")
	h.writeJSON(w, r, http.StatusOK, ContentType, ActorDocument(h.cfg.URLs, la))
}

// outboxPageSize is how many activities a page of the outbox holds.
const outboxPageSize = 20

func (h *Handler) outbox(w http.ResponseWriter, r *http.Request) {
	la, err := h.localActor(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id := h.cfg.URLs.Outbox(la.Name)
	pageParam := r.URL.Query().Get("page")
	if pageParam == "" {
		_, total, err := h.cfg.Backend.Outbox(r.Context(), la.Name, 0, 0)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.writeJSON(w, r, http.StatusOK, ContentType, &OrderedCollection{Context: DefaultContext(), ID: id,
			Type: TypeCollection, TotalItems: total, First: id + "?page=1"})
		return
	}
	page, err := strconv.Atoi(pageParam)
	if err != nil || page < 1 || page > 10000 {
		h.fail(w, r, herald.Invalid("page", "must be a number from 1 to 10000"))
		return
	}
	items, total, err := h.cfg.Backend.Outbox(r.Context(), la.Name, (page-1)*outboxPageSize, outboxPageSize)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	p := &OrderedCollectionPage{Context: DefaultContext(), ID: id + "?page=" + strconv.Itoa(page), Type: TypePage,
		PartOf: id, TotalItems: total, OrderedItems: items}
	if page*outboxPageSize < total {
		p.Next = id + "?page=" + strconv.Itoa(page+1)
	}
	if page > 1 {
		p.Prev = id + "?page=" + strconv.Itoa(page-1)
	}
	h.writeJSON(w, r, http.StatusOK, ContentType, p)
}

// followers publishes the count only: who follows a government department
// is its citizens' business, not the public's (Mastodon lets accounts hide
// the list the same way).
func (h *Handler) followers(w http.ResponseWriter, r *http.Request) {
	la, err := h.localActor(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.cfg.Backend.FollowerCount(r.Context(), la.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, ContentType, &OrderedCollection{Context: DefaultContext(),
		ID: h.cfg.URLs.Followers(la.Name), Type: TypeCollection, TotalItems: n})
}

const nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.1"

func (h *Handler) nodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	h.writeJSON(w, r, http.StatusOK, "application/json", NodeInfoLinks{Links: []Link{
		{Rel: nodeInfoSchema, Href: h.cfg.URLs.Base + "/nodeinfo/2.1"}}})
}

func (h *Handler) nodeInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	usage, err := h.cfg.Backend.Stats(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	meta := map[string]any{}
	if h.cfg.NodeName != "" {
		meta["nodeName"] = h.cfg.NodeName
	}
	h.writeJSON(w, r, http.StatusOK, `application/json; profile="`+nodeInfoSchema+`#"`, &NodeInfo{
		Version:   "2.1",
		Software:  h.cfg.Software,
		Protocols: []string{"activitypub"},
		Services:  NodeInfoServices{Inbound: []string{}, Outbound: []string{}},
		Usage:     usage,
		Metadata:  meta,
	})
}

// inboxTypes are the activity types Herald records; the rest are accepted
// and dropped.
var inboxTypes = map[string]bool{
	TypeFollow: true, TypeUndo: true, TypeLike: true, TypeAnnounce: true, TypeCreate: true,
	TypeUpdate: true, TypeDelete: true, TypeFlag: true, TypeAccept: true, TypeReject: true,
}

func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	if name != "" {
		if _, err := h.localActor(ctx, name); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil ||
		(mt != "application/activity+json" && mt != "application/ld+json") {
		h.writeError(w, r, http.StatusUnsupportedMediaType, "An inbox takes application/activity+json.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxInboxBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.fail(w, r, herald.Errorf(herald.ETOOLARGE, "An activity may be at most %d bytes.", h.cfg.MaxInboxBytes))
			return
		}
		h.fail(w, r, herald.Errorf(herald.EINVALID, "The request body could not be read."))
		return
	}
	act, err := ParseActivity(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Blocked servers are refused before their keys are fetched: a block
	// also means not talking to them.
	for _, host := range []string{hostOf(SignatureKeyID(r)), hostOf(act.Actor)} {
		if host == "" {
			continue
		}
		blocked, err := h.cfg.Backend.DomainBlocked(ctx, host)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if blocked {
			h.fail(w, r, herald.Errorf(herald.EFORBIDDEN, "This server does not accept activities from %s.", host))
			return
		}
	}
	key, err := Verify(r, body, h.cfg.Clock.Now(), h.cfg.Remote.Key)
	if err != nil {
		if act.Type == TypeDelete && act.Object == act.Actor && herald.ErrorCode(err) == herald.EUNAUTHORIZED &&
			SignatureKeyID(r) != "" && r.Header.Get("Signature-Input") == "" {
			// A deleted actor's farewell: its key is gone with it, and there is
			// nothing to remove that a signature could protect.
			w.WriteHeader(http.StatusAccepted)
			return
		}
		h.fail(w, r, err)
		return
	}
	if key.Owner != act.Actor {
		h.fail(w, r, herald.Errorf(herald.EUNAUTHORIZED, "The activity's actor %s did not sign it.", act.Actor))
		return
	}
	if hostOf(act.ID) != hostOf(act.Actor) {
		h.fail(w, r, herald.Invalid("id", "must be on the actor's server"))
		return
	}
	if !inboxTypes[act.Type] {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	actor, err := h.cfg.Remote.Actor(ctx, act.Actor)
	if err != nil {
		if Temporary(err) {
			h.fail(w, r, herald.Errorf(herald.EUNAVAILABLE, "The actor %s could not be fetched; try again later.", act.Actor))
		} else {
			h.fail(w, r, herald.Errorf(herald.EUNAUTHORIZED, "The actor %s cannot be found.", act.Actor))
		}
		return
	}
	rcv := &Received{Activity: act, Actor: actor, Inbox: name, Action: ActionRecord, At: h.cfg.Clock.Now()}
	switch {
	case act.Type == TypeFollow:
		target, ok := h.cfg.URLs.ActorName(act.Object)
		if !ok {
			w.WriteHeader(http.StatusAccepted) // not about us
			return
		}
		if _, err := h.localActor(ctx, target); err != nil {
			h.fail(w, r, err)
			return
		}
		accept, err := Marshal(NewAccept(acceptID(h.cfg.URLs, target, act.ID), h.cfg.URLs.Actor(target), act))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		rcv.Action, rcv.Target = ActionFollow, target
		rcv.Accept = &Delivery{Actor: target, Inbox: actor.Inbox, Activity: accept}
	case act.Type == TypeUndo && act.Embedded != nil && act.Embedded.Type == TypeFollow:
		if act.Embedded.Actor != act.Actor {
			h.fail(w, r, herald.Errorf(herald.EUNAUTHORIZED, "Only the follower can undo a follow."))
			return
		}
		target, ok := h.cfg.URLs.ActorName(act.Embedded.Object)
		if !ok {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		rcv.Action, rcv.Target = ActionUnfollow, target
	case act.Type == TypeDelete && act.Object == act.Actor:
		rcv.Action = ActionRemoveActor
	}
	if err := h.cfg.Backend.Receive(ctx, rcv); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// acceptID is a deterministic ID for the Accept of a follow, so that
// receiving the same Follow twice yields the same Accept.
func acceptID(u URLs, target, followID string) string {
	sum := sha256.Sum256([]byte(followID))
	return u.Actor(target) + "#accepts/" + hex.EncodeToString(sum[:16])
}

// fail answers with err's status; internal errors are logged and their
// detail kept from the peer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httpx.Status(err)
	if status == http.StatusInternalServerError {
		h.cfg.Log.Error("activitypub", "method", r.Method, "path", r.URL.Path, "error", err)
	} else {
		h.cfg.Log.Info("activitypub refused", "method", r.Method, "path", r.URL.Path, "status", status,
			"error", herald.ErrorMessage(err))
	}
	h.writeError(w, r, status, herald.ErrorMessage(err))
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.writeJSON(w, r, status, "application/json", map[string]string{"error": message})
}

func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, contentType string, v any) {
	b, err := Marshal(v)
	if err != nil {
		h.cfg.Log.Error("activitypub: encode", "path", r.URL.Path, "error", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, contentType, b)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
