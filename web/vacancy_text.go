package web

import (
	"context"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/rules"
	"github.com/redis/go-redis/v9"
)

// vacancyTextTTL is how long a vacancy's text read from hh is kept for the
// review queue (Redis expires it), and vacancyTextsPerPage how many one
// review page may ask hh for.
const (
	vacancyTextTTL      = 6 * time.Hour
	vacancyTextsPerPage = 20
	vacancyTextWait     = 3 * time.Second
)

// vacancyTexts keeps the plain text of vacancies shown in review, so the
// person can write a letter without leaving for hh. It is a display cache
// in Redis, shared by every web process (one process's fetch serves the
// others) and expiring by itself: losing it costs one GET /vacancies/{id}
// per item.
type vacancyTexts struct {
	rdb redis.UniversalClient
}

func vacancyTextKey(id string) string { return "otklik:vacancy_text:" + id }

// get returns the cached texts of ids; a Redis failure is a miss.
func (c *vacancyTexts) get(ctx context.Context, ids []string) map[string]string {
	out := map[string]string{}
	if c.rdb == nil || len(ids) == 0 {
		return out
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = vacancyTextKey(id)
	}
	vals, err := c.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return out
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[ids[i]] = s
		}
	}
	return out
}

func (c *vacancyTexts) put(ctx context.Context, id, text string) {
	if c.rdb != nil {
		c.rdb.Set(ctx, vacancyTextKey(id), text, vacancyTextTTL)
	}
}

// loadVacancyTexts returns the text of each of ids (at most
// vacancyTextsPerPage are asked of hh per call, in parallel, within
// vacancyTextWait); a vacancy hh does not give is missing from the map and
// the page links to hh instead. hh not connected: only what is cached.
func (h *handler) loadVacancyTexts(ctx context.Context, userID int64, ids []string) map[string]string {
	out := h.texts.get(ctx, ids)
	var missing []string
	for _, id := range ids {
		if _, ok := out[id]; !ok && len(missing) < vacancyTextsPerPage {
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
			h.texts.put(ctx, id, text)
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
