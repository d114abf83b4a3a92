package herald

import (
	"context"
	"strings"
	"time"
)

// Tip is a message sent by a reader through the news mailbox (报料/新闻邮箱).
type Tip struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Contact     string          `json:"contact"` // phone or e-mail, so editors can reply
	Subject     string          `json:"subject"`
	Body        string          `json:"body"`
	ClientHash  string          `json:"-"` // hashed client address, for spotting floods without keeping IPs
	Attachments []TipAttachment `json:"attachments"`
	CreatedAt   time.Time       `json:"created_at"`
}

// TipAttachment is a file sent with a tip; Data is loaded only on request.
type TipAttachment struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Data        []byte `json:"-"`
}

// Limits on tips.
const (
	MaxTipBodyRunes      = 5000
	MaxTipAttachments    = 3
	MaxTipAttachmentSize = 5 << 20
)

// Validate checks a tip.
func (t *Tip) Validate() error {
	var p Problems
	checkName(&p, "name", t.Name, false)
	checkName(&p, "contact", t.Contact, true)
	checkName(&p, "subject", t.Subject, true)
	checkText(&p, "body", strings.TrimSpace(t.Body), MaxTipBodyRunes, true)
	if len(t.Attachments) > MaxTipAttachments {
		p.Add("attachments", "at most %d files", MaxTipAttachments)
	}
	for _, a := range t.Attachments {
		if a.Size > MaxTipAttachmentSize || len(a.Data) > MaxTipAttachmentSize {
			p.Add("attachments", "each file must be at most %d MB", MaxTipAttachmentSize>>20)
			break
		}
	}
	return p.Err()
}

// TipStore keeps tips. Errors: EINVALID, ENOTFOUND.
type TipStore interface {
	CreateTip(ctx context.Context, t *Tip, ev Event) error
	FindTips(ctx context.Context, offset, limit int) ([]*Tip, int, error)
	FindTipAttachment(ctx context.Context, tipID, attachmentID int64) (*TipAttachment, error)
}
