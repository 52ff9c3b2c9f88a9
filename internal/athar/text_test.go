package athar_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/athar-project/athar/internal/athar"
)

func TestFoldText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Harakat, shadda, sukun and tanwin fall away; teh marbuta is heh.
		{"مَدْرَسَةُ النُّورِ", "مدرسه النور"},
		{"مدرسة النور", "مدرسه النور"},
		{"عَيْن جالوت", "عين جالوت"},
		// Hamza on a carrier, alef wasla and madda: the bare letter.
		{"أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"},
		{"مسؤول مسئول", "مسوول مسيول"},
		// Alef maqsura, Persian yeh and keheh, Urdu yeh barree and heh goal.
		{"مستشفى", "مستشفي"},
		{"کتابی", "كتابي"},
		{"ہے", "هي"},
		// Tatweel, superscript alef, Quranic marks.
		{"مـــدرســة", "مدرسه"},
		{"هٰذا", "هذا"},
		{"ٱلرَّحْمَٰنِ ۚ", "الرحمن"},
		// Presentation forms: the lam-alef ligature and isolated forms.
		{"\uFEFB\uFE8E", "لاا"},
		// Arabic-Indic and Persian digits.
		{"٢٠١٤ ۲۰۱۶", "2014 2016"},
		// Latin case and diacritics, ligatures, full width, letters without decomposition.
		{"École Ḥalab STRASSE Straße", "ecole halab strasse strasse"},
		{"ﬁle ＵＮ Øresund Łódź Æsir", "file un oresund lodz aesir"},
		{"İstanbul", "istanbul"},
		// White space and bidirectional marks.
		{"  Ain\u00A0\tJalout\u200F  \n", "ain jalout"},
		{"\u200Eمدرسة\u200Cالنور", "مدرسه النور"},
		// A zero-width space separates words; the dots of an abbreviation go, other dots stay.
		{"Ain Jalout Primary\u200BSchool", "ain jalout primary school"},
		{"U.N. U.S.A. UN", "un usa un"},
		{"St. Mary 3.5 e.g.", "st. mary 3.5 eg"},
		// Apostrophes of transliteration go.
		{"al-Sha'ar A’zaz Shaʿar", "al-shaar azaz shaar"},
		// The bare hamza stays; invalid bytes go.
		{"ماء\xff", "ماء"},
		{"", ""},
	} {
		if got := athar.FoldText(tc.in); got != tc.want {
			t.Errorf("FoldText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`Ain-Jalout (school)`, []string{"ain", "jalout", "school"}},
		{`title:"x" AND y~2 /.*/ z* \+`, []string{"title", "x", "and", "y", "2", "z"}},
		{`***`, nil},
		{"مَدْرَسَةُ النُّورِ!", []string{"مدرسه", "النور"}},
	} {
		if got := athar.SearchTerms(tc.in); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("SearchTerms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchKey(t *testing.T) {
	for _, in := range []string{"Al-Quds Hospital", "  al quds, HOSPITAL ", "AL-QUDS (HOSPITAL)", "Al‑Quds Hospital"} {
		if got := athar.SearchKey(in); got != "al quds hospital" {
			t.Errorf("SearchKey(%q) = %q", in, got)
		}
	}
}

func TestSearchLimits(t *testing.T) {
	long := strings.Repeat("a", athar.MaxSearchText+1)
	many := strings.Repeat("word ", athar.MaxSearchTerms+1)
	for _, tc := range []struct {
		text, want string
	}{
		{"Ain Jalout", ""},
		{strings.Repeat("word ", athar.MaxSearchTerms), ""},
		{long, "longer than 500 bytes"},
		{many, "13 words; at most 12"},
		{"*** ~ ?", "no letter or digit"},
	} {
		err := athar.SearchRequest{Query: tc.text, PageRequest: athar.PageRequest{First: 1}}.Check()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%.20q: %v", tc.text, err)
			}
			continue
		}
		if athar.ErrorCode(err) != athar.EINVALID || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "query") {
			t.Errorf("%.20q: %v, want EINVALID naming query: %s", tc.text, err, tc.want)
		}
		f := athar.EntityFilter{Text: tc.text}
		if err := f.Validate("filter"); athar.ErrorCode(err) != athar.EINVALID || !strings.Contains(err.Error(), "filter.text") {
			t.Errorf("filter %.20q: %v, want EINVALID naming filter.text", tc.text, err)
		}
	}
	if err := athar.SetSearchLimits(athar.SearchLimits{MaxBytes: 0, MaxTerms: 3}); athar.ErrorCode(err) != athar.EINVALID {
		t.Errorf("a zero byte limit: %v", err)
	}
	if err := athar.SetSearchLimits(athar.SearchLimits{MaxBytes: 100, MaxTerms: 2}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = athar.SetSearchLimits(athar.SearchLimits{MaxBytes: athar.MaxSearchText, MaxTerms: athar.MaxSearchTerms})
	}()
	if err := (athar.SearchRequest{Query: "one two three", PageRequest: athar.PageRequest{First: 1}}).Check(); err == nil ||
		!strings.Contains(err.Error(), "at most 2") {
		t.Errorf("with 2 terms allowed: %v", err)
	}
}

func TestIdentityOf(t *testing.T) {
	a, ok := athar.IdentityOf(&athar.Facility{Name: "مَدْرَسَةُ النُّورِ", Type: "SCHOOL", PlaceID: "place:aleppo"})
	b, _ := athar.IdentityOf(&athar.Facility{Name: " مدرسة  النور", Type: "SCHOOL", PlaceID: "place:aleppo"})
	if !ok || a != b || a.Name != "مدرسه النور" || a.KindField != "type" || a.ParentField != "placeId" {
		t.Errorf("identities %+v and %+v", a, b)
	}
	if _, ok := athar.IdentityOf(&athar.Source{Title: "Report", Kind: "NEWS"}); ok {
		t.Error("a source has an identity")
	}
	if err := athar.CheckDistinctFrom(athar.TypeFacility, []string{"facility:a", "place:b"}); err == nil ||
		!strings.Contains(err.Error(), "distinctFrom[1]") {
		t.Errorf("distinctFrom with a place id: %v", err)
	}
}

// FoldText never panics, always gives valid UTF-8, is idempotent, and is never longer than
// MaxFoldGrowth times its input.
func FuzzFoldText(f *testing.F) {
	for _, s := range []string{"مَدْرَسَةُ النُّورِ", "ﷺ", "ᾳ İ ß", "\xff\xfe", "ǅ Ǆ ǆ", "한국어", "ක්‍ෂ", "\u0B47\u0B3E", "a\u0301\u0327", "ﻻ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := athar.FoldText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("FoldText(%q) = %q: not UTF-8", s, got)
		}
		if again := athar.FoldText(got); again != got {
			t.Fatalf("FoldText(%q) = %q, but FoldText of that is %q", s, got, again)
		}
		if len(got) > athar.MaxFoldGrowth*len(s) {
			t.Fatalf("FoldText(%q) = %q: %d bytes from %d", s, got, len(got), len(s))
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("FoldText(%q) = %q: white space not collapsed", s, got)
		}
	})
}

// BenchmarkFoldText folds a search text of the longest default size, half Arabic with harakat, half
// Latin with accents.
func BenchmarkFoldText(b *testing.B) {
	s := strings.Repeat("مَدْرَسَةُ النُّورِ École ", 20)[:athar.MaxSearchText]
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		athar.FoldText(s)
	}
}
