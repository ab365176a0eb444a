package notify

import (
	"github.com/otklik/otklik/locale"

	"bytes"
	"fmt"
)

// Invitation is an employer's invitation, told to the person once, as soon
// as a sync sees it.
type Invitation struct {
	Lang           string // "ru" or "en"
	BaseURL        string // the instance's public URL
	VacancyID      string
	Vacancy        string // the vacancy's name
	Employer       string
	VacancyURL     string // the vacancy on hh
	NegotiationURL string // the conversation on hh
}

// Body is the sentence that says who invited them to what.
func (inv Invitation) Body() string {
	return locale.Text(inv.Lang, "mail.invitation_body", inv.Employer, inv.Vacancy)
}

// RenderInvitation renders inv in its language.
func RenderInvitation(inv Invitation) (Rendered, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, "invitation.txt", inv); err != nil {
		return Rendered{}, fmt.Errorf("notify: render text invitation: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "invitation.html", inv); err != nil {
		return Rendered{}, fmt.Errorf("notify: render html invitation: %w", err)
	}
	subject := locale.Text(inv.Lang, "mail.invitation_subject", inv.Employer, inv.Vacancy)
	return Rendered{Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
