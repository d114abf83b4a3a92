package web

import "time"

func buildTime() time.Time { return time.Now().UTC().Truncate(time.Second) }
