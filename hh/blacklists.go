package hh

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// ListParams select a page of a list that hh pages. Zero values are not sent.
type ListParams struct {
	Page    int
	PerPage int
}

func (p ListParams) values(op string) (url.Values, error) {
	if p.Page < 0 {
		return nil, &ParamError{Op: op, Field: "page", Reason: "must not be negative"}
	}
	if p.PerPage < 0 || p.PerPage > MaxPerPage {
		return nil, &ParamError{Op: op, Field: "per_page", Reason: "must be between 1 and " + strconv.Itoa(MaxPerPage)}
	}
	q := url.Values{}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(p.PerPage))
	}
	return q, nil
}

// BlacklistedVacancies returns one page of the vacancies the applicant has
// hidden (GET /vacancies/blacklisted).
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-vakansii/operation/get-blacklisted-vacancies
func (c *Client) BlacklistedVacancies(ctx context.Context, p ListParams) (*BlacklistedVacancyPage, error) {
	q, err := p.values(OpBlacklistedVacancies)
	if err != nil {
		return nil, err
	}
	var page BlacklistedVacancyPage
	if err := c.get(ctx, OpBlacklistedVacancies, "vacancies/blacklisted", q, shapeBlacklistedVacancyPage, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// BlacklistVacancy hides a vacancy from the applicant's searches
// (PUT /vacancies/blacklisted/{vacancy_id}, 204). It is idempotent.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-vakansii/operation/add-vacancy-to-blacklisted
func (c *Client) BlacklistVacancy(ctx context.Context, vacancyID string) error {
	if err := checkID(OpBlacklistVacancy, "vacancy_id", vacancyID); err != nil {
		return err
	}
	return c.exec(ctx, OpBlacklistVacancy, http.MethodPut, "vacancies/blacklisted/"+url.PathEscape(vacancyID))
}

// UnblacklistVacancy shows a hidden vacancy again
// (DELETE /vacancies/blacklisted/{vacancy_id}, 204). It is idempotent.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-vakansii/operation/delete-vacancy-from-blacklisted
func (c *Client) UnblacklistVacancy(ctx context.Context, vacancyID string) error {
	if err := checkID(OpUnblacklistVacancy, "vacancy_id", vacancyID); err != nil {
		return err
	}
	return c.exec(ctx, OpUnblacklistVacancy, http.MethodDelete, "vacancies/blacklisted/"+url.PathEscape(vacancyID))
}

// BlacklistedEmployers returns one page of the employers the applicant has
// hidden (GET /employers/blacklisted).
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-rabotodateli/operation/get-blacklisted-employers
func (c *Client) BlacklistedEmployers(ctx context.Context, p ListParams) (*BlacklistedEmployerPage, error) {
	q, err := p.values(OpBlacklistedEmployers)
	if err != nil {
		return nil, err
	}
	var page BlacklistedEmployerPage
	if err := c.get(ctx, OpBlacklistedEmployers, "employers/blacklisted", q, shapeBlacklistedEmployerPage, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// BlacklistEmployer hides all of an employer's vacancies
// (PUT /employers/blacklisted/{employer_id}, 204). It is idempotent.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-rabotodateli/operation/add-employer-to-blacklisted
func (c *Client) BlacklistEmployer(ctx context.Context, employerID string) error {
	if err := checkID(OpBlacklistEmployer, "employer_id", employerID); err != nil {
		return err
	}
	return c.exec(ctx, OpBlacklistEmployer, http.MethodPut, "employers/blacklisted/"+url.PathEscape(employerID))
}

// UnblacklistEmployer shows a hidden employer again
// (DELETE /employers/blacklisted/{employer_id}, 204). It is idempotent.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Skrytye-rabotodateli/operation/delete-employer-from-blacklisted
func (c *Client) UnblacklistEmployer(ctx context.Context, employerID string) error {
	if err := checkID(OpUnblacklistEmployer, "employer_id", employerID); err != nil {
		return err
	}
	return c.exec(ctx, OpUnblacklistEmployer, http.MethodDelete, "employers/blacklisted/"+url.PathEscape(employerID))
}
