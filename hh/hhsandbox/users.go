package hhsandbox

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// sandboxUsers are the accounts a person can sign in as on the login page:
// four applicants, each with published resumes and one unpublished (Мария's
// is blocked by a moderator, so hh refuses to publish it), and an employer
// who fails the applicant check.
func sandboxUsers(seed int64, now time.Time) []*User {
	type resumeSeed struct {
		title     string
		published bool
		area      string
		salary    int
		blocked   bool
	}
	seeds := []struct {
		id, first, last, middle, email, phone string
		applicant                             bool
		resumes                               []resumeSeed
	}{
		{"31000001", "Иван", "Петров", "Сергеевич", "ivan.petrov@example.ru", "79161234501", true, []resumeSeed{
			{"Go-разработчик", true, "1", 300000, false},
			{"Backend-разработчик (Python)", true, "1", 250000, false},
			{"Руководитель группы разработки", false, "1", 400000, false},
		}},
		{"31000002", "Анна", "Смирнова", "Игоревна", "anna.smirnova@example.ru", "79261234502", true, []resumeSeed{
			{"Аналитик данных", true, "2", 180000, false},
			{"Бизнес-аналитик", true, "2", 170000, false},
			{"Продуктовый аналитик", false, "2", 200000, false},
		}},
		{"31000003", "Дмитрий", "Кузнецов", "", "dmitry.kuznetsov@example.ru", "79031234503", true, []resumeSeed{
			{"Frontend-разработчик", true, "88", 200000, false},
			{"QA-инженер", false, "88", 150000, false},
		}},
		{"31000004", "Мария", "Соколова", "Андреевна", "maria.sokolova@example.ru", "77011234504", true, []resumeSeed{
			{"Бухгалтер", true, "160", 0, false},
			{"Главный бухгалтер", false, "160", 0, true},
		}},
		{"31000005", "Ольга", "Морозова", "", "hr@alfasoft.example.ru", "79161234505", false, nil},
	}
	var users []*User
	for _, s := range seeds {
		u := &User{ID: s.id, FirstName: s.first, LastName: s.last, MiddleName: s.middle,
			Email: s.email, Phone: s.phone, Applicant: s.applicant}
		for i, r := range s.resumes {
			created := now.Add(-time.Duration(90+30*i) * 24 * time.Hour).Truncate(time.Second)
			u.Resumes = append(u.Resumes, Resume{
				ID:        resumeID(seed, s.id, i),
				Title:     r.title,
				Published: r.published,
				Blocked:   r.blocked,
				AreaID:    r.area,
				Salary:    r.salary,
				CreatedAt: created,
				UpdatedAt: now.Add(-time.Duration(3+i) * 24 * time.Hour).Truncate(time.Second),
			})
		}
		users = append(users, u)
	}
	return users
}

// resumeID is a 38-character hex id like hh's.
func resumeID(seed int64, userID string, n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "resume-%d-%s-%d", seed, userID, n))
	return fmt.Sprintf("%x", sum)[:38]
}
