package hhsandbox

import (
	"fmt"
	"strconv"
	"time"
)

// firstPopulationID is the hh id of the first applicant AddApplicants
// creates; the built-in accounts use 31000001…31000005.
const firstPopulationID = 32000001

// AddApplicants adds n more applicant accounts, for load and fault tests that
// need many users (the built-in population is four applicants). Each has two
// published resumes in Moscow. They are generated from the seed and their
// position, so the k-th account added to sandboxes of one seed is always the
// same (ids 32000001, 32000002, …), and they are returned in that order.
// Reset drops them with the rest of the state.
func (s *Sandbox) AddApplicants(n int) []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	titles := []string{"Go-разработчик", "Backend-разработчик", "Аналитик данных", "Frontend-разработчик", "QA-инженер", "Бухгалтер"}
	firsts := []string{"Алексей", "Екатерина", "Сергей", "Наталья", "Павел", "Юлия", "Михаил", "Ирина"}
	lasts := []string{"Иванов", "Васильева", "Попов", "Новикова", "Фёдоров", "Козлова", "Лебедев", "Егорова"}
	out := make([]User, 0, n)
	for id := firstPopulationID; len(out) < n; id++ {
		uid := strconv.Itoa(id)
		if s.st.userIDs[uid] != nil {
			continue // added by an earlier call
		}
		k := id - firstPopulationID
		u := &User{ID: uid, FirstName: firsts[k%len(firsts)], LastName: lasts[(k/len(firsts))%len(lasts)],
			Email: fmt.Sprintf("applicant%d@example.ru", id), Phone: fmt.Sprintf("7900%07d", k), Applicant: true}
		for i := range 2 {
			u.Resumes = append(u.Resumes, Resume{
				ID:        resumeID(s.opts.Seed, uid, i),
				Title:     titles[(k+i)%len(titles)],
				Published: true,
				AreaID:    "1",
				CreatedAt: now.Add(-time.Duration(60+30*i) * 24 * time.Hour).Truncate(time.Second),
				UpdatedAt: now.Add(-time.Duration(2+i) * 24 * time.Hour).Truncate(time.Second),
			})
		}
		s.st.users = append(s.st.users, u)
		s.st.userIDs[uid] = u
		for i := range u.Resumes {
			s.st.resumes[u.Resumes[i].ID] = &u.Resumes[i]
			s.st.owner[u.Resumes[i].ID] = uid
		}
		c := *u
		c.Resumes = append([]Resume(nil), u.Resumes...)
		out = append(out, c)
	}
	return out
}
