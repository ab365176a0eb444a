package hh

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

var specOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
	MultiError:            true,
}

// specRequest rewrites a request as it reached the test server (base path
// already stripped) onto hh's production server, so the description's router
// finds it. The description models the token endpoint as /oauth/token on
// https://hh.ru; POST /token is its current address on the API host.
func specRequest(t testing.TB, r *http.Request, body []byte) *http.Request {
	t.Helper()
	path := r.URL.EscapedPath()
	if path == "/token" {
		path = "/oauth/token"
	}
	u := "https://api.hh.ru" + path
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.Header.Clone()
	return req
}

// validateRequest checks one request the client sent against hh's OpenAPI
// description: path, method, query parameters, headers (HH-User-Agent is a
// required header everywhere) and body.
func validateRequest(t testing.TB, r *http.Request, body []byte) {
	t.Helper()
	router, err := specRouter()
	if err != nil {
		t.Fatalf("spec router: %v", err)
	}
	req := specRequest(t, r, body)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: no such operation in hh's description: %v", r.Method, r.URL, err)
		return
	}
	opts := specOptions
	if isForm(r.Header.Get("Content-Type")) {
		// openapi3filter cannot decode forms into hh's form schemas (a oneOf
		// for the token grants, an untyped object for applications): check
		// the form fields against the schema here, the rest below.
		o := *specOptions
		o.ExcludeRequestBody = true
		opts = &o
		if err := validateForm(route.Operation, r, body); err != nil {
			t.Errorf("%s %s body does not conform to hh's description: %v", r.Method, r.URL, err)
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("%s %s does not conform to hh's description: %v", r.Method, r.URL, err)
	}
}

func isForm(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// validateForm checks a form body against the schema the operation declares
// for its media type; every field must be sent once.
func validateForm(op *openapi3.Operation, r *http.Request, body []byte) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if op.RequestBody == nil || op.RequestBody.Value.Content.Get(mt) == nil {
		return fmt.Errorf("the operation takes no %s body", mt)
	}
	schema := op.RequestBody.Value.Content.Get(mt).Schema.Value
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	var err error
	if mt == "multipart/form-data" {
		err = req.ParseMultipartForm(1 << 20)
	} else {
		err = req.ParseForm()
	}
	if err != nil {
		return err
	}
	obj := map[string]any{}
	for k, v := range req.PostForm {
		if len(v) != 1 {
			return fmt.Errorf("field %s sent %d times", k, len(v))
		}
		obj[k] = v[0]
	}
	return schema.VisitJSON(obj)
}

// conform wraps a test server's handler so that every request the client
// makes in any test is validated against hh's description.
func conform(t testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request body: %v", err)
		}
		validateRequest(t, r, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// fixtures maps each success fixture to the operation it answers.
var fixtures = []struct {
	file   string
	method string
	path   string
	status int
}{
	{"token.json", http.MethodPost, "/token", http.StatusOK},
	{"me.json", http.MethodGet, "/me", http.StatusOK},
	{"resumes_mine.json", http.MethodGet, "/resumes/mine", http.StatusOK},
	{"similar_vacancies.json", http.MethodGet, "/resumes/r1/similar_vacancies", http.StatusOK},
	{"vacancy.json", http.MethodGet, "/vacancies/8331228", http.StatusOK},
	{"negotiations.json", http.MethodGet, "/negotiations", http.StatusOK},
	{"blacklisted_vacancies.json", http.MethodGet, "/vacancies/blacklisted", http.StatusOK},
	{"blacklisted_employers.json", http.MethodGet, "/employers/blacklisted", http.StatusOK},
	{"dictionaries.json", http.MethodGet, "/dictionaries", http.StatusOK},
	{"areas.json", http.MethodGet, "/areas", http.StatusOK},
	{"professional_roles.json", http.MethodGet, "/professional_roles", http.StatusOK},
}

// TestFixturesMatchSpec validates every success fixture against the response
// schema of its operation in hh's description.
func TestFixturesMatchSpec(t *testing.T) {
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			body := fixture(t, f.file)
			var reqBody []byte
			r := httptest.NewRequest(f.method, f.path, nil)
			r.Header.Set("HH-User-Agent", testUserAgent)
			if f.path == "/token" {
				reqBody = []byte("grant_type=refresh_token&refresh_token=x")
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req := specRequest(t, r, reqBody)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: specOptions},
				Status:                 f.status,
				Header:                 http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
				Options:                specOptions,
			}
			in.SetBodyBytes(body)
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				t.Errorf("%s does not match hh's description:\n%v", f.file, err)
			}
		})
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSpecRouterMapsToken guards the /token → /oauth/token mapping the
// conformance checks rely on.
func TestSpecRouterMapsToken(t *testing.T) {
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(""))
	route, _, err := router.FindRoute(specRequest(t, r, nil))
	if err != nil {
		t.Fatal(err)
	}
	if route.Operation.OperationID != "authorize" {
		t.Errorf("POST /token maps to %q, want authorize", route.Operation.OperationID)
	}
}

// recorder is a testing.TB that collects failures instead of reporting them.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// TestConformanceCatchesBadRequests proves the harness is not vacuous: requests
// hh would refuse fail it.
func TestConformanceCatchesBadRequests(t *testing.T) {
	form := func(method, path, contentType, body string, noUA bool) (*http.Request, []byte) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if !noUA {
			r.Header.Set("HH-User-Agent", testUserAgent)
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r, []byte(body)
	}
	urlenc := "application/x-www-form-urlencoded"
	bad := map[string]func() (*http.Request, []byte){
		"no user agent": func() (*http.Request, []byte) { return form("GET", "/me", "", "", true) },
		"unknown path":  func() (*http.Request, []byte) { return form("GET", "/resumes/mine/extra", "", "", false) },
		"wrong method":  func() (*http.Request, []byte) { return form("PATCH", "/negotiations", "", "", false) },
		"refresh with client_id": func() (*http.Request, []byte) {
			return form("POST", "/token", urlenc, "grant_type=refresh_token&refresh_token=x&client_id=y", false)
		},
		"code without redirect_uri": func() (*http.Request, []byte) {
			return form("POST", "/token", urlenc, "grant_type=authorization_code&client_id=a&client_secret=b&code=c", false)
		},
		"apply as json": func() (*http.Request, []byte) {
			return form("POST", "/negotiations", "application/json", `{"vacancy_id":"1","resume_id":"r"}`, false)
		},
		"apply without resume": func() (*http.Request, []byte) {
			return form("POST", "/negotiations", urlenc, "vacancy_id=1", false)
		},
		"per_page not a number": func() (*http.Request, []byte) {
			return form("GET", "/resumes/r1/similar_vacancies?per_page=many", "", "", false)
		},
		"bad host": func() (*http.Request, []byte) { return form("GET", "/areas?host=example.com", "", "", false) },
	}
	for name, mk := range bad {
		rec := &recorder{TB: t}
		r, body := mk()
		validateRequest(rec, r, body)
		if len(rec.failures) == 0 {
			t.Errorf("%s: passed conformance", name)
		}
	}
	rec := &recorder{TB: t}
	r, body := form("POST", "/token", urlenc, "grant_type=refresh_token&refresh_token=x", false)
	if validateRequest(rec, r, body); len(rec.failures) != 0 {
		t.Errorf("a good refresh failed: %v", rec.failures)
	}
}
