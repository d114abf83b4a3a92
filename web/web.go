// Package web embeds Herald's HTML templates and static assets.
package web

import "embed"

// Templates holds the html/template files.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds CSS, images and scripts served under /static/.
//
//go:embed static
var Static embed.FS
