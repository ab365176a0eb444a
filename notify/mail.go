package notify

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Mailer sends one e-mail with a text and an HTML body.
type Mailer interface {
	Send(ctx context.Context, to string, r Rendered) error
}

// SMTPMailer sends mail over SMTP (wneessen/go-mail).
type SMTPMailer struct {
	from string
	opts []mail.Option
	host string
}

// NewSMTPMailer configures delivery from an SMTP_URL such as
// smtp://user:pass@host:587 (STARTTLS when the server offers it) or
// smtps://user:pass@host:465 (implicit TLS).
func NewSMTPMailer(smtpURL, from string) (*SMTPMailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("notify: SMTP_URL is not a URL like smtp://user:pass@host:587")
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtp":
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("notify: SMTP_URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("notify: SMTP_URL port %q: %w", p, err)
		}
		port = n
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return &SMTPMailer{from: from, opts: opts, host: u.Hostname()}, nil
}

// Send delivers r to one recipient.
func (m *SMTPMailer) Send(ctx context.Context, to string, r Rendered) error {
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("notify: MAIL_FROM: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("notify: recipient: %w", err)
	}
	msg.Subject(r.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	c, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("notify: send summary: %w", err)
	}
	return nil
}
