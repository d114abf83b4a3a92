package activitypub

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// JSON-LD contexts and well-known IRIs.
const (
	ActivityStreamsContext = "https://www.w3.org/ns/activitystreams"
	SecurityContext        = "https://w3id.org/security/v1"
	// Public is the audience that makes an object visible to everyone.
	Public = "https://www.w3.org/ns/activitystreams#Public"
)

// Media types of ActivityPub documents.
const (
	// ContentType is what Herald sends and serves.
	ContentType = "application/activity+json"
	// LDContentType is the other media type the spec allows; servers must
	// accept both.
	LDContentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Object and activity types Herald serves, sends or understands.
const (
	TypeService    = "Service"
	TypePerson     = "Person"
	TypeNote       = "Note"
	TypeTombstone  = "Tombstone"
	TypeHashtag    = "Hashtag"
	TypeDocument   = "Document"
	TypeImage      = "Image"
	TypeCreate     = "Create"
	TypeUpdate     = "Update"
	TypeDelete     = "Delete"
	TypeFollow     = "Follow"
	TypeAccept     = "Accept"
	TypeReject     = "Reject"
	TypeUndo       = "Undo"
	TypeLike       = "Like"
	TypeAnnounce   = "Announce"
	TypeFlag       = "Flag"
	TypeCollection = "OrderedCollection"
	TypePage       = "OrderedCollectionPage"
)

// DefaultContext returns the @context of every document Herald writes: the
// ActivityStreams and security vocabularies, which every implementation has
// built in, and the few extension terms Mastodon defines inline. Nothing in
// it makes a peer fetch a context from the internet.
func DefaultContext() any {
	return []any{ActivityStreamsContext, SecurityContext, map[string]string{
		"Hashtag":                   "as:Hashtag",
		"sensitive":                 "as:sensitive",
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"toot":                      "http://joinmastodon.org/ns#",
		"discoverable":              "toot:discoverable",
		"indexable":                 "toot:indexable",
	}}
}

// Marshal encodes v as JSON without escaping <, > and &, so that HTML content
// stays readable to whoever inspects a delivery.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Actor is a local actor's document: the site (a Service) or a column.
type Actor struct {
	Context                   any        `json:"@context,omitempty"`
	ID                        string     `json:"id"`
	Type                      string     `json:"type"`
	PreferredUsername         string     `json:"preferredUsername"`
	Name                      string     `json:"name,omitempty"`
	Summary                   string     `json:"summary,omitempty"` // HTML
	URL                       string     `json:"url,omitempty"`     // the HTML profile page
	Inbox                     string     `json:"inbox"`
	Outbox                    string     `json:"outbox"`
	Followers                 string     `json:"followers"`
	ManuallyApprovesFollowers bool       `json:"manuallyApprovesFollowers"`
	Discoverable              bool       `json:"discoverable"`
	Indexable                 bool       `json:"indexable"`
	Published                 time.Time  `json:"published,omitzero"`
	Endpoints                 *Endpoints `json:"endpoints,omitempty"`
	PublicKey                 *PublicKey `json:"publicKey,omitempty"`
	Icon                      *Image     `json:"icon,omitempty"`
}

// Endpoints lists an actor's server-wide endpoints.
type Endpoints struct {
	SharedInbox string `json:"sharedInbox,omitempty"`
}

// PublicKey is an actor's signing key as published in its document.
type PublicKey struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPEM string `json:"publicKeyPem"`
}

// Image is an actor's avatar.
type Image struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
}

// Note is a short post: what an article becomes on the microblog.
type Note struct {
	Context      any               `json:"@context,omitempty"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	AttributedTo string            `json:"attributedTo"`
	Content      string            `json:"content"` // HTML
	ContentMap   map[string]string `json:"contentMap,omitempty"`
	URL          string            `json:"url,omitempty"`
	Published    time.Time         `json:"published,omitzero"`
	Updated      time.Time         `json:"updated,omitzero"`
	To           []string          `json:"to"`
	Cc           []string          `json:"cc,omitempty"`
	Sensitive    bool              `json:"sensitive"`
	Tag          []Hashtag         `json:"tag,omitempty"`
	Attachment   []Document        `json:"attachment,omitempty"`
}

// Hashtag is a tag of a note, linking to the site's page for the tag.
type Hashtag struct {
	Type string `json:"type"`
	Href string `json:"href"`
	Name string `json:"name"` // with the leading #
}

// Document is a media attachment of a note.
type Document struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
	Name      string `json:"name,omitempty"` // the alternative text
}

// Tombstone stands in for a deleted (retracted) note. It has no
// formerType: the ActivityStreams context makes that an IRI, so "Note" would
// be read as a relative one (Fedify warns), and Mastodon sends none either.
type Tombstone struct {
	Context any       `json:"@context,omitempty"`
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Deleted time.Time `json:"deleted,omitzero"`
}

// Activity is an activity Herald sends. Object is an embedded object (a
// *Note, *Tombstone or *Activity) or an ID.
type Activity struct {
	Context   any       `json:"@context,omitempty"`
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Actor     string    `json:"actor"`
	Object    any       `json:"object"`
	Published time.Time `json:"published,omitzero"`
	To        []string  `json:"to,omitempty"`
	Cc        []string  `json:"cc,omitempty"`
}

// OrderedCollection is an outbox or a followers collection. First is the
// URL of its first page; collections whose items are not shown have none.
type OrderedCollection struct {
	Context    any    `json:"@context,omitempty"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	TotalItems int    `json:"totalItems"`
	First      string `json:"first,omitempty"`
}

