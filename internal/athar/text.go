package athar

import (
	"fmt"
	"strings"
	"sync/atomic"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Text as people write it: the same name typed with or without harakat, with one alef or another,
// in upper or lower case, with or without accents. FoldText is the one normalization that makes
// such spellings equal, and SearchKey its words: applied alike to what the store indexes, to every
// text a user searches or filters by, and to the names compared when an entity may duplicate
// another. The store keeps every text as given (sources' words are quoted exactly) and a folded
// copy beside it.

// MaxFoldGrowth bounds how much FoldText may lengthen a text: its result has at most MaxFoldGrowth
// times as many bytes as its input. Compatibility decomposition lengthens a text at most 11 times
// in UTF-8 (Unicode Standard Annex #15, section 9: U+FDFA, one Arabic ligature of 3 bytes, is 18
// letters and spaces); case folding adds an iota to a Greek letter with ypogegrammeni; everything
// else FoldText does only removes or replaces. 18 leaves a margin.
const MaxFoldGrowth = 18

// FoldText returns s in the form searches compare: letters folded to one variant, so that two
// spellings a reader takes for the same word are equal. In order:
//
//   - compatibility forms are decomposed (Unicode NFKD: presentation forms such as the lam-alef
//     ligature, full-width and superscript letters and digits become the plain ones) and letters
//     are case-folded (Unicode full case folding: "Straße" and "STRASSE" are equal);
//   - every combining mark is removed: Latin diacritics ("é" is "e"), Arabic harakat (fatha,
//     damma, kasra and their tanwin, shadda, sukun), superscript alef, Quranic annotation marks
//     (U+0610–U+061A, U+06D6–U+06ED, U+08D3–U+08FF), and with them the hamza written on a carrier,
//     so that أ إ آ become ا, ؤ becomes و and ئ becomes ي; tatweel (ـ), the high hamza (ٴ) and
//     format characters (bidirectional marks, the zero-width joiner) are removed; the zero-width
//     non-joiner separates words; the apostrophes of transliteration (' ‘ ’ ʻ ʼ ʾ ʿ `) are
//     removed, so that "Sha'ar" is "Shaar";
//   - Arabic letter variants are folded as Lucene's ArabicNormalizer and PersianNormalizer fold
//     them (the normalization of Larkey, Ballesteros and Connell, "Improving stemming for Arabic
//     information retrieval", SIGIR 2002): alef wasla ٱ and the alefs with wavy hamza to ا, alef
//     maqsura ى to ي, teh marbuta ة to ه, Persian and Urdu yeh (ی, ے) to ي, keheh and swash kaf
//     (ک, ڪ) to ك, heh goal, heh doachashmee and ae (ہ, ھ, ە) to ه; Arabic-Indic and Persian
//     digits to 0–9;
//   - the Latin letters that have no decomposition are folded as Lucene's ASCIIFoldingFilter
//     folds them: ø to o, đ to d, ł to l, ħ to h, dotless ı to i, æ to ae, œ to oe;
//   - runs of white space (and control characters) become one space, and leading and trailing
//     space is removed; the result is in NFC.
//
// The bare hamza ء is a letter and is kept. Bytes that are not UTF-8 are removed, so the result is
// always valid UTF-8. FoldText is idempotent, and its result has at most MaxFoldGrowth times as many
// bytes as s.
//
// The store keeps folded copies of what it holds: a change to what FoldText does comes with a
// migration that folds the stored texts again (as migration 3 first did).
func FoldText(s string) string {
	s = norm.NFKD.String(strings.ToValidUTF8(s, ""))
	// A Caser keeps state and is not safe for concurrent use: one per call.
	s = cases.Fold().String(s)
	// Folding may give back composed letters (and İ gives i with a combining dot): decompose again.
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	// letters counts the letters written since the start, a space or a dropped dot (-1 just after
	// one): a dot after a single letter is an abbreviation's ("U.N.", "U.S.A."), and goes with any
	// dots that follow it, so that "U.N." is "un" and folding again changes nothing.
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == zeroWidthNonJoiner || r == zeroWidthSpace:
			space = b.Len() > 0
			letters = 0
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || dropped[r]:
		case r == '.' && (letters == 1 || letters == -1):
			letters = -1
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			if unicode.IsLetter(r) {
				letters = max(letters, 0) + 1
			} else {
				letters = 2
			}
			if to, ok := latinFolds[r]; ok {
				b.WriteString(to)
				continue
			}
			if to, ok := arabicFolds[r]; ok {
				r = to
			}
			if unicode.Is(unicode.Cherokee, r) {
				// Unicode folds Cherokee to its upper case (CaseFolding.txt); x/text's Fold swaps
				// the two cases instead, which would make folding twice differ from folding once.
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// The zero-width non-joiner and space separate words without showing a space: they fold to one.
const (
	zeroWidthNonJoiner = '\u200C'
	zeroWidthSpace     = '\u200B'
)

// dropped are the characters FoldText removes although they are not marks: tatweel, the high hamza
// (what remains of ٵ ٶ ٷ ٸ once decomposed), the small waw and small yeh of Quranic text, and the
// apostrophes and modifier letters with which Arabic is transliterated for ʿayn and hamza, which
// writers put in or leave out ("Sha'ar", "Shaʿar" and "Shaar"; "A'zaz" and "Azaz").
var dropped = map[rune]bool{
	'\u0640': true, '\u0674': true, '\u06E5': true, '\u06E6': true,
	'\'': true, '`': true, '\u2018': true, '\u2019': true, '\u02BB': true, '\u02BC': true, '\u02BE': true, '\u02BF': true,
}

// arabicFolds are the Arabic letter variants FoldText folds (see FoldText for the source).
var arabicFolds = map[rune]rune{
	'\u0671': 'ا', // alef wasla
	'\u0672': 'ا', // alef with wavy hamza above
	'\u0673': 'ا', // alef with wavy hamza below
	'\u0649': 'ي', // alef maqsura
	'\u0629': 'ه', // teh marbuta
	'\u06CC': 'ي', // Farsi yeh
	'\u06D2': 'ي', // yeh barree
	'\u06A9': 'ك', // keheh
	'\u06AA': 'ك', // swash kaf
	'\u06C1': 'ه', // heh goal
	'\u06BE': 'ه', // heh doachashmee
	'\u06D5': 'ه', // ae (and heh with yeh above, once decomposed)
	'٠':      '0', '١': '1', '٢': '2', '٣': '3', '٤': '4', '٥': '5', '٦': '6', '٧': '7', '٨': '8', '٩': '9',
	'۰': '0', '۱': '1', '۲': '2', '۳': '3', '۴': '4', '۵': '5', '۶': '6', '۷': '7', '۸': '8', '۹': '9',
}

// latinFolds are the Latin letters without a canonical decomposition that FoldText folds, after
// case folding (so only their lower-case forms).
var latinFolds = map[rune]string{
	'ø': "o", 'đ': "d", 'ł': "l", 'ħ': "h", 'ı': "i", 'æ': "ae", 'œ': "oe",
}

// SearchTerms returns the words of a search text, folded (FoldText): the runs of letters, digits
// and spacing marks between anything else. "Ain-Jalout (school)" has the terms ain, jalout and
// school. Nothing else of what was typed (quotes, operators, wildcards) survives.
func SearchTerms(text string) []string {
	return strings.FieldsFunc(FoldText(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// SearchKey returns the words of text (SearchTerms) joined by single spaces: the form in which the
// store indexes a text and compares a whole name with a whole query, so that "Al-Quds Hospital",
// "al quds hospital" and "AL QUDS, hospital" are one. Its result has at most MaxFoldGrowth times
// as many bytes as text.
func SearchKey(text string) string {
	return strings.Join(SearchTerms(text), " ")
}

// Defaults of SearchLimits.
const (
	// MaxSearchText is the longest text a search or a text filter takes by default, in bytes: a few
	// hundred characters say what anyone looks for, and a longer query costs the full-text index
	// far more.
	MaxSearchText = 500
	// MaxSearchTerms is how many words a search or a text filter takes by default: each is one to
	// three clauses of the full-text query (exact, prefix, within an edit distance), and a name or
	// a short phrase has far fewer.
	MaxSearchTerms = 12
)

// SearchLimits bound the text of a search (its query argument) and of every text filter, so that
// no text a user types makes the full-text index work long.
type SearchLimits struct {
	// MaxBytes is the longest text, in bytes of UTF-8 as given.
	MaxBytes int
	// MaxTerms is the most words (SearchTerms) it may have.
	MaxTerms int
}

// Upper bounds of SearchLimits that SetSearchLimits accepts.
const (
	maxSearchBytesLimit = 10_000
	maxSearchTermsLimit = 100
)

var searchLimits atomic.Pointer[SearchLimits]

func init() { searchLimits.Store(&SearchLimits{MaxBytes: MaxSearchText, MaxTerms: MaxSearchTerms}) }

// SetSearchLimits sets the limits every later search and text filter is checked against (the
// process's configuration, set before serving). MaxBytes must be 1 to 10,000 and MaxTerms 1 to 100.
// Errors: EINVALID naming the limit out of range.
func SetSearchLimits(l SearchLimits) error {
	if l.MaxBytes < 1 || l.MaxBytes > maxSearchBytesLimit {
		return Invalid("maxBytes", "must be between 1 and %d", maxSearchBytesLimit)
	}
	if l.MaxTerms < 1 || l.MaxTerms > maxSearchTermsLimit {
		return Invalid("maxTerms", "must be between 1 and %d", maxSearchTermsLimit)
	}
	searchLimits.Store(&l)
	return nil
}

// CurrentSearchLimits returns the limits searches and text filters are checked against.
func CurrentSearchLimits() SearchLimits { return *searchLimits.Load() }

// checkSearchText reports, under field, a non-empty text longer than the search limits allow, with
// more words than they allow, or with no word at all (only punctuation or operators).
func checkSearchText(p *Problems, field, text string) {
	if text == "" {
		return
	}
	l := CurrentSearchLimits()
	if len(text) > l.MaxBytes {
		p.Add(field, "is longer than %d bytes", l.MaxBytes)
		return
	}
	switch n := len(SearchTerms(text)); {
	case n == 0:
		p.Add(field, "has no letter or digit to search for")
	case n > l.MaxTerms:
		p.Add(field, "has %d words; at most %d are searched", n, l.MaxTerms)
	}
}

// Identity is what makes two entities of one type the same one to a reader: the same name once
// folded, as words (SearchKey), the same kind, the same parent. Two facilities called مَدْرَسَةُ النُّورِ and مدرسة
// النور, both schools in the same place, are one school entered twice, unless the curator says
// otherwise.
type Identity struct {
	Name   string // SearchKey of the name
	Kind   string
	Parent string // the parent's id; "" when there is none
	// KindField and ParentField name the fields Kind and Parent come from.
	KindField, ParentField string
}

// identityFields are the kind and parent fields of the types whose entities have an Identity:
// those with a name, a kind and a parent. A source's title, an event's name and an attack's title
// are not identities: two reports may share a title, a truce or an attack recur at the same place.
var identityFields = map[EntityType][2]string{
	TypePlace:    {"kind", "partOf"},
	TypeActor:    {"kind", "partOf"},
	TypeFacility: {"type", "placeId"},
}

// HasIdentity reports whether the entities of type t have an Identity, and so whether their
// creation takes distinctFrom.
func HasIdentity(t EntityType) bool {
	_, ok := identityFields[t]
	return ok
}

// IdentityOf returns the identity of e, and false when its type has none (see Identity) or its
// name folds to nothing.
func IdentityOf(e Entity) (Identity, bool) {
	fields, ok := identityFields[e.EntityType()]
	if !ok {
		return Identity{}, false
	}
	d := DescriptionOf(e)
	name := SearchKey(d.Field("name").Text(e))
	if name == "" {
		return Identity{}, false
	}
	return Identity{Name: name, Kind: d.Field(fields[0]).Text(e), Parent: d.Field(fields[1]).Text(e),
		KindField: fields[0], ParentField: fields[1]}, true
}

// Duplicate is the ECONFLICT error of an entity whose identity an existing one has: it names the
// existing ids and how to create the new one anyway.
func Duplicate(t EntityType, existing []string) *Error {
	return &Error{Code: ECONFLICT, Field: "name", Message: fmt.Sprintf(
		"%s already exists with this name, %s and parent: %s; if this is a different %s, list %s in distinctFrom",
		withArticle(t.Record()), identityFields[t][0], strings.Join(existing, ", "), t.Record(), them(existing))}
}

func them(ids []string) string {
	if len(ids) == 1 {
		return "its id"
	}
	return "their ids"
}

// CheckDistinctFrom reports, under distinctFrom[i], a value that is not an id of type t.
func CheckDistinctFrom(t EntityType, ids []string) error {
	var p Problems
	for i, id := range ids {
		CheckID(&p, fmt.Sprintf("distinctFrom[%d]", i), t, id)
	}
	return p.Err()
}
