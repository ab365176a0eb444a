package web

import "net/http"

// SandboxAdminPath is where the hh sandbox's admin API (hhsandbox's
// /_sandbox/) lives in sandbox mode: under the sandbox's own mount, /sandbox.
const SandboxAdminPath = "/sandbox/_sandbox/"

// adminAPIOnly serves next to signed-in admins and a plain 404 to everyone
// else, signed in or not: the sandbox admin API reads every letter sent
// through the sandbox and mints tokens, and a JSON API has no use for the
// sign-in page.
func (h *handler) adminAPIOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user := currentUser(r); user == nil || !user.IsAdmin {
			h.notFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