// OrderedCollectionPage is one page of an OrderedCollection, newest first.
type OrderedCollectionPage struct {
	Context      any               `json:"@context,omitempty"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	PartOf       string            `json:"partOf"`
	TotalItems   int               `json:"totalItems"`
	OrderedItems []json.RawMessage `json:"orderedItems"`
	Next         string            `json:"next,omitempty"`
	Prev         string            `json:"prev,omitempty"`
}

// JRD is a WebFinger resource descriptor (RFC 7033).
type JRD struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases,omitempty"`
	Links   []Link   `json:"links"`
}

// Link is a link of a JRD or of the NodeInfo discovery document.
type Link struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href"`
}

// NodeInfoLinks is the /.well-known/nodeinfo discovery document.
type NodeInfoLinks struct {
	Links []Link `json:"links"`
}

// NodeInfo is a NodeInfo 2.1 document: what software a server runs and how
// big it is, which fediverse statistics sites and servers read.
type NodeInfo struct {
	Version           string           `json:"version"`
	Software          NodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          NodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             NodeInfoUsage    `json:"usage"`
	Metadata          map[string]any   `json:"metadata"`
}

// NodeInfoSoftware names the server software; Name must match [a-z0-9-]+.
type NodeInfoSoftware struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

// NodeInfoServices lists third-party services; Herald uses none.
type NodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// NodeInfoUsage counts local actors ("users") and posts.
type NodeInfoUsage struct {
	Users      NodeInfoUsers `json:"users"`
	LocalPosts int           `json:"localPosts"`
}

// NodeInfoUsers counts local actors.
type NodeInfoUsers struct {
	Total          int `json:"total"`
	ActiveMonth    int `json:"activeMonth"`
	ActiveHalfyear int `json:"activeHalfyear"`
}

// Incoming is an activity received from another server, read leniently:
// actor and object may each be an ID or an embedded object (or, from some
// servers, an array of them), and type may be an array.
type Incoming struct {
	ID        string
	Type      string
	Actor     string
	Object    string    // the object's ID, whether it was a link or embedded
	Embedded  *Incoming // the embedded object, nil when the object was a link
	InReplyTo string    // of an embedded note
	Raw       json.RawMessage
}

