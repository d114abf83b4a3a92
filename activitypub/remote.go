package activitypub

import (
	"context"
	"sync"
	"time"

	"github.com/heraldnews/herald"
)

// Resolver finds other servers' actors and keys for the inbox handlers.
// ActorCache is the in-memory one; a store-backed one can keep them across
// restarts.
type Resolver interface {
	// Key returns the public key keyID with its owner; it is a KeyFunc.
	Key(ctx context.Context, keyID string, refresh bool) (*PublicKey, error)
	// Actor returns the actor with the given ID.
	Actor(ctx context.Context, id string) (*RemoteActor, error)
}

// ActorCache is a Resolver that fetches actors with a Client and keeps them
// in memory for a while, so that a busy peer's deliveries do not each cost a
// fetch of its key.
type ActorCache struct {
	client *Client
	signAs *SigningKey
	ttl    time.Duration
	max    int
	clock  herald.Clock

	mu     sync.Mutex
	actors map[string]cachedActor // by actor ID
	keys   map[string]string      // key ID → actor ID
}

type cachedActor struct {
	actor   *RemoteActor
	fetched time.Time
}

// NewActorCache returns a cache that fetches with client, signing its
// requests with signAs when it is not nil (for servers in authorized-fetch
// mode), and keeps at most max actors for ttl each.
func NewActorCache(client *Client, signAs *SigningKey, ttl time.Duration, max int, clock herald.Clock) *ActorCache {
	if max <= 0 {
		max = 1000
	}
	return &ActorCache{client: client, signAs: signAs, ttl: ttl, max: max, clock: clock,
		actors: map[string]cachedActor{}, keys: map[string]string{}}
}

// Key implements Resolver.
func (c *ActorCache) Key(ctx context.Context, keyID string, refresh bool) (*PublicKey, error) {
	if !refresh {
		c.mu.Lock()
		if id, ok := c.keys[keyID]; ok {
			if e, ok := c.actors[id]; ok && c.clock.Now().Sub(e.fetched) < c.ttl {
				if pk := ownedKey(e.actor, keyID); pk != nil {
					c.mu.Unlock()
					return pk, nil
				}
			}
		}
		c.mu.Unlock()
	}
	key, actor, err := c.client.FetchKey(ctx, keyID, c.signAs)
	if err != nil {
		return nil, err
	}
	c.put(actor)
	return key, nil
}

// Actor implements Resolver.
func (c *ActorCache) Actor(ctx context.Context, id string) (*RemoteActor, error) {
	c.mu.Lock()
	if e, ok := c.actors[id]; ok && c.clock.Now().Sub(e.fetched) < c.ttl {
		c.mu.Unlock()
		return e.actor, nil
	}
	c.mu.Unlock()
	actor, err := c.client.FetchActor(ctx, id, c.signAs)
	if err != nil {
		return nil, err
	}
	if actor.ID != id {
		return nil, &RemoteError{URL: id, Err: herald.Errorf(herald.EINVALID, "The actor document names itself %s.", actor.ID)}
	}
	c.put(actor)
	return actor, nil
}

func (c *ActorCache) put(actor *RemoteActor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if len(c.actors) >= c.max {
		for id, e := range c.actors { // expired first, then any: map order is random enough
			if now.Sub(e.fetched) >= c.ttl || len(c.actors) >= c.max {
				delete(c.actors, id)
			}
		}
		for k, id := range c.keys {
			if _, ok := c.actors[id]; !ok {
				delete(c.keys, k)
			}
		}
	}
	c.actors[actor.ID] = cachedActor{actor: actor, fetched: now}
	for _, k := range actor.PublicKeys {
		c.keys[k.ID] = actor.ID
	}
}
