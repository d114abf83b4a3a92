package activitypub

import (
	"time"
)

// NewCreate wraps note in a Create activity with the given ID, from the
// note's author to the note's audience: how a published article goes out.
func NewCreate(id string, note *Note) *Activity {
	return wrap(id, TypeCreate, note, note.Published)
}

// NewUpdate wraps note in an Update activity: how a correction goes out.
// Mastodon applies it only when note.Updated is later than what it has.
func NewUpdate(id string, note *Note) *Activity {
	at := note.Updated
	if at.IsZero() {
		at = note.Published
	}
	return wrap(id, TypeUpdate, note, at)
}

func wrap(id, typ string, note *Note, at time.Time) *Activity {
	inner := *note
	inner.Context = nil // only the outermost document carries it
	return &Activity{
		Context:   DefaultContext(),
		ID:        id,
		Type:      typ,
		Actor:     note.AttributedTo,
		Object:    &inner,
		Published: at,
		To:        inner.To,
		Cc:        inner.Cc,
	}
}

// NewDelete returns a Delete of the note noteID by actorID, with a Tombstone
// as its object, addressed like the note was (public, cc followers): how a
// retraction goes out.
func NewDelete(id, actorID, noteID, followers string, at time.Time) *Activity {
	at = at.UTC().Truncate(time.Second)
	return &Activity{
		Context:   DefaultContext(),
		ID:        id,
		Type:      TypeDelete,
		Actor:     actorID,
		Object:    &Tombstone{ID: noteID, Type: TypeTombstone, Deleted: at},
		Published: at,
		To:        []string{Public},
		Cc:        []string{followers},
	}
}

// NewAccept returns the Accept that actorID sends back for follow, with the
// Follow embedded as Mastodon does, so that the follower need not fetch it.
func NewAccept(id, actorID string, follow *Incoming) *Activity {
	return &Activity{
		Context: DefaultContext(),
		ID:      id,
		Type:    TypeAccept,
		Actor:   actorID,
		Object:  &Activity{ID: follow.ID, Type: TypeFollow, Actor: follow.Actor, Object: follow.Object},
		To:      []string{follow.Actor},
	}
}
