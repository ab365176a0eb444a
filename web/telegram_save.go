package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/otklik/otklik/store"
)

// telegramCodeTTL is how long a link code works.
const telegramCodeTTL = 15 * time.Minute

// saveTelegram is POST /settings/telegram: action=link makes a one-time
// code (the card then shows it and its deep link), unlink forgets the
// chat, notify saves which notifications the chat gets.
func (h *handler) saveTelegram(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "link":
		var raw [10]byte
		if _, err := rand.Read(raw[:]); err != nil {
			h.serverError(w, r, err)
			return
		}
		if err := h.store.SaveTelegramCode(ctx, user.ID, hex.EncodeToString(raw[:]), h.now().Add(telegramCodeTTL)); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.redirect(w, r, "/settings#telegram", "")
	case "unlink":
		if err := h.store.UnlinkTelegram(ctx, user.ID); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.log.InfoContext(ctx, "telegram unlinked", "user_id", user.ID)
		h.redirect(w, r, "/settings#telegram", "telegram_unlinked")
	case "notify":
		on := func(name string) bool { return r.PostForm.Get(name) == "on" }
		if err := h.store.SetTelegramNotifications(ctx, user.ID, store.TelegramNotifications{
			Invitations: on("invitations"), Warnings: on("warnings"), Summary: on("summary"), Review: on("review"),
		}); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.redirect(w, r, "/settings#telegram", "telegram_saved")
	default:
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
	}
}
