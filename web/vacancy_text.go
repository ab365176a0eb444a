package web

import (
	"context"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/rules"
)

// vacancyTextTTL is how long a vacancy's text read from hh is kept for the
// review queue; maxVacancyTexts bounds how many are kept, and
// vacancyTextsPerPage how many one review page may ask hh for.
const (
	vacancyTextTTL      = 6 * time.Hour
	maxVacancyTexts     = 2000
	vacancyTextsPerPage = 20
	vacancyTextWait     = 3 * time.Second
)

// vacancyTexts keeps the plain text of vacancies shown in review, so the
// person can write a letter without leaving for hh. It is a display cache:
// losing it costs one GET /vacancies/{id} per item.
type vacancyTexts struct {
	mu   sync.Mutex
	text map[string]vacancyText
}

type vacancyText struct {
	text string
	at   time.Time
}

func (c *vacancyTexts) get(id string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.text[id]
	if !ok || now.Sub(t.at) > vacancyTextTTL {
		return "", false
	}
	return t.text, true
}

func (c *vacancyTexts) put(id, text string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.text == nil {
		c.text = map[string]vacancyText{}
	}
	if len(c.text) >= maxVacancyTexts {
		for k, v := range c.text {
			if now.Sub(v.at) > vacancyTextTTL || len(c.text) >= maxVacancyTexts {
				delete(c.text, k)
			}
		}
	}
	c.text[id] = vacancyText{text: text, at: now}
}

// loadVacancyTexts returns the text of each of ids (at most
// vacancyTextsPerPage are asked of hh per call, in parallel, within
// vacancyTextWait); a vacancy hh does not give is missing from the map and
// the page links to hh instead. hh not connected: only what is cached.
func (h *handler) loadVacancyTexts(ctx context.Context, userID int64, ids []string) map[string]string {
	now := h.now()
	out := map[string]string{}
	var missing []string
	for _, id := range ids {
		if t, ok := h.texts.get(id, now); ok {
			out[id] = t
		} else if len(missing) < vacancyTextsPerPage {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out
	}
	client, err := h.hhAccess.Client(ctx, userID)
	if err != nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, vacancyTextWait)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range missing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := client.Vacancy(ctx, id)
			if err != nil {
				h.log.DebugContext(ctx, "vacancy text not loaded", "user_id", userID, "vacancy_id", id, "error", err)
				return
			}
			text := plainText(v.Description)
			h.texts.put(id, text, now)
			mu.Lock()
			out[id] = text
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// plainText turns hh's description HTML (untrusted) into plain text with
// its paragraphs and list items on lines of their own.
func plainText(s string) string {
	r := strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n\n", "<li>", "\n• ", "</li>", "",
		"</ul>", "\n", "</ol>", "\n", "</h1>", "\n", "</h2>", "\n", "</h3>", "\n", "</div>", "\n")
	text := html.UnescapeString(rules.StripTags(r.Replace(s)))
	var lines []string
	blank := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank && len(lines) > 0 {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		blank = false
		lines = append(lines, line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
