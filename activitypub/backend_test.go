package activitypub_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
)

// memBackend is an in-memory Backend for the tests; the store-backed one
// implements the same contract.
type memBackend struct {
	mu        sync.Mutex
	actors    map[string]*activitypub.LocalActor
	keys      map[string]*rsa.PrivateKey
	followers map[string]map[string]*activitypub.RemoteActor // local name → follower ID → follower
	received  []*activitypub.Received
	seen      map[string]bool
	queue     []*activitypub.Delivery
	objects   map[string]json.RawMessage
	outbox    map[string][]json.RawMessage
	blocked   map[string]bool
}

func newMemBackend() *memBackend {
	return &memBackend{
		actors:    map[string]*activitypub.LocalActor{},
		keys:      map[string]*rsa.PrivateKey{},
		followers: map[string]map[string]*activitypub.RemoteActor{},
		seen:      map[string]bool{},
		objects:   map[string]json.RawMessage{},
		outbox:    map[string][]json.RawMessage{},
		blocked:   map[string]bool{},
	}
}

func (b *memBackend) addActor(t testing.TB, name string, key *rsa.PrivateKey, profile string) {
	t.Helper()
	pem, err := activitypub.EncodePublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.actors[name] = &activitypub.LocalActor{Name: name, DisplayName: "省司法厅", Summary: "<p>法治新闻</p>",
		ProfileURL: profile, PublicKeyPEM: pem}
	b.keys[name] = key
}

func (b *memBackend) LocalActor(_ context.Context, name string) (*activitypub.LocalActor, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if a, ok := b.actors[name]; ok {
		return a, nil
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "There is no actor %q.", name)
}

func (b *memBackend) Outbox(_ context.Context, name string, offset, limit int) ([]json.RawMessage, int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	items := b.outbox[name]
	total := len(items)
	if offset >= total {
		return nil, total, nil
	}
	return items[offset:min(total, offset+limit)], total, nil
}

func (b *memBackend) FollowerCount(_ context.Context, name string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.followers[name]), nil
}

func (b *memBackend) Object(_ context.Context, id string) (json.RawMessage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.objects[id]; ok {
		return o, nil
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "No object %s.", id)
}

func (b *memBackend) DomainBlocked(_ context.Context, host string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked[host], nil
}

func (b *memBackend) Receive(_ context.Context, rcv *activitypub.Received) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[rcv.Activity.ID] {
		return nil
	}
	b.seen[rcv.Activity.ID] = true
	b.received = append(b.received, rcv)
	switch rcv.Action {
	case activitypub.ActionFollow:
		if b.followers[rcv.Target] == nil {
			b.followers[rcv.Target] = map[string]*activitypub.RemoteActor{}
		}
		b.followers[rcv.Target][rcv.Actor.ID] = rcv.Actor
		b.queue = append(b.queue, rcv.Accept)
	case activitypub.ActionUnfollow:
		delete(b.followers[rcv.Target], rcv.Actor.ID)
	case activitypub.ActionRemoveActor:
		for _, f := range b.followers {
			delete(f, rcv.Actor.ID)
		}
	}
	return nil
}

func (b *memBackend) Stats(context.Context) (activitypub.NodeInfoUsage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	posts := 0
	for _, items := range b.outbox {
		posts += len(items)
	}
	n := len(b.actors)
	return activitypub.NodeInfoUsage{Users: activitypub.NodeInfoUsers{Total: n, ActiveMonth: n, ActiveHalfyear: n}, LocalPosts: posts}, nil
}

// receivedCount is how many activities were recorded.
func (b *memBackend) receivedCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.received)
}

// find returns the recorded activity with the given ID.
func (b *memBackend) find(id string) *activitypub.Received {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.IndexFunc(b.received, func(r *activitypub.Received) bool { return r.Activity.ID == id })
	if i < 0 {
		return nil
	}
	return b.received[i]
}

func (b *memBackend) follower(name, id string) *activitypub.RemoteActor {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.followers[name][id]
}

func (b *memBackend) deliveries() []*activitypub.Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.queue)
}
