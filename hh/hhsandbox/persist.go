package hhsandbox

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// A sandbox opened with Open keeps its state in a file, so that a restart of
// its host keeps every token it issued, every application it received, the
// blacklists, the captcha and fault settings and its clock. The file is
// rewritten whole (a temporary file renamed over it, mode 0600: it holds the
// tokens) shortly after the requests that may have changed something, and
// by Close. The generated catalogue is not stored: the seed and the time it
// was generated at make it again; only the vacancies put or published since
// are. Authorization codes in flight are dropped.

// stateFormat is the version of the state file's layout.
const stateFormat = 1

// saveDelay gathers the changes of a burst of requests into one write.
const saveDelay = 500 * time.Millisecond

// savedState is the state file.
type savedState struct {
	Format    int   `json:"format"`
	Seed      int64 `json:"seed"`
	Vacancies int   `json:"vacancies"` // size of the generated catalogue
	// Genesis is the virtual time the catalogue was generated at.
	Genesis     time.Time     `json:"genesis"`
	ClockOffset time.Duration `json:"clock_offset"`
	Faults      Faults        `json:"faults"`
	// RNG and GeneratorRNG are the positions of the token and catalogue
	// random sources, so tokens issued after a restart are new ones.
	RNG           []byte `json:"rng"`
	GeneratorRNG  []byte `json:"generator_rng"`
	RequestSeq    uint64 `json:"request_seq"`
	NextVacancyID int    `json:"next_vacancy_id"`
	// Catalogue holds the vacancies put or published after generation, in
	// catalogue order.
	Catalogue []Vacancy `json:"catalogue"`
	Users     []User    `json:"users"`

	Grants       []grant   `json:"grants"`
	AppToken     string    `json:"app_token,omitempty"`
	AppIssued    time.Time `json:"app_issued"`
	Consented    []string  `json:"consented"`
	CaptchaSolve []string  `json:"captcha_solved"`

	Negotiations      []negotiation `json:"negotiations"`
	NextNegotiationID int           `json:"next_negotiation_id"`
	Applications      []Application `json:"applications"`
	Redirects         []Application `json:"redirects"`
	Refusals          []Refusal     `json:"refusals"`

	HiddenVacancies map[string]map[string]time.Time `json:"hidden_vacancies"`
	HiddenEmployers map[string]map[string]time.Time `json:"hidden_employers"`
	Relations       map[string]map[string][]string  `json:"relations"`
}

// Open is New with the state kept in the file at path: read from it when it
// exists, written to it on changes and by Close. A file made by a sandbox of
// another seed or catalogue size, or one that cannot be read, is an error;
// so is a directory where the file cannot be written.
func Open(opts Options, path string) (*Sandbox, error) {
	s := New(opts)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("hhsandbox: state file: %w", err)
	default:
		var saved savedState
		if err := json.Unmarshal(data, &saved); err != nil {
			return nil, fmt.Errorf("hhsandbox: state file %s: %w", path, err)
		}
		s.mu.Lock()
		err := s.restoreLocked(saved)
		s.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("hhsandbox: state file %s: %w", path, err)
		}
	}
	s.saver = &saver{path: path, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	// Written at once: a place where the file cannot be written shows now,
	// not as state lost at the next restart.
	if err := s.save(); err != nil {
		return nil, err
	}
	go s.saveLoop()
	return s, nil
}

// Close writes the state of a sandbox opened with Open one last time and
// stops writing it; requests served after Close are not saved. On a sandbox
// made by New it does nothing.
func (s *Sandbox) Close() error {
	p := s.saver
	if p == nil {
		return nil
	}
	var err error
	p.closeOnce.Do(func() {
		close(p.stop)
		<-p.done
		err = s.save()
	})
	return err
}

// saver writes a sandbox's state file.
type saver struct {
	path      string
	kick      chan struct{} // something may have changed
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu   sync.Mutex // one write at a time
	last [sha256.Size]byte
}

// changed tells the saver that the state may have changed.
func (s *Sandbox) changed() {
	if s.saver == nil {
		return
	}
	select {
	case s.saver.kick <- struct{}{}:
	default: // a save is pending already
	}
}

func (s *Sandbox) saveLoop() {
	p := s.saver
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		t := time.NewTimer(saveDelay)
		select {
		case <-p.stop: // Close saves
			t.Stop()
			return
		case <-t.C:
		}
		if err := s.save(); err != nil {
			logger := s.opts.Logger
			if logger == nil {
				logger = slog.Default()
			}
			logger.Error("hh sandbox state not saved", "path", p.path, "error", err)
		}
	}
}

// save writes the state file unless it holds this state already.
func (s *Sandbox) save() error {
	p := s.saver
	p.mu.Lock()
	defer p.mu.Unlock()
	// Encoded under the lock: the snapshot shares the state's maps and slices.
	s.mu.Lock()
	data, err := s.encodeLocked()
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("hhsandbox: save state: %w", err)
	}
	sum := sha256.Sum256(data)
	if sum == p.last {
		return nil
	}
	if err := writeFileAtomic(p.path, data); err != nil {
		return fmt.Errorf("hhsandbox: save state: %w", err)
	}
	p.last = sum
	return nil
}

