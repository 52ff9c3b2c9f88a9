// Package e2e tests the explorer (internal/explorer) in a real browser: Debian's Chromium, driven
// through the DevTools protocol by chromedp, against Athar's HTTP server (httpapi.NewServer) over
// the embedded Neo4j with the seed loaded. It holds tests only.
//
// The tests look for the browser in ATHAR_CHROMIUM, else chromium or chromium-browser on the PATH.
// Without one they fail when CI is set and are skipped otherwise (apt-get install chromium). Each
// step's screenshot is written to ATHAR_E2E_SCREENSHOTS when set, else to the test's temporary
// directory; the test logs where.
package e2e
