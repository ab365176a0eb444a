package hhsandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/*.html"))
}

// sessionCookie remembers which sandbox user is signed in on the "hh.ru" pages.
const sessionCookie = "hhsandbox_user"

// authParams are the /oauth/authorize parameters carried through the pages.
var authParams = []string{"response_type", "client_id", "state", "redirect_uri", "skip_choose_account"}

type hiddenParam struct{ Name, Value string }

// pageData feeds the templates.
type pageData struct {
	Title           string
	Params          []hiddenParam
	Users           []User
	User            *User
	Error           string
	OtherAccountURL string
	Solved          bool
	Base, ClientID  string
	Vacancy         *vacancyPage
}

// authRequest is a validated authorization request.
type authRequest struct {
	params      url.Values // the carried parameters
	redirectURI string     // where to send the browser
	given       string     // redirect_uri as given ("" if none)
	state       string
	skipChoose  bool
}

func (s *Sandbox) render(w http.ResponseWriter, status int, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = s.pages.ExecuteTemplate(w, name, d)
}

func (s *Sandbox) renderError(w http.ResponseWriter, msg string) {
	s.render(w, http.StatusBadRequest, "error", pageData{Title: "Ошибка", Error: msg})
}

// parseAuthRequest validates what hh validates before showing any page. A
// bad client or redirect_uri is shown as an error page, never redirected to.
func (s *Sandbox) parseAuthRequest(v url.Values) (authRequest, string) {
	if v.Get("client_id") != s.opts.ClientID {
		return authRequest{}, "Приложение с таким client_id не найдено."
	}
	if v.Get("response_type") != "code" {
		return authRequest{}, "Параметр response_type должен быть равен code."
	}
	req := authRequest{params: url.Values{}, given: v.Get("redirect_uri"), state: v.Get("state"),
		skipChoose: v.Get("skip_choose_account") == "true"}
	for _, k := range authParams {
		if x := v.Get(k); x != "" {
			req.params.Set(k, x)
		}
	}
	switch {
	case req.given != "":
		if !redirectAllowed(s.opts.RedirectURI, req.given) {
			return authRequest{}, "Адрес redirect_uri не совпадает с указанным в настройках приложения."
		}
		req.redirectURI = req.given
	case s.opts.RedirectURI != "":
		req.redirectURI = s.opts.RedirectURI
	default:
		return authRequest{}, "Не указан redirect_uri, а в настройках приложения его нет."
	}
	return req, ""
}

func (req authRequest) hidden() []hiddenParam {
	var out []hiddenParam
	for _, k := range authParams {
		if x := req.params.Get(k); x != "" {
			out = append(out, hiddenParam{k, x})
		}
	}
	return out
}

// handleAuthorize serves GET /oauth/authorize.
func (s *Sandbox) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, msg := s.parseAuthRequest(q)
	if msg != "" {
		s.renderError(w, msg)
		return
	}
	u := s.signedIn(r)
	if u == nil || q.Get("force_login") == "true" {
		s.renderLogin(w, req, "")
		return
	}
	s.afterSignIn(w, r, req, u, false)
}

// handleAuthorizeForm serves the login, consent and account-choice forms.
func (s *Sandbox) handleAuthorizeForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, "Не удалось прочитать форму.")
		return
	}
	req, msg := s.parseAuthRequest(r.PostForm)
	if msg != "" {
		s.renderError(w, msg)
		return
	}
	switch r.PostForm.Get("step") {
	case "login":
		u := s.findUser(r.PostForm.Get("user"), r.PostForm.Get("login"))
		if u == nil {
			s.renderLogin(w, req, "Пользователь не найден. Выберите одного из пользователей песочницы.")
			return
		}
		s.signIn(w, u)
		s.afterSignIn(w, r, req, u, true)
	case "consent":
		u := s.signedIn(r)
		if u == nil {
			s.renderLogin(w, req, "")
			return
		}
		if r.PostForm.Get("decision") != "allow" {
			deny := url.Values{"error": {"access_denied"}}
			if req.state != "" {
				deny.Set("state", req.state)
			}
			http.Redirect(w, r, withParams(req.redirectURI, deny), http.StatusFound)
			return
		}
		s.mu.Lock()
		s.st.consented[u.ID] = true
		s.mu.Unlock()
		s.redirectWithCode(w, r, req, u)
	case "choose":
		u := s.signedIn(r)
		if u == nil || r.PostForm.Get("choice") != "continue" {
			s.renderLogin(w, req, "")
			return
		}
		s.afterSignIn(w, r, req, u, true)
	default:
		s.renderLogin(w, req, "")
	}
}

// afterSignIn shows the consent page to a user who has not granted access,
// and otherwise redirects with a code, at once when the user has just
// chosen (justChose) or skip_choose_account=true, else after the "continue
// as" page.
func (s *Sandbox) afterSignIn(w http.ResponseWriter, r *http.Request, req authRequest, u *User, justChose bool) {
	s.mu.Lock()
	consented := s.st.consented[u.ID]
	s.mu.Unlock()
	d := pageData{Params: req.hidden(), User: u}
	switch {
	case !consented:
		other := url.Values{}
		for k, vs := range req.params {
			other[k] = vs
		}
		other.Set("force_login", "true")
		d.Title = "Доступ приложения"
		d.OtherAccountURL = "authorize?" + other.Encode()
		s.render(w, http.StatusOK, "consent", d)
	case justChose || req.skipChoose:
		s.redirectWithCode(w, r, req, u)
	default:
		d.Title = "Выбор аккаунта"
		s.render(w, http.StatusOK, "choose", d)
	}
}

func (s *Sandbox) renderLogin(w http.ResponseWriter, req authRequest, msg string) {
	s.render(w, http.StatusOK, "login", pageData{Title: "Вход", Params: req.hidden(), Users: s.Users(), Error: msg})
}

// redirectWithCode issues a single-use authorization code and sends the
// browser back to the application.
func (s *Sandbox) redirectWithCode(w http.ResponseWriter, r *http.Request, req authRequest, u *User) {
	s.mu.Lock()
	code := &authCode{Code: s.randomString(32), UserID: u.ID, RedirectURI: req.given,
		ExpiresAt: s.nowLocked().Add(s.opts.CodeTTL)}
	s.st.codes[code.Code] = code
	s.mu.Unlock()
	params := url.Values{"code": {code.Code}}
	if req.state != "" {
		params.Set("state", req.state)
	}
	http.Redirect(w, r, withParams(req.redirectURI, params), http.StatusFound)
}

// findUser looks a user up by id (a login button) or by e-mail or id typed
// into the login field.
func (s *Sandbox) findUser(id, login string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.st.userIDs[id]; u != nil {
		return u
	}
	login = strings.TrimSpace(login)
	for _, u := range s.st.users {
		if login != "" && (strings.EqualFold(u.Email, login) || u.ID == login) {
			return u
		}
	}
	return nil
}

// signIn sets the signed cookie that remembers u on the sandbox's pages.
func (s *Sandbox) signIn(w http.ResponseWriter, u *User) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    u.ID + "." + s.sign(u.ID),
		Path:     s.cookiePath(),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// signedIn returns the user the request's cookie names, if the cookie is genuine.
func (s *Sandbox) signedIn(r *http.Request) *User {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	id, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(id))) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.userIDs[id]
}

func (s *Sandbox) sign(value string) string {
	mac := hmac.New(sha256.New, s.signKey)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// handleIndex is the sandbox's front page.
func (s *Sandbox) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "index", pageData{Title: "Песочница", Users: s.Users(), Base: s.baseURL(r), ClientID: s.opts.ClientID})
}
