package hh

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	testUserAgent    = "OtklikTest/1.0 (test@example.com)"
	testToken        = "USERTESTACCESSTOKEN7f3a9c"
	testClientID     = "TESTCLIENTID"
	testClientSecret = "TESTCLIENTSECRETd41d8cd9"
	testOAuthURL     = "https://hh.example.test"
	// baseURLPath is a non-empty path prefix on the API base URL, as when the
	// sandbox is mounted under /sandbox, to catch absolute paths in methods.
	baseURLPath = "/sandbox"
)

// setup starts a test server and returns a client bound to testToken whose
// API base is the server with baseURLPath. Handlers are registered on mux
// with paths relative to the base. Every request is validated against hh's
// OpenAPI description.
func setup(t *testing.T, opts ...func(*Config)) (*Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, conform(t, mux)))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL)
		http.Error(w, "outside base path", http.StatusBadGateway)
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := Config{
		APIURL:       srv.URL + baseURLPath + "/",
		OAuthURL:     testOAuthURL,
		UserAgent:    testUserAgent,
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	c.retryBase = time.Millisecond
	return c.WithToken(testToken), mux
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// testHeaders asserts the headers every request carries: HH-User-Agent and,
// when bearer is non-empty, Authorization: Bearer.
func testHeaders(t *testing.T, r *http.Request, bearer string) {
	t.Helper()
	if got := r.Header.Get("HH-User-Agent"); got != testUserAgent {
		t.Errorf("HH-User-Agent = %q, want %q", got, testUserAgent)
	}
	want := ""
	if bearer != "" {
		want = "Bearer " + bearer
	}
	if got := r.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
}

func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query = %v, want %v", got, want)
	}
}

// testForm asserts the exact form fields of a urlencoded or multipart body.
func testForm(t *testing.T, r *http.Request, wantType string, want url.Values) {
	t.Helper()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != wantType {
		t.Errorf("Content-Type = %q, want %s", mt, wantType)
	}
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		t.Fatalf("parse form: %v", err)
	}
	if got := r.PostForm; !reflect.DeepEqual(got, want) {
		t.Errorf("form = %v, want %v", got, want)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// serveFixture answers with a file from testdata.
func serveFixture(t *testing.T, name string) http.HandlerFunc {
	body := string(fixture(t, name))
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) }
}

// hhError asserts err is an *Error and returns it.
func hhError(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := asError(err)
	if !ok {
		t.Fatalf("err = %v (%T), want *hh.Error", err, err)
	}
	return e
}

func mustContainNone(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("%q leaks a secret %q", s, sec)
		}
	}
}

type rawJSON = json.RawMessage

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