// ParseActivity reads an incoming activity. It needs an id, a type and an
// actor that are absolute http(s) URLs (ids) or names (type); anything else is
// kept in Raw for whoever records it.
func ParseActivity(data []byte) (*Incoming, error) {
	in, err := parseIncoming(data, 0)
	if err != nil {
		return nil, err
	}
	var p herald.Problems
	if !isHTTPURL(in.ID) {
		p.Add("id", "must be an absolute http(s) URL")
	}
	if in.Type == "" {
		p.Add("type", "is required")
	}
	if !isHTTPURL(in.Actor) {
		p.Add("actor", "must be an absolute http(s) URL or an object with one as its id")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

func parseIncoming(data []byte, depth int) (*Incoming, error) {
	var doc struct {
		ID          json.RawMessage `json:"id"`
		Type        json.RawMessage `json:"type"`
		Actor       json.RawMessage `json:"actor"`
		Object      json.RawMessage `json:"object"`
		InReplyTo   json.RawMessage `json:"inReplyTo"`
		AttributeTo json.RawMessage `json:"attributedTo"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, herald.Errorf(herald.EINVALID, "The activity is not a JSON object.")
	}
	in := &Incoming{
		ID:        idOf(doc.ID),
		Type:      typeOf(doc.Type),
		Actor:     idOf(doc.Actor),
		Object:    idOf(doc.Object),
		InReplyTo: idOf(doc.InReplyTo),
		Raw:       json.RawMessage(data),
	}
	if in.Actor == "" {
		in.Actor = idOf(doc.AttributeTo)
	}
	if obj := firstOf(doc.Object); len(obj) > 0 && obj[0] == '{' && depth < 2 {
		if inner, err := parseIncoming(obj, depth+1); err == nil && inner.Type != "" {
			in.Embedded = inner
		}
	}
	return in, nil
}

// firstOf returns the first element of a JSON array, or v itself.
func firstOf(v json.RawMessage) json.RawMessage {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) != nil || len(arr) == 0 {
			return nil
		}
		return bytes.TrimSpace(arr[0])
	}
	return v
}

// idOf reads an ID that may be a string, an object with an id (or, for a
// Link, an href), or an array whose first element is either.
func idOf(v json.RawMessage) string {
	v = firstOf(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		json.Unmarshal(v, &s)
		return s
	case '{':
		var o struct {
			ID   json.RawMessage `json:"id"`
			Href json.RawMessage `json:"href"`
		}
		if json.Unmarshal(v, &o) != nil {
			return ""
		}
		var s string
		if json.Unmarshal(o.ID, &s) == nil && s != "" {
			return s
		}
		json.Unmarshal(o.Href, &s)
		return s
	}
	return ""
}

// typeOf reads a type that may be a string or an array of them.
func typeOf(v json.RawMessage) string {
	v = firstOf(v)
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// RemoteActor is what Herald needs of another server's actor: where to
// deliver to it and how to check its signatures.
type RemoteActor struct {
	ID                string
	Type              string
	PreferredUsername string
	Name              string
	URL               string
	Inbox             string
	SharedInbox       string
	PublicKeys        []PublicKey
}

// Key returns the actor's key with the given ID, nil when it has none.
func (a *RemoteActor) Key(id string) *PublicKey {
	for i := range a.PublicKeys {
		if a.PublicKeys[i].ID == id {
			return &a.PublicKeys[i]
		}
	}
	return nil
}

// DeliveryInbox returns the shared inbox when the actor's server has one,
// else its own inbox: one delivery per server rather than per follower.
func (a *RemoteActor) DeliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

var actorTypes = []string{"Person", "Service", "Application", "Group", "Organization"}

// ParseActor reads another server's actor document leniently: publicKey may
// be one object or an array, url a string, a Link or an array.
func ParseActor(data []byte) (*RemoteActor, error) {
	var doc struct {
		ID                json.RawMessage `json:"id"`
		Type              json.RawMessage `json:"type"`
		PreferredUsername json.RawMessage `json:"preferredUsername"`
		Name              json.RawMessage `json:"name"`
		URL               json.RawMessage `json:"url"`
		Inbox             json.RawMessage `json:"inbox"`
		SharedInbox       json.RawMessage `json:"sharedInbox"`
		Endpoints         json.RawMessage `json:"endpoints"`
		PublicKey         json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, herald.Errorf(herald.EINVALID, "The actor document is not a JSON object.")
	}
	a := &RemoteActor{
		ID:          idOf(doc.ID),
		Type:        typeOf(doc.Type),
		URL:         idOf(doc.URL),
		Inbox:       idOf(doc.Inbox),
		SharedInbox: idOf(doc.SharedInbox),
	}
	json.Unmarshal(doc.PreferredUsername, &a.PreferredUsername)
	json.Unmarshal(doc.Name, &a.Name)
	var ep struct {
		SharedInbox json.RawMessage `json:"sharedInbox"`
	}
	if json.Unmarshal(doc.Endpoints, &ep) == nil && idOf(ep.SharedInbox) != "" {
		a.SharedInbox = idOf(ep.SharedInbox)
	}
	keys := bytes.TrimSpace(doc.PublicKey)
	if len(keys) > 0 && keys[0] == '{' {
		keys = append(append([]byte{'['}, keys...), ']')
	}
	var raw []json.RawMessage
	json.Unmarshal(keys, &raw)
	for _, k := range raw {
		var pk struct {
			ID           json.RawMessage `json:"id"`
			Owner        json.RawMessage `json:"owner"`
			PublicKeyPEM string          `json:"publicKeyPem"`
		}
		if json.Unmarshal(k, &pk) == nil && idOf(pk.ID) != "" && pk.PublicKeyPEM != "" {
			a.PublicKeys = append(a.PublicKeys, PublicKey{ID: idOf(pk.ID), Owner: idOf(pk.Owner), PublicKeyPEM: pk.PublicKeyPEM})
		}
	}
	var p herald.Problems
	if !isHTTPURL(a.ID) {
		p.Add("id", "must be an absolute http(s) URL")
	}
	if !slices.Contains(actorTypes, a.Type) {
		p.Add("type", "must be an actor type such as Person or Service")
	}
	if !isHTTPURL(a.Inbox) {
		p.Add("inbox", "must be an absolute http(s) URL")
	}
	if a.SharedInbox != "" && !isHTTPURL(a.SharedInbox) {
		a.SharedInbox = ""
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// hostOf returns the lower-case host (without port) of an absolute URL.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
