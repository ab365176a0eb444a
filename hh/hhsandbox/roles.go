package hhsandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// roleCategory is a category of GET /professional_roles. The role ids and
// names are hh's; the selection is a subset around the professions the
// catalogue generates vacancies for, and a role may sit in several
// categories, as on hh.
type roleCategory struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Roles []wireRole `json:"roles"`
}

type wireRole struct {
	ID                      string `json:"id"`
	Name                    string `json:"name"`
	AcceptIncompleteResumes bool   `json:"accept_incomplete_resumes"`
	IsDefault               bool   `json:"is_default"`
	SearchDeprecated        bool   `json:"search_deprecated"`
	SelectDeprecated        bool   `json:"select_deprecated"`
}

func newRole(id, name string) wireRole { return wireRole{ID: id, Name: name} }

// roleCategories is the sandbox's professional role catalogue. Every role
// a generated vacancy carries is here (TestVacancyRolesAreInTheCatalogue).
var roleCategories = []roleCategory{
	{ID: "11", Name: "Информационные технологии", Roles: []wireRole{
		newRole("156", "BI-аналитик, аналитик данных"),
		newRole("160", "DevOps-инженер"),
		newRole("10", "Аналитик"),
		newRole("150", "Бизнес-аналитик"),
		newRole("165", "Дата-сайентист"),
		newRole("34", "Дизайнер, художник"),
		newRole("36", "Директор по информационным технологиям (CIO)"),
		newRole("73", "Менеджер продукта"),
		newRole("96", "Программист, разработчик"),
		newRole("164", "Продуктовый аналитик"),
		newRole("104", "Руководитель группы разработки"),
		newRole("107", "Руководитель проектов"),
		newRole("112", "Сетевой инженер"),
		newRole("113", "Системный администратор"),
		newRole("148", "Системный аналитик"),
		newRole("114", "Системный инженер"),
		newRole("116", "Специалист по информационной безопасности"),
		newRole("121", "Специалист технической поддержки"),
		newRole("124", "Тестировщик"),
		newRole("125", "Технический директор (CTO)"),
		newRole("126", "Технический писатель"),
	}},
	{ID: "17", Name: "Продажи, обслуживание клиентов", Roles: []wireRole{
		{ID: "70", Name: "Менеджер по продажам, менеджер по работе с клиентами", AcceptIncompleteResumes: true, IsDefault: true},
		{ID: "83", Name: "Оператор call-центра, специалист контактного центра", AcceptIncompleteResumes: true},
		{ID: "97", Name: "Продавец-консультант, продавец-кассир", AcceptIncompleteResumes: true},
		newRole("151", "Руководитель отдела продаж"),
		newRole("121", "Специалист технической поддержки"),
	}},
	{ID: "5", Name: "Бухгалтерия, управленческий учет, финансы предприятия", Roles: []wireRole{
		newRole("18", "Бухгалтер"),
		newRole("50", "Главный бухгалтер"),
		newRole("134", "Финансовый аналитик, инвестиционный аналитик"),
		newRole("135", "Финансовый директор (CFO)"),
	}},
	{ID: "20", Name: "Управление персоналом, тренинги", Roles: []wireRole{
		newRole("38", "Директор по персоналу (HRD)"),
		newRole("69", "Менеджер по персоналу"),
		newRole("118", "Специалист по кадрам"),
		newRole("117", "Специалист по подбору персонала"),
	}},
	{ID: "2", Name: "Административный персонал", Roles: []wireRole{
		{ID: "8", Name: "Администратор", AcceptIncompleteResumes: true},
		{ID: "88", Name: "Офис-менеджер", AcceptIncompleteResumes: true},
		// Retired from search: hh still lists it for old vacancies and
		// resumes, but search forms must not offer it.
		{ID: "55", Name: "Оператор ПК, оператор базы данных", AcceptIncompleteResumes: true, SearchDeprecated: true, SelectDeprecated: true},
	}},
}

// roleNames maps every role id of the catalogue to its name, for the
// professional_roles of a vacancy.
var roleNames = func() map[string]string {
	m := map[string]string{}
	for _, c := range roleCategories {
		for _, r := range c.Roles {
			m[r.ID] = r.Name
		}
	}
	return m
}()

// professionalRolesJSON renders GET /professional_roles's answer once.
func professionalRolesJSON() []byte {
	raw, err := json.Marshal(struct {
		Categories []roleCategory `json:"categories"`
	}{roleCategories})
	if err != nil {
		panic(fmt.Sprintf("hhsandbox: professional roles: %v", err))
	}
	return raw
}

func (s *Sandbox) handleProfessionalRoles(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(s.roles)
}
