package telegram

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/review"
	"github.com/otklik/otklik/store"
)

// Jobs is what the bot asks of the worker: the enqueue review.Send makes
// for the web app too (tasks.Jobs implements it).
type Jobs = review.Jobs

// Deps is what a Bot needs.
type Deps struct {
	Client *Client
	Store  *store.Store
	Jobs   Jobs
	// Redis holds the polling lease, shared by every worker process.
	Redis redis.UniversalClient
	// SecretKey is the instance's SECRET_KEY; callback data is signed with
	// a key derived from it.
	SecretKey []byte
	// BaseURL is the instance's public URL, for links back.
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// PollWait is how long one getUpdates waits for news (25s when zero).
	PollWait time.Duration
	// Lease is the polling lease's length (30s when zero); it is renewed
	// while held, so another process takes over within it when one dies.
	Lease time.Duration
}

// Bot handles what people do in Telegram and sends them notifications.
type Bot struct {
	client   *Client
	store    *store.Store
	jobs     Jobs
	redis    redis.UniversalClient
	tokens   tokens
	baseURL  string
	log      *slog.Logger
	now      func() time.Time
	pollWait time.Duration
	lease    time.Duration
}

// New builds a Bot.
func New(d Deps) *Bot {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PollWait <= 0 {
		d.PollWait = 25 * time.Second
	}
	if d.Lease <= 0 {
		d.Lease = 30 * time.Second
	}
	return &Bot{client: d.Client, store: d.Store, jobs: d.Jobs, redis: d.Redis, tokens: newTokens(d.SecretKey),
		baseURL: strings.TrimRight(d.BaseURL, "/"), log: d.Logger, now: d.Now, pollWait: d.PollWait, lease: d.Lease}
}

// Client is the bot's Bot API client.
func (b *Bot) Client() *Client { return b.client }

// handle dispatches one update (already claimed: handled once).
func (b *Bot) handle(ctx context.Context, u *models.Update) {
	switch {
	case u.CallbackQuery != nil:
		b.press(ctx, u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == models.ChatTypePrivate && u.Message.Text != "":
		b.message(ctx, u.Message)
	}
}

// message is a text message: a command, or the letter the chat was asked for.
func (b *Bot) message(ctx context.Context, m *models.Message) {
	chatID := m.Chat.ID
	text := strings.TrimSpace(m.Text)
	command, arg, _ := strings.Cut(text, " ")
	command, _, _ = strings.Cut(command, "@") // /status@OtklikBot in a menu
	if command == "/start" {
		b.start(ctx, m, strings.TrimSpace(arg))
		return
	}
	link, err := b.store.TelegramLinkByChat(ctx, chatID)
	if errors.Is(err, store.ErrNotFound) {
		b.reply(ctx, chatID, 0, Message{Text: locale.Text(locale.Default, "tg.start_how")})
		return
	}
	if err != nil {
		b.log.Error("telegram: read link", "error", err)
		return
	}
	lang := b.language(ctx, link.UserID)
	switch {
	case command == "/help":
		b.help(ctx, link, lang)
	case command == "/status":
		b.status(ctx, link, lang)
	case command == "/pause":
		b.pause(ctx, link, lang, false)
	case command == "/resume":
		b.pause(ctx, link, lang, true)
	case strings.HasPrefix(command, "/"):
		b.reply(ctx, chatID, link.UserID, Message{Text: locale.Text(lang, "tg.unknown")})
	case link.LetterFor != 0:
		b.letterTyped(ctx, link, lang, m.Text)
	default:
		b.reply(ctx, chatID, link.UserID, Message{Text: locale.Text(lang, "tg.unknown")})
	}
}

// language is the person's language, the default when unknown.
func (b *Bot) language(ctx context.Context, userID int64) string {
	u, err := b.store.User(ctx, userID)
	if err != nil || !locale.Valid(u.Language) {
		return locale.Default
	}
	return u.Language
}

// replyTries bounds how often a reply waits out a 429 or a 5xx.
const replyTries = 4

// reply sends m to chatID at once (a reply to what the person just did),
// waiting out a 429 and retrying a 5xx a few times; a 403 unlinks the chat
// of userID (0: none linked).
func (b *Bot) reply(ctx context.Context, chatID, userID int64, m Message) {
	for try := 1; ; try++ {
		err := b.client.Send(ctx, chatID, m)
		if err == nil {
			return
		}
		if IsBlocked(err) {
			b.blocked(ctx, userID, chatID)
			return
		}
		var e *Error
		if try >= replyTries || !errors.As(err, &e) || !e.Temporary {
			b.log.Warn("telegram: reply not sent", "user_id", userID, "error", err)
			return
		}
		wait := time.Duration(try) * time.Second
		if d, ok := RetryAfter(err); ok {
			wait = d
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// answer answers a button press; failures only cost the notice.
func (b *Bot) answer(ctx context.Context, cq *models.CallbackQuery, text string) {
	if err := b.client.Answer(ctx, cq.ID, text); err != nil {
		b.log.Warn("telegram: callback not answered", "error", err)
	}
}

// blocked records that the person blocked the bot: the chat is unlinked
// and /settings says so.
func (b *Bot) blocked(ctx context.Context, userID, chatID int64) {
	if userID == 0 {
		return
	}
	if err := b.store.BlockTelegram(context.WithoutCancel(ctx), userID, chatID, b.now()); err != nil {
		b.log.Error("telegram: record blocked chat", "user_id", userID, "error", err)
		return
	}
	b.log.Info("telegram: the person blocked the bot; chat unlinked", "user_id", userID)
}
