package iptc

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/heraldnews/herald"
)

// ninjsItem is a NINJS 2.1 object; associations are objects of the same kind
// with a name.
type ninjsItem struct {
	URI             string           `json:"uri"`
	Name            string           `json:"name,omitempty"` // associations only
	Standard        *ninjsStandard   `json:"standard,omitempty"`
	Type            string           `json:"type"`
	Profile         string           `json:"profile,omitempty"`
	Version         string           `json:"version,omitempty"`
	FirstCreated    string           `json:"firstcreated,omitempty"`
	VersionCreated  string           `json:"versioncreated,omitempty"`
	ContentCreated  string           `json:"contentcreated,omitempty"`
	PubStatus       string           `json:"pubstatus,omitempty"`
	Language        string           `json:"language,omitempty"`
	CopyrightHolder string           `json:"copyrightholder,omitempty"`
	EdNote          string           `json:"ednote,omitempty"`
	Headlines       []ninjsText      `json:"headlines,omitempty"`
	Descriptions    []ninjsText      `json:"descriptions,omitempty"`
	Bodies          []ninjsBody      `json:"bodies,omitempty"`
	By              string           `json:"by,omitempty"`
	InfoSources     []ninjsSource    `json:"infosources,omitempty"`
	Subjects        []ninjsSubject   `json:"subjects,omitempty"`
	AltIDs          []ninjsText      `json:"altids,omitempty"`
	Renditions      []ninjsRendition `json:"renditions,omitempty"`
	Associations    []ninjsItem      `json:"associations,omitempty"`
}

type ninjsStandard struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Schema  string `json:"schema"`
}

type ninjsText struct {
	Role        string `json:"role,omitempty"`
	ContentType string `json:"contenttype,omitempty"`
	Value       string `json:"value"`
}

type ninjsBody struct {
	Role        string `json:"role,omitempty"`
	ContentType string `json:"contenttype"`
	CharCount   int    `json:"charcount"`
	Value       string `json:"value"`
}

type ninjsSource struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

type ninjsSubject struct {
	Name    string `json:"name"`
	Rel     string `json:"rel,omitempty"`
	Literal string `json:"literal,omitempty"`
}

type ninjsRendition struct {
	Name        string `json:"name"`
	Href        string `json:"href"`
	ContentType string `json:"contenttype,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// NINJS renders a published or retracted article as an IPTC NINJS 2.1
// document ("type": "text"), its images as "picture" associations named
// "cover", "image-2"… in the order the article shows them. A retracted article
// gives a "canceled" item that keeps its identifier and headline but leaves out
// the summary, body and images, with the correction note as the editorial
// note. Errors are herald.EINVALID naming the field: "status" for an article
// that is not published or retracted, "base_url" for a missing or relative
// base URL.
func NINJS(a *herald.Article, o Options) ([]byte, error) {
	s, err := prepare(a, o)
	if err != nil {
		return nil, err
	}
	item := ninjsItem{
		URI:             s.uri,
		Standard:        &ninjsStandard{Name: "ninjs", Version: NINJSVersion, Schema: NINJSSchemaURI},
		Type:            "text",
		Version:         strconv.Itoa(s.version),
		FirstCreated:    utc(s.first),
		VersionCreated:  utc(s.modified),
		ContentCreated:  utc(firstNonZero(s.created, s.first)),
		PubStatus:       "usable",
		Language:        a.Language,
		CopyrightHolder: s.provider,
		Headlines:       []ninjsText{{Role: "main", ContentType: "text/plain", Value: a.Title}},
		By:              s.byline(),
		AltIDs:          []ninjsText{{Role: "herald-article-id", Value: strconv.FormatInt(a.ID, 10)}},
	}
	if a.Subtitle != "" {
		item.Headlines = append(item.Headlines, ninjsText{Role: "sub", ContentType: "text/plain", Value: a.Subtitle})
	}
	if a.Source != "" {
		item.InfoSources = []ninjsSource{{Name: a.Source, Role: "source"}}
	}
	for _, sub := range s.subjects {
		item.Subjects = append(item.Subjects, ninjsSubject{Name: sub.name, Rel: sub.kind, Literal: sub.literal})
	}
	if s.canceled {
		item.PubStatus = "canceled"
		item.EdNote = s.correction
		return encodeJSON(item)
	}
	if a.Summary != "" {
		item.Descriptions = []ninjsText{{Role: "summary", ContentType: "text/plain", Value: a.Summary}}
	}
	text := s.body.Text()
	item.Bodies = []ninjsBody{
		{Role: "main", ContentType: "text/html", CharCount: charCount(text), Value: s.body.HTML()},
		{Role: "main", ContentType: "text/plain", CharCount: charCount(text), Value: text},
	}
	if len(s.images) > 0 {
		item.Profile = "text-photo"
	}
	for _, im := range s.images {
		pic := ninjsItem{
			URI:            im.itemURI(),
			Name:           im.name,
			Type:           "picture",
			Version:        "1",
			VersionCreated: utc(s.modified),
			PubStatus:      "usable",
		}
		if im.alt != "" {
			pic.Descriptions = []ninjsText{{Role: "alt", ContentType: "text/plain", Value: im.alt}}
		}
		for _, r := range im.renditions {
			pic.Renditions = append(pic.Renditions, ninjsRendition{Name: r.Name, Href: r.Href, ContentType: r.ContentType, Width: r.Width, Height: r.Height})
		}
		item.Associations = append(item.Associations, pic)
	}
	return encodeJSON(item)
}

// encodeJSON renders v indented, with <, > and & left as they are: the
// document is served as application/json, never inlined in HTML.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
