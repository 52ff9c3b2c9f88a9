package seed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/athar"
)

// documents maps each seed document's Source to its text in documents/.
var documents = map[string]string{
	"source:ain-jalout-school-profile": "000_9195a1e341b176ad.txt",
	"source:ain-jalout-2014-article":   "001_a746b2515c129f44.txt",
	"source:aleppo-bombing-live-blog":  "002_2e9678662a0255e5.txt",
}

func mustBundle(t *testing.T) *athar.Bundle {
	t.Helper()
	b, err := seed.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSeed_IsValid(t *testing.T) {
	b := mustBundle(t)
	problems, unresolved := b.Validate()
	for _, p := range problems {
		t.Error(p)
	}
	for _, r := range unresolved {
		t.Errorf("%s: %q is not in the seed", r.Field, r.ID)
	}
}

func TestSeed_QuotesAreVerbatim(t *testing.T) {
	texts := map[string]string{}
	for id, file := range documents {
		b, err := os.ReadFile(filepath.Join("documents", file))
		if err != nil {
			t.Fatal(err)
		}
		texts[id] = string(b)
	}
	claims := 0
	for _, r := range mustBundle(t).Records {
		c, ok := r.Entity.(*athar.Claim)
		if !ok {
			continue
		}
		claims++
		text, ok := texts[c.SourceID]
		if !ok {
			t.Errorf("%s is read in %s, which is not a seed document", c.ID, c.SourceID)
			continue
		}
		if !strings.Contains(text, c.Quote) {
			t.Errorf("%s: the quote is not in %s word for word: %q", c.ID, documents[c.SourceID], c.Quote)
		}
	}
	if claims == 0 {
		t.Fatal("the seed has no claims")
	}
}

// The disagreements between the documents are the heart of the data: each side is its own claim.
func TestSeed_KeepsEveryAccount(t *testing.T) {
	var killed35, killedOver25, barrel, missile bool
	for _, r := range mustBundle(t).Records {
		c, ok := r.Entity.(*athar.Claim)
		if !ok || c.AttackID != "attack:ain-jalout-school-2014-04-30" {
			continue
		}
		if k := c.Killed; k != nil {
			killed35 = killed35 || (k.High != nil && *k.High == 35)
			killedOver25 = killedOver25 || (k.Low != nil && *k.Low == 26 && k.High == nil && c.ClaimedBy != "")
		}
		for _, w := range c.Weapons {
			barrel = barrel || w == "BARREL_BOMB"
			missile = missile || w == "MISSILE"
		}
	}
	if !killed35 || !killedOver25 || !barrel || !missile {
		t.Errorf("an account is missing: 35 killed %v, more than 25 killed %v, barrel bomb %v, missile %v",
			killed35, killedOver25, barrel, missile)
	}
}
