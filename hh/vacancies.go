package hh

import (
	"context"
	"net/url"
)

// SimilarVacancies returns one page of the vacancies hh finds for a resume
// (GET /resumes/{resume_id}/similar_vacancies), filtered by p. p is validated
// first (see SimilarVacanciesParams.Validate); a bad value is a *ParamError
// and nothing is sent. Only the resume's owner may call it.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Poisk-vakansij-dlya-soiskatelya/operation/get-vacancies-similar-to-resume
func (c *Client) SimilarVacancies(ctx context.Context, resumeID string, p SimilarVacanciesParams) (*VacancyPage, error) {
	if err := checkID(OpSimilarVacancies, "resume_id", resumeID); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var page VacancyPage
	path := "resumes/" + url.PathEscape(resumeID) + "/similar_vacancies"
	if err := c.get(ctx, OpSimilarVacancies, path, p.values(), shapeVacancyPage, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Vacancy returns the full form of one vacancy (GET /vacancies/{vacancy_id}),
// with its description, key skills and test. A missing or hidden vacancy is a
// 404 (see IsVacancyGone).
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Vakansii/operation/get-vacancy
func (c *Client) Vacancy(ctx context.Context, id string) (*Vacancy, error) {
	if err := checkID(OpVacancy, "vacancy_id", id); err != nil {
		return nil, err
	}
	var v Vacancy
	if err := c.get(ctx, OpVacancy, "vacancies/"+url.PathEscape(id), nil, shapeVacancy, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
