package hhsandbox

import (
	"net/url"
	"strings"
)

// redirectAllowed applies hh's redirect_uri rules (REFERENCE §2.1) to given
// against the registered URI: a subdomain, a deeper path and extra query
// parameters are allowed; a different scheme, domain, path or a port the
// registered URI does not have are not. An empty registered URI accepts any
// absolute http(s) URI.
func redirectAllowed(registered, given string) bool {
	g, err := url.Parse(given)
	if err != nil || (g.Scheme != "http" && g.Scheme != "https") || g.Host == "" || g.User != nil || g.Fragment != "" {
		return false
	}
	if registered == "" {
		return true
	}
	reg, err := url.Parse(registered)
	if err != nil {
		return false
	}
	if g.Scheme != reg.Scheme || g.Port() != reg.Port() {
		return false
	}
	host, regHost := strings.ToLower(g.Hostname()), strings.ToLower(reg.Hostname())
	if host != regHost && !strings.HasSuffix(host, "."+regHost) {
		return false
	}
	regPath := strings.TrimSuffix(reg.EscapedPath(), "/")
	path := g.EscapedPath()
	return path == regPath || path == regPath+"/" || strings.HasPrefix(path, regPath+"/")
}

// withParams returns target with params added to its query, keeping the
// query it already has.
func withParams(target string, params url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
