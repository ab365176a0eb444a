package hh

import (
	"context"
	"iter"
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

// SimilarVacancyPages iterates over the pages of SimilarVacancies, from
// p.Page on (p.PerPage defaults to MaxPerPage here), and stops after the last
// page hh reports, after an empty page, or before a page that would go past
// hh's depth of MaxSearchDepth results, so it never asks for a page hh would
// refuse. An error is yielded once, as the last pair. Stop early by breaking
// out of the loop:
//
//	for page, err := range c.SimilarVacancyPages(ctx, resumeID, p) {
//		if err != nil {
//			return err
//		}
//		if allSeen(page.Items) {
//			break
//		}
//	}
func (c *Client) SimilarVacancyPages(ctx context.Context, resumeID string, p SimilarVacanciesParams) iter.Seq2[*VacancyPage, error] {
	if p.PerPage == 0 {
		p.PerPage = MaxPerPage
	}
	return func(yield func(*VacancyPage, error) bool) {
		for ; (p.Page+1)*p.PerPage <= MaxSearchDepth; p.Page++ {
			page, err := c.SimilarVacancies(ctx, resumeID, p)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || len(page.Items) == 0 || p.Page+1 >= page.Pages {
				return
			}
		}
	}
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
