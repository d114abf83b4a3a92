package activitypub

import (
	"context"
	"slices"
	"strings"

	"github.com/heraldnews/herald"
)

// languageActorPrefix starts the name of a language's actor ("site_en"). A
// column's slug holds no '_', so it can never be the name of a column's actor.
const languageActorPrefix = "site_"

// languageName is a primary language subtag's language named in itself.
var languageName = herald.LanguageName

// primarySubtag is a language tag's primary subtag in lower case.
var primarySubtag = herald.PrimarySubtag

// siteSubtag is the primary subtag of the site's own language.
func (s *Service) siteSubtag() string {
	lang := s.Language
	if lang == "" {
		lang = herald.DefaultLanguage
	}
	primary, _ := primarySubtag(lang)
	return primary
}

// languageActor returns the name of the actor that posts articles in the
// language tag, and false when the site and the columns post them: for the
// site's own language, including its other variants (zh-TW beside zh-CN),
// as the portal keeps them on its main pages. Languages are told apart by
// their primary subtag, so en and en-GB share site_en as they share /en/.
func (s *Service) languageActor(tag string) (string, bool) {
	primary, ok := primarySubtag(tag)
	if !ok || primary == s.siteSubtag() {
		return "", false
	}
	return languageActorPrefix + primary, true
}

// actorLanguage returns the primary subtag of the language whose actor is
// called name, and false when name is no language actor's.
func (s *Service) actorLanguage(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, languageActorPrefix)
	if !ok {
		return "", false
	}
	primary, ok := primarySubtag(rest)
	if !ok || primary != rest || primary == s.siteSubtag() {
		return "", false
	}
	return primary, true
}

// publishedLanguages lists the primary subtags of the languages, other than
// the site's, that have published articles, in order.
func (s *Service) publishedLanguages(ctx context.Context) ([]string, error) {
	tags, err := s.store.PublishedLanguages(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tag := range tags {
		if name, ok := s.languageActor(tag); ok {
			out = append(out, strings.TrimPrefix(name, languageActorPrefix))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// languageActorExists reports whether the actor of the language (a primary
// subtag) exists: while the language has published articles, and afterwards
// once it has posted, so that the Delete of its last article goes out signed
// by a key peers can still fetch, and its followers keep the account.
func (s *Service) languageActorExists(ctx context.Context, primary string) (bool, error) {
	langs, err := s.publishedLanguages(ctx)
	if err != nil {
		return false, err
	}
	if slices.Contains(langs, primary) {
		return true, nil
	}
	_, posted, err := s.store.FindOutbox(ctx, languageActorPrefix+primary, 1, 0)
	return posted > 0, err
}

// languageActorNames are the names of the actors of the languages that have
// published articles.
func (s *Service) languageActorNames(ctx context.Context) ([]string, error) {
	langs, err := s.publishedLanguages(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = languageActorPrefix + l
	}
	return names, nil
}
