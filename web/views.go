package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates static
var embedded embed.FS

// views holds every page parsed once per language: the language is bound
// into the template's t function, so templates read {{t "nav.rules"}}.
type views struct {
	pages map[string]map[string]*template.Template // lang → page name → template
}

// parseViews parses layout.html, partials/*.html and each pages/*.html, for
// every language, and runs the escaper on each, so a template that does not
// parse or escape fails here.
func parseViews(fsys fs.FS) (*views, error) {
	pages, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	if len(pages) == 0 {
		return nil, errors.New("web: templates: no pages/*.html")
	}
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	v := &views{pages: map[string]map[string]*template.Template{}}
	for _, lang := range languages {
		v.pages[lang] = map[string]*template.Template{}
		for _, p := range pages {
			files := append([]string{"layout.html"}, partials...)
			files = append(files, p)
			t, err := template.New("layout.html").Funcs(templateFuncs(lang)).ParseFS(fsys, files...)
			if err != nil {
				return nil, fmt.Errorf("web: templates: %w", err)
			}
			// Executing once runs html/template's escaper over every
			// branch; escaping errors are *template.Error, while errors from
			// the empty data are expected and ignored.
			var te *template.Error
			if err := t.Execute(io.Discard, &page{Lang: lang}); errors.As(err, &te) {
				return nil, fmt.Errorf("web: templates: %s: %w", p, err)
			}
			name := strings.TrimSuffix(path.Base(p), ".html")
			v.pages[lang][name] = t
		}
	}
	return v, nil
}

// render writes page name with status. It renders into a buffer first so a
// failing template yields a clean error page, not half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := h.views.pages[p.Lang][name]
	if t == nil {
		h.serverError(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		if name == "error" {
			h.log.ErrorContext(r.Context(), "render error page", "error", err)
			http.Error(w, translate(p.Lang, "error.internal"), http.StatusInternalServerError)
			return
		}
		h.serverError(w, r, fmt.Errorf("web: render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
