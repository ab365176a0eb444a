package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// Button actions in callback data.
const (
	actionSend       = "s" // «Отправить» with the letter shown
	actionEdit       = "e" // «Изменить письмо»
	actionSkip       = "k" // «Пропустить»
	actionSendTyped  = "d" // «Отправить» with the letter the person typed
	actionCancelEdit = "c" // «Отмена»
)

// tokens signs callback data: the action and the review item, bound to the
// user and the chat the buttons were sent to, so a forged press, or one
// replayed from another chat, does not verify.
type tokens struct{ key []byte }

// newTokens derives the signing key from the instance's SECRET_KEY.
func newTokens(secretKey []byte) tokens {
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte("otklik telegram callback data"))
	return tokens{key: m.Sum(nil)}
}

func (t tokens) sig(action string, itemID, userID, chatID int64) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(action + "|" + strconv.FormatInt(itemID, 10) + "|" + strconv.FormatInt(userID, 10) + "|" +
		strconv.FormatInt(chatID, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// sign is the callback data of action on itemID for userID's chat chatID
// (well within Telegram's 64 bytes).
func (t tokens) sign(action string, itemID, userID, chatID int64) string {
	return action + ":" + strconv.FormatInt(itemID, 10) + ":" + t.sig(action, itemID, userID, chatID)
}

// verify reads callback data pressed in chatID, linked to userID: the
// action and item, and false unless it was signed for that user and chat.
func (t tokens) verify(data string, userID, chatID int64) (action string, itemID int64, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	want := t.sig(parts[0], id, userID, chatID)
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return "", 0, false
	}
	return parts[0], id, true
}
