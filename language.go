package herald

import "strings"

// DefaultLanguage is the site's own language: articles that name none are in
// it, its articles make up the portal's main pages, and the site's microblog
// account posts them. Every other language gets a section and an account of
// its own.
const DefaultLanguage = "zh-CN"

// PrimarySubtag is a language tag's primary subtag in lower case ("en" of
// "en-GB"), and false when it is not two or three letters. Herald tells
// languages apart by it: en and en-GB share a section and an account.
func PrimarySubtag(tag string) (string, bool) {
	primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
	if len(primary) < 2 || len(primary) > 3 {
		return "", false
	}
	for _, r := range primary {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	return primary, true
}

// IsDefaultLanguage reports whether a tag is a variant of the site's own
// language (zh-TW beside zh-CN).
func IsDefaultLanguage(tag string) bool {
	primary, _ := PrimarySubtag(tag)
	def, _ := PrimarySubtag(DefaultLanguage)
	return primary == def
}

// languageNames are languages' names in themselves, by primary subtag.
var languageNames = map[string]string{
	"zh": "中文", "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "pt": "Português",
	"it": "Italiano", "ru": "Русский", "ja": "日本語", "ko": "한국어", "ar": "العربية", "vi": "Tiếng Việt",
	"th": "ไทย", "mn": "Монгол", "ug": "ئۇيغۇرچە", "bo": "བོད་ཡིག", "kk": "Қазақша",
}

// LanguageName is a tag's language named in itself ("English"), or the tag
// when it is not one Herald knows by name.
func LanguageName(tag string) string {
	primary, _ := PrimarySubtag(tag)
	if n, ok := languageNames[primary]; ok {
		return n
	}
	return tag
}
