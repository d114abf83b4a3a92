package iptc

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// The NewsML-G2 rendition is one newsMessage (the standard container for
// exchanging several items) whose itemSet holds, in this order:
//
//   - a packageItem (itemClass ninat:composite) whose single group references
//     the text item and then each picture item with itemRefs — the standard
//     NewsML-G2 way of saying "a text with its images";
//   - the text newsItem (ninat:text): itemMeta, contentMeta (headline,
//     subheadline, summary, creators, source, subjects, language) and the body
//     as namespaced XHTML in contentSet/inlineXML;
//   - one picture newsItem (ninat:picture) per image, its renditions as
//     remoteContent with href, content type and size when known.
//
// An article without images leaves as a newsMessage holding the text item
// alone; a retracted one as its text item with pubStatus stat:canceled and no
// content. QCodes come from IPTC NewsCodes schemes of the IPTC catalog
// (ninat, stat, drol, cpnat, irel, pgrmod); the only provider scheme, for the
// subheadline's role, is declared in an inline catalog.

type g2Message struct {
	XMLName xml.Name  `xml:"http://iptc.org/std/nar/2006-10-01/ newsMessage"`
	Header  g2Header  `xml:"header"`
	ItemSet g2ItemSet `xml:"itemSet"`
}

type g2Header struct {
	Sent   string `xml:"sent"`
	Sender string `xml:"sender,omitempty"`
}

type g2ItemSet struct {
	Packages []*g2Package `xml:"packageItem"`
	News     []g2News     `xml:"newsItem"`
}

