package hh

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
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
