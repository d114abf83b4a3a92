package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// tipForm is what a reader typed, kept to show the form again with errors.
type tipForm struct{ Name, Contact, Subject, Body string }

func (p *Portal) tipPage(d *siteData, form tipForm, errs []string, thanks, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/tips/", static)
	v.Title = v.L.TipForm
	v.Data = &struct {
		Form   tipForm
		Errors []string
		Thanks bool
	}{form, errs, thanks}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	return p.render("tips", status, v)
}

// allowedTipTypes are the attachment types accepted, judged by content.
var allowedTipTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "application/pdf": true}

// TipsPerHour is how many tips one client may send in an hour.
const TipsPerHour = 5

// submitTip keeps a reader's tip, or shows the form again naming what is wrong.
func (p *Portal) submitTip(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := p.siteData(ctx)
	if err != nil {
		http.Error(w, "服务暂时不可用", http.StatusInternalServerError)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, herald.MaxTipAttachments*herald.MaxTipAttachmentSize+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		msg := "表单无法读取，请重试。"
		if errors.As(err, &tooBig) {
			msg = "附件太大：最多 3 个文件，每个不超过 5 MB。"
		}
		p.showTipErrors(w, r, d, tipForm{}, []string{msg})
		return
	}
	form := tipForm{Name: strings.TrimSpace(r.FormValue("name")), Contact: strings.TrimSpace(r.FormValue("contact")),
		Subject: strings.TrimSpace(r.FormValue("subject")), Body: strings.TrimSpace(r.FormValue("body"))}
	sum := sha256.Sum256([]byte("herald-tip:" + httpx.ClientIP(r)))
	client := hex.EncodeToString(sum[:12])
	if r.FormValue("website") != "" {
		// The honeypot field is invisible to people; only robots fill it. Pretend success.
		p.Log.Info("tip rejected as spam", "request_id", httpx.RequestID(ctx), "reason", "honeypot")
		http.Redirect(w, r, "/tips/thanks.html", http.StatusSeeOther)
		return
	}
	if ok, err := p.tips.Allow(ctx, client, p.Clock.Now()); err != nil {
		p.fail(w, r, err)
		return
	} else if !ok {
		w.Header().Set("Retry-After", "3600")
		p.showTipErrorsStatus(w, r, d, form, []string{"提交过于频繁，请一小时后再试，或拨打新闻热线。"}, http.StatusTooManyRequests)
		return
	}
	tip := &herald.Tip{Name: form.Name, Contact: form.Contact, Subject: form.Subject, Body: form.Body, ClientHash: client}
	var errs []string
	if r.MultipartForm != nil {
		files := r.MultipartForm.File["files"]
		if len(files) > herald.MaxTipAttachments {
			errs = append(errs, "附件最多 3 个。")
		}
		for i, fh := range files {
			if i >= herald.MaxTipAttachments {
				break
			}
			if fh.Size > herald.MaxTipAttachmentSize {
				errs = append(errs, "附件“"+fh.Filename+"”超过 5 MB。")
				continue
			}
			f, err := fh.Open()
			if err != nil {
				errs = append(errs, "附件“"+fh.Filename+"”无法读取。")
				continue
			}
			data, err := io.ReadAll(io.LimitReader(f, herald.MaxTipAttachmentSize+1))
			f.Close()
			kind := http.DetectContentType(data)
			if err != nil || !allowedTipTypes[kind] {
				errs = append(errs, "附件“"+fh.Filename+"”不是允许的类型（JPG、PNG、GIF、WebP、PDF）。")
				continue
			}
			tip.Attachments = append(tip.Attachments, herald.TipAttachment{Filename: fh.Filename, ContentType: kind, Data: data})
		}
	}
	if err := tip.Validate(); err != nil {
		names := map[string]string{"name": "称呼", "contact": "联系方式", "subject": "标题", "body": "内容", "attachments": "附件"}
		for _, f := range herald.ErrorFields(err) {
			errs = append(errs, names[f.Field]+"："+tipMessage(f.Message))
		}
	}
	if len(errs) > 0 {
		p.showTipErrors(w, r, d, form, errs)
		return
	}
	if err := p.Store.CreateTip(ctx, tip, herald.Event{At: p.Clock.Now()}); err != nil {
		p.Log.Error("save tip", "request_id", httpx.RequestID(ctx), "error", err)
		p.showTipErrorsStatus(w, r, d, form, []string{"保存失败，请稍后再试。"}, http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/tips/thanks.html", http.StatusSeeOther)
}

// tipMessage puts a validation message in the reader's language.
func tipMessage(msg string) string {
	switch {
	case strings.HasPrefix(msg, "is required"):
		return "必须填写"
	case strings.Contains(msg, "at most"):
		return "太长了"
	}
	return "格式不对"
}

func (p *Portal) showTipErrors(w http.ResponseWriter, r *http.Request, d *siteData, form tipForm, errs []string) {
	p.showTipErrorsStatus(w, r, d, form, errs, http.StatusBadRequest)
}

func (p *Portal) showTipErrorsStatus(w http.ResponseWriter, r *http.Request, d *siteData, form tipForm, errs []string, status int) {
	page, err := p.tipPage(d, form, errs, false, false)
	if err != nil {
		http.Error(w, "服务暂时不可用", http.StatusInternalServerError)
		return
	}
	page.Status = status
	p.write(w, r, page)
}