// g2Item holds the attributes and leading children every item shares.
type g2Item struct {
	GUID            string        `xml:"guid,attr"`
	Version         int           `xml:"version,attr"`
	Standard        string        `xml:"standard,attr"`
	StandardVersion string        `xml:"standardversion,attr"`
	Conformance     string        `xml:"conformance,attr"`
	Lang            string        `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	CatalogRef      g2CatalogRef  `xml:"catalogRef"`
	Catalog         *g2Catalog    `xml:"catalog,omitempty"`
	RightsInfo      *g2RightsInfo `xml:"rightsInfo,omitempty"`
	ItemMeta        g2ItemMeta    `xml:"itemMeta"`
}

type g2CatalogRef struct {
	Href string `xml:"href,attr"`
}

type g2Catalog struct {
	Schemes []g2Scheme `xml:"scheme"`
}

type g2Scheme struct {
	Alias string `xml:"alias,attr"`
	URI   string `xml:"uri,attr"`
}

type g2RightsInfo struct {
	CopyrightHolder g2Party `xml:"copyrightHolder"`
}

type g2ItemMeta struct {
	ItemClass      g2QCode  `xml:"itemClass"`
	Provider       g2Party  `xml:"provider"`
	VersionCreated string   `xml:"versionCreated"`
	FirstCreated   string   `xml:"firstCreated,omitempty"`
	PubStatus      g2QCode  `xml:"pubStatus"`
	EdNote         string   `xml:"edNote,omitempty"`
	Links          []g2Link `xml:"link"`
}

type g2QCode struct {
	QCode string `xml:"qcode,attr"`
}

// g2Party is a person or organisation known by name only.
type g2Party struct {
	Literal string `xml:"literal,attr,omitempty"`
	Name    string `xml:"name,omitempty"`
}

type g2Link struct {
	Rel         string `xml:"rel,attr"`
	Href        string `xml:"href,attr"`
	ContentType string `xml:"contenttype,attr,omitempty"`
}

type g2ContentMeta struct {
	ContentCreated  string      `xml:"contentCreated,omitempty"`
	ContentModified string      `xml:"contentModified,omitempty"`
	InfoSources     []g2Party   `xml:"infoSource"`
	Creators        []g2Party   `xml:"creator"`
	Language        *g2Language `xml:"language,omitempty"`
	Subjects        []g2Subject `xml:"subject"`
	Headlines       []g2Text    `xml:"headline"`
	By              string      `xml:"by,omitempty"`
	Descriptions    []g2Text    `xml:"description"`
}

type g2Language struct {
	Tag string `xml:"tag,attr"`
}

type g2Subject struct {
	Type    string `xml:"type,attr"`
	Literal string `xml:"literal,attr"`
	Name    string `xml:"name"`
}

type g2Text struct {
	Role string `xml:"role,attr,omitempty"`
	Text string `xml:",chardata"`
}

type g2News struct {
	g2Item
	ContentMeta g2ContentMeta `xml:"contentMeta"`
	ContentSet  *g2ContentSet `xml:"contentSet,omitempty"`
}

type g2ContentSet struct {
	InlineXML     *g2InlineXML      `xml:"inlineXML,omitempty"`
	RemoteContent []g2RemoteContent `xml:"remoteContent"`
}

type g2InlineXML struct {
	ContentType string `xml:"contenttype,attr"`
	CharCount   int    `xml:"charcount,attr"`
	XHTML       string `xml:",innerxml"`
}

type g2RemoteContent struct {
	Href        string `xml:"href,attr"`
	ContentType string `xml:"contenttype,attr,omitempty"`
	Width       int    `xml:"width,attr,omitempty"`
	Height      int    `xml:"height,attr,omitempty"`
}

type g2Package struct {
	g2Item
	ContentMeta g2ContentMeta `xml:"contentMeta"`
	GroupSet    g2GroupSet    `xml:"groupSet"`
}

type g2GroupSet struct {
	Root  string  `xml:"root,attr"`
	Group g2Group `xml:"group"`
}

type g2Group struct {
	ID       string      `xml:"id,attr"`
	Mode     string      `xml:"mode,attr"`
	ItemRefs []g2ItemRef `xml:"itemRef"`
}

type g2ItemRef struct {
	ResidRef    string  `xml:"residref,attr"`
	Version     int     `xml:"version,attr"`
	ContentType string  `xml:"contenttype,attr"`
	ItemClass   g2QCode `xml:"itemClass"`
	Headline    string  `xml:"headline,omitempty"`
}

// NewsML renders a published or retracted article as a NewsML-G2 2.35
// newsMessage (its shape is described at the top of newsml.go), sent at the
// time of the article's version. Errors are herald.EINVALID naming the
// field, as for [NINJS].
func NewsML(a *herald.Article, o Options) ([]byte, error) {
	s, err := prepare(a, o)
	if err != nil {
		return nil, err
	}
	return encodeMessage([]*story{s}, s.modified)
}

// NewsMessage renders several articles as one newsMessage sent at the given
// time: the package items of all of them, then their text and picture items,
// each article's in the order [NewsML] gives them. A newsMessage must carry
// at least one item, so articles may not be empty.
func NewsMessage(articles []*herald.Article, o Options, sent time.Time) ([]byte, error) {
	if len(articles) == 0 {
		return nil, herald.Invalid("articles", "a newsMessage carries at least one item")
	}
	stories := make([]*story, len(articles))
	for i, a := range articles {
		s, err := prepare(a, o)
		if err != nil {
			return nil, err
		}
		stories[i] = s
	}
	return encodeMessage(stories, sent)
}

func encodeMessage(stories []*story, sent time.Time) ([]byte, error) {
	msg := g2Message{Header: g2Header{Sent: utc(sent), Sender: normalize(stories[0].provider)}}
	for _, s := range stories {
		if !s.canceled && len(s.images) > 0 {
			msg.ItemSet.Packages = append(msg.ItemSet.Packages, s.packageItem())
		}
		msg.ItemSet.News = append(msg.ItemSet.News, s.textItem())
		if !s.canceled {
			for _, im := range s.images {
				msg.ItemSet.News = append(msg.ItemSet.News, s.pictureItem(im))
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(msg); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// item fills what every item of the message shares.
func (s *story) item(guid string, version int, class string) g2Item {
	it := g2Item{
		GUID:            guid,
		Version:         version,
		Standard:        "NewsML-G2",
		StandardVersion: NewsMLVersion,
		Conformance:     "power",
		Lang:            s.a.Language,
		CatalogRef:      g2CatalogRef{Href: iptcCatalogURL},
		ItemMeta: g2ItemMeta{
			ItemClass:      g2QCode{QCode: class},
			Provider:       g2Party{Literal: normalize(s.provider)},
			VersionCreated: utc(s.modified),
			PubStatus:      g2QCode{QCode: "stat:usable"},
		},
	}
	return it
}

func (s *story) textItem() g2News {
	it := s.item(s.uri, s.version, "ninat:text")
	it.Catalog = &g2Catalog{Schemes: []g2Scheme{{Alias: providerAlias, URI: s.schemeURI()}}}
	it.RightsInfo = &g2RightsInfo{CopyrightHolder: g2Party{Name: normalize(s.provider)}}
	it.ItemMeta.FirstCreated = utc(s.first)
	it.ItemMeta.Links = []g2Link{{Rel: "irel:seeAlso", Href: s.uri, ContentType: "text/html"}}
	if s.canceled {
		it.ItemMeta.PubStatus.QCode = "stat:canceled"
		it.ItemMeta.EdNote = s.correction
	}
	cm := g2ContentMeta{
		ContentCreated:  utc(firstNonZero(s.created, s.first)),
		ContentModified: utc(s.modified),
		Language:        &g2Language{Tag: s.a.Language},
		Headlines:       []g2Text{{Text: s.a.Title}},
		By:              s.byline(),
	}
	if s.a.Subtitle != "" {
		cm.Headlines = append(cm.Headlines, g2Text{Role: providerAlias + ":subheadline", Text: s.a.Subtitle})
	}
	if src := normalize(s.a.Source); src != "" {
		cm.InfoSources = []g2Party{{Name: src}}
	}
	for _, au := range s.authors {
		cm.Creators = append(cm.Creators, g2Party{Name: normalize(au)})
	}
	for _, sub := range s.subjects {
		cm.Subjects = append(cm.Subjects, g2Subject{Type: "cpnat:abstract", Literal: normalize(sub.literal), Name: normalize(sub.name)})
	}
	news := g2News{g2Item: it, ContentMeta: cm}
	if s.canceled {
		return news
	}
	if s.a.Summary != "" {
		news.ContentMeta.Descriptions = []g2Text{{Role: "drol:summary", Text: s.a.Summary}}
	}
	news.ContentSet = &g2ContentSet{InlineXML: &g2InlineXML{
		ContentType: "application/xhtml+xml",
		CharCount:   charCount(s.body.Text()),
		XHTML:       s.body.XHTML(s.a.Title, s.a.Language),
	}}
	return news
}

func (s *story) pictureItem(im image) g2News {
	it := s.item(im.itemURI(), 1, "ninat:picture")
	news := g2News{g2Item: it, ContentMeta: g2ContentMeta{Language: &g2Language{Tag: s.a.Language}}}
	if im.alt != "" {
		news.ContentMeta.Descriptions = []g2Text{{Role: "drol:caption", Text: im.alt}}
	}
	cs := &g2ContentSet{}
	for _, r := range im.renditions {
		cs.RemoteContent = append(cs.RemoteContent, g2RemoteContent{Href: r.Href, ContentType: r.ContentType, Width: r.Width, Height: r.Height})
	}
	news.ContentSet = cs
	return news
}

func (s *story) packageItem() *g2Package {
	p := &g2Package{
		g2Item:      s.item(s.uri+"#package", s.version, "ninat:composite"),
		ContentMeta: g2ContentMeta{Headlines: []g2Text{{Text: s.a.Title}}},
		GroupSet:    g2GroupSet{Root: "main", Group: g2Group{ID: "main", Mode: "pgrmod:seq"}},
	}
	p.ItemMeta.FirstCreated = utc(s.first)
	refs := []g2ItemRef{{ResidRef: s.uri, Version: s.version, ContentType: mediaTypeNewsItem, ItemClass: g2QCode{QCode: "ninat:text"}, Headline: normalize(s.a.Title)}}
	for _, im := range s.images {
		refs = append(refs, g2ItemRef{ResidRef: im.itemURI(), Version: 1, ContentType: mediaTypeNewsItem, ItemClass: g2QCode{QCode: "ninat:picture"}})
	}
	p.GroupSet.Group.ItemRefs = refs
	return p
}

// providerAlias is the scheme alias of Herald's own codes (only the
// subheadline role so far), declared in each text item's inline catalog.
const providerAlias = "herald"

func (s *story) schemeURI() string { return s.base.String() + "iptc/codes/" }

// normalize collapses white space: many NewsML-G2 strings (names, literals)
// are g2normalizedString, which allows no tab or line break.
func normalize(v string) string { return strings.Join(strings.Fields(clean(v)), " ") }
