package hhsandbox

import (
	"fmt"
	"html/template"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// profession is a family of similar vacancies the generator draws from.
type profession struct {
	role           string // professional_roles id, one of roleCategories
	titles         []string
	requirements   []string
	responsibility []string
	skills         []string
	salary         int  // typical middle-level monthly salary, roubles
	it             bool // IT employers, remote work and USD salaries are likelier
	weight         int
}

var professions = []profession{
	{role: "96", it: true, weight: 9, salary: 250000,
		titles: []string{"Go-разработчик", "Golang-разработчик", "Backend-разработчик (Go)", "Senior Go Developer", "Middle Golang Developer", "Ведущий Go-разработчик", "Junior Go-разработчик"},
		requirements: []string{
			"Опыт коммерческой разработки на Go от 2 лет. Уверенное знание PostgreSQL.",
			"Хорошее знание Golang, опыт работы с Kafka и Redis. Понимание принципов микросервисной архитектуры.",
			"Опыт разработки высоконагруженных сервисов на Go. Знание gRPC, Docker, Kubernetes.",
			"Знание Go и SQL, умение писать тесты, опыт code review.",
		},
		responsibility: []string{
			"Разработка backend-сервисов на Go. Проектирование API и участие в архитектурных решениях.",
			"Развитие платежной платформы, оптимизация производительности сервисов.",
			"Разработка и поддержка микросервисов, написание unit- и интеграционных тестов.",
		},
		skills: []string{"Go", "PostgreSQL", "Kafka", "Docker", "Kubernetes", "gRPC", "Redis", "Git"}},
	{role: "96", it: true, weight: 9, salary: 230000,
		titles: []string{"Python-разработчик", "Backend-разработчик (Python/Django)", "Senior Python Developer", "Python-разработчик (FastAPI)", "Junior Python-разработчик"},
		requirements: []string{
			"Опыт коммерческой разработки на Python от 3 лет. Знание Django или FastAPI.",
			"Уверенное знание Python 3, asyncio, PostgreSQL. Опыт работы с Celery будет плюсом.",
			"Знание Python, SQL, опыт работы с REST API и Docker.",
		},
		responsibility: []string{
			"Разработка новых сервисов и поддержка существующих на Python.",
			"Интеграция с внешними системами, оптимизация запросов к базе данных.",
			"Участие в проектировании архитектуры, код-ревью.",
		},
		skills: []string{"Python", "Django", "FastAPI", "PostgreSQL", "Celery", "Docker", "Linux"}},
	{role: "96", it: true, weight: 8, salary: 240000,
		titles: []string{"Java-разработчик", "Senior Java Developer (Spring)", "Kotlin/Java-разработчик", "Ведущий Java-разработчик", "Java-разработчик (Middle)"},
		requirements: []string{
			"Опыт разработки на Java от 3 лет, Spring Boot, Hibernate.",
			"Знание Java 17+, опыт работы с микросервисами, Kafka, PostgreSQL.",
			"Уверенное знание Java или Kotlin, понимание принципов ООП и SOLID.",
		},
		responsibility: []string{
			"Разработка и сопровождение банковских информационных систем на Java.",
			"Проектирование и разработка микросервисов на Spring Boot.",
			"Доработка функциональности, исправление ошибок, написание тестов.",
		},
		skills: []string{"Java", "Spring Framework", "Hibernate", "Kafka", "PostgreSQL", "Kotlin", "Maven"}},
	{role: "96", it: true, weight: 8, salary: 200000,
		titles: []string{"Frontend-разработчик (React)", "Frontend developer (Vue.js)", "JavaScript-разработчик", "Senior Frontend-разработчик", "Frontend-разработчик (TypeScript)"},
		requirements: []string{
			"Опыт разработки на React от 2 лет, уверенное знание TypeScript.",
			"Знание JavaScript (ES6+), HTML5, CSS3, опыт работы с Vue.js.",
			"Опыт верстки адаптивных интерфейсов, знание Redux или MobX.",
		},
		responsibility: []string{
			"Разработка пользовательских интерфейсов веб-приложений.",
			"Верстка и разработка новых страниц личного кабинета, взаимодействие с дизайнерами.",
			"Оптимизация производительности frontend-части продукта.",
		},
		skills: []string{"JavaScript", "TypeScript", "React", "Vue.js", "HTML5", "CSS3", "Webpack"}},
	{role: "10", weight: 6, salary: 170000,
		titles: []string{"Бизнес-аналитик", "Системный аналитик", "Продуктовый аналитик", "Ведущий системный аналитик"},
		requirements: []string{
			"Опыт работы аналитиком от 2 лет. Умение формализовать требования, знание BPMN и UML.",
			"Знание SQL, опыт написания технических заданий и постановки задач разработке.",
			"Опыт проектирования интеграций (REST, SOAP), знание основ архитектуры информационных систем.",
		},
		responsibility: []string{
			"Сбор и анализ требований, подготовка спецификаций.",
			"Взаимодействие с заказчиками и командой разработки, приемка задач.",
			"Описание бизнес-процессов и участие в развитии продукта.",
		},
		skills: []string{"SQL", "BPMN", "UML", "Jira", "Confluence", "REST"}},
	{role: "156", it: true, weight: 4, salary: 180000,
		titles: []string{"Аналитик данных", "BI-аналитик", "Data analyst", "Старший аналитик данных"},
		requirements: []string{
			"Уверенное знание SQL и Python (pandas), опыт построения отчетности.",
			"Опыт работы с BI-системами (Power BI, Tableau, Superset), знание статистики.",
		},
		responsibility: []string{
			"Построение дашбордов и отчетов, анализ ключевых метрик продукта.",
			"Проведение A/B-тестов и подготовка рекомендаций для бизнеса.",
		},
		skills: []string{"SQL", "Python", "Pandas", "Power BI", "Tableau", "Статистический анализ"}},
	{role: "124", it: true, weight: 6, salary: 140000,
		titles: []string{"Тестировщик ПО", "QA-инженер", "Инженер по автоматизации тестирования", "Тестировщик (ручное тестирование)", "Senior QA Automation Engineer"},
		requirements: []string{
			"Опыт ручного тестирования веб-приложений от 1 года, знание техник тест-дизайна.",
			"Опыт автоматизации тестирования на Python или Java, знание Selenium или Playwright.",
			"Умение работать с Postman, DevTools, базовое знание SQL.",
		},
		responsibility: []string{
			"Функциональное и регрессионное тестирование, заведение дефектов.",
			"Разработка автотестов и поддержка тестовой инфраструктуры.",
			"Написание тест-кейсов и чек-листов, участие в релизах.",
		},
		skills: []string{"Тестирование", "Selenium", "Postman", "SQL", "Python", "Jira"}},
	{role: "107", weight: 5, salary: 190000,
		titles: []string{"Менеджер проектов", "Project manager (IT)", "Руководитель проектов", "Менеджер IT-проектов"},
		requirements: []string{
			"Опыт управления IT-проектами от 2 лет, знание Agile и Scrum.",
			"Опыт ведения проектов внедрения, умение работать с заказчиком и командой.",
		},
		responsibility: []string{
			"Планирование и контроль сроков проектов, управление рисками.",
			"Координация работы команды разработки, отчетность перед заказчиком.",
		},
		skills: []string{"Agile", "Scrum", "Jira", "Управление проектами", "MS Project"}},
	{role: "70", weight: 9, salary: 90000,
		titles: []string{"Менеджер по продажам", "Менеджер по работе с клиентами", "Менеджер активных продаж", "Менеджер по продажам B2B", "Специалист по продажам"},
		requirements: []string{
			"Опыт активных продаж от 1 года, грамотная речь, навыки ведения переговоров.",
			"Знание техник продаж, опыт работы с CRM (Битрикс24, amoCRM).",
			"Желание зарабатывать, клиентоориентированность, стрессоустойчивость.",
		},
		responsibility: []string{
			"Поиск и привлечение новых клиентов, ведение переговоров, заключение договоров.",
			"Консультирование клиентов по ассортименту, выполнение плана продаж.",
			"Работа с входящими заявками и ведение клиентской базы в CRM.",
		},
		skills: []string{"Активные продажи", "Ведение переговоров", "CRM", "Холодные звонки", "B2B продажи"}},
	{role: "18", weight: 6, salary: 85000,
		titles: []string{"Бухгалтер", "Главный бухгалтер", "Бухгалтер по расчету заработной платы", "Бухгалтер на первичную документацию", "Помощник бухгалтера"},
		requirements: []string{
			"Опыт работы бухгалтером от 2 лет, знание 1С:Бухгалтерия 8.3.",
			"Знание налогового законодательства, опыт сдачи отчетности.",
			"Высшее экономическое образование, внимательность, ответственность.",
		},
		responsibility: []string{
			"Ведение бухгалтерского и налогового учета, подготовка отчетности.",
			"Расчет заработной платы, работа с первичной документацией.",
			"Сверка с контрагентами, работа с банк-клиентом.",
		},
		skills: []string{"1С: Бухгалтерия", "Бухгалтерская отчетность", "Налоговая отчетность", "Первичная документация", "Расчет заработной платы"}},
	{role: "34", weight: 4, salary: 150000,
		titles: []string{"UX/UI-дизайнер", "Графический дизайнер", "Продуктовый дизайнер", "Веб-дизайнер"},
		requirements: []string{
			"Портфолио обязательно. Уверенное владение Figma.",
			"Опыт проектирования интерфейсов мобильных и веб-приложений от 2 лет.",
		},
		responsibility: []string{
			"Проектирование пользовательских сценариев и интерфейсов.",
			"Разработка макетов, дизайн-системы и рекламных материалов.",
		},
		skills: []string{"Figma", "Adobe Photoshop", "UX", "UI", "Прототипирование"}},
	{role: "160", it: true, weight: 4, salary: 260000,
		titles: []string{"DevOps-инженер", "SRE-инженер", "Senior DevOps Engineer", "Системный администратор Linux"},
		requirements: []string{
			"Опыт администрирования Linux, знание Kubernetes, Terraform, Ansible.",
			"Опыт построения CI/CD (GitLab CI), мониторинга (Prometheus, Grafana).",
		},
		responsibility: []string{
			"Поддержка и развитие инфраструктуры, автоматизация развертывания.",
			"Обеспечение отказоустойчивости сервисов, дежурства.",
		},
		skills: []string{"Linux", "Kubernetes", "Terraform", "Ansible", "Prometheus", "GitLab CI"}},
	{role: "121", weight: 4, salary: 65000,
		titles: []string{"Специалист технической поддержки", "Оператор службы поддержки", "Инженер технической поддержки"},
		requirements: []string{
			"Грамотная устная и письменная речь, уверенный пользователь ПК.",
			"Опыт работы в технической поддержке приветствуется, готовность к сменному графику.",
		},
		responsibility: []string{
			"Консультирование пользователей по телефону и в чате.",
			"Решение технических вопросов клиентов, заведение обращений.",
		},
		skills: []string{"Техническая поддержка", "Грамотная речь", "Helpdesk", "Работа с клиентами"}},
	{role: "69", weight: 3, salary: 100000,
		titles: []string{"HR-менеджер", "Рекрутер", "IT-рекрутер", "Менеджер по персоналу"},
		requirements: []string{
			"Опыт подбора персонала от 1 года, знание источников поиска кандидатов.",
			"Опыт массового или IT-подбора, навыки проведения интервью.",
		},
		responsibility: []string{
			"Закрытие вакансий, проведение собеседований, работа с заказчиками.",
			"Адаптация новых сотрудников, ведение кадровой документации.",
		},
		skills: []string{"Подбор персонала", "Проведение интервью", "Адаптация персонала", "HR"}},
}

var employerParts = [2][]string{
	{"Альфа", "Вектор", "Север", "Гранит", "Орбита", "Сигма", "Техно", "Цифра", "Инфо", "Мега", "Смарт", "Нео", "Старт", "Байт", "Гео", "Эко", "Профи", "Спектр", "Атлас", "Восток"},
	{"Софт", "Лаб", "Системс", "Инвест", "Логистик", "Торг", "Строй", "Медиа", "Финанс", "Ритейл", "Клик", "Телеком", "Банк", "Сервис", "Групп", "Консалтинг", "Маркет", "Дата", "Тех", "Трейд"},
}

var anonymousNames = []string{"Крупная IT-компания", "Федеральная розничная сеть", "Компания, пожелавшая остаться неизвестной", "Производственная компания"}

// generator draws the deterministic catalogue.
type generator struct {
	rng       *rand.Rand
	src       *rand.PCG // rng's source, whose position a state file keeps
	areas     *areaTree
	employers []*employer
	itEmp     []*employer
	total     int
	rates     map[string]float64 // currency units per rouble
}

func newGenerator(seed int64, areas *areaTree, rates map[string]float64) *generator {
	src := rand.NewPCG(uint64(seed), 0x5eed)
	g := &generator{rng: rand.New(src), src: src, areas: areas, rates: rates}
	for _, e := range g.employerList() {
		g.employers = append(g.employers, e)
		if e.AccreditedIT {
			g.itEmp = append(g.itEmp, e)
		}
	}
	for _, p := range professions {
		g.total += p.weight
	}
	return g
}

func (g *generator) employerList() []*employer {
	var out []*employer
	seen := map[string]bool{}
	for _, a := range employerParts[0] {
		for _, b := range employerParts[1] {
			if g.rng.IntN(10) >= 6 {
				continue
			}
			name := a + b
			switch g.rng.IntN(4) {
			case 0:
				name = "ООО «" + name + "»"
			case 1:
				name = "АО «" + name + "»"
			}
			id := strconv.Itoa(1000 + g.rng.IntN(9_000_000))
			for seen[id] {
				id = strconv.Itoa(1000 + g.rng.IntN(9_000_000))
			}
			seen[id] = true
			out = append(out, &employer{
				ID:           id,
				Name:         name,
				Trusted:      g.rng.IntN(10) < 9,
				AccreditedIT: b == "Софт" || b == "Лаб" || b == "Системс" || b == "Дата" || b == "Тех" || g.rng.IntN(5) == 0,
			})
		}
	}
	return out
}

func (g *generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

// areaWeights place most vacancies in the big Russian cities.
var areaWeights = []struct {
	id     string
	weight int
}{
	{"1", 34}, {"2", 14}, {"2034", 2}, {"2035", 1}, {"2038", 1}, {"2030", 1},
	{"3", 6}, {"4", 5}, {"88", 5}, {"66", 4}, {"53", 4}, {"237", 1}, {"76", 3}, {"78", 3},
	{"160", 6}, {"159", 4}, {"1002", 6},
}

func (g *generator) area() string {
	total := 0
	for _, a := range areaWeights {
		total += a.weight
	}
	n := g.rng.IntN(total)
	for _, a := range areaWeights {
		if n < a.weight {
			return a.id
		}
		n -= a.weight
	}
	return "1"
}

// vacancy draws one catalogue vacancy.
func (g *generator) vacancy(id string, published time.Time) *Vacancy {
	n := g.rng.IntN(g.total)
	p := professions[0]
	for _, cand := range professions {
		if n < cand.weight {
			p = cand
			break
		}
		n -= cand.weight
	}
	title := g.pick(p.titles)
	v := &Vacancy{
		ID:                      id,
		Name:                    title,
		AreaID:                  g.area(),
		Type:                    "open",
		ProfessionalRole:        p.role,
		Requirement:             g.pick(p.requirements),
		Responsibility:          g.pick(p.responsibility),
		AcceptIncompleteResumes: g.chance(20),
		PublishedAt:             published.Truncate(time.Second),
	}
	level := 1.0
	lower := strings.ToLower(title)
	switch {
	case strings.Contains(lower, "junior") || strings.Contains(lower, "помощник") || strings.Contains(lower, "оператор"):
		level = 0.55
		v.Experience = g.pick([]string{"noExperience", "noExperience", "between1And3"})
	case strings.Contains(lower, "senior") || strings.Contains(lower, "ведущий") || strings.Contains(lower, "главный") || strings.Contains(lower, "старший"):
		level = 1.45
		v.Experience = g.pick([]string{"between3And6", "between3And6", "moreThan6"})
	default:
		v.Experience = g.pick([]string{"between1And3", "between1And3", "between3And6", "noExperience"})
	}
	v.Employment = g.pick([]string{"full", "full", "full", "full", "full", "full", "part", "project", "probation"})
	if p.it {
		v.Schedule = g.pick([]string{"fullDay", "remote", "remote", "flexible", "fullDay"})
	} else {
		v.Schedule = g.pick([]string{"fullDay", "fullDay", "fullDay", "shift", "flexible", "remote"})
	}
	// Skills: a deterministic shuffle of the profession's list.
	skills := append([]string(nil), p.skills...)
	g.rng.Shuffle(len(skills), func(i, j int) { skills[i], skills[j] = skills[j], skills[i] })
	v.KeySkills = skills[:2+g.rng.IntN(len(skills)-1)]

	// Employer: mostly named; IT professions prefer IT companies.
	var e *employer
	if p.it && len(g.itEmp) > 0 && g.chance(70) {
		e = g.itEmp[g.rng.IntN(len(g.itEmp))]
	} else {
		e = g.employers[g.rng.IntN(len(g.employers))]
	}
	v.EmployerID, v.EmployerName = e.ID, e.Name
	switch r := g.rng.IntN(100); {
	case r < 5:
		v.Type = "anonymous"
		v.EmployerID, v.EmployerName = "", g.pick(anonymousNames)
	case r < 9:
		v.Type = "direct"
		v.ResponseURL = fmt.Sprintf("https://career.company%s.ru/vacancies/%s/apply", e.ID, id)
	case r < 11:
		v.Type = "closed"
	}
	g.salary(v, p, level)
	v.ResponseLetterRequired = g.chance(15)
	if g.chance(8) {
		v.HasTest = true
		v.TestRequired = g.chance(50)
	}
	v.Archived = g.chance(3)
	v.Description = description(v)
	return v
}

// salary sets a fork in the currency of the area; about 30% have none.
func (g *generator) salary(v *Vacancy, p profession, level float64) {
	if g.chance(30) {
		return
	}
	base := float64(p.salary) * level * (0.8 + 0.4*g.rng.Float64())
	currency, rate := "RUR", 1.0
	switch g.areas.country(v.AreaID) {
	case "40":
		currency = "KZT"
	case "16":
		currency = "BYR"
	}
	if p.it && v.Schedule == "remote" && g.chance(25) {
		currency = "USD"
	}
	if r, ok := g.rates[currency]; ok && r > 0 {
		rate = r
	}
	round := func(x float64) *int {
		step := 5000.0 * rate
		switch {
		case step < 10:
			step = 10
		case step < 100:
			step = 100
		}
		n := int(x*rate/step+0.5) * int(step)
		return &n
	}
	v.Currency = currency
	v.Gross = g.chance(40)
	switch r := g.rng.IntN(10); {
	case r < 6:
		v.SalaryFrom, v.SalaryTo = round(base*0.85), round(base*1.2)
	case r < 9:
		v.SalaryFrom = round(base)
	default:
		v.SalaryTo = round(base * 1.1)
	}
}

// description renders the full HTML description hh shows on the vacancy page.
func description(v *Vacancy) string {
	var b strings.Builder
	b.WriteString("<p>Приглашаем в команду: ")
	b.WriteString(template.HTMLEscapeString(v.Name))
	b.WriteString(".</p><p><strong>Обязанности:</strong></p><ul><li>")
	b.WriteString(template.HTMLEscapeString(v.Responsibility))
	b.WriteString("</li></ul><p><strong>Требования:</strong></p><ul><li>")
	b.WriteString(template.HTMLEscapeString(v.Requirement))
	b.WriteString("</li></ul><p><strong>Условия:</strong></p><ul><li>Оформление по ТК РФ</li><li>ДМС после испытательного срока</li><li>Обучение за счет компании</li></ul>")
	return b.String()
}
