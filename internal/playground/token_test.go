package playground

import (
	"net/http"
	"strings"
	"testing"
)

// The page has a field for the API token, and the playground's script keeps it in the tab's
// sessionStorage and sends it as the Authorization header of every request.
func TestPlayground_TakesAToken(t *testing.T) {
	h := Handler("", "")
	page := get(t, h, http.MethodGet, "/", nil).Body.String()
	for _, want := range []string{`id="athar-token-input"`, `type="password"`, `id="athar-token-forget"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	script := get(t, h, http.MethodGet, AssetsPath+"playground.js", nil).Body.String()
	for _, want := range []string{"sessionStorage.getItem(tokenKey)", "headers.Authorization = 'Bearer ' + t", "sessionStorage.removeItem(tokenKey)"} {
		if !strings.Contains(script, want) {
			t.Errorf("playground.js has no %q", want)
		}
	}
	if strings.Contains(script, "localStorage") {
		t.Error("playground.js uses localStorage: a token must not outlive the tab")
	}
}
