package hhsandbox

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
)

// dictionariesJSON is hh's GET /dictionaries answer as published in the
// example of hh's OpenAPI description.
//
//go:embed dictionaries.json
var dictionariesJSON []byte

type dictionaries struct {
	raw   []byte
	rates map[string]float64 // currency code → units per rouble
	names map[string]map[string]string
}

func loadDictionaries() dictionaries {
	var parsed struct {
		Currency []struct {
			Code string  `json:"code"`
			Rate float64 `json:"rate"`
		} `json:"currency"`
	}
	if err := json.Unmarshal(dictionariesJSON, &parsed); err != nil {
		panic(fmt.Sprintf("hhsandbox: embedded dictionaries: %v", err))
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(dictionariesJSON, &all); err != nil {
		panic(fmt.Sprintf("hhsandbox: embedded dictionaries: %v", err))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, dictionariesJSON); err != nil {
		panic(fmt.Sprintf("hhsandbox: embedded dictionaries: %v", err))
	}
	d := dictionaries{raw: compact.Bytes(), rates: map[string]float64{}, names: map[string]map[string]string{}}
	for _, c := range parsed.Currency {
		d.rates[c.Code] = c.Rate
	}
	for key, msg := range all {
		var entries []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(msg, &entries) != nil {
			continue
		}
		m := map[string]string{}
		for _, e := range entries {
			if e.ID != "" {
				m[e.ID] = e.Name
			}
		}
		d.names[key] = m
	}
	return d
}

// name returns the display name of id in dictionary key.
func (d dictionaries) name(key, id string) string { return d.names[key][id] }

// known reports whether id is an entry of dictionary key.
func (d dictionaries) known(key, id string) bool {
	_, ok := d.names[key][id]
	return ok
}

// toRoubles converts an amount in currency to roubles by hh's rates.
func (d dictionaries) toRoubles(amount float64, currency string) float64 {
	rate, ok := d.rates[currency]
	if !ok || rate == 0 {
		return amount
	}
	return amount / rate
}

func (s *Sandbox) handleDictionaries(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(s.dicts.raw)
}

func (s *Sandbox) handleAreas(w http.ResponseWriter, r *http.Request) {
	out := []wireArea{}
	for _, n := range s.areas.roots {
		out = append(out, s.areas.wire(n))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sandbox) handleArea(w http.ResponseWriter, r *http.Request) {
	n := s.areas.byID[r.PathValue("id")]
	if n == nil {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.areas.wire(n))
}
