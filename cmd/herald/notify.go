package main

import (
	"context"

	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/notify"
)

// notifications sets up the notifier: its jobs always, and mail when a relay
// is configured (--smtp-addr), through the same relay and sender address as
// the newsletter. Whether there is one is decided here, once: without it no
// mail job is ever queued and notifications are shown in the newsroom only.
func (a *app) notifications(c *config.Config) error {
	a.notify = notify.New(a.store, a.clock, a.log)
	a.notify.Queued = a.jobs.Wake
	a.notify.RegisterJobs(a.jobs)
	if c.Get("smtp-addr") == "" {
		return nil
	}
	sender, err := mail.NewSender(mail.Config{Addr: c.Get("smtp-addr"), TLS: mail.TLSMode(c.Get("smtp-tls")),
		Username: c.Get("smtp-user"), Password: c.Get("smtp-password"), Clock: a.clock})
	if err != nil {
		return err
	}
	a.notify.Mailer, err = notify.NewMailer(notify.MailConfig{Sender: sender, BaseURL: c.BaseURL(),
		From: mail.Address{Name: c.Get("mail-from-name"), Address: c.Get("mail-from")}})
	return err
}

// queueNotify asks for a notifier run soon: at start (which also starts its
// runs every notify.Every) and after each change of an article.
func (a *app) queueNotify() {
	if err := a.notify.Queue(context.Background()); err != nil {
		a.log.Error("queue notifications", "error", err)
	}
}
