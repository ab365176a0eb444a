package hh

// Required members of each response, as hh's OpenAPI description marks them
// (see decode.go for the path syntax). TestShapesMatchSpec derives each list
// from testdata/openapi.yml, restricted to the members our types hold, and
// fails when they drift apart.
var (
	// AuthUserToken (POST /token, user grants).
	shapeToken = newShape("access_token", "expires_in", "refresh_token", "token_type")

	// MeAnyProfile: what every /me answer carries.
	shapeMe = newShape("auth_type?", "is_admin", "is_applicant", "is_application",
		"is_employer", "is_employer_integration")

	// MeApplicantProfile: /me with an applicant's token.
	shapeMeApplicant = newShape("auth_type?", "first_name", "id", "is_admin", "is_applicant",
		"is_application", "is_employer", "is_employer_integration", "is_in_search",
		"last_name", "negotiations_url", "resumes_url")

	// ResumesMineResponse (GET /resumes/mine).
	shapeResumePage = newShape("found", "page", "pages", "per_page", "items",
		"items[].access", "items[].access.type", "items[].access.type.id", "items[].access.type.name",
		"items[].alternate_url", "items[].area.id", "items[].area.name", "items[].area.url",
		"items[].blocked", "items[].created_at", "items[].finished", "items[].id",
		"items[].status", "items[].status.id", "items[].status.name", "items[].updated_at",
		"items[].url")

	// ResumeResumeForApplicant (GET /resumes/{resume_id}): the members a letter uses.
	shapeResume = newShape("id", "title?", "skill_set", "experience", "experience[].position", "experience[].start")

	// VacanciesVacanciesResponse (GET /resumes/{id}/similar_vacancies): the
	// search form of a vacancy.
	shapeVacancyPage = newShape("found", "page", "pages", "per_page", "items",
		"items[].id", "items[].name", "items[].area", "items[].area.id", "items[].area.name",
		"items[].area.url", "items[].employer", "items[].employer.name", "items[].employer.trusted",
		"items[].type", "items[].type.id", "items[].relations", "items[].response_letter_required",
		"items[].has_test", "items[].published_at", "items[].url", "items[].alternate_url",
		"items[].apply_alternate_url", "items[].snippet", "items[].professional_roles",
		"items[].salary?", "items[].salary_range?", "items[].salary_range.currency",
		"items[].salary_range.gross", "items[].salary_range.mode")

	// VacanciesVacancyForApplicant (GET /vacancies/{id}): the full form.
	shapeVacancy = newShape("id", "name", "area", "area.id", "area.name", "area.url",
		"alternate_url", "apply_alternate_url", "archived", "created_at", "description",
		"employer.name", "employer.trusted", "experience?", "has_test", "key_skills",
		"professional_roles", "published_at", "response_letter_required",
		"salary_range.currency", "salary_range.gross", "salary_range.mode", "schedule?",
		"type", "type.id", "type.name")

	// NegotiationsListResponse (GET /negotiations). The vacancy's url and
	// alternate_url are null once the vacancy is deleted (REFERENCE §7),
	// although the spec does not mark them nullable; specOverrides in
	// spec_test.go records the difference.
	shapeNegotiationPage = newShape("found", "page", "pages", "per_page", "items",
		"items[].id", "items[].url", "items[].state", "items[].state.id", "items[].state.name",
		"items[].created_at", "items[].updated_at", "items[].has_updates", "items[].hidden",
		"items[].decline_allowed", "items[].messaging_status", "items[].viewed_by_opponent",
		"items[].resume.id", "items[].resume.title?", "items[].vacancy.id", "items[].vacancy.name",
		"items[].vacancy.url?", "items[].vacancy.alternate_url?")

	// VacanciesVacanciesBlacklistedResponse (GET /vacancies/blacklisted).
	shapeBlacklistedVacancyPage = newShape("found", "page", "pages", "per_page",
		"items[].id", "items[].name", "items[].area", "items[].area.id", "items[].area.name",
		"items[].area.url", "items[].employer", "items[].employer.name", "items[].employer.trusted",
		"items[].type", "items[].type.id", "items[].relations", "items[].response_letter_required",
		"items[].has_test", "items[].archived", "items[].published_at", "items[].url",
		"items[].alternate_url", "items[].apply_alternate_url",
		"items[].salary?", "items[].salary_range?", "items[].salary_range.currency",
		"items[].salary_range.gross", "items[].salary_range.mode")

	// EmployersEmployersBlacklistedResponse (GET /employers/blacklisted).
	shapeBlacklistedEmployerPage = newShape("found", "page", "pages", "per_page",
		"items[].name", "items[].open_vacancies")

	// DictionariesDictResponse (GET /dictionaries), the entries we hold.
	shapeDictionaries = newShape(
		"currency", "currency[].abbr", "currency[].code", "currency[].default",
		"currency[].in_use", "currency[].name", "currency[].rate",
		"employment", "employment[].id", "employment[].name",
		"employment_form[].id", "employment_form[].name",
		"experience", "experience[].id", "experience[].name",
		"resume_status", "resume_status[].id", "resume_status[].name",
		"schedule", "schedule[].id", "schedule[].name",
		"vacancy_label", "vacancy_label[].id", "vacancy_label[].name",
		"vacancy_relation", "vacancy_relation[].id", "vacancy_relation[].name",
		"vacancy_search_fields", "vacancy_search_fields[].id", "vacancy_search_fields[].name",
		"vacancy_search_order", "vacancy_search_order[].id", "vacancy_search_order[].name",
		"vacancy_type", "vacancy_type[].id", "vacancy_type[].name",
		"work_format[].id", "work_format[].name")

	// DictionariesAreaResponse (GET /areas): a tree of any depth.
	shapeAreas = areaTreeShape()

	// ProfessionalRolesCatalog (GET /professional_roles).
	shapeProfessionalRoles = newShape("categories", "categories[].id", "categories[].name?",
		"categories[].roles", "categories[].roles[].id", "categories[].roles[].name",
		"categories[].roles[].accept_incomplete_resumes", "categories[].roles[].is_default")
)

func areaTreeShape() *shape {
	node := newShape("id", "name", "areas")
	node.setSub("areas", &shape{elem: node})
	return &shape{elem: node}
}