// writeFileAtomic replaces the file at path with data, mode 0600: a reader
// (or a crash) sees the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// encodeLocked is the state as the file keeps it; sets become sorted lists,
// so an unchanged state encodes to the same bytes.
func (s *Sandbox) encodeLocked() ([]byte, error) {
	st := s.st
	rng, err := s.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	genRNG, err := st.gen.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	saved := savedState{
		Format:            stateFormat,
		Seed:              s.opts.Seed,
		Vacancies:         s.opts.Vacancies,
		Genesis:           st.genesis,
		ClockOffset:       s.offset,
		Faults:            s.faults,
		RNG:               rng,
		GeneratorRNG:      genRNG,
		RequestSeq:        s.requestSeq.Load(),
		NextVacancyID:     st.nextVacancyID,
		Catalogue:         []Vacancy{},
		AppToken:          st.appToken,
		AppIssued:         st.appIssued,
		Consented:         trueKeys(st.consented),
		CaptchaSolve:      trueKeys(st.captchaSolved),
		NextNegotiationID: st.nextNegID,
		Applications:      st.applications,
		Redirects:         st.redirects,
		Refusals:          st.refusals,
		HiddenVacancies:   st.hiddenVacancies,
		HiddenEmployers:   st.hiddenEmployers,
		Relations:         st.relations,
	}
	for _, id := range st.order {
		if st.edited[id] {
			saved.Catalogue = append(saved.Catalogue, *st.vacancies[id])
		}
	}
	for _, u := range st.users {
		saved.Users = append(saved.Users, *u)
	}
	for _, g := range st.tokens {
		saved.Grants = append(saved.Grants, *g)
	}
	slices.SortFunc(saved.Grants, func(a, b grant) int { return strings.Compare(a.Access, b.Access) })
	for _, n := range st.negotiations {
		saved.Negotiations = append(saved.Negotiations, *n)
	}
	return json.Marshal(saved)
}

// restoreLocked replaces the state with the saved one.
func (s *Sandbox) restoreLocked(saved savedState) error {
	switch {
	case saved.Format != stateFormat:
		return fmt.Errorf("format %d, want %d", saved.Format, stateFormat)
	case saved.Seed != s.opts.Seed || saved.Vacancies != s.opts.Vacancies:
		return fmt.Errorf("made by a sandbox with seed %d and %d vacancies, not seed %d and %d vacancies",
			saved.Seed, saved.Vacancies, s.opts.Seed, s.opts.Vacancies)
	}
	st := newState(s.opts.Seed, s.opts.Vacancies, saved.Genesis, s.areas, s.dicts.rates)
	if err := st.gen.src.UnmarshalBinary(saved.GeneratorRNG); err != nil {
		return fmt.Errorf("generator_rng: %w", err)
	}
	if err := s.src.UnmarshalBinary(saved.RNG); err != nil {
		return fmt.Errorf("rng: %w", err)
	}
	st.nextVacancyID = saved.NextVacancyID
	for _, v := range saved.Catalogue {
		st.addVacancy(v.clone())
	}

	st.users, st.userIDs, st.resumes, st.owner = nil, map[string]*User{}, map[string]*Resume{}, map[string]string{}
	for _, saved := range saved.Users {
		u := saved
		st.users = append(st.users, &u)
		st.userIDs[u.ID] = &u
		for i := range u.Resumes {
			st.resumes[u.Resumes[i].ID] = &u.Resumes[i]
			st.owner[u.Resumes[i].ID] = u.ID
		}
	}
	for _, saved := range saved.Grants {
		g := saved
		st.tokens[g.Access] = &g
		st.refreshes[g.Refresh] = &g
	}
	st.appToken, st.appIssued = saved.AppToken, saved.AppIssued
	for _, id := range saved.Consented {
		st.consented[id] = true
	}
	for _, id := range saved.CaptchaSolve {
		st.captchaSolved[id] = true
	}
	for _, saved := range saved.Negotiations {
		n := saved
		st.negotiations = append(st.negotiations, &n)
		st.negByPair[[2]string{n.ResumeID, n.VacancyID}] = &n
	}
	st.nextNegID = saved.NextNegotiationID
	st.applications, st.redirects, st.refusals = saved.Applications, saved.Redirects, saved.Refusals
	if saved.HiddenVacancies != nil {
		st.hiddenVacancies = saved.HiddenVacancies
	}
	if saved.HiddenEmployers != nil {
		st.hiddenEmployers = saved.HiddenEmployers
	}
	if saved.Relations != nil {
		st.relations = saved.Relations
	}

	s.st = st
	s.offset = saved.ClockOffset
	s.faults = saved.Faults.withDefaults(s.opts)
	s.requestSeq.Store(saved.RequestSeq)
	return nil
}

// trueKeys lists the keys set to true, sorted.
func trueKeys(m map[string]bool) []string {
	out := []string{}
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
