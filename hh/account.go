package hh

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Me returns the profile of the token's owner (GET /me). For an applicant
// (AuthType "applicant") the name, id and links are required and checked.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Informaciya-o-soiskatele/operation/get-current-user-info
func (c *Client) Me(ctx context.Context) (*Me, error) {
	resp, err := c.send(ctx, &request{op: OpMe, method: "GET", path: "me"})
	if err != nil {
		return nil, err
	}
	var me Me
	if err := decode(OpMe, resp.body, shapeMe, &me); err != nil {
		return nil, err
	}
	if me.AuthType == AuthTypeApplicant {
		// hh's schema is a oneOf keyed by auth_type: check the applicant branch.
		if err := decode(OpMe, resp.body, shapeMeApplicant, &me); err != nil {
			return nil, err
		}
	}
	return &me, nil
}

// maxListPages bounds how many pages the all-pages helpers fetch.
const maxListPages = 100

// MyResumes returns all of the user's resumes (GET /resumes/mine), every
// page. Only a published resume can be used to apply (Resume.Published).
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Rezyume-Prosmotr-informacii/operation/get-mine-resumes
func (c *Client) MyResumes(ctx context.Context) ([]Resume, error) {
	var all []Resume
	for n := 0; n < maxListPages; n++ {
		var q url.Values
		if n > 0 {
			q = url.Values{"page": {strconv.Itoa(n)}}
		}
		var page Page[Resume]
		if err := c.get(ctx, OpMyResumes, "resumes/mine", q, shapeResumePage, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if len(page.Items) == 0 || n+1 >= page.Pages {
			break
		}
	}
	return all, nil
}

// PublishResume publishes the resume or, when it is published already,
// raises it to the top of hh's search (POST /resumes/{resume_id}/publish,
// 204). hh allows a raise once in a while (the resume's NextPublishAt):
// earlier, it answers 429 (IsPublishTooEarly); a resume that cannot be
// published (hidden by a moderator, incomplete, on moderation) gets 400
// (IsPublishRefused). It is never retried: a lost answer is seen in the
// resume's NextPublishAt.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Rezyume.-Publikaciya/operation/publish-resume
func (c *Client) PublishResume(ctx context.Context, resumeID string) error {
	if err := checkID(OpPublishResume, "resume_id", resumeID); err != nil {
		return err
	}
	return c.exec(ctx, OpPublishResume, http.MethodPost, "resumes/"+url.PathEscape(resumeID)+"/publish")
}

// ResumeDetail is one resume in full (GET /resumes/{resume_id}), as far as
// a cover letter needs it: the title, the skills and the experience.
type ResumeDetail struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Skills is the person's free text about themselves ("Обо мне").
	Skills *string `json:"skills"`
	// SkillSet is the list of key skills.
	SkillSet   []string           `json:"skill_set"`
	Experience []ResumeExperience `json:"experience"`
}

// ResumeExperience is one place of work in a resume.
type ResumeExperience struct {
	Company     *string `json:"company"`
	Position    string  `json:"position"`
	Start       string  `json:"start"` // YYYY-MM-DD
	End         *string `json:"end"`   // nil: to this day
	Description *string `json:"description"`
}

// SkillsText is the key skills and the free text, as one text.
func (r *ResumeDetail) SkillsText() string {
	var parts []string
	if len(r.SkillSet) > 0 {
		parts = append(parts, strings.Join(r.SkillSet, ", "))
	}
	if r.Skills != nil && strings.TrimSpace(*r.Skills) != "" {
		parts = append(parts, strings.TrimSpace(*r.Skills))
	}
	return strings.Join(parts, "\n")
}

// ExperienceText is the places of work, newest first as hh lists them,
// one paragraph each: dates, position, company, what was done.
func (r *ResumeDetail) ExperienceText() string {
	var b strings.Builder
	for i, e := range r.Experience {
		if i > 0 {
			b.WriteString("\n\n")
		}
		end := "now"
		if e.End != nil && *e.End != "" {
			end = *e.End
		}
		fmt.Fprintf(&b, "%s – %s: %s", e.Start, end, e.Position)
		if e.Company != nil && *e.Company != "" {
			b.WriteString(", " + *e.Company)
		}
		if e.Description != nil && strings.TrimSpace(*e.Description) != "" {
			b.WriteString("\n" + strings.TrimSpace(*e.Description))
		}
	}
	return b.String()
}

// Resume reads one of the user's resumes in full (GET /resumes/{resume_id}).
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Rezyume.-Prosmotr-informacii/operation/get-resume
func (c *Client) Resume(ctx context.Context, resumeID string) (*ResumeDetail, error) {
	if err := checkID(OpResume, "resume_id", resumeID); err != nil {
		return nil, err
	}
	var r ResumeDetail
	if err := c.get(ctx, OpResume, "resumes/"+url.PathEscape(resumeID), nil, shapeResume, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
